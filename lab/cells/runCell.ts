/**
 * Runs one cell in this thread: the scenario at the cell's seed and rate, the cell's policy, then
 * its summary (and distributions / time series when asked). The result goes through JSON, exactly
 * as it does when it comes back from a worker thread or from a shard's file, so every way of
 * running a cell yields the same value.
 */
import { runPolicy, type RequestSink, type RunObserver } from '../../sim/simulation.js';
import { summarize } from '../../sim/metrics/summary.js';
import { summaryOptionsFor } from '../../sim/metrics/options.js';
import { poolIndices, poolName } from '../../sim/metrics/pools.js';
import type { PolicyRun } from '../../sim/metrics/types.js';
import type { DecisionLog } from '../../sim/decisions/log.js';
import type { PolicySpec, ScenarioConfig } from '../../sim/scenario/types.js';
import { DEFAULT_REPORT } from '../../sim/scenario/schema.js';
import { latencyDistributions, timeSeries, type LatencyDistributions } from '../../reports/profiles.js';
import { StreamedSummary } from '../../sim/metrics/stream/streamSummary.js';
import { EXACT_VALUES } from '../../sim/metrics/stream/latencyColumn.js';
import { streamedDistributions, StreamedTimeSeries } from '../../reports/streamedProfiles.js';
import type { Cell, CellResult } from './cell.js';
import { collectGarbage } from '../parallel/heap.js';

/** What a caller in the main thread may watch while a cell runs (never available in a worker). */
export interface CellHooks {
  onProgress?(arrived: number): void;
  onArrival?: RunObserver['onArrival'];
  /** A decision log for the run (`--decisions`). */
  decisionLog?(policy: PolicySpec): DecisionLog | undefined;
  /** Receives the run's records as they are created and end (`--requests-csv`). */
  requestSink?(policy: PolicySpec): RequestSink | undefined;
  /** The simulation has returned; the figures are computed next (`npm run bench` splits its CPU here). */
  onSimulated?(): void;
  /** The finished run; its per-request records are only kept until this returns. */
  onPolicyDone?(run: PolicyRun): void;
}

/** One sink feeding both (either may be absent). */
function joinSinks(a: RequestSink | undefined, b: RequestSink | undefined): RequestSink | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return {
    onStart: (names, roles, mayDisaggregate) => {
      a.onStart?.(names, roles, mayDisaggregate);
      b.onStart?.(names, roles, mayDisaggregate);
    },
    onRecord: (rec) => {
      a.onRecord?.(rec);
      b.onRecord?.(rec);
    },
    onRequestEnd: (id) => {
      a.onRequestEnd?.(id);
      b.onRequestEnd?.(id);
    },
  };
}

/** The scenario with another seed and arrival rate; everything else identical. */
export function scenarioAt(scenario: ScenarioConfig, seed: number, rate: number): ScenarioConfig {
  const w = scenario.workload;
  return { ...scenario, seed, workload: rate === w.arrival.rate ? w : { ...w, arrival: { ...w.arrival, rate } } };
}

export function runCell(config: ScenarioConfig, cell: Cell, hooks: CellHooks = {}): CellResult {
  const sc = scenarioAt(config, cell.seed, cell.rate);
  const policy = sc.policies[cell.policy];
  if (policy === undefined) throw new Error(`cell names policy ${cell.policy} of ${sc.policies.length}`);
  const log = hooks.decisionLog?.(policy);
  const windowMs = (sc.report ?? DEFAULT_REPORT).window_ms;
  // Issue 15: a run too large to keep its records is summarised as its requests end.
  const streamed = cell.streamed === true ? new StreamedSummary(sc.slo, summaryOptionsFor(sc), cell.sketched === true ? 0 : EXACT_VALUES) : undefined;
  const series = streamed !== undefined && cell.timeseries ? new StreamedTimeSeries(streamed, sc.slo, windowMs) : undefined;
  const sink = joinSinks(hooks.requestSink?.(policy), streamed);
  const run = runPolicy(sc, policy, { onProgress: hooks.onProgress, ...(hooks.onArrival ? { onArrival: hooks.onArrival } : {}), ...sink }, undefined, { ...(log !== undefined ? { decisions: log } : {}), ...(streamed !== undefined ? { keepRecords: false } : {}) });
  hooks.onSimulated?.();
  // The simulation's state is garbage now: collect it before the summary sorts its columns (heap.ts).
  if (streamed !== undefined) collectGarbage();
  streamed?.finish();
  const result: { -readonly [K in keyof CellResult]: CellResult[K] } = streamed !== undefined ? { summary: streamed.summarize(run), requests: streamed.arrived } : { summary: summarize(run, sc.slo, summaryOptionsFor(sc)), requests: run.records.length };
  if (cell.profiles) {
    result.distributions = streamed !== undefined ? streamedDistributions(streamed.all) : latencyDistributions(run.records);
    const pools = streamed !== undefined ? streamed.poolIndices(run) : poolIndices(run);
    if (pools.length > 1) {
      const byPool: Record<string, LatencyDistributions> = {};
      for (const i of pools) byPool[poolName(run, i)] = streamed !== undefined ? streamedDistributions(streamed.poolLatencies(i)) : latencyDistributions(run.records.filter((r) => r.pool === i));
      result.pool_distributions = byPool;
    }
  }
  if (cell.timeseries) result.timeseries = series !== undefined ? series.series(run) : timeSeries(run, sc.slo, windowMs);
  if (streamed !== undefined && !(streamed.exact && (series?.exact ?? true))) result.approximate = true;
  hooks.onPolicyDone?.(run);
  return JSON.parse(JSON.stringify(result)) as CellResult;
}
