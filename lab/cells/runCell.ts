/**
 * Runs one cell in this thread: the scenario at the cell's seed and rate, the cell's policy, then
 * its summary (and distributions / time series when asked). The result goes through JSON, exactly
 * as it does when it comes back from a worker thread or from a shard's file, so every way of
 * running a cell yields the same value.
 */
import { runPolicy, type RequestSink, type RunObserver } from '../../sim/simulation.js';
import { summarize } from '../../sim/metrics/summary.js';
import { summaryOptionsFor } from '../../sim/metrics/options.js';
import { isMultiPool, poolIndices, poolName } from '../../sim/metrics/pools.js';
import type { PolicyRun } from '../../sim/metrics/types.js';
import type { DecisionLog } from '../../sim/decisions/log.js';
import type { PolicySpec, ScenarioConfig } from '../../sim/scenario/types.js';
import { DEFAULT_REPORT } from '../../sim/scenario/schema.js';
import { latencyDistributions, timeSeries, type LatencyDistributions } from '../../reports/profiles.js';
import type { Cell, CellResult } from './cell.js';

/** What a caller in the main thread may watch while a cell runs (never available in a worker). */
export interface CellHooks {
  onProgress?(arrived: number): void;
  onArrival?: RunObserver['onArrival'];
  /** A decision log for the run (`--decisions`). */
  decisionLog?(policy: PolicySpec): DecisionLog | undefined;
  /** Receives the run's records as they are created and end (`--requests-csv`). */
  requestSink?(policy: PolicySpec): RequestSink | undefined;
  /** The finished run; its per-request records are only kept until this returns. */
  onPolicyDone?(run: PolicyRun): void;
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
  const sink = hooks.requestSink?.(policy);
  const run = runPolicy(sc, policy, { onProgress: hooks.onProgress, ...(hooks.onArrival ? { onArrival: hooks.onArrival } : {}), ...sink }, undefined, log !== undefined ? { decisions: log } : {});
  const result: { -readonly [K in keyof CellResult]: CellResult[K] } = { summary: summarize(run, sc.slo, summaryOptionsFor(sc)), requests: run.records.length };
  if (cell.profiles) {
    result.distributions = latencyDistributions(run.records);
    if (isMultiPool(run)) {
      const byPool: Record<string, LatencyDistributions> = {};
      for (const i of poolIndices(run)) byPool[poolName(run, i)] = latencyDistributions(run.records.filter((r) => r.pool === i));
      result.pool_distributions = byPool;
    }
  }
  if (cell.timeseries) result.timeseries = timeSeries(run, sc.slo, (sc.report ?? DEFAULT_REPORT).window_ms);
  hooks.onPolicyDone?.(run);
  return JSON.parse(JSON.stringify(result)) as CellResult;
}
