/**
 * The approximate prefix producers' lazy pod-removal sweep (GAIE v1.5.0 approxPrefixCache.ts,
 * `epp.md` §2.1; llm-d-router v0.10.0 approxPrefixCache.v010.ts, `llm-d-router.md` §4.6): ticks
 * fall every POD_ACTIVE_CHECK_INTERVAL_US from the first request; at the first request on or
 * after a tick that carries no subset header, pods in the index that are not in the candidate
 * list are dropped from it. Ticks no request saw are skipped.
 */
import type { LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { POD_ACTIVE_CHECK_INTERVAL_US } from '../../prefix/config.js';
import type { PrefixIndexer } from '../../prefix/indexer.js';

const SUBSET_HEADER = 'x-gateway-destination-endpoint-subset';

export class PodSweep {
  private nextSweepUs = Number.NaN;

  run(nowUs: number, req: LLMRequest, endpoints: readonly SchedEndpoint[], indexer: PrefixIndexer): void {
    if (Number.isNaN(this.nextSweepUs)) {
      this.nextSweepUs = nowUs + POD_ACTIVE_CHECK_INTERVAL_US;
      return;
    }
    if (nowUs < this.nextSweepUs || req.headers[SUBSET_HEADER] !== undefined) return;
    const pool = new Set<string>();
    for (const e of endpoints) pool.add(e.name);
    for (const pod of indexer.pods()) if (!pool.has(pod)) indexer.removePod(pod);
    const ticks = Math.floor((nowUs - this.nextSweepUs) / POD_ACTIVE_CHECK_INTERVAL_US) + 1;
    this.nextSweepUs += ticks * POD_ACTIVE_CHECK_INTERVAL_US;
  }
}
