/**
 * One request's candidate endpoint (`epp.md` §1.1 step 6): the pool endpoint's name, index, labels
 * and metrics as of the request, with an attribute map of its own.
 *
 * Allocation-light for the per-request path (the director makes one per pool endpoint per request):
 * the attribute map is created on first access of `attributes`, and the PrefixCacheMatchInfo the
 * approx-prefix-cache-producer writes on every candidate is held as three numbers until then
 * (`setPrefixMatch`, read back by `prefixMatchRatio`). Whoever reads `attributes` sees exactly what
 * an eager map would hold: the pending PrefixCacheMatchInfo moves into the map (as one object, the
 * same one on every later read) before anything else is read or written there.
 */
import { PREFIX_CACHE_MATCH_INFO, type PrefixCacheMatchInfo } from './attributes.js';
import type { PoolEndpoint } from './decisions.js';
import type { SchedEndpoint } from './types.js';
import type { EndpointMetrics } from '../types.js';

export class Candidate implements SchedEndpoint {
  readonly name: string;
  readonly index: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly metrics: EndpointMetrics | null;
  #attributes: Map<string, unknown> | null;
  /** Pending PrefixCacheMatchInfo while there is no map (matchBlocks < 0: none). */
  #matchBlocks = -1;
  #totalBlocks = 0;
  #blockSizeTokens = 0;

  constructor(e: PoolEndpoint) {
    this.name = e.name;
    this.index = e.index;
    this.labels = e.labels;
    this.metrics = e.metrics;
    // Static attributes (the endpoint attribute store) are copied at once, as before.
    this.#attributes = e.attributes !== undefined && e.attributes.size > 0 ? new Map(e.attributes) : null;
  }

  /** Per-request attributes written by producers (made on first access). */
  get attributes(): Map<string, unknown> {
    let m = this.#attributes;
    if (m === null) {
      m = new Map();
      if (this.#matchBlocks >= 0) {
        const info: PrefixCacheMatchInfo = { matchBlocks: this.#matchBlocks, totalBlocks: this.#totalBlocks, blockSizeTokens: this.#blockSizeTokens };
        m.set(PREFIX_CACHE_MATCH_INFO, info);
      }
      this.#attributes = m;
    }
    return m;
  }

  /** `attributes.set(PREFIX_CACHE_MATCH_INFO, {…})` without making the map or the object yet. */
  setPrefixMatch(matchBlocks: number, totalBlocks: number, blockSizeTokens: number): void {
    if (this.#attributes !== null || !(matchBlocks >= 0)) {
      const info: PrefixCacheMatchInfo = { matchBlocks, totalBlocks, blockSizeTokens };
      this.attributes.set(PREFIX_CACHE_MATCH_INFO, info);
      return;
    }
    this.#matchBlocks = matchBlocks;
    this.#totalBlocks = totalBlocks;
    this.#blockSizeTokens = blockSizeTokens;
  }

  /** prefix-cache-scorer's matchBlocks / totalBlocks (0 without info or blocks), read without the map when it is pending. */
  prefixMatchRatio(): number {
    if (this.#attributes === null) {
      if (this.#matchBlocks < 0 || this.#totalBlocks <= 0) return 0;
      return this.#matchBlocks / this.#totalBlocks;
    }
    return prefixRatioOf(this.#attributes.get(PREFIX_CACHE_MATCH_INFO) as PrefixCacheMatchInfo | undefined);
  }
}

/** match / total of a PrefixCacheMatchInfo (0 without info or blocks). */
export function prefixRatioOf(info: PrefixCacheMatchInfo | undefined): number {
  if (!info || info.totalBlocks <= 0) return 0;
  return info.matchBlocks / info.totalBlocks;
}
