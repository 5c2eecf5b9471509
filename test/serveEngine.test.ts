/**
 * `routesim serve engine`, streaming and timing: SSE format, token counts, token times against
 * the step-time model worked out by hand, /metrics (parsed by parse-prometheus-text-format) with
 * exact simulated latencies, prefix-cache hits and gauges under load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineService } from '../live/engine/engineService.js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { T, family, histogram, promptOf, scrape, scrapeText, startTestService, streamEvents, url, value, postJson, jsonOf } from './serveEngineHelpers.js';

let svc: EngineService | null = null;
afterEach(async () => {
  await svc?.stop();
  svc = null;
});

// One request of P = 100 prompt tokens on an idle replica, ignore_eos, max_tokens N = 5 (µs, simulated):
//   enqueue at arrival + α0 = 10 000
//   prefill step β0 + β1·P = 20 000 + 100·100 = 30 000 → first token visible +α2: TTFT = 10 000 + 30 000 + 5 000 = 45 000
//   decode steps (one sequence) β0 + β2 = 21 000 each → token k at 45 000 + (k − 1)·21 000; token 5 at 129 000
//   response complete: + α1 = 139 000
const P = 100;
const N = 5;
const TTFT_US = T.a0 + T.b0 + T.b1 * P + T.a2;
const DECODE_US = T.b0 + T.b2;
const LAST_US = TTFT_US + (N - 1) * DECODE_US;
const E2E_US = LAST_US + T.a1;

describe('serve engine: streaming', () => {
  it('streams a completion: one chunk per token at the simulated token times, finish_reason last, usage chunk, [DONE]', async () => {
    expect(TTFT_US).toBe(45000);
    expect(E2E_US).toBe(139000);
    const speedup = 2;
    svc = await startTestService({ speedup });
    const r = await streamEvents(url(svc, 0, '/v1/completions'), {
      model: 'Llama-3.1-8B',
      prompt: promptOf(P, 'a'),
      max_tokens: N,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(r.status).toBe(200);
    expect(r.contentType).toContain('text/event-stream');
    expect(r.raw.endsWith('data: [DONE]\n\n')).toBe(true);
    const evs = r.events;
    expect(evs.length).toBe(N + 2); // N content chunks, the usage chunk, [DONE]
    const chunks = evs.slice(0, N).map((e) => JSON.parse(e.data));
    for (const [k, c] of chunks.entries()) {
      expect(c.object).toBe('text_completion');
      expect(c.model).toBe('Llama-3.1-8B');
      expect(c.choices).toHaveLength(1);
      expect(c.choices[0].text).toHaveLength(4); // one 4-character word per token
      expect(c.choices[0].finish_reason).toBe(k === N - 1 ? 'length' : null);
    }
    const usage = JSON.parse(evs[N]!.data);
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: P, completion_tokens: N, total_tokens: P + N });
    expect(evs[N + 1]!.data).toBe('[DONE]');
    // Never early (the client's clock starts before the server receives the request); late only by scheduling slack.
    const wall = (us: number) => us / 1000 / speedup;
    expect(evs[0]!.atMs).toBeGreaterThanOrEqual(wall(TTFT_US) - 0.5);
    expect(evs[N - 1]!.atMs).toBeGreaterThanOrEqual(wall(LAST_US) - 0.5);
    expect(evs[N + 1]!.atMs).toBeGreaterThanOrEqual(wall(E2E_US) - 0.5);
    expect(evs[0]!.atMs).toBeLessThan(wall(TTFT_US) + 250);
    expect(evs[N + 1]!.atMs).toBeLessThan(wall(E2E_US) + 250);
    // The engine's own (simulated) latencies are exact: the histograms hold the hand-derived values.
    const text = await scrapeText(svc, 0);
    const m = parsePrometheusTextFormat(text);
    const ttft = histogram(text, 'vllm:time_to_first_token_seconds');
    expect(ttft.type).toBe('HISTOGRAM');
    expect(ttft.count).toBe(1);
    expect(ttft.sum).toBeCloseTo(TTFT_US / 1e6, 9);
    // 45 ms lies in (0.04, 0.06]: the buckets (which the parser keeps) say so.
    const buckets = family(m, 'vllm:time_to_first_token_seconds').metrics[0]!.buckets!;
    expect([buckets['0.04'], buckets['0.06'], buckets['+Inf']]).toEqual(['0', '1', '1']);
    expect(histogram(text, 'vllm:e2e_request_latency_seconds').sum).toBeCloseTo(E2E_US / 1e6, 9);
    const itl = histogram(text, 'vllm:inter_token_latency_seconds');
    expect(itl.count).toBe(N - 1);
    expect(itl.sum).toBeCloseTo(((N - 1) * DECODE_US) / 1e6, 9);
    expect(value(m, 'vllm:generation_tokens_total')).toBe(N);
    expect(value(m, 'vllm:prompt_tokens_total')).toBe(P);
    expect(family(m, 'vllm:request_success_total').metrics[0]!.labels).toMatchObject({ finished_reason: 'length', model_name: 'Llama-3.1-8B', engine: '0' });
  });

  it('chat streaming: a role chunk with empty content first, then content deltas, usage only with include_usage', async () => {
    svc = await startTestService({ speedup: 20 });
    const r = await streamEvents(url(svc, 1, '/v1/chat/completions'), {
      model: 'Llama-3.1-8B',
      messages: [{ role: 'user', content: 'Hi there' }],
      max_tokens: 3,
      ignore_eos: true,
      stream: true,
    });
    expect(r.status).toBe(200);
    const chunks = r.events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(r.events.at(-1)!.data).toBe('[DONE]');
    expect(chunks).toHaveLength(4); // the role chunk and 3 tokens; no usage chunk without stream_options
    expect(chunks[0].object).toBe('chat.completion.chunk');
    expect(chunks[0].id).toMatch(/^chatcmpl-/);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks[1].choices[0].delta.role).toBeUndefined();
    expect(chunks.map((c) => c.choices[0].finish_reason)).toEqual([null, null, null, 'length']);
    expect(chunks.map((c) => c.choices[0].delta.content).join('')).toHaveLength(12);
  });

  it('continuous_usage_stats: usage on every chunk, counting the tokens sent so far', async () => {
    svc = await startTestService({ speedup: 20 });
    const r = await streamEvents(url(svc, 0, '/v1/completions'), {
      model: 'Llama-3.1-8B',
      prompt: promptOf(10, 'cu'),
      max_tokens: 3,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true, continuous_usage_stats: true },
    });
    const chunks = r.events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks.map((c) => c.usage.completion_tokens)).toEqual([1, 2, 3, 3]);
    expect(chunks.every((c) => c.usage.prompt_tokens === 10)).toBe(true);
  });

  it('non-streaming answers arrive whole at completion with the usage; chat prompt tokens follow the template rule', async () => {
    svc = await startTestService({ speedup: 20 });
    const res = await postJson(url(svc, 0, '/v1/chat/completions'), { model: 'Llama-3.1-8B', messages: [{ role: 'user', content: 'abcdefgh' }], max_tokens: 4, ignore_eos: true });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.role).toBe('assistant');
    expect(body.choices[0].finish_reason).toBe('length');
    // "<|user|>\nabcdefgh\n<|assistant|>\n" = 9 + 9 + 14 = 32 characters → 8 tokens.
    expect(body.usage).toEqual({ prompt_tokens: 8, completion_tokens: 4, total_tokens: 12 });
  });

  it('without ignore_eos the output stops at or below the cap; completions default max_tokens is 16', async () => {
    svc = await startTestService({ speedup: 50, naturalTokensMax: 4 });
    const res = await postJson(url(svc, 0, '/v1/completions'), { model: 'Llama-3.1-8B', prompt: 'hello world' });
    const body = await jsonOf(res);
    // natural length ∈ 1…4 < 16 ⇒ finish_reason stop
    expect(body.usage.completion_tokens).toBeGreaterThanOrEqual(1);
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(4);
    expect(body.choices[0].finish_reason).toBe('stop');
    const capped = await jsonOf(postJson(url(svc, 0, '/v1/completions'), { model: 'Llama-3.1-8B', prompt: 'hello world', max_tokens: 1 }));
    expect(capped.usage.completion_tokens).toBe(1);
    expect(capped.choices[0].finish_reason).toBe('length');
    const def = await jsonOf(postJson(url(svc, 0, '/v1/completions'), { model: 'Llama-3.1-8B', prompt: 'x', ignore_eos: true }));
    expect(def.usage.completion_tokens).toBe(16);
  });
});

describe('serve engine: /metrics', () => {
  it('prefix caching: a repeated prompt hits its whole blocks and its prefill shrinks accordingly', async () => {
    svc = await startTestService({ speedup: 10 });
    const prompt = promptOf(P, 'prefix');
    for (let i = 0; i < 2; i++) {
      const res = await postJson(url(svc, 0, '/v1/completions'), { model: 'Llama-3.1-8B', prompt, max_tokens: 1, ignore_eos: true });
      expect(res.status).toBe(200);
      await res.json();
    }
    const text = await scrapeText(svc, 0);
    const m = parsePrometheusTextFormat(text);
    // Block size 16: the second lookup finds ⌊(100 − 1)/16⌋ = 6 blocks = 96 tokens; both lookups query 100.
    expect(family(m, 'vllm:prefix_cache_queries_total').type).toBe('COUNTER');
    expect(value(m, 'vllm:prefix_cache_queries_total')).toBe(200);
    expect(value(m, 'vllm:prefix_cache_hits_total')).toBe(96);
    // TTFTs: (α0 + β0 + β1·100 + α2) + (α0 + β0 + β1·4 + α2)
    expect(histogram(text, 'vllm:time_to_first_token_seconds').sum).toBeCloseTo((2 * (T.a0 + T.b0 + T.a2) + T.b1 * (100 + 4)) / 1e6, 9);
    const info = family(m, 'vllm:cache_config_info');
    expect(info.type).toBe('GAUGE');
    expect(info.metrics[0]!.labels).toMatchObject({ block_size: '16', num_gpu_blocks: '1000', enable_prefix_caching: 'True' });
  });

  it('gauges under load: max_num_seqs 2 runs two, the rest wait; KV usage counts their blocks', async () => {
    svc = await startTestService({ speedup: 1 });
    const u = url(svc, 0, '/v1/completions');
    const firsts: Promise<void>[] = [];
    const streams: Promise<unknown>[] = [];
    const ctl = new AbortController();
    for (let i = 0; i < 5; i++) {
      let got!: () => void;
      firsts.push(new Promise<void>((r) => (got = r)));
      // 160-token prompts (exactly 10 blocks), long outputs: they keep running while we scrape.
      streams.push(
        fetch(u, { method: 'POST', signal: ctl.signal, body: JSON.stringify({ model: 'Llama-3.1-8B', prompt: promptOf(160, `load${i}`), max_tokens: 2000, ignore_eos: true, stream: true }) })
          .then(async (res) => {
            const reader = res.body!.getReader();
            await reader.read();
            got();
            for (;;) if ((await reader.read()).done) break;
          })
          .catch(() => got()),
      );
    }
    await Promise.race([Promise.all(firsts.slice(0, 2)), new Promise((r) => setTimeout(r, 5000))]);
    // Until all five are in the engine (past α0): a busy machine may deliver the last ones late.
    let m = await scrape(svc, 0);
    for (let tries = 0; tries < 100 && value(m, 'vllm:num_requests_running') + value(m, 'vllm:num_requests_waiting') < 5; tries++) {
      await new Promise((r) => setTimeout(r, 20));
      m = await scrape(svc, 0);
    }
    expect(family(m, 'vllm:num_requests_running').type).toBe('GAUGE');
    expect(value(m, 'vllm:num_requests_running')).toBe(2);
    expect(value(m, 'vllm:num_requests_waiting')).toBe(3);
    // Two running sequences of 160 prompt tokens (10 blocks) + d_i generated (G = d_1 + d_2 so far, read
    // in the same scrape): each holds ⌈(160 + d_i ± 1)/16⌉ blocks of 16 tokens, out of 1000.
    const g = value(m, 'vllm:generation_tokens_total');
    expect(g).toBeGreaterThanOrEqual(2);
    const blocks = value(m, 'vllm:kv_cache_usage_perc') * 1000;
    expect(blocks).toBeGreaterThanOrEqual((320 + g - 2) / 16);
    expect(blocks).toBeLessThanOrEqual((320 + g + 2) / 16 + 2);
    // Disconnecting aborts them in the engine (vLLM abort): the replica empties.
    ctl.abort();
    await Promise.allSettled(streams);
    for (let tries = 0; tries < 50; tries++) {
      const after = await scrape(svc, 0);
      if (value(after, 'vllm:num_requests_running') === 0 && value(after, 'vllm:num_requests_waiting') === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const after = await scrape(svc, 0);
    expect(value(after, 'vllm:num_requests_running')).toBe(0);
    expect(value(after, 'vllm:num_requests_waiting')).toBe(0);
    expect(value(after, 'vllm:kv_cache_usage_perc')).toBe(0);
    expect(svc.fleet.replicas[0]!.driver.inFlight).toBe(0);
  });

  it('a slow pod (--slow-pod 1:3) takes 3 × the step time', async () => {
    svc = await startTestService({ speedup: 10, slowFactors: new Map([[1, 3]]) });
    for (const i of [0, 1]) await jsonOf(postJson(url(svc, i, '/v1/completions'), { model: 'Llama-3.1-8B', prompt: promptOf(P, 's'), max_tokens: 1, ignore_eos: true }));
    const ttft = async (i: number) => histogram(await scrapeText(svc!, i), 'vllm:time_to_first_token_seconds').sum;
    expect(await ttft(0)).toBeCloseTo(TTFT_US / 1e6, 9);
    // Only the step is slowed: α0 + 3·(β0 + β1·P) + α2
    expect(await ttft(1)).toBeCloseTo((T.a0 + 3 * (T.b0 + T.b1 * P) + T.a2) / 1e6, 9);
  });
});
