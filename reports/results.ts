/** The results.json document: tool version, the resolved scenario, and each policy's summary. */
import type { PolicySummary } from '../sim/metrics/summary.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';

export interface PolicyResult {
  /** Policy label from the scenario. */
  readonly name: string;
  /** Policy type (e.g. `round-robin`). */
  readonly type: string;
  /** Per-replica figures are in `summary.replicas`. */
  readonly summary: PolicySummary;
}

export interface ResultsDocument {
  readonly routesim: { readonly version: string };
  /** The resolved scenario exactly as simulated (a plain-data snapshot). */
  readonly scenario: ScenarioConfig;
  readonly policies: readonly PolicyResult[];
}

export interface ResultsInput {
  readonly scenario: ScenarioConfig;
  readonly runs: readonly { readonly policy: string; readonly policyType: string; readonly summary: PolicySummary }[];
  readonly routesimVersion: string;
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
    policies: input.runs.map((r) => ({ name: r.policy, type: r.policyType, summary: r.summary })),
  };
}

/** Serialises a results document: 2-space indented JSON with a trailing newline. */
export function serialiseResults(doc: ResultsDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
