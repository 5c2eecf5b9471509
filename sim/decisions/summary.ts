/**
 * Decision quality of one policy's run (issue 13), accumulated over every scheduling decision the
 * EPP made (never sampled: the summary is the same whatever `--decisions-sample` writes):
 *
 * - prefix regret: per dispatched decision, the best true prefix hit among the primary profile's
 *   filter survivors minus the chosen pod's (tokens; mean over decisions, and the share of
 *   decisions where the chosen pod was not a best one);
 * - load regret: the chosen pod's true waiting + running minus the least among the survivors (mean,
 *   share not least loaded);
 * - staleness: the share of decisions whose picks (any profile) change when the cycle is re-run with
 *   true metrics (counterfactual.ts), and the mean age of the scrapes the picker used.
 */

export interface DecisionSummary {
  /** Scheduling cycles recorded (dispatched or failed). */
  readonly decisions: number;
  /** Cycles with a primary pick (regret is over these). */
  readonly picked: number;
  readonly prefix: { readonly mean_best_tokens: number; readonly mean_chosen_tokens: number; readonly mean_tokens_lost: number; readonly share_not_best: number };
  readonly load: { readonly mean_least: number; readonly mean_chosen: number; readonly mean_excess: number; readonly share_not_least: number };
  readonly staleness: { readonly changed_picks: number; readonly share_changed: number; readonly mean_scrape_age_ms: number };
}

export class SummaryAcc {
  private decisions = 0;
  private picked = 0;
  private best = 0;
  private chosen = 0;
  private notBest = 0;
  private least = 0;
  private chosenLoad = 0;
  private notLeast = 0;
  private changed = 0;
  private ageSum = 0;
  private ageN = 0;

  /** One cycle: its regret inputs (absent when it picked nothing), whether staleness changed it, its candidates' scrape ages. */
  add(regret: { best: number; chosen: number; least: number; chosenLoad: number } | undefined, changed: boolean, agesMs: readonly number[]): void {
    this.decisions++;
    if (changed) this.changed++;
    for (const a of agesMs) {
      this.ageSum += a;
      this.ageN++;
    }
    if (regret === undefined) return;
    this.picked++;
    this.best += regret.best;
    this.chosen += regret.chosen;
    if (regret.chosen < regret.best) this.notBest++;
    this.least += regret.least;
    this.chosenLoad += regret.chosenLoad;
    if (regret.chosenLoad > regret.least) this.notLeast++;
  }

  finish(): DecisionSummary {
    const p = this.picked;
    const per = (x: number, n: number): number => (n > 0 ? round6(x / n) : 0);
    return {
      decisions: this.decisions,
      picked: p,
      prefix: { mean_best_tokens: per(this.best, p), mean_chosen_tokens: per(this.chosen, p), mean_tokens_lost: per(this.best - this.chosen, p), share_not_best: per(this.notBest, p) },
      load: { mean_least: per(this.least, p), mean_chosen: per(this.chosenLoad, p), mean_excess: per(this.chosenLoad - this.least, p), share_not_least: per(this.notLeast, p) },
      staleness: { changed_picks: this.changed, share_changed: per(this.changed, this.decisions), mean_scrape_age_ms: per(this.ageSum, this.ageN) },
    };
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
