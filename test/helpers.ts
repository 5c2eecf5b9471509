/** Shared builders for engine tests: small scenarios from YAML text and hand-made requests. */
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy, type RunObserver } from '../sim/simulation.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import type { SimRequest } from '../sim/workload/request.js';
import { hashInts } from '../sim/core/hash.js';
import { UserError } from '../sim/core/errors.js';

/**
 * A one-replica scenario with the linear step-time model β0 = 1000 µs, β1 = 10 µs per prefill token,
 * β2 = 100 µs per decode token and no α overheads, so step times are easy to derive by hand.
 * `engine` and `extra` are YAML fragments merged in.
 */
export function linearScenario(engine: string, extra = '', replicas = 1): ScenarioConfig {
  const text = `
name: golden
seed: 7
requests: 1
fleet:
  replicas: ${replicas}
  gpu: H100
  model: Llama-3.1-8B
  engine:
${engine
  .trim()
  .split('\n')
  .map((l) => `    ${l.trim()}`)
  .join('\n')}
step_time:
  model: linear
  coefficients: {beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100}
  overheads: false
workload:
  arrival: {process: constant, rate: 1}
  input: 16
  output: 1
policies: [round-robin]
${extra}`;
  return parseScenario(text, 'golden.yaml');
}

/** Run hand-made `requests` through `linearScenario(engine, extra)` under round-robin. */
export function simulate(engine: string, requests: SimRequest[], opts: { extra?: string; observer?: RunObserver } = {}): PolicyRun {
  return runPolicy(linearScenario(engine, opts.extra), { name: 'rr', type: 'round-robin' }, opts.observer ?? {}, requests);
}

let nextContent = 1000;

export interface ReqInit {
  id: number;
  at: number;
  /** Prompt as [content, tokens] pairs; default one fresh segment of `prompt` tokens. */
  segments?: [number, number][];
  prompt?: number;
  output: number;
  adapter?: string | null;
  priority?: number;
}

export function req(r: ReqInit): SimRequest {
  const segments = (r.segments ?? [[hashInts(nextContent++), r.prompt ?? 16]]).map(([content, tokens]) => ({ content, tokens }));
  return {
    id: r.id,
    arrivalUs: r.at,
    segments,
    inputTokens: segments.reduce((s, x) => s + x.tokens, 0),
    outputTokens: r.output,
    outputContent: hashInts(0xabc, r.id),
    adapter: r.adapter ?? null,
    adapterRank: r.adapter ? 16 : 0,
    priority: r.priority ?? 0,
    group: -1,
    session: -1,
    turn: 0,
  };
}

/** The message of the UserError `fn` throws (fails the test when it throws nothing or another error). */
export function userErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error('expected a UserError');
}

/** A deep copy of `obj` with the value at the dot `path` (every step but the last must exist) replaced. */
export function withPath<T extends Record<string, unknown>>(obj: T, path: string, value: unknown): T {
  const out = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
  const keys = path.split('.');
  let o = out;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys.at(-1)!] = value;
  return out as T;
}
