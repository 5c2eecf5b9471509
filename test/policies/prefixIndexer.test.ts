/** The approximate prefix index (epp.md §2.1 indexer.go): LRU order, eviction, leading-run matching. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrefixIndexer } from '../../policies/prefix/indexer.js';
import { runKey, runOwner } from '../../policies/prefix/uniqueRunKeys.js';

function counts(ix: PrefixIndexer, hashes: number[], pods: string[]): Record<string, number> {
  const c = ix.matchLongestPrefix(hashes);
  return Object.fromEntries(pods.map((p) => [p, ix.countOf(c, p)]));
}

describe('PrefixIndexer', () => {
  it('leading-run matching: A holds {0,2}, B holds {1} → A = 2, B = 1', () => {
    const ix = new PrefixIndexer();
    ix.add([100, 102], 'A', 10);
    ix.add([101], 'B', 10);
    // Walk 100 (A), 101 (B), 102 (A): every hash is held by someone, so A counts 2 and B counts 1.
    expect(counts(ix, [100, 101, 102], ['A', 'B', 'C'])).toEqual({ A: 2, B: 1, C: 0 });
    // The walk stops at the first hash no pod holds: 100 (A), 999 (none) → A = 1, 102 never reached.
    expect(counts(ix, [100, 999, 102], ['A', 'B'])).toEqual({ A: 1, B: 0 });
    // A first hash nobody holds matches nothing.
    expect(counts(ix, [999, 100], ['A', 'B'])).toEqual({ A: 0, B: 0 });
  });

  it('per-pod LRU: Add in order, existing keys move to MRU, evictions unlink the pod', () => {
    const ix = new PrefixIndexer();
    ix.add([1, 2, 3], 'A', 3);
    expect(ix.lruKeys('A')).toEqual([1, 2, 3]);
    ix.add([4], 'A', 3); // full: 1 (LRU) is evicted
    expect(ix.lruKeys('A')).toEqual([2, 3, 4]);
    expect(ix.podsOf(1)).toEqual([]);
    expect(ix.has(1)).toBe(false);
    ix.add([2], 'A', 3); // 2 moves to MRU: order 3, 4, 2
    ix.add([5], 'A', 3); // evicts 3, not 2
    expect(ix.lruKeys('A')).toEqual([4, 2, 5]);
    expect(ix.podsOf(3)).toEqual([]);
    expect(ix.podsOf(2)).toEqual(['A']);
  });

  it('capacity is fixed when the pod is first recorded', () => {
    const ix = new PrefixIndexer();
    ix.add([1], 'A', 2);
    ix.add([2, 3, 4], 'A', 100); // still capacity 2
    expect(ix.capacity('A')).toBe(2);
    expect(ix.size('A')).toBe(2);
  });

  it('an evicted key stays while another pod holds it', () => {
    const ix = new PrefixIndexer();
    ix.add([1], 'A', 1);
    ix.add([1], 'B', 1);
    ix.add([2], 'A', 1); // A evicts 1; B still holds it
    expect(ix.podsOf(1)).toEqual(['B']);
    expect(counts(ix, [1], ['A', 'B'])).toEqual({ A: 0, B: 1 });
  });

  it('production quirk: a request with more hashes than the capacity re-links its own evicted hashes', () => {
    // indexer.go adds all hashes to the LRU first (capacity 2: 1 is evicted by 3), then links the pod to
    // every hash → hash 1 maps to A although A's LRU holds only 2 and 3.
    const ix = new PrefixIndexer();
    ix.add([1, 2, 3], 'A', 2);
    expect(ix.lruKeys('A')).toEqual([2, 3]);
    expect(ix.podsOf(1)).toEqual(['A']);
    expect(counts(ix, [1, 2, 3], ['A'])).toEqual({ A: 3 });
  });

  it('removePod drops the pod everywhere', () => {
    const ix = new PrefixIndexer();
    ix.add([1, 2], 'A', 10);
    ix.add([1], 'B', 10);
    ix.removePod('A');
    expect(ix.pods()).toEqual(['B']);
    expect(ix.podsOf(1)).toEqual(['B']);
    expect(ix.podsOf(2)).toEqual([]);
    expect(ix.hashCount).toBe(1);
  });

  it('properties: LRU never exceeds capacity; counts ≤ the hashes walked and ≤ the leading run', () => {
    const op = fc.record({ pod: fc.constantFrom('A', 'B', 'C'), hashes: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 8 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 10 }), (ops, cap, query) => {
        const ix = new PrefixIndexer();
        for (const o of ops) {
          ix.add(o.hashes, o.pod, cap);
          if (ix.size(o.pod) > cap) return false;
        }
        let run = 0;
        while (run < query.length && ix.has(query[run]!)) run++;
        const c = counts(ix, query, ['A', 'B', 'C']);
        return Object.values(c).every((v) => v <= run && v <= query.length);
      }),
    );
  });
});

/**
 * A naive model of indexer.go (Map/Set, golang-lru semantics, the two-pass Add), to check the
 * typed-array implementation against on random operation sequences.
 */
class NaiveIndexer {
  hashToPods = new Map<number, Set<string>>();
  lrus = new Map<string, { cap: number; keys: number[] }>();
  add(hashes: number[], pod: string, cap: number): void {
    let lru = this.lrus.get(pod);
    if (!lru) this.lrus.set(pod, (lru = { cap, keys: [] }));
    for (const h of hashes) {
      const i = lru.keys.indexOf(h);
      if (i >= 0) {
        lru.keys.splice(i, 1);
        lru.keys.push(h);
        continue;
      }
      lru.keys.push(h);
      if (lru.keys.length > lru.cap) {
        const old = lru.keys.shift()!;
        const set = this.hashToPods.get(old);
        set?.delete(pod);
        if (set && set.size === 0) this.hashToPods.delete(old);
      }
    }
    for (const h of hashes) {
      if (!this.hashToPods.has(h)) this.hashToPods.set(h, new Set());
      this.hashToPods.get(h)!.add(pod);
    }
  }
  match(hashes: number[]): Map<string, number> {
    const c = new Map<string, number>();
    for (const h of hashes) {
      const s = this.hashToPods.get(h);
      if (!s || s.size === 0) break;
      for (const p of s) c.set(p, (c.get(p) ?? 0) + 1);
    }
    return c;
  }
  removePod(pod: string): void {
    const lru = this.lrus.get(pod);
    if (!lru) return;
    for (const h of lru.keys) {
      const set = this.hashToPods.get(h);
      set?.delete(pod);
      if (set && set.size === 0) this.hashToPods.delete(h);
    }
    this.lrus.delete(pod);
  }
}

describe('PrefixIndexer against a naive model of indexer.go', () => {
  it('same LRU contents, same pod sets and same match counts after random operations', () => {
    const PODS = ['A', 'B', 'C', 'D'];
    // 53-bit keys: small ones and large ones (exercising both 32-bit halves and table rebuilds).
    const key = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 2 ** 40, max: 2 ** 40 + 40 }), fc.constant(2 ** 53 - 1));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), pod: fc.constantFrom(...PODS), hashes: fc.array(key, { maxLength: 10 }) }),
      fc.record({ kind: fc.constant('remove' as const), pod: fc.constantFrom(...PODS) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.array(key, { maxLength: 8 }), { maxLength: 5 }), (ops, cap, queries) => {
        const ix = new PrefixIndexer();
        const ref = new NaiveIndexer();
        for (const o of ops) {
          if (o.kind === 'add') {
            const hs = [...new Set(o.hashes)]; // a request's chained hashes are distinct
            ix.add(hs, o.pod, cap);
            ref.add(hs, o.pod, cap);
          } else {
            ix.removePod(o.pod);
            ref.removePod(o.pod);
          }
        }
        for (const p of PODS) {
          if (JSON.stringify(ix.lruKeys(p)) !== JSON.stringify(ref.lrus.get(p)?.keys ?? [])) return false;
          if (ix.size(p) > cap) return false;
        }
        for (const q of queries) {
          const c = ix.matchLongestPrefix(q);
          const want = ref.match(q);
          for (const p of PODS) if (ix.countOf(c, p) !== (want.get(p) ?? 0)) return false;
          for (const h of q) if (JSON.stringify(ix.podsOf(h)) !== JSON.stringify([...(ref.hashToPods.get(h) ?? [])].sort())) return false;
        }
        return ix.hashCount === ref.hashToPods.size;
      }),
      { numRuns: 500 },
    );
  });

  it('survives many keys and heavy eviction churn (table rebuilds, entry reuse)', () => {
    const ix = new PrefixIndexer();
    const ref = new NaiveIndexer();
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let r = 0; r < 3000; r++) {
      const base = (next() % 50) * 1000;
      const hs = Array.from({ length: 1 + (next() % 20) }, (_, i) => base + i + 2 ** 33);
      const pod = `p${next() % 5}`;
      ix.add(hs, pod, 40);
      ref.add(hs, pod, 40);
    }
    for (let p = 0; p < 5; p++) expect(ix.lruKeys(`p${p}`)).toEqual(ref.lrus.get(`p${p}`)?.keys ?? []);
    expect(ix.hashCount).toBe(ref.hashToPods.size);
  });

  it('evictions in a crowded key table keep every live key findable (deleted keys never cut a probe run short)', () => {
    // 4 pods × capacity 120 ≤ 480 live keys in a table of 1024–2048 slots: long probe runs (also
    // across the table's end) while most requests evict (deleted slots, rebuilds at the same size).
    const ix = new PrefixIndexer();
    const ref = new NaiveIndexer();
    let x = 777;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let r = 0; r < 4000; r++) {
      const hs = [...new Set(Array.from({ length: 1 + ((next() >>> 16) % 12) }, () => (next() % 2 ** 21) * 2 ** 32 + next()))];
      const pod = `p${(next() >>> 16) % 4}`;
      ix.add(hs, pod, 120);
      ref.add(hs, pod, 120);
      if (r % 200 === 199) {
        expect(ix.hashCount).toBe(ref.hashToPods.size);
        for (const [h, pods] of ref.hashToPods) expect(ix.podsOf(h)).toEqual([...pods].sort());
        const some = [...ref.hashToPods.keys()].slice(0, 8);
        const c = ix.matchLongestPrefix(some);
        const want = ref.match(some);
        for (let p = 0; p < 4; p++) expect(ix.countOf(c, `p${p}`)).toBe(want.get(`p${p}`) ?? 0);
      }
    }
    expect(ref.hashToPods.size).toBeGreaterThan(400);
  });
});

/**
 * Runs (issue 15): a request's run keys (its own text, uniqueRunKeys.ts) are kept as one LRU node;
 * everything observable must equal one key per block (the naive model, which sees plain numbers).
 */
describe('PrefixIndexer runs of request-unique keys', () => {
  it('golden: a run is evicted from its front; a lookup of its request turns its runs into keys in place', () => {
    const ix = new PrefixIndexer();
    const o = runOwner(0, 7);
    const req = [100, runKey(o, 1), runKey(o, 2), runKey(o, 3)]; // one shared block, then 3 blocks of its own
    ix.add([1, 2], 'A', 6);
    ix.add(req, 'A', 6); // LRU: 1 2 100 r1 r2 r3 (6 = capacity)
    expect(ix.size('A')).toBe(6);
    ix.add([3, 4, 5, 6], 'A', 6); // evicts 1, 2, 100, r1 (4 keys from the front: the run gives up one)
    expect(ix.lruKeys('A')).toEqual([runKey(o, 2), runKey(o, 3), 3, 4, 5, 6]);
    expect(ix.hashCount).toBe(6);
    // The same request again (a retry) on B: B gets a run of its own (a key's pods are the union).
    ix.add(req, 'B', 6);
    expect(ix.lruKeys('A')).toEqual([runKey(o, 2), runKey(o, 3), 3, 4, 5, 6]);
    expect(ix.podsOf(runKey(o, 2))).toEqual(['A', 'B']);
    expect(ix.podsOf(runKey(o, 1))).toEqual(['B']);
    // Looking the request up turns its runs into keys where they stood. Leading run: 100 (B), r1 (B),
    // r2 (A, B), r3 (A, B) → A = 2, B = 4.
    expect(counts(ix, req, ['A', 'B'])).toEqual({ A: 2, B: 4 });
    expect(ix.lruKeys('A')).toEqual([runKey(o, 2), runKey(o, 3), 3, 4, 5, 6]);
    ix.add([7], 'A', 6); // the first of A's (now ordinary) keys goes
    expect(ix.podsOf(runKey(o, 2))).toEqual(['B']);
    // Another owner with the same content id but another seed id names other keys.
    expect(counts(ix, [100, runKey(runOwner(1, 7), 1)], ['A', 'B'])).toEqual({ A: 0, B: 1 });
  });

  it('same LRU contents, pod sets, match counts and has() as one key per block, over random picks, retries and sweeps', () => {
    const PODS = ['A', 'B', 'C'];
    // Requests: a shared prefix of small real keys, then a tail of run keys of the request's owner
    // (two owners share a content id, told apart by their seed id).
    const owners = [runOwner(0, 5), runOwner(0, 6), runOwner(1, 5), runOwner(0, 0xfffffff0)];
    const request = fc.record({ prefix: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }), owner: fc.constantFrom(...owners), tail: fc.integer({ min: 1, max: 6 }) });
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), req: fc.nat({ max: 5 }), pod: fc.constantFrom(...PODS) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('match' as const), req: fc.nat({ max: 5 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), pod: fc.constantFrom(...PODS) }) },
    );
    fc.assert(
      fc.property(fc.array(request, { minLength: 6, maxLength: 6 }), fc.array(op, { maxLength: 50 }), fc.integer({ min: 1, max: 12 }), (reqs, ops, cap) => {
        // One request per owner keeps its hashes fixed, as a retry's are.
        const byOwner = new Map<number, number[]>();
        const hashesOf = (i: number): number[] => {
          const r = reqs[i]!;
          let hs = byOwner.get(r.owner);
          if (hs === undefined) {
            hs = [...r.prefix, ...Array.from({ length: r.tail }, (_, k) => runKey(r.owner, r.prefix.length + k))];
            byOwner.set(r.owner, hs);
          }
          return hs;
        };
        const ix = new PrefixIndexer();
        const ref = new NaiveIndexer();
        for (const o of ops) {
          if (o.kind === 'add') {
            ix.add(hashesOf(o.req), o.pod, cap);
            ref.add(hashesOf(o.req), o.pod, cap);
          } else if (o.kind === 'remove') {
            ix.removePod(o.pod);
            ref.removePod(o.pod);
          } else {
            const hs = hashesOf(o.req);
            const held = (ref.hashToPods.get(hs[0]!)?.size ?? 0) > 0;
            const c = ix.matchLongestPrefix(hs);
            const want = ref.match(hs);
            for (const p of PODS) if (ix.countOf(c, p) !== (want.get(p) ?? 0)) return false;
            if (ix.lastMatchedAny !== held || ix.has(hs[0]!) !== held) return false;
          }
          for (const p of PODS) {
            if (JSON.stringify(ix.lruKeys(p)) !== JSON.stringify(ref.lrus.get(p)?.keys ?? [])) return false;
            if (ix.size(p) !== (ref.lrus.get(p)?.keys.length ?? 0)) return false;
          }
        }
        for (const hs of byOwner.values()) for (const h of hs) if (JSON.stringify(ix.podsOf(h)) !== JSON.stringify([...(ref.hashToPods.get(h) ?? [])].sort())) return false;
        return ix.hashCount === ref.hashToPods.size;
      }),
      { numRuns: 1000 },
    );
  });
});
