/**
 * Fitting step-time coefficients from a measured run, replay in the loop
 * (../shared/reference/calibration.md §4.3): replay the run's arrivals and token counts through
 * the scenario's fleet with the current β; observe every step (RunObserver.onStepBegin) and sum,
 * per request, the basis vectors x_k of the steps that began in its prefill [scheduled, first
 * token) and in its decode [first, last token); solve the relative-weighted NNLS on the stacked
 * rows P_i ≈ X_i^pf·β, D_i ≈ X_i^dec·β (fit.ts); re-simulate with the new β (batch composition
 * depends on β) for a few rounds. KV capacity is held at the run's block count when the source
 * gives it (§4.4). Aggregate-only sources (inference-perf summary, /metrics) give one row per mean.
 */
import type { GpuSpec, ModelSpec } from '../hardware/types.js';
import type { PolicySpec, ScenarioConfig } from '../scenario/types.js';
import type { PolicyRun } from '../metrics/types.js';
import { runPolicy } from '../simulation.js';
import { basisModel, priorOf, type FitModel } from './basisModel.js';
import { fitLinear, type FitOptions, type HeldTerm } from './fit.js';
import { summariseRelErrors, type ResidualSummary } from './residuals.js';
import type { RunData } from './runSources/types.js';

export interface RunFitRound {
  readonly round: number;
  readonly rows: number;
  /** Median |relative error| of the rows with the β fitted in this round, percent. */
  readonly rowP50Pct: number;
  readonly coefficients: Record<string, number>;
}

export interface RunFit {
  readonly coefficients: Record<string, number>;
  readonly held: readonly HeldTerm[];
  readonly rounds: readonly RunFitRound[];
  /** Replay with the final β vs measured: per request (TTFT, TPOT, E2E) or per aggregate. */
  readonly residuals: Record<string, ResidualSummary>;
}

/** Per-request sums of basis vectors from one replay. */
interface Observed {
  readonly run: PolicyRun;
  /** Per replay id: X^pf, X^dec (length K), fixed µs of each, simulated queue wait µs; null = not completed. */
  readonly perRequest: ({ xpf: Float64Array; xdc: Float64Array; fpf: number; fdc: number; waitUs: number } | null)[];
}

class StepLog {
  readonly starts: number[] = [];
  readonly cum: number[][];
  readonly cumFixed: number[] = [0];
  constructor(k: number) {
    this.cum = [new Array<number>(k).fill(0)];
  }
  push(start: number, x: Float64Array, fixed: number): void {
    const prev = this.cum[this.cum.length - 1]!;
    this.starts.push(start);
    this.cum.push(prev.map((v, j) => v + x[j]!));
    this.cumFixed.push(this.cumFixed[this.cumFixed.length - 1]! + fixed);
  }
  /** Index of the first step starting at or after t. */
  at(t: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  sum(from: number, to: number): { x: Float64Array; fixed: number } {
    const a = this.at(from);
    const b = this.at(to);
    return { x: Float64Array.from(this.cum[b]!, (v, j) => v - this.cum[a]![j]!), fixed: this.cumFixed[b]! - this.cumFixed[a]! };
  }
}

function replay(scenario: ScenarioConfig, policy: PolicySpec, data: RunData, kind: FitModel, coefficients: Record<string, number>, gpu: GpuSpec, model: ModelSpec): Observed {
  const m = basisModel(kind, model, gpu, scenario.fleet.tp, coefficients);
  const engine = data.numGpuBlocks !== null ? { ...scenario.fleet.engine, num_gpu_blocks: data.numGpuBlocks } : scenario.fleet.engine;
  const stepTime = kind === 'physics'
    ? { model: 'physics' as const, coefficients: { ...priorOf('physics'), ...coefficients } as never, overheads: scenario.step_time.overheads }
    : { model: 'linear' as const, coefficients: { ...priorOf('linear'), ...coefficients } as never, overheads: scenario.step_time.overheads };
  const sc: ScenarioConfig = { ...scenario, fleet: { ...scenario.fleet, engine }, step_time: stepTime };
  const logs = new Map<number, StepLog>();
  const x = new Float64Array(m.terms.length);
  const run = runPolicy(sc, policy, {
    onStepBegin: (r, index, time) => {
      let log = logs.get(index);
      if (!log) logs.set(index, (log = new StepLog(m.terms.length)));
      m.basis(r.stepShape, x);
      log.push(time, x, m.fixedUs(r.stepShape));
    },
  }, data.requests ?? undefined);
  const perRequest: Observed['perRequest'] = [];
  for (const rec of run.records) {
    const log = logs.get(rec.replica);
    if (rec.outcome !== 'completed' || !log || rec.scheduledUs < 0) {
      perRequest[rec.id] = null;
      continue;
    }
    const pf = log.sum(rec.scheduledUs, rec.firstTokenUs);
    const dc = log.sum(rec.firstTokenUs, rec.lastTokenUs);
    perRequest[rec.id] = { xpf: pf.x, xdc: dc.x, fpf: pf.fixed, fdc: dc.fixed, waitUs: rec.scheduledUs - rec.arrivalUs };
  }
  return { run, perRequest };
}

interface Rows {
  x: Float64Array[];
  fixed: number[];
  y: number[];
}

function mean(v: readonly number[]): number {
  return v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
}

/** Which rows to stack: prefill and decode (§4.3), or decode only. */
export type RunTargets = 'both' | 'decode';

/**
 * The rows `auto` stacks, and why (measured on the shared RTX PRO 6000 run, see the issue 12 report):
 * - client-side prefill targets (TTFT − simulated queue wait) never: in a queue-dominated run the
 *   target swings with β and the iteration diverges (TTFT −84 % after 4 rounds);
 * - per-request engine logs: decode only — the measured first − scheduled spans ≈ 3.7 decode steps
 *   (chunking plus async-scheduling pipeline lag, which the synchronous engine under-represents), and stacking those rows
 *   bends β (TTFT +17 %, TPOT +6 % vs −0.9 % / 0.0 % with decode rows only);
 * - engine aggregates (/metrics): both — the mean prefill time is the only handle on prefill cost
 *   (TTFT +2 % with it, −21 % without).
 */
export function autoTargets(data: RunData): { targets: RunTargets; why: string } {
  if (data.prefillIncludesQueue) return { targets: 'decode', why: 'the source has no scheduled time: TTFT − simulated queue wait is unstable when the queue dominates' };
  if (data.perRequest) return { targets: 'decode', why: 'per-request first − scheduled carries pipeline lag (async scheduling) the engine under-represents; decode rows identify the step time' };
  return { targets: 'both', why: 'only aggregates: the mean prefill time is the only handle on prefill cost' };
}

function buildRows(data: RunData, obs: Observed, k: number, targets: RunTargets): Rows {
  const rows: Rows = { x: [], fixed: [], y: [] };
  if (data.perRequest) {
    data.perRequest.forEach((t, id) => {
      const o = obs.perRequest[id];
      if (!o) return;
      const pf = t.prefillUs !== null ? t.prefillUs - (data.prefillIncludesQueue ? o.waitUs : 0) : null;
      if (targets === 'both' && pf !== null && pf > 0) rows.x.push(o.xpf), rows.fixed.push(o.fpf), rows.y.push(pf);
      if (t.decodeUs !== null && t.decodeUs > 0) rows.x.push(o.xdc), rows.fixed.push(o.fdc), rows.y.push(t.decodeUs);
    });
    return rows;
  }
  const a = data.aggregate!;
  const done = obs.perRequest.filter((o): o is NonNullable<typeof o> => o !== null);
  const avg = (f: (o: (typeof done)[number], i: number) => Float64Array | number[]): Float64Array => {
    const s = new Float64Array(k);
    done.forEach((o, i) => f(o, i).forEach((v, j) => (s[j]! += v / done.length)));
    return s;
  };
  if (targets === 'both' && a.meanPrefillUs !== null) {
    const wait = data.prefillIncludesQueue ? mean(done.map((o) => o.waitUs)) : 0;
    rows.x.push(avg((o) => o.xpf)), rows.fixed.push(mean(done.map((o) => o.fpf))), rows.y.push(a.meanPrefillUs - wait);
  }
  if (a.meanDecodeUs !== null) rows.x.push(avg((o) => o.xdc)), rows.fixed.push(mean(done.map((o) => o.fdc))), rows.y.push(a.meanDecodeUs);
  else if (a.meanTpotUs !== null) {
    const outs = obs.run.records.filter((r) => r.outcome === 'completed').map((r) => Math.max(1, r.outputTokens - 1));
    rows.x.push(avg((o, i) => Array.from(o.xdc, (v) => v / outs[i]!))), rows.fixed.push(mean(done.map((o, i) => o.fdc / outs[i]!))), rows.y.push(a.meanTpotUs);
  }
  return rows;
}

/** Which columns to keep first when only aggregates are known (weight streaming for decode, GEMM for prefill). */
const AGGREGATE_PRIORITY: Record<FitModel, readonly string[]> = {
  physics: ['beta3', 'beta1a'],
  linear: ['beta2_us_per_decode_token', 'beta1_us_per_prefill_token'],
};

function residualsOf(data: RunData, obs: Observed): Record<string, ResidualSummary> {
  const recs = new Map(obs.run.records.filter((r) => r.outcome === 'completed').map((r) => [r.id, r] as const));
  if (data.perRequest) {
    const ttft: number[] = [];
    const tpot: number[] = [];
    const e2e: number[] = [];
    data.perRequest.forEach((t, id) => {
      const r = recs.get(id);
      if (!r) return;
      if (t.ttftUs) ttft.push((r.firstTokenUs - r.arrivalUs - t.ttftUs) / t.ttftUs);
      if (t.e2eUs) e2e.push((r.lastTokenUs - r.arrivalUs - t.e2eUs) / t.e2eUs);
      if (t.decodeUs && t.outputTokens > 1) tpot.push((r.lastTokenUs - r.firstTokenUs - t.decodeUs) / t.decodeUs);
    });
    return { TTFT: summariseRelErrors(ttft), TPOT: summariseRelErrors(tpot), E2E: summariseRelErrors(e2e) };
  }
  const a = data.aggregate!;
  const done = [...recs.values()];
  const out: Record<string, ResidualSummary> = {};
  const put = (name: string, sim: number, real: number | null): void => {
    if (real !== null && real > 0) out[name] = summariseRelErrors([(sim - real) / real]);
  };
  put(data.prefillIncludesQueue ? 'mean TTFT' : 'mean prefill', mean(done.map((r) => r.firstTokenUs - (data.prefillIncludesQueue ? r.arrivalUs : r.scheduledUs))), a.meanPrefillUs);
  put('mean decode', mean(done.map((r) => r.lastTokenUs - r.firstTokenUs)), a.meanDecodeUs);
  put('mean TPOT', mean(done.map((r) => (r.lastTokenUs - r.firstTokenUs) / Math.max(1, r.outputTokens - 1))), a.meanTpotUs);
  put('mean queue', mean(done.map((r) => r.scheduledUs - r.arrivalUs)), a.meanQueueUs);
  return out;
}

export function fitFromRun(
  kind: FitModel,
  scenario: ScenarioConfig,
  policy: PolicySpec,
  data: RunData,
  gpu: GpuSpec,
  model: ModelSpec,
  start: Record<string, number>,
  rounds: number,
  opts: FitOptions = {},
  targets: RunTargets = 'both',
): RunFit {
  const prior = priorOf(kind);
  const terms = basisModel(kind, model, gpu, scenario.fleet.tp).terms;
  let beta = { ...prior, ...start };
  let held: readonly HeldTerm[] = [];
  const log: RunFitRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const obs = replay(scenario, policy, data, kind, beta, gpu, model);
    const rows = buildRows(data, obs, terms.length, targets);
    const fit = fitLinear(terms, prior, rows, { ...opts, ...(data.perRequest ? {} : { priority: AGGREGATE_PRIORITY[kind] }) });
    beta = fit.coefficients;
    held = fit.held;
    const rel = rows.y.map((y, i) => (fit.predicted[i]! - y) / y);
    log.push({ round, rows: rows.y.length, rowP50Pct: summariseRelErrors(rel).p50_pct, coefficients: { ...beta } });
  }
  const final = replay(scenario, policy, data, kind, beta, gpu, model);
  return { coefficients: beta, held, rounds: log, residuals: residualsOf(data, final) };
}
