/** The KV cache's parts in isolation: the hash index against a Map model, and LRU eviction order. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashIndex } from '../sim/engine/hashIndex.js';
import { KvCache } from '../sim/engine/kvCache.js';

describe('HashIndex', () => {
  it('behaves like a Map under random inserts and deletes (including colliding low bits)', () => {
    const op = fc.record({
      kind: fc.constantFrom('insert', 'delete', 'get'),
      // Few distinct low words force long probe runs and wrap-around.
      hash: fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 40 })).map(([hi, lo]) => hi * 4294967296 + lo * 8 + 3),
      block: fc.integer({ min: 0, max: 31 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new HashIndex();
        const m = new Map<number, number>();
        let most = 0;
        for (const o of ops) {
          if (o.kind === 'insert') {
            if (m.size >= 32 && !m.has(o.hash)) continue;
            expect(t.insert(o.hash, o.block)).toBe(!m.has(o.hash));
            if (!m.has(o.hash)) m.set(o.hash, o.block);
          } else if (o.kind === 'delete') {
            t.delete(o.hash, o.block);
            if (m.get(o.hash) === o.block) m.delete(o.hash);
          }
          expect(t.get(o.hash)).toBe(m.get(o.hash) ?? -1);
          expect(t.size).toBe(m.size);
          most = Math.max(most, m.size);
        }
        for (const [h, b] of m) expect(t.get(h)).toBe(b);
        // It grew to the smallest power of two holding the most entries at most half full, and never shrank.
        expect(t.slots).toBe(Math.max(16, 2 ** Math.ceil(Math.log2(2 * Math.max(1, most)))));
      }),
    );
  });

  it('starts at 16 slots and doubles when half full: 8 entries in 16 slots, the 9th doubles to 32, 1,000 need 2,048', () => {
    const t = new HashIndex();
    expect(t.slots).toBe(16);
    for (let k = 0; k < 8; k++) t.insert(k * 7919 + 1, k);
    expect(t.slots).toBe(16);
    t.insert(99991, 8);
    expect(t.slots).toBe(32);
    for (let k = 9; k < 1000; k++) t.insert(k * 7919 + 1, k);
    expect([t.slots, t.size]).toEqual([2048, 1000]);
    for (let k = 0; k < 8; k++) expect(t.get(k * 7919 + 1)).toBe(k);
    expect(t.get(99991)).toBe(8);
    for (let k = 9; k < 1000; k++) expect(t.get(k * 7919 + 1)).toBe(k);
  });
});

describe('KvCache', () => {
  it('keeps freed blocks hittable until evicted, evicting least recently freed first and a sequence tail first', () => {
    const kv = new KvCache(4, 16, true);
    const a = [kv.allocate(), kv.allocate()];
    kv.cacheBlock(a[0]!, 100);
    kv.cacheBlock(a[1]!, 101);
    kv.release(a); // tail first: a[1] then a[0] join the free queue after the 2 never-used blocks
    expect(kv.lookup(100)).toBe(a[0]);
    kv.allocate();
    kv.allocate(); // the two never-used blocks
    expect(kv.lookup(101)).toBe(a[1]);
    kv.allocate(); // evicts a[1] (freed first as the sequence's tail)
    expect(kv.lookup(101)).toBe(-1);
    expect(kv.lookup(100)).toBe(a[0]);
    expect(kv.checkInvariants()).toBeNull();
  });

  it('touching a free cached block takes it out of the free queue', () => {
    const kv = new KvCache(2, 16, true);
    const b = kv.allocate();
    kv.cacheBlock(b, 7);
    kv.release([b]);
    expect(kv.freeBlocks).toBe(2);
    kv.touch(kv.lookup(7));
    expect(kv.freeBlocks).toBe(1);
    expect(kv.refCount(b)).toBe(1);
    expect(kv.checkInvariants()).toBeNull();
  });
});

describe('KvCache free queue', () => {
  it('property: hands out blocks in the order of a plain FIFO queue with removal from the middle (prefix hits on free blocks); an unhashed place gives any unhashed free block', () => {
    // Blocks are cached (or not) under their own id as hash, so touching a free one is a lookup away.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const), n: fc.integer({ min: 1, max: 3 }), cache: fc.boolean() }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat(), exclusive: fc.boolean() }),
      fc.record({ kind: fc.constant('touch' as const), block: fc.nat(7) }),
      fc.record({ kind: fc.constant('reset' as const) }),
    );
    let busy = 0;
    let mixed = 0;
    let exclusives = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 60, maxLength: 200 }), (ops) => {
        const kv = new KvCache(8, 16, true);
        // The model: every free block, least recently freed first; an unhashed one's place is what
        // matters (the cache may hand out any unhashed free block there), a hashed one's number too.
        const fresh = (): { id: number; hashed: boolean }[] => [0, 1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, hashed: false }));
        let queue = fresh();
        const hashed = new Array<boolean>(8).fill(false);
        const refs = new Array<number>(8).fill(0);
        const held: number[] = [];
        let pushes = 8;
        let sawMixed = false;
        for (const o of ops) {
          if (o.kind === 'alloc') {
            for (let i = 0; i < o.n && queue.length > 0; i++) {
              const b = kv.allocate();
              const head = queue[0]!;
              if (head.hashed) expect(b).toBe(head.id);
              else {
                // Any unhashed free block: it takes the head's place, the head's number takes its.
                const j = queue.findIndex((e) => e.id === b && !e.hashed);
                expect(j).toBeGreaterThanOrEqual(0);
                queue[j]!.id = head.id;
              }
              queue.shift();
              hashed[b] = false; // evicted if it was
              refs[b]!++;
              held.push(b);
              if (o.cache) {
                kv.cacheBlock(b, 1000 + b);
                hashed[b] = true;
              }
            }
          } else if (o.kind === 'release' && held.length > 0) {
            const b = held.splice(o.pick % held.length, 1)[0]!;
            // A block allocated and never cached has its one reference: released as a sequence's
            // blocks past its registered ones are (exclusiveFrom), or counted down as any other.
            if (o.exclusive && !hashed[b]) {
              expect(refs[b]).toBe(1);
              kv.release([b], 0);
              exclusives++;
            } else kv.release([b]);
            if (--refs[b]! === 0) (queue.push({ id: b, hashed: hashed[b]! }), pushes++);
          } else if (o.kind === 'touch') {
            const b = kv.lookup(1000 + o.block);
            expect(b).toBe(hashed[o.block] ? o.block : -1);
            if (b < 0) continue;
            kv.touch(b);
            if (refs[b]!++ === 0) queue = queue.filter((x) => x.id !== b);
            held.push(b);
          } else if (o.kind === 'reset') {
            for (const b of held) kv.release([b]);
            held.length = 0;
            refs.fill(0);
            hashed.fill(false);
            kv.reset();
            queue = fresh();
          }
          expect(kv.freeBlocks).toBe(queue.length);
          expect(kv.freeQueue()).toEqual(queue.map((e) => (e.hashed ? e.id : -1)));
          for (let b = 0; b < 8; b++) expect(kv.refCount(b)).toBe(refs[b]);
          expect(kv.checkInvariants()).toBeNull();
          if (queue.some((e) => e.hashed) && queue.some((e) => !e.hashed)) sawMixed = true;
        }
        if (pushes > 16) busy++;
        if (sawMixed) mixed++;
      }),
      { numRuns: 300 },
    );
    expect(busy).toBeGreaterThan(50); // many runs freed each block more than once
    expect(mixed).toBeGreaterThan(50); // many had hashed and unhashed blocks queued together
    expect(exclusives).toBeGreaterThan(500);
  });

  it('golden: an unhashed block freed last is handed out first, in the place the queue gives unhashed blocks', () => {
    const kv = new KvCache(4, 16, true);
    const [a, b, c] = [kv.allocate(), kv.allocate(), kv.allocate()]; // 0, 1, 2 (block order at first)
    expect([a, b, c]).toEqual([0, 1, 2]);
    kv.cacheBlock(b, 500);
    kv.release([a]); // queue: 3 (never used), a
    kv.release([b]); // queue: 3, a, b#500
    kv.release([c]); // queue: 3, a, b#500, c
    expect(kv.freeQueue()).toEqual([-1, -1, 1, -1]);
    // The head is an unhashed place: the most recently freed unhashed block, c, fills it.
    expect(kv.allocate()).toBe(2);
    expect(kv.allocate()).toBe(0); // then a
    expect(kv.lookup(500)).toBe(1);
    expect(kv.allocate()).toBe(1); // b, evicting 500
    expect(kv.lookup(500)).toBe(-1);
    expect(kv.allocate()).toBe(3);
    expect(kv.allocate()).toBe(-1);
    expect(kv.checkInvariants()).toBeNull();
  });
});

describe('KvCache.holds (what the scheduler re-checks a waiting request\'s hits with)', () => {
  it('property: holds(block, hash) ⇔ lookup(hash) === block, after any mix of allocations, cached blocks, releases and resets', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('alloc' as const) }),
      fc.record({ kind: fc.constant('cache' as const), pick: fc.nat(), hash: fc.integer({ min: 0, max: 11 }) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('touch' as const), hash: fc.integer({ min: 0, max: 11 }) }),
      fc.record({ kind: fc.constant('reset' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const kv = new KvCache(6, 16, true);
        const held: number[] = [];
        for (const o of ops) {
          if (o.kind === 'alloc') {
            const b = kv.allocate();
            if (b >= 0) held.push(b);
          } else if (o.kind === 'cache' && held.length > 0) kv.cacheBlock(held[o.pick % held.length]!, o.hash);
          else if (o.kind === 'release' && held.length > 0) kv.release([held.splice(o.pick % held.length, 1)[0]!]);
          else if (o.kind === 'touch') {
            const b = kv.lookup(o.hash);
            if (b >= 0) {
              kv.touch(b);
              held.push(b);
            }
          } else if (o.kind === 'reset') {
            kv.reset();
            held.length = 0;
          }
          for (let b = 0; b < 6; b++) for (let h = 0; h < 12; h++) if (kv.holds(b, h) !== (kv.lookup(h) === b)) return false;
        }
        return kv.checkInvariants() === null;
      }),
      { numRuns: 300 },
    );
  });
});
