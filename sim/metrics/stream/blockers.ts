/**
 * What a scenario has that the streamed summary (streamSummary.ts) does not cover: runs of more than
 * RECORDS_KEPT requests with any of these are refused before they start (the CLI's one-line error),
 * because their summaries need every request record.
 */
import type { ScenarioConfig } from '../../scenario/types.js';
import { poolsForPolicy } from '../../pools/resolve.js';

/** Runs with more requests per policy than this keep no records and are summarised as they go. */
export const RECORDS_KEPT = 1_000_000;

export function streamBlockers(s: ScenarioConfig): string[] {
  const out: string[] = [];
  const roles = s.policies.some((p) => poolsForPolicy(s, p).some((pool) => pool.replicas.some((g) => (g.labels['llm-d.ai/role'] ?? '') !== '')));
  if (roles) out.push('role labels (P/D)');
  return out;
}
