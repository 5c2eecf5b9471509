/**
 * The flags and input files of `routesim capacity`, checked: SLO limits, the rate ladder, the
 * replica / GPU lists, the `--options` and `--prices` YAML files. Every mistake is one line naming
 * the flag (or the file and field) and a fix.
 */
import { parse } from 'yaml';
import { inputError, readUserFile, UserError } from '../../sim/core/errors.js';
import type { Override } from '../../sim/scenario/overrides/types.js';
import type { CapacitySlo } from './types.js';

/** AIConfigurator's default SLA (gateway.md §7.2): TTFT ≤ 2000 ms when no SLO flag is given. */
export const DEFAULT_TTFT_P99_MS = 2000;
export const DEFAULT_SEEDS = 5;
/** Most rungs a `--rates` ladder may have. */
export const MAX_LADDER = 200;

function positive(flag: string, text: string, example: string): number {
  const t = text.trim();
  const x = Number(t);
  if (t === '' || !Number.isFinite(x) || !(x > 0)) throw inputError(flag, '', `expected a positive number, got ${JSON.stringify(text)}`, `pass e.g. ${flag} ${example}`);
  return x;
}

export function parsePositive(flag: string, text: string, example: string): number {
  return positive(flag, text, example);
}

export function parseSloFlags(f: { ttftP99?: string; tpotP99?: string; goodput?: string }): CapacitySlo {
  const none = f.ttftP99 === undefined && f.tpotP99 === undefined && f.goodput === undefined;
  const goodput = f.goodput === undefined ? null : positive('--goodput', f.goodput, '95');
  if (goodput !== null && goodput > 100) throw inputError('--goodput', '', `a share of requests is at most 100 %, got ${f.goodput}`, 'pass e.g. --goodput 95');
  return {
    ttft_p99_ms: none ? DEFAULT_TTFT_P99_MS : f.ttftP99 === undefined ? null : positive('--ttft-p99', f.ttftP99, '2000'),
    tpot_p99_ms: f.tpotP99 === undefined ? null : positive('--tpot-p99', f.tpotP99, '50'),
    goodput_pct: goodput,
  };
}

export function parseSeedCount(text: string | undefined, max: number): number {
  if (text === undefined) return DEFAULT_SEEDS;
  const t = text.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > max) throw inputError('--seeds', '', `expected a whole number of seeds from 1 to ${max}, got ${JSON.stringify(text)}`, 'pass e.g. --seeds 5');
  return n;
}

export function parseTolerance(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const x = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(x) || !(x > 0) || !(x < 1)) throw inputError('--tolerance', '', `expected a relative width 0 < w < 1, got ${JSON.stringify(text)}`, 'pass e.g. --tolerance 0.025 (2.5 %)');
  return x;
}

/** `--rates 10,20,30` or `--rates 10:60:5` (from:to:step, to included): ascending distinct rates. */
export function parseLadder(text: string): number[] {
  const t = text.trim();
  const fix = 'pass e.g. --rates 10,20,30 or --rates 10:60:5 (from:to:step)';
  let rates: number[];
  if (t.includes(':')) {
    const parts = t.split(':').map((p) => Number(p.trim()));
    if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x) || !(x > 0)) || parts[1]! < parts[0]!) throw inputError('--rates', '', `expected from:to:step with 0 < from ≤ to and step > 0, got ${JSON.stringify(text)}`, fix);
    const [from, to, step] = parts as [number, number, number];
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > MAX_LADDER) throw inputError('--rates', '', `${n} rungs, more than ${MAX_LADDER}`, 'use a larger step');
    rates = Array.from({ length: n }, (_, i) => Math.round((from + i * step) * 1e4) / 1e4);
  } else {
    rates = t.split(',').map((p) => Number(p.trim()));
    if (t === '' || rates.some((x) => !Number.isFinite(x) || !(x > 0))) throw inputError('--rates', '', `expected positive req/s, comma-separated, got ${JSON.stringify(text)}`, fix);
    if (rates.length > MAX_LADDER) throw inputError('--rates', '', `${rates.length} rates, more than ${MAX_LADDER}`, 'probe fewer rates');
  }
  return [...new Set(rates)].sort((a, b) => a - b);
}

/** `--gpus H100,L40S`: distinct non-empty names in order. */
export function parseGpuList(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw inputError('--gpus', '', `expected GPU names, comma-separated, got ${JSON.stringify(text)}`, 'pass e.g. --gpus H100,L40S');
  return [...new Set(names)];
}

function readYaml(path: string, flag: string, example: string): unknown {
  const text = readUserFile(path, `pass a YAML file to ${flag}, e.g. ${example}`);
  try {
    return parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw inputError(path, '', `not valid YAML: ${msg}`, 'fix the YAML syntax');
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function pricesOf(data: unknown, file: string, field: string): Record<string, number> {
  if (!isRecord(data)) throw inputError(file, field, 'expected a map of GPU type to $/GPU-hour', 'write e.g. {H100: 4.0, L40S: 1.9}');
  const out: Record<string, number> = {};
  for (const [gpu, v] of Object.entries(data)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw inputError(file, `${field}${field ? '.' : ''}${gpu}`, `expected a price ≥ 0 in $/GPU-hour, got ${JSON.stringify(v)}`, `write e.g. ${gpu}: 4.0`);
    out[gpu] = v;
  }
  return out;
}

/** `--prices FILE`: `{GPU: $/h}`. */
export function readPricesFile(path: string): Record<string, number> {
  return pricesOf(readYaml(path, '--prices', 'prices.yaml'), path, '');
}

export interface FleetOption {
  readonly name: string;
  readonly overrides: readonly Override[];
}

export interface OptionsFile {
  readonly options: readonly FleetOption[];
  readonly prices: Record<string, number>;
}

/** `--options FILE`: `options: [{name, set: {PATH: VALUE, …}}]`, optional `prices: {GPU: $/h}`. */
export function readOptionsFile(path: string): OptionsFile {
  const data = readYaml(path, '--options', 'options.yaml');
  const example = 'options: [{name: 8xH100, set: {fleet.replicas: 8, fleet.gpu: H100}}]';
  if (!isRecord(data)) throw inputError(path, '', 'expected a map with an `options` list', `write ${example}`);
  for (const k of Object.keys(data)) if (k !== 'options' && k !== 'prices') throw inputError(path, k, 'unknown field', 'only `options` and `prices` are read');
  const list = data.options;
  if (!Array.isArray(list) || list.length === 0) throw inputError(path, 'options', 'expected a non-empty list of {name, set}', `write ${example}`);
  const names = new Set<string>();
  const options = list.map((o: unknown, i): FleetOption => {
    const at = `options[${i}]`;
    if (!isRecord(o)) throw inputError(path, at, 'expected {name, set}', `write ${example}`);
    for (const k of Object.keys(o)) if (k !== 'name' && k !== 'set') throw inputError(path, `${at}.${k}`, 'unknown field', 'an option has only `name` and `set`');
    if (typeof o.name !== 'string' || o.name.trim() === '') throw inputError(path, `${at}.name`, 'expected a non-empty name', 'write e.g. name: 8xH100');
    if (names.has(o.name)) throw inputError(path, `${at}.name`, `duplicate option name ${JSON.stringify(o.name)}`, 'give every option its own name');
    names.add(o.name);
    if (!isRecord(o.set) || Object.keys(o.set).length === 0) throw inputError(path, `${at}.set`, 'expected a non-empty map of PATH: VALUE', 'write e.g. set: {fleet.replicas: 8}');
    const overrides = Object.entries(o.set).map(([p, value]): Override => ({ path: p, value, source: `option ${o.name as string}: ${p}=${JSON.stringify(value)}` }));
    return { name: o.name, overrides };
  });
  return { options, prices: data.prices === undefined ? {} : pricesOf(data.prices, path, 'prices') };
}

/** The one question asked; exactly one of the question flags. */
export function questionOf(f: { maxRate?: boolean; minReplicas?: string; options?: string }): 'max-rate' | 'min-replicas' | 'options' {
  const asked = [f.maxRate ? '--max-rate' : null, f.minReplicas !== undefined ? '--min-replicas' : null, f.options !== undefined ? '--options' : null].filter((x) => x !== null);
  const example = 'e.g. routesim capacity scenarios/capacity-40qps.yaml --min-replicas 40';
  if (asked.length === 0) throw new UserError(`capacity: ask one question: --max-rate, --min-replicas RATE or --options FILE (${example})`);
  if (asked.length > 1) throw new UserError(`capacity: ${asked.join(' and ')}: ask one question at a time (${example})`);
  return asked[0] === '--max-rate' ? 'max-rate' : asked[0] === '--min-replicas' ? 'min-replicas' : 'options';
}
