/** Runs every policy of a scenario, one after the other, and summarises each. */
import type { ScenarioConfig } from './scenario/types.js';
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
}

export function runScenario(scenario: ScenarioConfig, hooks: ExperimentHooks = {}): PolicyResult[] {
  const results: PolicyResult[] = [];
  for (const policy of scenario.policies) {
    const run = runPolicy(scenario, policy, { onProgress: hooks.onProgress, ...(hooks.onArrival ? { onArrival: hooks.onArrival } : {}) });
    hooks.onPolicyDone?.(run);
    results.push({ policy: run.policy, policyType: run.policyType, summary: summarize(run, scenario.slo, summaryOptionsFor(scenario)) });
  }
  return results;
}
