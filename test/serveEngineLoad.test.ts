/**
 * `routesim serve engine` under a sustained load on loopback (bounded in count and time): 1200
 * requests, 48 at a time, streamed and not, sharing prefixes, at speed-up 200. Every one is
 * answered in full, and afterwards nothing is left behind: no request in the driver, none running
 * or waiting in the engine, no KV block in use, every request counted once in /metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineService } from '../live/engine/engineService.js';
import { testScenario, histogram, jsonOf, postJson, promptOf, scrapeText, startTestService, streamEvents, url, value } from './serveEngineHelpers.js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

let svc: EngineService | null = null;
afterEach(async () => {
  await svc?.stop();
  svc = null;
});

describe('serve engine: sustained load', () => {
  it('answers 1200 requests in full and returns to an empty engine', async () => {
    svc = await startTestService({ speedup: 200 }, testScenario().replace('max_num_seqs: 2', 'max_num_seqs: 64'));
    const total = 1200;
    const concurrency = 48;
    let next = 0;
    const tokens: number[] = new Array(total).fill(-1);
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const out = 1 + (i % 7);
        const body = { model: 'Llama-3.1-8B', prompt: `${promptOf(64, `group${i % 20}`)}${promptOf(5 + (i % 11), `q${i}`)}`, max_tokens: out, ignore_eos: true };
        if (i % 2 === 0) {
          const r = await streamEvents(url(svc!, i % 2, '/v1/completions'), { ...body, stream: true, stream_options: { include_usage: true } });
          const usage = JSON.parse(r.events.at(-2)!.data).usage;
          tokens[i] = r.events.at(-1)!.data === '[DONE]' && r.events.length === out + 2 ? usage.completion_tokens : -2;
        } else {
          tokens[i] = (await jsonOf(postJson(url(svc!, i % 2, '/v1/completions'), body))).usage.completion_tokens;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    expect(tokens.every((t, i) => t === 1 + (i % 7))).toBe(true);
    for (const r of svc.fleet.replicas) expect(r.driver.inFlight).toBe(0);
    let answered = 0;
    for (const i of [0, 1]) {
      const text = await scrapeText(svc, i);
      const fams = parsePrometheusTextFormat(text);
      const v = (n: string): number => value(fams, n);
      expect(v('vllm:num_requests_running')).toBe(0);
      expect(v('vllm:num_requests_waiting')).toBe(0);
      expect(v('vllm:kv_cache_usage_perc')).toBe(0);
      expect(v('vllm:prefix_cache_hits_total')).toBeGreaterThan(0);
      answered += histogram(text, 'vllm:e2e_request_latency_seconds').count;
    }
    expect(answered).toBe(total);
  });

  it('survives 100 clients that hang up mid-stream or mid-body, and forgets them', async () => {
    svc = await startTestService({ speedup: 50 }, testScenario().replace('max_num_seqs: 2', 'max_num_seqs: 64'));
    const u = url(svc, 0, '/v1/completions');
    const hangUps = Array.from({ length: 100 }, async (_, i) => {
      const ctl = new AbortController();
      try {
        if (i % 4 === 3) {
          // A body that never finishes: the client gives up while sending it.
          const slow = new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"model": "Llama-3.1-8B", "prompt"')) });
          setTimeout(() => ctl.abort(), 20);
          await fetch(u, { method: 'POST', body: slow, signal: ctl.signal, duplex: 'half' } as RequestInit);
          return;
        }
        // Non-streamed ones hang up while their answer is still being generated (500 tokens ≈ 0.2 s here).
        if (i % 2 === 1) setTimeout(() => ctl.abort(), 30);
        const res = await fetch(u, { method: 'POST', signal: ctl.signal, body: JSON.stringify({ model: 'Llama-3.1-8B', prompt: promptOf(30 + i, `h${i}`), max_tokens: 500, ignore_eos: true, stream: i % 2 === 0 }) });
        if (i % 2 === 0) await res.body!.getReader().read();
        ctl.abort();
      } catch {
        // aborted
      }
    });
    await Promise.all(hangUps);
    for (let tries = 0; tries < 100 && svc.fleet.replicas[0]!.driver.inFlight > 0; tries++) await new Promise((r) => setTimeout(r, 20));
    expect(svc.fleet.replicas[0]!.driver.inFlight).toBe(0);
    const ok = await jsonOf(postJson(u, { model: 'Llama-3.1-8B', prompt: 'still here', max_tokens: 2, ignore_eos: true }));
    expect(ok.usage.completion_tokens).toBe(2);
  });
});
