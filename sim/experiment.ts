/** Runs every policy of a scenario, one after the other, and summarises each. */
import type { PolicySpec, ScenarioConfig } from './scenario/types.js';
import type { DecisionLog } from './decisions/log.js';
import type { PolicyRun } from './metrics/types.js';
import { summarize, type PolicySummary } from './metrics/summary.js';
import { summaryOptionsFor } from './metrics/options.js';
import { runPolicy } from './simulation.js';
import type { SimRequest } from './workload/request.js';

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
}

export function runScenario(scenario: ScenarioConfig, hooks: ExperimentHooks = {}): PolicyResult[] {
  const results: PolicyResult[] = [];
  for (const policy of scenario.policies) {
    const log = hooks.decisionLog?.(policy);
    const run = runPolicy(scenario, policy, { onProgress: hooks.onProgress, ...(hooks.onArrival ? { onArrival: hooks.onArrival } : {}) }, undefined, log !== undefined ? { decisions: log } : {});
    hooks.onPolicyDone?.(run);
    results.push({ policy: run.policy, policyType: run.policyType, summary: summarize(run, scenario.slo, summaryOptionsFor(scenario)) });
  }
  return results;
}
