/**
 * The run table's "decision quality" block (issue 13, `--decisions` / `--decision-summary`): one
 * line per EPP policy from its DecisionSummary (sim/decisions/summary.ts) — prefix tokens lost
 * against the best true hit, load over the least loaded pod, and how often the scrape's staleness
 * changed the pick.
 */
import type { DecisionSummary } from '../sim/decisions/summary.js';
import type { ResultsDocument } from './results.js';

/** One line: `policy: …`. */
export function decisionSummaryLine(policy: string, s: DecisionSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  return (
    `${policy}: ${s.decisions} decisions; prefix ${s.prefix.mean_tokens_lost.toFixed(1)} tokens lost, not the best hit ${pct(s.prefix.share_not_best)}; ` +
    `load +${s.load.mean_excess.toFixed(2)} over the least loaded, not least ${pct(s.load.share_not_least)}; ` +
    `staleness changed ${pct(s.staleness.share_changed)} of picks (mean scrape age ${s.staleness.mean_scrape_age_ms.toFixed(1)} ms)`
  );
}

/** The block under the run table ('' when no policy has a summary). */
export function renderDecisionBlock(doc: ResultsDocument): string {
  const lines = doc.policies.flatMap((p) => (p.decisions !== undefined ? [decisionSummaryLine(p.name, p.decisions)] : []));
  if (lines.length === 0) return '';
  return `\ndecision quality (true engine state at each pick; regret per decision):\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
