/** The results.json document: tool version, the resolved scenario, and each policy's summary. */
import type { PolicySummary } from '../sim/metrics/summary.js';
import type { DecisionSummary } from '../sim/decisions/summary.js';
import type { TraceStats } from '../sim/workload/traces/stats.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import type { FigureStats } from './confidence.js';
import { workloadFingerprint, type WorkloadFingerprint } from './fingerprint.js';
import type { LatencyDistributions, TimeSeries } from './profiles.js';
import type { PolicyComparison } from './significance.js';

export interface PolicyResult {
  /** Policy label from the scenario. */
  readonly name: string;
  /** Policy type (e.g. `round-robin`). */
  readonly type: string;
  /** Per-replica figures are in `summary.replicas`. With several seeds: the first seed's run. */
  readonly summary: PolicySummary;
  /** With several seeds: every seed's summary, in seed order (the first is `summary`). */
  readonly repeats?: readonly SeedSummary[];
  /** With several seeds: mean, std and 95 % CI of every summary figure (dot paths, figures.ts). */
  readonly stats?: Readonly<Record<string, FigureStats>>;
  /** TTFT / TPOT / E2E quantile grids (profiles.ts), averaged over seeds. */
  readonly distributions?: LatencyDistributions;
  /** Multi-pool runs only: the same grids per pool (the requests routed to it), keyed by pool name. */
  readonly pool_distributions?: Readonly<Record<string, LatencyDistributions>>;
  /** Per-replica gauges and throughput / goodput over time, of the first seed's run. */
  readonly timeseries?: TimeSeries;
  /** Issue 13 (`--decisions` / `--decision-summary`, EPP policies): decision quality of the first seed's run (sim/decisions/summary.ts). */
  readonly decisions?: DecisionSummary;
}

export interface SeedSummary {
  readonly seed: number;
  readonly summary: PolicySummary;
}

/** One offered load of a sweep: the scenario re-run with workload.arrival.rate = rate. */
export interface SweepPoint {
  readonly rate: number;
  readonly policies: readonly { readonly name: string; readonly type: string; readonly summary: PolicySummary; readonly stats?: Readonly<Record<string, FigureStats>> }[];
}

/** Issue 14: a sweep grid over scenario fields: its dimensions and, per point, every policy's results. */
export interface GridResults {
  readonly dimensions: readonly { readonly path: string; readonly values: readonly unknown[] }[];
  /** One per point, first dimension varying slowest; `values` maps each dimension's path to the point's value. */
  readonly points: readonly { readonly values: Readonly<Record<string, unknown>>; readonly policies: SweepPoint['policies'] }[];
}

export interface ResultsDocument {
  readonly routesim: { readonly version: string };
  /** The resolved scenario exactly as simulated (a plain-data snapshot). */
  readonly scenario: ScenarioConfig;
  readonly policies: readonly PolicyResult[];
  /** Seeds of the repetitions, when there were several. */
  readonly seeds?: readonly number[];
  /** Paired comparisons of every pair of policies over the seeds, when there were several. */
  readonly comparisons?: readonly PolicyComparison[];
  /** Results at each offered load of a sweep. */
  readonly sweep?: readonly SweepPoint[];
  /** Results at each point of a sweep grid (issue 14). */
  readonly grid?: GridResults;
  /** A trace replay's own statistics (rows, span, rates, inter-arrival CV, lengths, ideal prefix reuse). */
  readonly trace?: TraceStats;
  /** What work was simulated (scenario minus policies, seed set, input files): reports/fingerprint.ts. */
  readonly workload_fingerprint?: WorkloadFingerprint;
  /**
   * What the run warned about on stderr (input production accepts but is likely a mistake; requests
   * vLLM rejects; policies whose every request failed), without the `routesim: warning: ` prefix.
   * Absent when there were none.
   */
  readonly warnings?: readonly string[];
}

/** Optional parts of a policy's entry (see PolicyResult). */
export type PolicyExtras = Pick<PolicyResult, 'repeats' | 'stats' | 'distributions' | 'pool_distributions' | 'timeseries'>;

export interface ResultsInput {
  readonly scenario: ScenarioConfig;
  readonly runs: readonly ({ readonly policy: string; readonly policyType: string; readonly summary: PolicySummary } & PolicyExtras)[];
  readonly routesimVersion: string;
  readonly seeds?: readonly number[];
  readonly comparisons?: readonly PolicyComparison[];
  readonly sweep?: readonly SweepPoint[];
  readonly grid?: GridResults;
}

/**
 * Builds the results document. The scenario is snapshotted through JSON so later mutation of the
 * input cannot change the document and the echo holds exactly what will be serialised. Policies
 * keep the order of `runs`.
 */
export function buildResultsDocument(input: ResultsInput): ResultsDocument {
  return {
    routesim: { version: input.routesimVersion },
    scenario: JSON.parse(JSON.stringify(input.scenario)) as ScenarioConfig,
    policies: input.runs.map((r) => ({
      name: r.policy,
      type: r.policyType,
      summary: r.summary,
      ...(r.repeats !== undefined ? { repeats: r.repeats } : {}),
      ...(r.stats !== undefined ? { stats: r.stats } : {}),
      ...(r.distributions !== undefined ? { distributions: r.distributions } : {}),
      ...(r.pool_distributions !== undefined ? { pool_distributions: r.pool_distributions } : {}),
      ...(r.timeseries !== undefined ? { timeseries: r.timeseries } : {}),
    })),
    ...(input.seeds !== undefined ? { seeds: input.seeds } : {}),
    ...(input.comparisons !== undefined ? { comparisons: input.comparisons } : {}),
    ...(input.sweep !== undefined ? { sweep: input.sweep } : {}),
    ...(input.grid !== undefined ? { grid: input.grid } : {}),
    workload_fingerprint: workloadFingerprint(input.scenario, input.seeds),
  };
}

/** A multi-line JSON array of numbers / nulls (what JSON.stringify indents one element a line). */
const NUMBER_ARRAY = /\[\n\s*(?:-?\d[\d.eE+-]*|null)(?:,\n\s*(?:-?\d[\d.eE+-]*|null))*\n\s*\]/g;

/**
 * Serialises a results document: 2-space indented JSON with a trailing newline, except that arrays
 * of plain numbers (quantile grids, time series) stay on one line. (JSON strings cannot contain raw
 * newlines, so the pattern only ever matches array structure.)
 */
export function serialiseResults(doc: ResultsDocument): string {
  return JSON.stringify(doc, null, 2).replace(NUMBER_ARRAY, (m) => `[${m.slice(1, -1).split(',').map((x) => x.trim()).join(', ')}]`) + '\n';
}
