/**
 * The seal of llm-d-router v0.10.0 `burst-prefix-cache-producer`'s window (`llm-d-router.md` §4.6):
 * given the window's requests (block hashes) and the replicas, decide which requests share a
 * replica. Pure; `burst-prefix-cache-producer` feeds it.
 *
 * - Group by the whole hash sequence (empty → ignored). Units = groups of ≥ 2 members, plus single
 *   requests when minColocateBlocks > 0 and ≥ 2 batch requests share their first minColocateBlocks
 *   blocks. Order: groups, then singles, each by descending block count (stable).
 * - Fair share = ⌈Σ load units / #replicas⌉ (requests: members; tokens: blocks).
 * - Primary replica of a unit: when minColocateBlocks > 0, the replica holding the longest prefix of
 *   the unit already placed in this batch (≥ minColocateBlocks blocks, under k, load below the fair
 *   share); otherwise (or if none) the least-loaded replica with room (under k and below the fair
 *   share; then under k; then any), ties: fewer RunningRequestsSize, then lower index.
 * - Members fill a replica to k (maxPerReplica; −1 = unlimited) before spilling to the least-loaded
 *   replica under k; when all are at k one is placed anyway (least loaded). Load += 1 per member
 *   (requests) or, when the unit first lands on a replica, the unit's blocks it does not hold yet (tokens).
 */
export interface BurstReplica {
  readonly name: string;
  readonly runningRequests: number;
}

export interface BurstOptions {
  /** −1 = unlimited. */
  readonly maxPerReplica: number;
  readonly minColocateBlocks: number;
  readonly balanceBy: 'requests' | 'tokens';
}

/** Replica index per request (−1 = unassigned). */
export function sealBurstBatch(requests: readonly (readonly number[])[], replicas: readonly BurstReplica[], o: BurstOptions): number[] {
  const out = new Array<number>(requests.length).fill(-1);
  if (replicas.length === 0) return out;
  // Groups by the whole sequence, in first-arrival order.
  const byKey = new Map<string, number[]>();
  requests.forEach((h, i) => {
    if (h.length === 0) return;
    const k = h.join(',');
    const g = byKey.get(k);
    if (g) g.push(i);
    else byKey.set(k, [i]);
  });
  const groups: number[][] = [];
  const singles: number[][] = [];
  const m = o.minColocateBlocks;
  for (const g of byKey.values()) {
    if (g.length >= 2) groups.push(g);
    else if (m > 0) {
      const h = requests[g[0]!]!;
      if (h.length < m) continue;
      let sharing = 0;
      for (const r of requests) if (r.length >= m && samePrefix(r, h, m)) sharing++;
      if (sharing >= 2) singles.push(g);
    }
  }
  const blocks = (u: number[]): number => requests[u[0]!]!.length;
  const byBlocks = (a: number[], b: number[]): number => blocks(b) - blocks(a);
  const units = [...groups.sort(byBlocks), ...singles.sort(byBlocks)]; // Array.sort is stable
  let totalLoad = 0;
  for (const u of units) totalLoad += o.balanceBy === 'tokens' ? blocks(u) : u.length;
  const fair = Math.ceil(totalLoad / replicas.length);
  const k = o.maxPerReplica < 0 ? Infinity : o.maxPerReplica;
  const load = new Array<number>(replicas.length).fill(0);
  const count = new Array<number>(replicas.length).fill(0);
  const held = replicas.map(() => new Set<number>());
  const better = (a: number, b: number): boolean =>
    load[a]! !== load[b]! ? load[a]! < load[b]! : replicas[a]!.runningRequests !== replicas[b]!.runningRequests ? replicas[a]!.runningRequests < replicas[b]!.runningRequests : a < b;
  const leastLoaded = (ok: (r: number) => boolean): number => {
    let best = -1;
    for (let r = 0; r < replicas.length; r++) if (ok(r) && (best < 0 || better(r, best))) best = r;
    return best;
  };
  for (const u of units) {
    const h = requests[u[0]!]!;
    let primary = -1;
    if (m > 0) {
      let bestLen = m - 1;
      for (let r = 0; r < replicas.length; r++) {
        if (count[r]! >= k || load[r]! >= fair) continue;
        let len = 0;
        while (len < h.length && held[r]!.has(h[len]!)) len++;
        if (len > bestLen) {
          bestLen = len;
          primary = r;
        }
      }
    }
    if (primary < 0) primary = leastLoaded((r) => count[r]! < k && load[r]! < fair);
    if (primary < 0) primary = leastLoaded((r) => count[r]! < k);
    if (primary < 0) primary = leastLoaded(() => true);
    let cur = primary;
    const landed = new Set<number>();
    for (const member of u) {
      if (count[cur]! >= k) {
        const next = leastLoaded((r) => count[r]! < k);
        cur = next >= 0 ? next : leastLoaded(() => true);
      }
      out[member] = cur;
      count[cur]!++;
      if (o.balanceBy === 'requests') load[cur]!++;
      else if (!landed.has(cur)) {
        landed.add(cur);
        let fresh = 0;
        for (const b of h) if (!held[cur]!.has(b)) fresh++;
        load[cur]! += fresh;
      }
      for (const b of h) held[cur]!.add(b);
    }
  }
  return out;
}

function samePrefix(a: readonly number[], b: readonly number[], n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
