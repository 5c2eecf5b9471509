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
 *
 * SpareCandidates lets the director renew one request's candidates for the next when no plugin
 * keeps them (Plugin.keepsNoCandidates); the targets a scheduling result keeps are never renewed.
 */
import { PREFIX_CACHE_MATCH_INFO, type PrefixCacheMatchInfo } from './attributes.js';
import type { PoolEndpoint } from './decisions.js';
import type { SchedEndpoint, SchedulingResult } from './types.js';
import type { EndpointMetrics } from '../types.js';

export class Candidate implements SchedEndpoint {
  // Written only by renew (the constructor's too); SchedEndpoint exposes them read-only.
  name!: string;
  index!: number;
  labels!: Readonly<Record<string, string>>;
  metrics!: EndpointMetrics | null;
  #attributes: Map<string, unknown> | null = null;
  /** Pending PrefixCacheMatchInfo while there is no map (matchBlocks < 0: none). */
  #matchBlocks = -1;
  #totalBlocks = 0;
  #blockSizeTokens = 0;

  constructor(e: PoolEndpoint) {
    this.renew(e);
  }

  /**
   * Makes this object `e`'s candidate for a new request, exactly as `new Candidate(e)` would be (no
   * attributes but the static ones, copied at once). Only for an object nobody holds any more
   * (director.ts).
   */
  renew(e: PoolEndpoint): void {
    this.name = e.name;
    this.index = e.index;
    this.labels = e.labels;
    this.metrics = e.metrics;
    this.#attributes = e.attributes !== undefined && e.attributes.size > 0 ? new Map(e.attributes) : null;
    this.#matchBlocks = -1;
    this.#totalBlocks = 0;
    this.#blockSizeTokens = 0;
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

/** The director's reusable candidates, by pool position (see EndpointPicker's `reuse`). */
export class SpareCandidates {
  /** Spare candidate per pool position (null: none yet, or kept by a result). */
  private readonly spare: (Candidate | null)[] = [];
  /** The reused candidate list (valid for one request). */
  readonly list: SchedEndpoint[] = [];

  /**
   * The candidate list for `pool`: each spare candidate renewed, new ones where none is spare. The
   * list is overwritten in place: emptying it (`length = 0`) would drop its storage and make every
   * request allocate it again.
   */
  renew(pool: readonly PoolEndpoint[]): SchedEndpoint[] {
    const out = this.list;
    const spare = this.spare;
    for (let i = 0; i < pool.length; i++) {
      const e = pool[i]!;
      let c = spare[i];
      if (c === undefined || c === null) spare[i] = c = new Candidate(e);
      else c.renew(e);
      out[i] = c;
    }
    if (out.length !== pool.length) out.length = pool.length;
    return out;
  }

  /** The result's targets stay with it: their positions get new candidates next time. */
  keepTargets(result: SchedulingResult): void {
    const spare = this.spare;
    result.profileResults.forEach((r) => {
      if (r === null) return;
      for (const t of r.targetEndpoints) {
        const k = spare.indexOf(t as Candidate);
        if (k >= 0) spare[k] = null;
      }
    });
  }
}
