/**
 * When the gateway's next metrics scrape fires. Scrapes sit on the grid 0, R, 2R, … (R =
 * `refresh_metrics_ms`), as in production where the EPP polls every endpoint on a fixed period.
 *
 * A scrape only replaces the gateway's view with a fresh snapshot of every replica, and a replica
 * changes only at events. So when the gateway holds no request (nothing reacts to a scrape) and the
 * next event is at time T, every scrape strictly between now and the last grid point ≤ T would read
 * the same engine state as the one just taken, and no one would look at it: only that last one
 * matters, and its view — the engine state at that time, `updateTimeUs` = that grid point, so an
 * age of T − it at T — is exactly what firing every scrape would leave. Skipping the others is
 * what keeps an idle fleet waiting for a far arrival from ticking through the gap (issue 9), and it
 * also skips the scrapes that fall inside one long engine step.
 *
 * (Scrapes at a grid point equal to T run before arrivals, batch formation and KV-event delivery
 * at T and after step ends, responses and enqueues at T — the event kinds' order — so jumping to T
 * sees the same state the eager scrape did.)
 */

/**
 * The next scrape time after the one at `nowUs` (on the grid), given the time of the next other
 * event (`nextEventUs`; pass `nowUs` to force the eager next tick, e.g. while requests are held).
 * +∞ when no other event is pending: nothing could ever change the view again.
 */
export function nextScrapeUs(nowUs: number, refreshUs: number, nextEventUs: number): number {
  if (nextEventUs === Infinity) return Infinity;
  const eager = nowUs + refreshUs;
  const last = Math.floor(nextEventUs / refreshUs) * refreshUs;
  return last > eager ? last : eager;
}
