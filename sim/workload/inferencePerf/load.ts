/**
 * inference-perf's `load` section (formats.md §1.3) → a LoadPlan: the stages by load type, the
 * pause between stages (`interval`, default 1 s), the rate types' in-flight cap, the LoRA traffic
 * split and a sweep. Worker counts, TCP limits and `base_seed` are accepted and do not change
 * the stream's statistics (routesim's seed draws instead of base_seed); keys routesim cannot
 * honour (request_timeout, armed circuit breakers) are errors.
 */
import { dirname, resolve } from 'node:path';
import { readAzure } from '../traces/azure.js';
import type { TraceRow } from '../traces/types.js';
import { fmtNum, MAX_DURATION_S, MAX_REQUESTS, RANGES } from '../../scenario/bounds.js';
import type { Fields, Obj } from './fields.js';
import type { LoadPlan, LoraShare, Stage, SweepPlan } from './types.js';

const LOAD_KEYS = ['type', 'stages', 'interval', 'sweep', 'num_workers', 'worker_max_concurrency', 'worker_max_tcp_connections', 'trace', 'circuit_breakers', 'request_timeout', 'lora_traffic_split', 'base_seed'];
const TYPES = ['constant', 'poisson', 'concurrent', 'trace_replay', 'trace_session_replay'] as const;

export function parseLoad(f: Fields, v: unknown): LoadPlan {
  const load: Obj = f.mapping(v, 'load', LOAD_KEYS);
  const type = (load.type ?? 'constant') as LoadPlan['type'];
  if (!TYPES.includes(type)) throw f.fail('load.type', `unknown load type ${JSON.stringify(load.type)}`, `use one of ${TYPES.join(', ')}`);
  f.unsupported(load, 'request_timeout', 'load', 'a client-side timeout that cancels requests', 'remove request_timeout, or model the timeout with the scenario\'s gateway/resilience settings');
  f.unsupported(load, 'circuit_breakers', 'load', 'breakers stop a run on measured failures', 'remove circuit_breakers (or leave the list empty)');
  if (load.num_workers !== undefined) f.num(load, 'num_workers', 'load', { min: 1, int: true });
  f.num(load, 'worker_max_tcp_connections', 'load', { dflt: 2500, min: 1 });
  f.num(load, 'base_seed', 'load', { dflt: 0, min: 0, int: true });
  const wmc = f.num(load, 'worker_max_concurrency', 'load', { dflt: 100, min: 1, int: true });
  const cap = load.num_workers === undefined ? Infinity : (load.num_workers as number) * wmc;
  const interval_s = f.ranged(load, 'interval', 'load', RANGES.wait, 1);
  const lora = parseLora(f, load);
  const sweep = load.sweep === undefined ? null : parseSweep(f, load.sweep, type);
  const stages = parseStages(f, load, type, sweep !== null);
  const total = stages.reduce((a, s) => a + ('n' in s ? s.n : 0), 0);
  if (total > MAX_REQUESTS) throw f.fail('load.stages', `the stages' Σ rate × duration = ${fmtNum(total)} expected requests; a run is limited to ${fmtNum(MAX_REQUESTS)}`, 'shorten the stages or lower their rates');
  const span = stages.reduce((a, s) => a + (s.kind === 'rate' ? s.duration_s : 0), 0);
  if (span > MAX_DURATION_S) throw f.fail('load.stages', `the stages last ${fmtNum(span)} s; a run is limited to ${fmtNum(MAX_DURATION_S)} s`, 'shorten the stages');
  return { type, stages, interval_s, cap, lora, sweep };
}

/** The rows (≥ 1) of the Azure trace CSV that `{file, format}` at `path` (load.trace or data.trace) names, relative to the config. */
export function azureTraceRows(f: Fields, v: unknown, path: string): TraceRow[] {
  const t = f.mapping(v, path, ['file', 'format']);
  const file = f.str(t, 'file', path);
  if (file === undefined) throw f.fail(`${path}.file`, 'missing required key "file"', 'give the Azure trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens)');
  const fmt = f.str(t, 'format', path) ?? 'AzurePublicDataset';
  if (fmt !== 'AzurePublicDataset') throw f.fail(`${path}.format`, `unknown trace format ${JSON.stringify(fmt)}`, 'use AzurePublicDataset');
  const rows = [...readAzure(resolve(dirname(f.file), file), { skipBadRows: false })];
  if (rows.length === 0) throw f.fail(`${path}.file`, `${file} has no rows`, 'give a trace with at least one row');
  return rows;
}

function parseStages(f: Fields, load: Obj, type: LoadPlan['type'], sweep: boolean): Stage[] {
  if (type === 'trace_replay') {
    const rows = azureTraceRows(f, load.trace, 'load.trace');
    const first = rows[0]!.timeUs;
    const offsetsUs = rows.map((row) => row.timeUs - first);
    return [{ kind: 'trace', offsetsUs, n: offsetsUs.length }];
  }
  const list = f.list(load, 'stages', 'load') ?? [];
  if (sweep) {
    if (list.length > 0) throw f.fail('load.stages', 'a sweep makes its own stages', 'remove load.stages, or remove load.sweep');
    return [];
  }
  if (list.length === 0) throw f.fail('load.stages', 'needs at least one stage', type === 'concurrent' ? 'give stages: [{num_requests: <n>, concurrency_level: <C>}]' : 'give stages: [{rate: <req/s>, duration: <s>}]');
  return list.map((s, i): Stage => {
    const at = `load.stages[${i}]`;
    if (type === 'concurrent') {
      const st = f.mapping(s, at, ['num_requests', 'concurrency_level']);
      return { kind: 'concurrent', n: f.ranged(st, 'num_requests', at, RANGES.requests), concurrency: f.ranged(st, 'concurrency_level', at, RANGES.count) };
    }
    if (type === 'trace_session_replay') {
      const st = f.mapping(s, at, ['concurrent_sessions', 'session_rate', 'num_sessions', 'timeout']);
      f.unsupported(st, 'timeout', at, 'a stage timeout cancels sessions', 'remove timeout');
      const concurrent = f.num(st, 'concurrent_sessions', at, { dflt: 0, min: 0, int: true });
      const session_rate = st.session_rate === undefined ? null : f.num(st, 'session_rate', at, { above: 0 });
      if (session_rate !== null && concurrent > 0 && session_rate > concurrent) throw f.fail(`${at}.session_rate`, `session_rate ${session_rate} exceeds concurrent_sessions ${concurrent}`, 'make session_rate ≤ concurrent_sessions');
      const num_sessions = st.num_sessions === undefined ? null : f.num(st, 'num_sessions', at, { min: 1, int: true });
      return { kind: 'sessions', concurrent, session_rate, num_sessions };
    }
    const st = f.mapping(s, at, ['rate', 'duration']);
    const rate = f.ranged(st, 'rate', at, RANGES.rate);
    const duration_s = f.ranged(st, 'duration', at, RANGES.duration);
    return { kind: 'rate', rate, duration_s, n: Math.floor(rate * duration_s) };
  });
}

function parseSweep(f: Fields, v: unknown, type: LoadPlan['type']): SweepPlan {
  if (type !== 'constant' && type !== 'poisson') throw f.fail('load.sweep', `a sweep needs load.type constant or poisson, not ${type}`, 'set load.type: constant or poisson');
  const s = f.mapping(v, 'load.sweep', ['type', 'num_requests', 'timeout', 'num_stages', 'stage_duration', 'saturation_percentile']);
  const st = s.type;
  if (st !== 'geometric' && st !== 'linear') throw f.fail('load.sweep.type', st === undefined ? 'missing required key "type"' : `unknown sweep type ${JSON.stringify(st)}`, 'use geometric or linear');
  return {
    type: st,
    num_requests: f.num(s, 'num_requests', 'load.sweep', { dflt: 2000, min: 1, int: true }),
    timeout_s: f.num(s, 'timeout', 'load.sweep', { dflt: 60, above: 0 }),
    num_stages: f.num(s, 'num_stages', 'load.sweep', { dflt: 5, min: 1, int: true }),
    stage_duration_s: f.num(s, 'stage_duration', 'load.sweep', { dflt: 180, above: 0, int: true }),
    saturation_percentile: f.num(s, 'saturation_percentile', 'load.sweep', { dflt: 95, min: 0, max: 100 }),
  };
}

function parseLora(f: Fields, load: Obj): LoraShare[] {
  const list = f.list(load, 'lora_traffic_split', 'load');
  if (list === undefined) return [];
  const out = list.map((x, i) => {
    const at = `load.lora_traffic_split[${i}]`;
    const o = f.mapping(x, at, ['name', 'split']);
    const name = f.str(o, 'name', at);
    if (name === undefined || name === '') throw f.fail(`${at}.name`, 'missing adapter name', 'give name: <adapter>');
    return { name, split: f.num(o, 'split', at, { min: 0, max: 1 }) };
  });
  const sum = out.reduce((a, s) => a + s.split, 0);
  // inference-perf wants Σ == 1.0 exactly; GAIE's 5×0.12 + 5×0.06 + 5×0.02 is 1.0000000000000002 (formats.md §1.3).
  if (out.length > 0 && Math.abs(sum - 1) > 1e-9) throw f.fail('load.lora_traffic_split', `the splits sum to ${sum}, not 1`, 'make the splits sum to 1');
  return out;
}
