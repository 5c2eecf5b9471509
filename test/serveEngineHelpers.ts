/** Shared by the serve-engine tests: a small scenario with a hand-checkable step-time model, a service starter and HTTP helpers. */
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { parseScenario } from '../sim/scenario/load.js';
import { startEngineService, type EngineService, type EngineServiceOptions } from '../live/engine/engineService.js';
import { performance } from 'node:perf_hooks';

/** Step time: 20 ms + 100 µs per prefill token + 1 ms per decode sequence; α0 10 ms, α1 10 ms, α2 5 ms. */
export const T = { b0: 20000, b1: 100, b2: 1000, a0: 10000, a1: 10000, a2: 5000 } as const;

export function testScenario(extraEngine = ''): string {
  return `name: serve-test
seed: 7
requests: 1
fleet:
  replicas: 2
  gpu: H100
  model: Llama-3.1-8B
  tp: 1
  engine:
    max_num_seqs: 2
    max_num_batched_tokens: 2048
    enable_prefix_caching: true
    num_gpu_blocks: 1000
    max_loras: 2
    max_cpu_loras: 4
    max_lora_rank: 16${extraEngine}
step_time:
  model: linear
  coefficients: {beta0_us: ${T.b0}, beta1_us_per_prefill_token: ${T.b1}, beta2_us_per_decode_token: ${T.b2}}
  overheads: {alpha0_us: ${T.a0}, alpha1_us: ${T.a1}, alpha2_us: ${T.a2}}
workload:
  arrival: {process: poisson, rate: 1}
  input: {dist: normal, mean: 256, std: 100, min: 2, max: 800}
  output: {dist: normal, mean: 256, std: 100, min: 1, max: 1024}
policies:
  - round-robin
`;
}

export async function startTestService(o: Partial<EngineServiceOptions> = {}, scenarioText = testScenario()): Promise<EngineService> {
  return startEngineService(parseScenario(scenarioText, 'serve-test.yaml'), {
    speedup: 1,
    seed: 7,
    errorRate: 0,
    slowFactors: new Map(),
    loraModules: [],
    naturalTokensMax: 256,
    host: '127.0.0.1',
    basePort: 0,
    enableAdmin: false,
    ...o,
  });
}

export function url(s: EngineService, replica: number, path: string): string {
  const e = s.endpoints[replica]!;
  return `http://${e.host}:${e.port}${path}`;
}

export async function postJson(u: string, body: unknown): Promise<Response> {
  return fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

export interface SseEvent {
  /** ms after the request was sent. */
  readonly atMs: number;
  readonly data: string;
}

/** POST and collect the SSE events with their arrival times (ms since just before sending). */
export async function streamEvents(u: string, body: unknown, onEvent?: (e: SseEvent) => void): Promise<{ status: number; contentType: string; events: SseEvent[]; raw: string }> {
  const t0 = performance.now();
  const res = await postJson(u, body);
  const events: SseEvent[] = [];
  let raw = '';
  let buf = '';
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const text = dec.decode(value, { stream: true });
    raw += text;
    buf += text;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const e = { atMs: performance.now() - t0, data: ev.startsWith('data: ') ? ev.slice(6) : `!${ev}` };
      events.push(e);
      onEvent?.(e);
    }
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', events, raw };
}

export async function scrape(s: EngineService, replica: number): Promise<PromFamily[]> {
  const res = await fetch(url(s, replica, '/metrics'));
  return parsePrometheusTextFormat(await res.text());
}

export function family(fams: readonly PromFamily[], name: string): PromFamily {
  const f = fams.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no metric family ${name}`);
  return f;
}

/** The value of a gauge/counter family's first sample. */
export function value(fams: readonly PromFamily[], name: string): number {
  return Number(family(fams, name).metrics[0]!.value);
}

/** A prompt of exactly n tokens under the 4-characters-per-token rule, distinct per `tag`. */
export function promptOf(n: number, tag: string): string {
  const base = `${tag}|`.padEnd(4 * n, 'abcdefghij');
  return base.slice(0, 4 * n);
}

/**
 * `_sum` and `_count` of a histogram family in exposition `text`. parse-prometheus-text-format
 * drops them for labelled histograms (its flattening keeps only the buckets), so they are read from
 * the sample lines; the parser still checks the family and its type.
 */
export function histogram(text: string, name: string): { sum: number; count: number; type: string } {
  const fam = family(parsePrometheusTextFormat(text), name);
  const line = (suffix: string): number => {
    const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    if (m === null) throw new Error(`no ${name}_${suffix} sample`);
    return Number(m[1]);
  };
  return { sum: line('sum'), count: line('count'), type: fam.type };
}

export async function scrapeText(s: EngineService, replica: number): Promise<string> {
  return (await fetch(url(s, replica, '/metrics'))).text();
}

/** A response body parsed as JSON (shape asserted by the test). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function jsonOf(res: Response | Promise<Response>): Promise<any> {
  return (await res).json();
}
