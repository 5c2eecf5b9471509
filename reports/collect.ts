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
 *
 * Issue 14: the plan is a list of independent cells (lab/cells: variant × policy × seed × rate),
 * run here, on worker threads or by shards, and the document is assembled from their results
 * alone, so it is byte-identical however they ran. A sweep grid (`sweep:` paths, `--sweep`) adds
 * one variant per grid point, run at its own rate, reported in `grid`; a run a grid point leaves
 * unchanged (another policy's scorer weight, `fleet.replicas=8` when the file says 8) is reused.
 */
import { inputError, UserError } from '../sim/core/errors.js';
import type { ExperimentHooks, PolicyResult as RunResult } from '../sim/experiment.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { PolicySummary } from '../sim/metrics/summary.js';
import { DEFAULT_REPORT, MAX_SEEDS } from '../sim/scenario/schema.js';
import { flagNumber, RANGES } from '../sim/scenario/bounds.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { figureStats, type FigureStats } from './confidence.js';
import { alignFigures, flattenFigures, type Figures } from './figures.js';
import { averageDistributions, type LatencyDistributions } from './profiles.js';
import { buildResultsDocument, type GridResults, type ResultsDocument, type SweepPoint } from './results.js';
import type { Override, SweepDimension } from '../sim/scenario/overrides/types.js';
import { cellKey, type Cell, type CellResult } from '../lab/cells/cell.js';
import { RunIdentity } from '../lab/cells/identity.js';
import type { CellHooks } from '../lab/cells/runCell.js';
import { LocalExecutor, type CellExecutor, type VariantConfigs } from '../lab/cells/executor.js';
import { comparePolicies } from './significance.js';

export interface ExperimentPlan {
  /** Number of seeds (≥ 1). */
  readonly seeds: number;
  /** Offered loads to sweep (req/s), or null. */
  readonly sweepRates: readonly number[] | null;
  /** Issue 14: a grid over any fields (`sweep:` paths, `--sweep`), or absent / null. */
  readonly grid?: GridPlan | null;
  /** Issue 15: runs keep no request records and are summarised as they go (streamSummary.ts; `routesim run` above STREAMED_FROM requests a run). */
  readonly streamed?: boolean;
  /** With `streamed`: runs larger than RECORDS_KEPT requests, their latencies sketched from the start (Cell.sketched). */
  readonly sketched?: boolean;
}

/** The dimensions of a sweep grid and its points (variant i + 1 is point i), first dimension slowest. */
export interface GridPlan {
  readonly dimensions: readonly SweepDimension[];
  readonly points: readonly (readonly Override[])[];
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
  /** Some streamed run was too large for exact figures (CellResult.approximate). */
  readonly approximate: boolean;
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

/** Simulated policy runs the plan needs (its cells): seeds × (1 + distinct other rates + grid points unlike the base) × policies. */
export function plannedRuns(scenario: ScenarioConfig, plan: ExperimentPlan, configOf: VariantConfigs = () => scenario): number {
  return planCells(scenario, plan, configOf).length;
}

/** Mean, std and CI of every figure over the seeds' summaries. */
function repeatStats(summaries: readonly PolicySummary[]): Record<string, FigureStats> {
  const { paths, values } = alignFigures(summaries.map((s) => flattenFigures(s)));
  const out: Record<string, FigureStats> = {};
  for (const p of paths) out[p] = figureStats(values(p));
  return out;
}

/** The cells of one offered load of one variant: seed-major, policy-minor. */
function pointCells(variant: number, policies: number, firstSeed: number, seeds: number, rate: number, profiles: boolean, streamed: boolean, sketched = false): Cell[] {
  const cells: Cell[] = [];
  for (let k = 0; k < seeds; k++) {
    for (let p = 0; p < policies; p++) cells.push({ variant, policy: p, seed: firstSeed + k, rate, profiles, timeseries: profiles && k === 0, ...(streamed ? { streamed } : {}), ...(streamed && sketched ? { sketched } : {}) });
  }
  return cells;
}

/** Rates of the sweep other than the scenario's own (whose runs are the base point's). */
function otherRates(scenario: ScenarioConfig, plan: ExperimentPlan): number[] {
  const base = scenario.workload.arrival.rate;
  return plan.sweepRates === null ? [] : [...new Set(plan.sweepRates.filter((r) => r !== base))];
}

/** Every run the plan reports, in run order, whether or not another run is the same simulation. */
function plannedRunList(scenario: ScenarioConfig, plan: ExperimentPlan, configOf: VariantConfigs): Cell[] {
  const n = scenario.policies.length;
  const streamed = plan.streamed === true;
  const sketched = plan.sketched === true;
  const cells = pointCells(0, n, scenario.seed, plan.seeds, scenario.workload.arrival.rate, true, streamed, sketched);
  for (const rate of otherRates(scenario, plan)) cells.push(...pointCells(0, n, scenario.seed, plan.seeds, rate, false, streamed, sketched));
  (plan.grid?.points ?? []).forEach((_, i) => {
    const sc = configOf(i + 1);
    cells.push(...pointCells(i + 1, sc.policies.length, scenario.seed, plan.seeds, sc.workload.arrival.rate, false, streamed, sketched));
  });
  return cells;
}

/**
 * Every cell of the plan, in run order: the scenario's own rate (seed-major, policy-minor; the
 * first seed's runs are the primary ones and keep time series), each other swept rate, then each
 * grid point (variant 1, 2, … at its own rate). `configOf(v)` is grid point v's scenario. A run
 * that simulates the same thing as an earlier one (lab/cells/identity.ts: a grid point that leaves
 * a policy or the whole scenario as it was) is not planned again: its results are reused.
 */
export function planCells(scenario: ScenarioConfig, plan: ExperimentPlan, configOf: VariantConfigs = () => scenario): Cell[] {
  const identity = new RunIdentity(configOf);
  const seen = new Set<string>();
  return plannedRunList(scenario, plan, configOf).filter((c) => {
    const key = identity.key(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One policy's results over the seeds of a point. */
interface PolicyAcc {
  readonly name: string;
  readonly type: string;
  readonly summaries: PolicySummary[];
  readonly results: CellResult[];
}

/** Results of every planned run grouped per (variant, rate) point, per policy, in seed order; runs that repeat a cell take its result. */
function groupResults(scenario: ScenarioConfig, plan: ExperimentPlan, cells: readonly Cell[], results: readonly CellResult[], configOf: VariantConfigs): Map<string, PolicyAcc[]> {
  const identity = new RunIdentity(configOf);
  const byKey = new Map<string, CellResult>();
  cells.forEach((c, i) => byKey.set(identity.key(c), results[i]!));
  const points = new Map<string, PolicyAcc[]>();
  plannedRunList(scenario, plan, configOf).forEach((c) => {
    const result = byKey.get(identity.key(c));
    if (result === undefined) throw new Error(`no result for the run ${cellKey(c)}`);
    const key = `${c.variant}@${c.rate}`;
    let accs = points.get(key);
    if (accs === undefined) {
      accs = configOf(c.variant).policies.map((p) => ({ name: p.name, type: p.type, summaries: [], results: [] }));
      points.set(key, accs);
    }
    const acc = accs[c.policy]!;
    acc.summaries.push(result.summary);
    acc.results.push(result);
  });
  return points;
}

/** A sweep or grid point's policies: first seed's summary and, over several seeds, the statistics. */
function pointPolicies(accs: readonly PolicyAcc[], repeated: boolean) {
  return accs.map((acc) => ({ name: acc.name, type: acc.type, summary: acc.summaries[0]!, ...(repeated ? { stats: repeatStats(acc.summaries) } : {}) }));
}

/** Builds the results document from the plan's cells and their results (whichever way they ran). */
export function assembleResults(scenario: ScenarioConfig, plan: ExperimentPlan, routesimVersion: string, cells: readonly Cell[], results: readonly CellResult[], configOf: VariantConfigs = () => scenario): Collected {
  const baseRate = scenario.workload.arrival.rate;
  const seeds = Array.from({ length: plan.seeds }, (_, k) => scenario.seed + k);
  const echo: ScenarioConfig = {
    ...scenario,
    seeds: plan.seeds,
    sweep: plan.sweepRates === null ? null : { rates: [...plan.sweepRates] },
    report: scenario.report ?? DEFAULT_REPORT,
  };
  const points = groupResults(scenario, plan, cells, results, configOf);
  const base = points.get(`0@${baseRate}`)!;
  const repeated = plan.seeds > 1;
  const runs = base.map((acc) => {
    const pools = new Map<string, LatencyDistributions[]>();
    for (const r of acc.results) {
      for (const [name, d] of Object.entries(r.pool_distributions ?? {})) pools.set(name, [...(pools.get(name) ?? []), d]);
    }
    const timeseries = acc.results[0]!.timeseries;
    return {
      policy: acc.name,
      policyType: acc.type,
      summary: acc.summaries[0]!,
      ...(repeated ? { repeats: acc.summaries.map((summary, k) => ({ seed: seeds[k]!, summary })), stats: repeatStats(acc.summaries) } : {}),
      distributions: averageDistributions(acc.results.map((r) => r.distributions!)),
      ...(pools.size > 0 ? { pool_distributions: Object.fromEntries([...pools].map(([name, list]) => [name, averageDistributions(list)])) } : {}),
      ...(timeseries !== undefined ? { timeseries } : {}),
    };
  });

  let comparisons;
  if (repeated) {
    const perSeed = new Map<string, Figures[]>(base.map((acc) => [acc.name, acc.summaries.map((s) => flattenFigures(s))]));
    comparisons = comparePolicies(base.map((a) => a.name), perSeed);
  }

  let sweep: SweepPoint[] | undefined;
  if (plan.sweepRates !== null) {
    sweep = plan.sweepRates.map((rate) => ({ rate, policies: pointPolicies(points.get(`0@${rate}`)!, repeated) }));
  }

  let grid: GridResults | undefined;
  if (plan.grid) {
    grid = {
      dimensions: plan.grid.dimensions.map((d) => ({ path: d.path, values: [...d.values] })),
      points: plan.grid.points.map((overrides, i) => {
        const sc = configOf(i + 1);
        return {
          values: Object.fromEntries(overrides.map((o) => [o.path, o.value])),
          policies: pointPolicies(points.get(`${i + 1}@${sc.workload.arrival.rate}`)!, repeated),
        };
      }),
    };
  }

  const doc = buildResultsDocument({
    scenario: echo,
    runs,
    routesimVersion,
    ...(repeated ? { seeds, comparisons } : {}),
    ...(sweep !== undefined ? { sweep } : {}),
    ...(grid !== undefined ? { grid } : {}),
  });
  const primary: RunResult[] = base.map((acc) => ({ policy: acc.name, policyType: acc.type, summary: acc.summaries[0]! }));
  return { primary, doc, approximate: results.some((r) => r.approximate === true) };
}

/** Checks the plan's seed count (a one-line input error). */
function checkPlan(plan: ExperimentPlan): void {
  if (!Number.isInteger(plan.seeds) || plan.seeds < 1 || plan.seeds > MAX_SEEDS) {
    throw inputError('--seeds', '', `must be a whole number from 1 to ${MAX_SEEDS}, got ${plan.seeds}`, 'pass e.g. --seeds 5');
  }
}

/** Main-thread hooks of a cell: records, decisions (primary runs only) and progress. */
function cellHooks(hooks: CollectHooks): (cell: Cell) => CellHooks {
  return (cell) => {
    const point: RunPoint = { seed: cell.seed, rate: cell.rate, primary: cell.timeseries };
    return {
      onProgress: hooks.onProgress,
      ...(hooks.onArrival ? { onArrival: hooks.onArrival } : {}),
      ...(point.primary && hooks.decisionLog ? { decisionLog: hooks.decisionLog } : {}),
      ...(point.primary && hooks.requestSink ? { requestSink: hooks.requestSink } : {}),
      onPolicyDone: (run) => hooks.onPolicyDone?.(run, point),
    };
  };
}

/** Runs the plan in this thread and builds the results document. */
export function collectResults(scenario: ScenarioConfig, plan: ExperimentPlan, routesimVersion: string, hooks: CollectHooks = {}, configOf: VariantConfigs = () => scenario): Collected {
  checkPlan(plan);
  const cells = planCells(scenario, plan, configOf);
  const results = new LocalExecutor(configOf, cellHooks(hooks)).runSync(cells);
  return assembleResults(scenario, plan, routesimVersion, cells, results, configOf);
}

/**
 * Runs the plan with an executor (worker threads, a shard) and builds the results document. Cells
 * for which `local(cell)` holds run in this thread with the hooks (the primary runs when their
 * records are wanted: requests CSV, trace, decisions); the rest go to the executor.
 */
export async function collectResultsWith(scenario: ScenarioConfig, plan: ExperimentPlan, routesimVersion: string, exec: CellExecutor, hooks: CollectHooks & { onCellDone?(cell: Cell, result: CellResult): void } = {}, configOf: VariantConfigs = () => scenario, local: (cell: Cell) => boolean = () => false): Promise<Collected> {
  checkPlan(plan);
  const cells = planCells(scenario, plan, configOf);
  const results: CellResult[] = new Array(cells.length);
  const here = cells.map((c, i) => i).filter((i) => local(cells[i]!));
  const there = cells.map((c, i) => i).filter((i) => !local(cells[i]!));
  const localExec = new LocalExecutor(configOf, cellHooks(hooks));
  localExec.runSync(here.map((i) => cells[i]!), (j, r) => {
    results[here[j]!] = r;
    hooks.onCellDone?.(cells[here[j]!]!, r);
  });
  const remote = await exec.run(there.map((i) => cells[i]!), (j, r) => hooks.onCellDone?.(cells[there[j]!]!, r));
  remote.forEach((r, j) => (results[there[j]!] = r));
  return assembleResults(scenario, plan, routesimVersion, cells, results, configOf);
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
