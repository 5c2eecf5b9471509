/**
 * The workload fingerprint of a results document: what work was simulated, so `routesim check`
 * can refuse to compare a current run against a baseline of different work.
 *
 * - `hash`: SHA-256 of the canonical JSON (keys sorted at every level) of the scenario's *work* —
 *   the resolved scenario minus its policies and minus fields that only label or shape the output:
 *   `name`, `description`, `seed` and `seeds` (the seed set is kept separately), `sweep` (extra
 *   runs that the gate does not read), `report.sample_ms` / `report.window_ms` (time-series
 *   sampling), and the paths of input files (a moved file with the same bytes is the same work;
 *   its contents are fingerprinted in `files`). Report fields that move the measurement window
 *   (e.g. a warm-up) stay in, except when 0 or null (the default), so a baseline written before
 *   such a field existed still matches.
 * - `seeds`: the seed set of the repetitions (one seed when the run was not repeated).
 * - `files`: per input file the scenario read (a trace, ServeGen windows and lengths): the scenario
 *   field, the file's base name, its size and the SHA-256 of its contents.
 *
 * `scheme` numbers these rules; a change to them bumps it.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { inputError, readProblem } from '../sim/core/errors.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';

export const FINGERPRINT_SCHEME = 1;

export interface FileIdentity {
  /** Scenario field that named the file, e.g. `workload.source.path`. */
  readonly field: string;
  /** Base name of the file (the directory is not part of the work). */
  readonly name: string;
  readonly bytes: number;
  /** SHA-256 of the whole file, hex. */
  readonly sha256: string;
}

export interface WorkloadFingerprint {
  readonly scheme: number;
  /** SHA-256 (hex) of the canonical JSON of workOf(scenario). */
  readonly hash: string;
  readonly seeds: readonly number[];
  readonly files: readonly FileIdentity[];
}

/** Input-file fields of a workload source, by source kind. */
const FILE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  trace: ['path'],
  servegen: ['path', 'lengths_path'],
};

/** Report fields that only shape the output (time-series sampling). */
const OUTPUT_ONLY_REPORT = new Set(['sample_ms', 'window_ms']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The scenario's work: a plain-data copy without policies and output-only fields (see the module
 * comment). Accepts any parsed scenario echo (old or hand-written ones too).
 */
export function workOf(scenario: unknown): Record<string, unknown> {
  const s = isRecord(scenario) ? (JSON.parse(JSON.stringify(scenario)) as Record<string, unknown>) : {};
  for (const k of ['name', 'description', 'policies', 'seed', 'seeds', 'sweep']) delete s[k];
  if (isRecord(s.report)) {
    const r = s.report;
    for (const k of Object.keys(r)) if (OUTPUT_ONLY_REPORT.has(k) || r[k] === 0 || r[k] === null) delete r[k];
    if (Object.keys(r).length === 0) delete s.report;
  }
  const w = s.workload;
  if (isRecord(w) && isRecord(w.source)) {
    const src = w.source;
    for (const f of FILE_FIELDS[String(src.kind)] ?? []) if (typeof src[f] === 'string') src[f] = '(file)';
  }
  return s;
}

/** JSON with object keys sorted at every level (after a JSON round trip: undefined dropped, NaN → null). */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (isRecord(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = sort(v[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(JSON.parse(JSON.stringify(value ?? null))));
}

/** SHA-256 hex of the canonical work of a scenario. */
export function workHash(scenario: unknown): string {
  return createHash('sha256').update(canonicalJson(workOf(scenario))).digest('hex');
}

/** The seed set a results document ran: its `seeds`, else the scenario's single seed ([] if unknown). */
export function seedSet(scenario: unknown, seeds: readonly number[] | undefined): number[] {
  if (seeds !== undefined) return [...seeds];
  const s = isRecord(scenario) ? scenario.seed : undefined;
  return typeof s === 'number' ? [s] : [];
}

/** Size and SHA-256 of a file, read in 1 MiB chunks. */
export function fileIdentity(field: string, path: string): FileIdentity {
  const hash = createHash('sha256');
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
    return { field, name: basename(path), bytes: statSync(path).size, sha256: hash.digest('hex') };
  } catch (err) {
    throw inputError(path, '', `cannot fingerprint the workload's input file: ${readProblem(err)}`, `keep ${field} readable until the run has written its results`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The input files a scenario's workload read, with their identities. */
export function workloadFiles(scenario: ScenarioConfig): FileIdentity[] {
  const src = scenario.workload.source as unknown as Record<string, unknown> | undefined;
  if (!src) return [];
  const out: FileIdentity[] = [];
  for (const f of FILE_FIELDS[String(src.kind)] ?? []) {
    const p = src[f];
    if (typeof p === 'string') out.push(fileIdentity(`workload.source.${f}`, p));
  }
  return out;
}

/** The fingerprint of a run of `scenario` over `seeds` (default: the scenario's own seed). */
export function workloadFingerprint(scenario: ScenarioConfig, seeds?: readonly number[]): WorkloadFingerprint {
  return { scheme: FINGERPRINT_SCHEME, hash: workHash(scenario), seeds: seedSet(scenario, seeds), files: workloadFiles(scenario) };
}
