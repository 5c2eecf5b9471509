/**
 * The precise prefix index of llm-d's kv-cache-manager (`epp.md` §2.13): engine KV block keys →
 * pod entries, fed by the engines' KV events.
 *
 * - An LRU of at most `maxKeys` keys (production: 1e8, effectively unbounded); adding to a key
 *   refreshes it. Lookups do not refresh (at 1e8 keys the difference never shows).
 * - Per key an LRU of at most `podCacheSize` (10) pod entries; an entry is (pod, device tier,
 *   speculative). Re-adding an entry refreshes it; an 11th evicts the oldest.
 * - `evict(keys, pod, tier)` (BlockRemoved) removes the pod's non-speculative entry of that tier;
 *   a key left without entries is dropped.
 * - Speculative entries (speculativeIndexing) carry an expiry time; `expire(nowUs)` removes the
 *   ones due (lazily, whenever the plugin runs).
 * - `longestPrefix(keys, candidates, weights)`: pods (among the candidates) present for key 0 start
 *   with their tier weight; for each next key the set is intersected with that key's pods, and
 *   each remaining pod adds its best tier weight; stop when the set empties or a key is unknown.
 *   A pod with several entries for one key counts its maximum weight.
 */

export interface PodEntry {
  readonly pod: string;
  readonly tier: string;
  readonly speculative: boolean;
  /** Expiry (µs) of a speculative entry; Infinity for real ones. */
  expiresUs: number;
}

interface Pending {
  readonly expiresUs: number;
  readonly pod: string;
  readonly keys: readonly number[];
}

export class KvBlockIndex {
  private readonly data = new Map<number, PodEntry[]>();
  private readonly pending: Pending[] = [];
  private pendingHead = 0;

  constructor(
    readonly maxKeys: number,
    readonly podCacheSize: number,
  ) {}

  get size(): number {
    return this.data.size;
  }

  entries(key: number): readonly PodEntry[] {
    return this.data.get(key) ?? [];
  }

  add(keys: readonly number[], pod: string, tier: string, speculative = false, expiresUs = Infinity): void {
    for (const key of keys) {
      let list = this.data.get(key);
      if (list === undefined) {
        list = [];
      } else {
        this.data.delete(key); // refresh the key's recency
      }
      this.data.set(key, list);
      const k = list.findIndex((e) => e.pod === pod && e.tier === tier && e.speculative === speculative);
      if (k >= 0) {
        const [e] = list.splice(k, 1);
        e!.expiresUs = expiresUs;
        list.push(e!);
      } else {
        list.push({ pod, tier, speculative, expiresUs });
        if (list.length > this.podCacheSize) list.shift();
      }
      if (this.data.size > this.maxKeys) this.data.delete(this.data.keys().next().value as number);
    }
    if (speculative) this.pending.push({ expiresUs, pod, keys });
  }

  evict(keys: readonly number[], pod: string, tier: string): void {
    for (const key of keys) {
      const list = this.data.get(key);
      if (list === undefined) continue;
      const k = list.findIndex((e) => e.pod === pod && e.tier === tier && !e.speculative);
      if (k < 0) continue;
      list.splice(k, 1);
      if (list.length === 0) this.data.delete(key);
    }
  }

  /**
   * Drops every entry of `pod` (llm-d-router v0.10.0 AllBlocksCleared; the v0.7.0 scorer never
   * calls it). O(keys); keys left without entries are dropped.
   */
  clearPod(pod: string): void {
    for (const [key, list] of [...this.data]) {
      const kept = list.filter((e) => e.pod !== pod);
      if (kept.length === list.length) continue;
      if (kept.length === 0) this.data.delete(key);
      else this.data.set(key, kept);
    }
  }

  /** Removes speculative entries whose time has come (expiresUs ≤ nowUs). */
  expire(nowUs: number): void {
    while (this.pendingHead < this.pending.length && this.pending[this.pendingHead]!.expiresUs <= nowUs) {
      const p = this.pending[this.pendingHead++]!;
      for (const key of p.keys) {
        const list = this.data.get(key);
        if (list === undefined) continue;
        // Only the entry this insertion made: a later re-insertion moved its expiry on.
        const k = list.findIndex((e) => e.pod === p.pod && e.speculative && e.expiresUs === p.expiresUs);
        if (k < 0) continue;
        list.splice(k, 1);
        if (list.length === 0) this.data.delete(key);
      }
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Raw LongestPrefix scores of the candidate pods present at key 0 (absent pods are not in the map). */
  longestPrefix(keys: readonly number[], candidates: ReadonlySet<string>, weight: (tier: string) => number): Map<string, number> {
    const scores = new Map<string, number>();
    if (keys.length === 0) return scores;
    const first = this.data.get(keys[0]!);
    if (first === undefined) return scores;
    let active: string[] = [];
    for (const e of first) {
      if (!candidates.has(e.pod)) continue;
      const w = weight(e.tier);
      const cur = scores.get(e.pod);
      if (cur === undefined) {
        scores.set(e.pod, w);
        active.push(e.pod);
      } else if (w > cur) scores.set(e.pod, w);
    }
    for (let i = 1; i < keys.length && active.length > 0; i++) {
      const list = this.data.get(keys[i]!);
      if (list === undefined) break;
      const next: string[] = [];
      for (const pod of active) {
        let best = -Infinity;
        for (const e of list) if (e.pod === pod) best = Math.max(best, weight(e.tier));
        if (best === -Infinity) continue;
        scores.set(pod, scores.get(pod)! + best);
        next.push(pod);
      }
      active = next;
    }
    return scores;
  }
}
