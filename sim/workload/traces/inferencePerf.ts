/**
 * inference-perf config YAML → the workload that tool generates (workloads.md §1).
 *
 * - `load`: `type: constant | poisson` and `stages: [{rate, duration}]` (req/s, s) run one after
 *   the other: a rate ladder (spec.RateProfile) that ends after the last stage. A constant stage of
 *   rate r and duration d sends exactly r·d requests, evenly spaced.
 * - `data.type: shared_prefix`: `shared_prefix: {num_groups, num_prompts_per_group,
 *   system_prompt_len, question_len, output_len, enable_multi_turn_chat}`; each request picks a
 *   (group, prompt) uniformly; with multi-turn chat each user's requests accumulate the conversation.
 * - `data.type: random | synthetic`: `input_distribution` / `output_distribution` `{min, max, mean,
 *   std, total_count}`, a normal clipped to [min, max] and rounded; `total_count` prompts are drawn
 *   once and requests cycle through them (a prompt repeats every total_count requests).
 * Sections that do not shape the traffic (`api`, `server`, `tokenizer`, `metrics`, `report`,
 * `storage`, worker settings) are ignored; an unknown key inside `load` or `data` is an error.
 */
import { readUserYaml } from '../../core/userFiles.js';
import { inputError, type UserError } from '../../core/errors.js';
import { closest } from '../../scenario/schema.js';
import { fmtNum, MAX_DURATION_S, MAX_REQUESTS, MAX_TOKENS, outOfRange, RANGES, rangeText, type Range } from '../../scenario/bounds.js';
import type { LengthDist, RateStage, WorkloadSpec } from '../spec.js';

export interface InferencePerfWorkload {
  readonly workload: WorkloadSpec;
  /** Σ stage durations, seconds. */
  readonly duration_s: number;
}

const IGNORED_TOP = ['api', 'server', 'tokenizer', 'metrics', 'report', 'storage', 'circuit_breakers'];
const LOAD_KEYS = ['type', 'stages', 'interval', 'num_workers', 'worker_max_concurrency', 'worker_max_tcp_connections', 'request_timeout', 'sweep'];
const DATA_KEYS = ['type', 'shared_prefix', 'input_distribution', 'output_distribution', 'path'];
const SP_KEYS = ['num_groups', 'num_prompts_per_group', 'system_prompt_len', 'question_len', 'output_len', 'enable_multi_turn_chat'];
const DIST_KEYS = ['min', 'max', 'mean', 'std', 'total_count'];

/** Whether parsed YAML looks like an inference-perf config (has `load` and `data` mappings). */
export function looksLikeInferencePerf(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && 'load' in doc && 'data' in doc;
}

export function readInferencePerf(path: string): InferencePerfWorkload {
  const doc = readUserYaml(path, 'check the path of the inference-perf config');
  return inferencePerfWorkload(doc, path);
}

type Obj = Record<string, unknown>;

export function inferencePerfWorkload(doc: unknown, file: string): InferencePerfWorkload {
  const fail = (path: string, problem: string, fix: string): UserError => inputError(file, path, problem, fix);
  const mapping = (v: unknown, path: string, keys: readonly string[]): Obj => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw fail(path, `expected a mapping, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`, `give ${path} as a mapping`);
    for (const k of Object.keys(v)) {
      if (!keys.includes(k)) {
        const guess = closest(k, keys);
        throw fail(`${path}.${k}`, `unknown key ${JSON.stringify(k)}`, `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}allowed keys here are ${keys.join(', ')}`);
      }
    }
    return v as Obj;
  };
  /** A number inside `range` (bounds.ts), or `dflt` when absent. */
  const num = (o: Obj, k: string, path: string, range: Range, dflt?: number): number => {
    const v = o[k];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number') {
      throw fail(`${path}.${k}`, v === undefined ? `missing required key ${JSON.stringify(k)}` : `expected a number ${rangeText(range)}, got ${JSON.stringify(v)}`, `give ${k} as a number ${rangeText(range)}`);
    }
    const problem = outOfRange(v, range);
    if (problem !== null) throw fail(`${path}.${k}`, problem, `give ${k} ${rangeText(range)}`);
    return v;
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw fail('', 'an inference-perf config must be a YAML mapping', 'start from the load/data example in the README');
  const top = doc as Obj;
  for (const k of Object.keys(top)) {
    if (!['load', 'data', ...IGNORED_TOP].includes(k)) throw fail(k, `unknown section ${JSON.stringify(k)}`, `inference-perf configs have load, data, ${IGNORED_TOP.join(', ')}`);
  }
  const load = mapping(top.load, 'load', LOAD_KEYS);
  if (load.sweep !== undefined) throw fail('load.sweep', 'sweeps are not supported', 'list the rates as explicit load.stages');
  const type = load.type ?? 'constant';
  if (type !== 'constant' && type !== 'poisson') throw fail('load.type', `unknown load type ${JSON.stringify(type)}`, 'use constant or poisson');
  if (!Array.isArray(load.stages) || load.stages.length === 0) throw fail('load.stages', 'needs at least one stage', 'give stages: [{rate: <req/s>, duration: <s>}]');
  const interval = load.interval === undefined ? 0 : num(load, 'interval', 'load', RANGES.wait);
  const stages: RateStage[] = [];
  load.stages.forEach((s: unknown, i: number) => {
    const st = mapping(s, `load.stages[${i}]`, ['rate', 'duration']);
    if (i > 0 && interval > 0) stages.push({ rate: 0, duration_s: interval });
    stages.push({ rate: num(st, 'rate', `load.stages[${i}]`, RANGES.rate), duration_s: num(st, 'duration', `load.stages[${i}]`, RANGES.duration) });
  });
  const data = mapping(top.data, 'data', DATA_KEYS);
  const base = { adapters: [], base_model_weight: 0, priorities: [] };
  const duration_s = stages.reduce((a, s) => a + s.duration_s, 0);
  const expected = stages.reduce((a, s) => a + s.rate * s.duration_s, 0);
  if (expected > MAX_REQUESTS) throw fail('load.stages', `the stages' Σ rate × duration = ${fmtNum(expected)} expected requests; a run is limited to ${fmtNum(MAX_REQUESTS)}`, 'shorten the stages or lower their rates');
  if (duration_s > MAX_DURATION_S) throw fail('load.stages', `the stages last ${fmtNum(duration_s)} s; a run is limited to ${fmtNum(MAX_DURATION_S)} s`, 'shorten the stages');
  const mean = stages.reduce((a, s) => a + s.rate * s.duration_s, 0) / duration_s;
  const arrival = { process: type === 'poisson' ? 'poisson' : 'constant', rate: mean, cv: 1, profile: { stages, spikes: [], diurnal: null } } as const;
  switch (data.type) {
    case 'shared_prefix': {
      const sp = mapping(data.shared_prefix, 'data.shared_prefix', SP_KEYS);
      const p = 'data.shared_prefix';
      const multi = sp.enable_multi_turn_chat ?? false;
      if (typeof multi !== 'boolean') throw fail(`${p}.enable_multi_turn_chat`, `expected true or false, got ${JSON.stringify(multi)}`, 'write true or false');
      const system = num(sp, 'system_prompt_len', p, RANGES.tokensOrZero);
      const question = num(sp, 'question_len', p, RANGES.tokens);
      const output = num(sp, 'output_len', p, RANGES.tokens);
      const workload: WorkloadSpec = {
        ...base,
        arrival,
        input: { kind: 'constant', value: system + question },
        output: { kind: 'constant', value: output },
        shared_prefix: {
          num_groups: num(sp, 'num_groups', p, RANGES.count),
          num_prompts_per_group: num(sp, 'num_prompts_per_group', p, RANGES.count),
          system_prompt_len: system,
          question_len: question,
          enable_multi_turn_chat: multi,
          max_turns: 0,
        },
      };
      return { workload, duration_s };
    }
    case 'random':
    case 'synthetic': {
      const dist = (key: string): { d: LengthDist; count: number | undefined } => {
        const o = mapping(data[key], `data.${key}`, DIST_KEYS);
        const p = `data.${key}`;
        const min = num(o, 'min', p, RANGES.tokens, 1);
        const mean = num(o, 'mean', p, RANGES.tokenMean);
        const std = num(o, 'std', p, RANGES.tokenStd, 0);
        const max = num(o, 'max', p, RANGES.tokens, Math.min(MAX_TOKENS, Math.round(mean + 10 * std)));
        if (min > max) throw fail(`${p}.max`, `max ${max} is below min ${min}`, 'make max ≥ min');
        const count = o.total_count === undefined ? undefined : num(o, 'total_count', p, RANGES.count);
        return { d: { kind: 'normal', mean, std, min, max }, count };
      };
      const input = dist('input_distribution');
      const output = dist('output_distribution');
      const pool = input.count ?? output.count;
      const workload: WorkloadSpec = { ...base, arrival, input: input.d, output: output.d, ...(pool !== undefined ? { pool } : {}) };
      return { workload, duration_s };
    }
    default:
      throw fail('data.type', `unsupported data type ${JSON.stringify(data.type)}`, 'use shared_prefix, random or synthetic (datasets with text, such as shareGPT, are not read: convert them to routesim JSONL)');
  }
}
