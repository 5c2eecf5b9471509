/** What a run of a scenario's policies reports and lets a caller watch (reports/collect.ts, lab/cells). */
import type { PolicySpec } from './scenario/types.js';
import type { DecisionLog } from './decisions/log.js';
import type { PolicyRun } from './metrics/types.js';
import type { PolicySummary } from './metrics/summary.js';
import type { SimRequest } from './workload/request.js';
import type { RequestSink } from './simulation.js';

export interface PolicyResult {
  readonly policy: string;
  readonly policyType: string;
  readonly summary: PolicySummary;
}

export interface ExperimentHooks {
  /** Arrivals so far within the current policy's run. */
  onProgress?(arrived: number): void;
  /** Every request as it arrives, in the current policy's run (e.g. to record it as a trace). */
  onArrival?(req: SimRequest): void;
  /** A policy finished; its per-request records are only kept until this returns. */
  onPolicyDone?(run: PolicyRun): void;
  /** Issue 13: a decision log for this policy's run (`--decisions`), or undefined for none. */
  decisionLog?(policy: PolicySpec): DecisionLog | undefined;
  /** Issue 15: receives this policy's records as they are created and end (`--requests-csv` streams them). */
  requestSink?(policy: PolicySpec): RequestSink | undefined;
}
