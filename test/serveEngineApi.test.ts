/**
 * `routesim serve engine`, the API around the engine: bad requests and unknown models answered as
 * vLLM does, /v1/models and /health, LoRA load/unload behind --enable-admin (and
 * vllm:lora_requests_info), seeded error injection, clean shutdown, and the CLI end to end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { EngineService } from '../live/engine/engineService.js';
import { T, testScenario, family, histogram, postJson, promptOf, scrape, scrapeText, startTestService, url, jsonOf } from './serveEngineHelpers.js';
import { MAIN } from './cliHelpers.js';

let svc: EngineService | null = null;
afterEach(async () => {
  await svc?.stop();
  svc = null;
});

const MODEL = 'Llama-3.1-8B';

async function errorOf(res: Response): Promise<{ status: number; error: { message: string; type: string; code: number; param: string | null } }> {
  return { status: res.status, error: ((await res.json()) as { error: never }).error };
}

describe('serve engine: bad requests', () => {
  it('answers malformed bodies, bad fields and unknown models with vLLM status codes and OpenAI-style JSON, and keeps serving', async () => {
    svc = await startTestService({ speedup: 100 });
    const u = url(svc, 0, '/v1/completions');
    const notJson = await errorOf(await postJson(u, '{"model": '));
    expect(notJson.status).toBe(400);
    expect(notJson.error).toMatchObject({ type: 'BadRequestError', code: 400 });
    expect((await errorOf(await postJson(u, '[1,2]'))).status).toBe(400);
    expect((await errorOf(await postJson(u, { model: MODEL }))).error.param).toBe('prompt');
    expect((await errorOf(await postJson(u, { model: MODEL, prompt: 'x', max_tokens: -1 }))).status).toBe(400);
    expect((await errorOf(await postJson(u, { model: MODEL, prompt: 'x', stream_options: { include_usage: true } }))).status).toBe(400);
    expect((await errorOf(await postJson(url(svc, 0, '/v1/chat/completions'), { model: MODEL, messages: [] }))).status).toBe(400);
    const unknown = await errorOf(await postJson(u, { model: 'no-such-model', prompt: 'x' }));
    expect(unknown.status).toBe(404);
    expect(unknown.error).toMatchObject({ type: 'NotFoundError', code: 404, message: 'The model `no-such-model` does not exist.' });
    // prompt + max_tokens beyond max_model_len (131072 for Llama-3.1-8B)
    const tooLong = await errorOf(await postJson(u, { model: MODEL, prompt: 'x', max_tokens: 131072 }));
    expect(tooLong.status).toBe(400);
    expect(tooLong.error.message).toContain('maximum context length is 131072 tokens');
    // Prompt + output beyond the KV cache (1000 blocks × 16 = 16 000 tokens) though within max_model_len.
    expect((await errorOf(await postJson(u, { model: MODEL, prompt: promptOf(16000, 'big'), max_tokens: 16 }))).status).toBe(400);
    expect((await fetch(url(svc, 0, '/nope'))).status).toBe(404);
    expect((await fetch(u)).status).toBe(405);
    // Still serving.
    const ok = await postJson(u, { model: MODEL, prompt: 'x', max_tokens: 2, ignore_eos: true });
    expect(ok.status).toBe(200);
    expect((await jsonOf(ok)).usage.completion_tokens).toBe(2);
  });

  it('/health is 200 with an empty body; /v1/models lists the base model', async () => {
    svc = await startTestService({ speedup: 100 });
    const h = await fetch(url(svc, 1, '/health'));
    expect(h.status).toBe(200);
    expect(await h.text()).toBe('');
    const models = await jsonOf(fetch(url(svc, 1, '/v1/models')));
    expect(models.object).toBe('list');
    expect(models.data).toHaveLength(1);
    expect(models.data[0]).toMatchObject({ id: MODEL, object: 'model', owned_by: 'vllm', parent: null, max_model_len: 131072 });
  });
});

describe('serve engine: LoRA admin', () => {
  it('load/unload exist only with --enable-admin', async () => {
    svc = await startTestService({ speedup: 100 });
    const res = await postJson(url(svc, 0, '/v1/load_lora_adapter'), { lora_name: 'sql-lora', lora_path: '/a' });
    expect(res.status).toBe(404);
  });

  it('loads an adapter, serves it (lora_requests_info shows it running), unloads it, then 404s it', async () => {
    svc = await startTestService({ speedup: 1, enableAdmin: true });
    const load = await postJson(url(svc, 0, '/v1/load_lora_adapter'), { lora_name: 'sql-lora', lora_path: '/adapters/sql' });
    expect(load.status).toBe(200);
    expect(await load.text()).toBe("Success: LoRA adapter 'sql-lora' added successfully.");
    expect((await postJson(url(svc, 0, '/v1/load_lora_adapter'), { lora_name: 'sql-lora', lora_path: '/a' })).status).toBe(400);
    const models = await jsonOf(fetch(url(svc, 0, '/v1/models')));
    expect(models.data.map((m: { id: string; parent: string | null }) => [m.id, m.parent])).toEqual([
      [MODEL, null],
      ['sql-lora', MODEL],
    ]);
    // Replica 1 did not load it.
    expect((await postJson(url(svc, 1, '/v1/completions'), { model: 'sql-lora', prompt: 'x' })).status).toBe(404);
    // A long streamed request on the adapter: while it runs, the newest lora_requests_info series names it.
    const ctl = new AbortController();
    const res = await fetch(url(svc, 0, '/v1/completions'), { method: 'POST', signal: ctl.signal, body: JSON.stringify({ model: 'sql-lora', prompt: 'select', max_tokens: 500, ignore_eos: true, stream: true }) });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(JSON.parse(first.slice(6)).model).toBe('sql-lora');
    await new Promise((r) => setTimeout(r, 60));
    const info = family(await scrape(svc, 0), 'vllm:lora_requests_info');
    expect(info.type).toBe('GAUGE');
    const newest = [...info.metrics].sort((a, b) => Number(b.value) - Number(a.value))[0]!;
    expect(newest.labels).toEqual({ max_lora: '2', running_lora_adapters: 'sql-lora', waiting_lora_adapters: '' });
    expect(Number(newest.value)).toBeGreaterThan(1.7e9); // wall-clock seconds
    ctl.abort();
    await reader.cancel().catch(() => {});
    const unload = await postJson(url(svc, 0, '/v1/unload_lora_adapter'), { lora_name: 'sql-lora' });
    expect(unload.status).toBe(200);
    expect(await unload.text()).toBe("Success: LoRA adapter 'sql-lora' removed successfully.");
    expect((await postJson(url(svc, 0, '/v1/unload_lora_adapter'), { lora_name: 'sql-lora' })).status).toBe(404);
    expect((await postJson(url(svc, 0, '/v1/completions'), { model: 'sql-lora', prompt: 'x' })).status).toBe(404);
  });
});

describe('serve engine: admin faults and start-up options', () => {
  it('POST /admin/faults (admin only) sets a replica\'s error rate and slow factor at run time', async () => {
    svc = await startTestService({ speedup: 50, enableAdmin: true });
    const faults = url(svc, 0, '/admin/faults');
    const call = () => postJson(url(svc!, 0, '/v1/completions'), { model: MODEL, prompt: 'x', max_tokens: 1 });
    expect((await postJson(faults, { error_rate: 1 })).status).toBe(200);
    const failed = await call();
    expect([500, 503]).toContain(failed.status);
    expect((await jsonOf(failed)).error.code).toBe(failed.status);
    expect((await postJson(faults, { error_rate: 0, slow_factor: 2 })).status).toBe(200);
    const ok = await call();
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    // 1 prompt token, slowed step: α0 + 2·(β0 + β1·1) + α2
    expect(histogram(await scrapeText(svc, 0), 'vllm:time_to_first_token_seconds').sum).toBeCloseTo((T.a0 + 2 * (T.b0 + T.b1) + T.a2) / 1e6, 9);
    expect((await postJson(faults, { error_rate: 2 })).status).toBe(400);
    expect((await postJson(faults, { bogus: 1 })).status).toBe(400);
    await svc.stop();
    svc = await startTestService({ speedup: 50 });
    expect((await postJson(url(svc, 0, '/admin/faults'), { error_rate: 1 })).status).toBe(404);
  });

  it('--served-model-name and --lora-modules: clients use the given names from the start', async () => {
    svc = await startTestService({ speedup: 50, servedModelName: 'sim-8b', loraModules: ['fin-lora'] });
    const models = await jsonOf(fetch(url(svc, 1, '/v1/models')));
    expect(models.data.map((m: { id: string }) => m.id)).toEqual(['sim-8b', 'fin-lora']);
    expect((await postJson(url(svc, 1, '/v1/completions'), { model: MODEL, prompt: 'x' })).status).toBe(404);
    const res = await jsonOf(postJson(url(svc, 1, '/v1/completions'), { model: 'fin-lora', prompt: 'x', max_tokens: 2, ignore_eos: true }));
    expect(res.model).toBe('fin-lora');
    expect(res.usage.completion_tokens).toBe(2);
    const text = await scrapeText(svc, 1);
    expect(text).toContain('vllm:num_requests_running{model_name="sim-8b",engine="0"} 0');
  });
});

describe('serve engine: the scenario\'s adapters', () => {
  it('LoRA-enabled replicas register the workload\'s adapters at start', async () => {
    const text = testScenario().replace(
      '  output: {dist: normal',
      '  adapters: [{name: wk-a, weight: 1, rank: 8}, {name: wk-b, weight: 1}]\n  output: {dist: normal',
    );
    svc = await startTestService({ speedup: 50 }, text);
    const models = await jsonOf(fetch(url(svc, 0, '/v1/models')));
    expect(models.data.map((m: { id: string }) => m.id)).toEqual([MODEL, 'wk-a', 'wk-b']);
    const ok = await jsonOf(postJson(url(svc, 0, '/v1/completions'), { model: 'wk-a', prompt: 'x', max_tokens: 2, ignore_eos: true }));
    expect(ok.usage.completion_tokens).toBe(2);
    expect((await jsonOf(postJson(url(svc, 1, '/v1/completions'), { model: 'wk-b', prompt: 'x', max_tokens: 1 }))).usage.completion_tokens).toBe(1);
  });
});

describe('serve engine: error injection', () => {
  async function statuses(rate: number, n: number): Promise<number[]> {
    const s = await startTestService({ speedup: 1000, errorRate: rate });
    try {
      const out: number[] = [];
      for (let i = 0; i < n; i += 20) {
        const batch = Array.from({ length: Math.min(20, n - i) }, () => postJson(url(s, 0, '/v1/completions'), { model: MODEL, prompt: 'x', max_tokens: 1 }));
        for (const res of await Promise.all(batch)) {
          out.push(res.status);
          await res.arrayBuffer();
        }
      }
      return out;
    } finally {
      await s.stop();
    }
  }

  it('answers about the given share with 500/503 (binomial bounds), seeded, and none at rate 0', async () => {
    const n = 200;
    const a = await statuses(0.3, n);
    const errors = a.filter((s) => s !== 200);
    // Binomial(200, 0.3): mean 60, sd √(200·0.3·0.7) ≈ 6.5; ±4 sd.
    expect(errors.length).toBeGreaterThanOrEqual(34);
    expect(errors.length).toBeLessThanOrEqual(86);
    expect(new Set(errors)).toEqual(new Set([500, 503]));
    // The same seed gives the same count (order within a concurrent batch may differ on the wire).
    const b = await statuses(0.3, n);
    expect(b.filter((s) => s !== 200).length).toBe(errors.length);
    expect((await statuses(0, 40)).every((s) => s === 200)).toBe(true);
  });
});

describe('serve engine: shutdown and CLI', () => {
  it('stop() leaves no server, socket or timer behind, even with a step in flight', async () => {
    const count = (kind: string) => process.getActiveResourcesInfo().filter((k) => k === kind).length;
    const before = { servers: count('TCPServerWrap'), sockets: count('TCPSocketWrap'), timers: count('Timeout') };
    const s = await startTestService({ speedup: 1 });
    // Two streams: the second queues behind the first, whose 2000-token prefill step runs 20 ms + 100 µs · 2000 = 220 ms.
    const ctl = new AbortController();
    const open = (prompt: string) =>
      fetch(url(s, 0, '/v1/completions'), { method: 'POST', signal: ctl.signal, body: JSON.stringify({ model: MODEL, prompt, max_tokens: 1000, ignore_eos: true, stream: true }) }).catch(() => null);
    const streams = [await open(promptOf(2000, 'one')), await open(promptOf(2000, 'two'))];
    expect(streams.every((r) => r?.status === 200)).toBe(true);
    expect(s.fleet.replicas[0]!.driver.inFlight).toBe(2);
    await s.stop();
    // Timers go at once (the step's end would otherwise still be ≥ 150 ms away).
    expect(count('Timeout')).toBeLessThanOrEqual(before.timers);
    expect(s.fleet.replicas[0]!.driver.inFlight).toBe(0);
    ctl.abort();
    for (let i = 0; i < 50 && (count('TCPServerWrap') > before.servers || count('TCPSocketWrap') > before.sockets); i++) await new Promise((r) => setTimeout(r, 10));
    expect(count('TCPServerWrap')).toBeLessThanOrEqual(before.servers);
    expect(count('TCPSocketWrap')).toBeLessThanOrEqual(before.sockets);
  });

  it('routesim serve engine: prints one endpoint per replica, serves, exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', 'engine', '--replicas', '3', '--base-port', '0', '--speedup', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const lines = await new Promise<string[]>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const ls = out.split('\n').filter((l) => l.startsWith('replica-'));
        if (ls.length === 3) resolve(ls);
      });
      child.on('exit', () => reject(new Error(`exited early: ${err}`)));
    });
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['replica-0', 'replica-1', 'replica-2']);
    const base = lines[2]!.split(' ')[1]!;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await postJson(`${base}/v1/completions`, { model: MODEL, prompt: 'hello', max_tokens: 3, ignore_eos: true });
    expect((await jsonOf(res)).usage.completion_tokens).toBe(3);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out).toContain('routesim serve engine: stopped');
  });

  it('routesim serve engine: a bad flag is one line and exit 2', async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', 'engine', '--slow-pod', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('--slow-pod');
  });
});
