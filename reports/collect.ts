/**
 * Runs a scenario as `routesim run` does — every policy, over `seeds` independent seeds and, for a
 * sweep, at every offered load — and collects the results document: per-policy summaries, repeat
 * statistics with 95 % confidence intervals, paired comparisons between policies, latency
 * distributions, time series and sweep points.
 *
 * Seeds are scenario.seed, scenario.seed + 1, …; every subsystem's random stream is derived from
 * `${seed}/${stream}`, so consecutive seeds give unrelated streams. The first seed at the scenario's
 * own rate is the "primary" run: its summary is `policies[].summary`, its time series are kept and
 * it is the one streamed to --requests-csv.
 */
import { inputError, UserError } from '../sim/core/errors.js';
import { runScenario, type ExperimentHooks, type PolicyResult as RunResult } from '../sim/experiment.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { PolicySummary } from '../sim/metrics/summary.js';
import { DEFAULT_REPORT, MAX_SEEDS } from '../sim/scenario/schema.js';
import { flagNumber, RANGES } from '../sim/scenario/bounds.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { figureStats, type FigureStats } from './confidence.js';
import { alignFigures, flattenFigures, type Figures } from './figures.js';
import { isMultiPool, poolIndices, poolName } from '../sim/metrics/pools.js';
import { averageDistributions, latencyDistributions, timeSeries, type LatencyDistributions, type TimeSeries } from './profiles.js';
import { buildResultsDocument, type ResultsDocument, type SweepPoint } from './results.js';
import { comparePolicies } from './significance.js';

export interface ExperimentPlan {
  /** Number of seeds (≥ 1). */
  readonly seeds: number;
  /** Offered loads to sweep (req/s), or null. */
  readonly sweepRates: readonly number[] | null;
}

/** Where a finished policy run belongs in the plan. */
export interface RunPoint {
  readonly seed: number;
  readonly rate: number;
  /** First seed at the scenario's own rate. */
  readonly primary: boolean;
}

/** runScenario's hooks (passed through), with the plan point of every finished run. */
export interface CollectHooks extends Omit<ExperimentHooks, 'onPolicyDone'> {
  /** A policy run finished; its records are only kept until this returns. */
  onPolicyDone?(run: PolicyRun, point: RunPoint): void;
}

export interface Collected {
  /** The primary run's results (for the comparison table). */
  readonly primary: readonly RunResult[];
  readonly doc: ResultsDocument;
}

/** The plan from a scenario's own `seeds:` / `sweep:`, overridden by flags when given. */
export function planFor(scenario: ScenarioConfig, seedsFlag?: number, sweepFlag?: readonly number[]): ExperimentPlan {
  const sweepRates = sweepFlag ?? scenario.sweep?.rates ?? null;
  const src = scenario.workload.source;
  if (sweepRates !== null && src?.kind === 'sessions' && src.mode === 'closed') {
    // A closed loop's load is set by its users and think time, not by an arrival rate.
    throw new UserError(`${scenario.name}: sweep: a closed-loop sessions workload has no arrival rate to sweep (fix: sweep workload.source.users by running the scenario once per value, or use mode: open)`);
  }
  return { seeds: seedsFlag ?? scenario.seeds ?? 1, sweepRates };
}

/** Simulated policy runs the plan needs (for the progress bar): seeds × (1 + distinct other rates) × policies. */
export function plannedRuns(scenario: ScenarioConfig, plan: ExperimentPlan): number {
  const base = scenario.workload.arrival.rate;
  const extra = plan.sweepRates === null ? 0 : new Set(plan.sweepRates.filter((r) => r !== base)).size;
  return plan.seeds * (1 + extra) * scenario.policies.length;
}

/** The scenario with another seed and arrival rate; everything else identical. */
function scenarioAt(scenario: ScenarioConfig, seed: number, rate: number): ScenarioConfig {
  const w = scenario.workload;
  return { ...scenario, seed, workload: rate === w.arrival.rate ? w : { ...w, arrival: { ...w.arrival, rate } } };
}

/** Mean, std and CI of every figure over the seeds' summaries. */
function repeatStats(summaries: readonly PolicySummary[]): Record<string, FigureStats> {
  const { paths, values } = alignFigures(summaries.map((s) => flattenFigures(s)));
  const out: Record<string, FigureStats> = {};
  for (const p of paths) out[p] = figureStats(values(p));
  return out;
}

interface PolicyAcc {
  readonly name: string;
  readonly type: string;
  readonly summaries: PolicySummary[];
  readonly distributions: LatencyDistributions[];
  /** Multi-pool runs: each pool's distributions per seed (issue 10, the per-pool CDFs). */
  readonly poolDistributions: Map<string, LatencyDistributions[]>;
  timeseries?: TimeSeries;
}

/**
 * Runs every seed of one offered load. With `keepProfiles` (the scenario's own rate) it keeps the
 * latency distributions of every seed and the time series of the first, whose runs are the primary ones.
 */
function runPoint(scenario: ScenarioConfig, plan: ExperimentPlan, rate: number, keepProfiles: boolean, hooks: CollectHooks): PolicyAcc[] {
  const window = (scenario.report ?? DEFAULT_REPORT).window_ms;
  const accs = scenario.policies.map((p): PolicyAcc => ({ name: p.name, type: p.type, summaries: [], distributions: [], poolDistributions: new Map() }));
  for (let k = 0; k < plan.seeds; k++) {
    const seed = scenario.seed + k;
    const sc = scenarioAt(scenario, seed, rate);
    const point: RunPoint = { seed, rate, primary: keepProfiles && k === 0 };
    let idx = 0;
    const results = runScenario(sc, {
      onProgress: hooks.onProgress,
      ...(hooks.onArrival ? { onArrival: hooks.onArrival } : {}),
      // Issue 13: decisions are recorded for the primary run only.
      ...(point.primary && hooks.decisionLog ? { decisionLog: hooks.decisionLog } : {}),
      onPolicyDone: (run) => {
        const acc = accs[idx++]!;
        if (keepProfiles) {
          acc.distributions.push(latencyDistributions(run.records));
          if (isMultiPool(run)) {
            for (const i of poolIndices(run)) {
              const name = poolName(run, i);
              const list = acc.poolDistributions.get(name) ?? [];
              list.push(latencyDistributions(run.records.filter((r) => r.pool === i)));
              acc.poolDistributions.set(name, list);
            }
          }
          if (k === 0) acc.timeseries = timeSeries(run, sc.slo, window);
        }
        hooks.onPolicyDone?.(run, point);
      },
    });
    results.forEach((r, i) => accs[i]!.summaries.push(r.summary));
  }
  return accs;
}

/** Runs the plan and builds the results document. */
export function collectResults(scenario: ScenarioConfig, plan: ExperimentPlan, routesimVersion: string, hooks: CollectHooks = {}): Collected {
  if (!Number.isInteger(plan.seeds) || plan.seeds < 1 || plan.seeds > MAX_SEEDS) {
    throw inputError('--seeds', '', `must be a whole number from 1 to ${MAX_SEEDS}, got ${plan.seeds}`, 'pass e.g. --seeds 5');
  }
  const baseRate = scenario.workload.arrival.rate;
  const seeds = Array.from({ length: plan.seeds }, (_, k) => scenario.seed + k);
  const echo: ScenarioConfig = {
    ...scenario,
    seeds: plan.seeds,
    sweep: plan.sweepRates === null ? null : { rates: [...plan.sweepRates] },
    report: scenario.report ?? DEFAULT_REPORT,
  };

  const base = runPoint(scenario, plan, baseRate, true, hooks);
  const repeated = plan.seeds > 1;
  const runs = base.map((acc) => ({
    policy: acc.name,
    policyType: acc.type,
    summary: acc.summaries[0]!,
    ...(repeated ? { repeats: acc.summaries.map((summary, k) => ({ seed: seeds[k]!, summary })), stats: repeatStats(acc.summaries) } : {}),
    distributions: averageDistributions(acc.distributions),
    ...(acc.poolDistributions.size > 0 ? { pool_distributions: Object.fromEntries([...acc.poolDistributions].map(([name, list]) => [name, averageDistributions(list)])) } : {}),
    ...(acc.timeseries !== undefined ? { timeseries: acc.timeseries } : {}),
  }));

  let comparisons;
  if (repeated) {
    const perSeed = new Map<string, Figures[]>(base.map((acc) => [acc.name, acc.summaries.map((s) => flattenFigures(s))]));
    comparisons = comparePolicies(base.map((a) => a.name), perSeed);
  }

  let sweep: SweepPoint[] | undefined;
  if (plan.sweepRates !== null) {
    sweep = plan.sweepRates.map((rate) => {
      const accs = rate === baseRate ? base : runPoint(scenario, plan, rate, false, hooks);
      return {
        rate,
        policies: accs.map((acc) => ({
          name: acc.name,
          type: acc.type,
          summary: acc.summaries[0]!,
          ...(repeated ? { stats: repeatStats(acc.summaries) } : {}),
        })),
      };
    });
  }

  const doc = buildResultsDocument({
    scenario: echo,
    runs,
    routesimVersion,
    ...(repeated ? { seeds, comparisons } : {}),
    ...(sweep !== undefined ? { sweep } : {}),
  });
  const primary: RunResult[] = base.map((acc) => ({ policy: acc.name, policyType: acc.type, summary: acc.summaries[0]! }));
  return { primary, doc };
}

/** `--seeds N` → N (undefined when the flag is absent); a bad value is a one-line input error. */
export function parseSeedsFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > MAX_SEEDS) {
    throw inputError('--seeds', '', `expected a whole number from 1 to ${MAX_SEEDS}, got ${JSON.stringify(text)}`, 'pass e.g. --seeds 5');
  }
  return n;
}

/** `--sweep-rate 40,60,80` → [40, 60, 80] req/s (undefined when absent). */
export function parseRatesFlag(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const rates = text.split(',').map((p) => flagNumber('--sweep-rate', p, RANGES.rate, '40,60,80'));
  const twice = rates.find((r, i) => rates.indexOf(r) !== i);
  if (twice !== undefined) throw new UserError(`--sweep-rate: ${twice} req/s is given twice (fix: give each rate once, e.g. 40,60,80)`);
  return rates;
}
