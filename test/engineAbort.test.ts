/**
 * Engine failures and churn (gateway.md §6.2 in-flight requests, §6.3 drain, §5.5 cold engine):
 * `Replica.abort` cancels one request wherever it is and frees exactly its KV at once, an executing
 * step completes without it; `Replica.crash` returns everything held and leaves an empty engine
 * (prefix cache included) whose in-flight StepEnd is void; `Replica.setWarmup` scales step times
 * before a boundary; `Replica.inFlight` counts what the replica holds.
 *
 * Replicas are built directly with the linear step time β0 = 1000 µs, β1 = 10 µs per prefill
 * token, β2 = 100 µs per decode token and no α overheads (as test/pdEngine.test.ts), so step
 * times are derived by hand: a step of p prefill tokens and d decoding sequences takes
 * 1000 + 10·p + 100·d µs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Replica } from '../sim/engine/replica.js';
import { Sequence } from '../sim/engine/sequence.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import type { ItlCounts } from '../sim/metrics/types.js';
import type { SimRequest } from '../sim/workload/request.js';
import { req } from './helpers.js';
import { linearReplica, type EngineOpts } from './engineFixtures.js';

const replica = (name: string, o: EngineOpts = {}): Replica => linearReplica(name, o, 0);

const normal = (r: SimRequest): Sequence => new Sequence(r, newRequestRecord(r), 16);
const prefillLeg = (r: SimRequest): Sequence => {
  const copy = { ...r, outputTokens: 1 };
  return new Sequence(copy, newRequestRecord(copy), 16, { prefillLeg: true });
};
const decodeLeg = (r: SimRequest): Sequence => new Sequence(r, newRequestRecord(r), 16, { remoteKv: true });

/** Run steps back to back from `now` until nothing is schedulable; returns the end time. */
function drain(r: Replica, now: number, itl: ItlCounts = new Map()): number {
  for (;;) {
    const end = r.beginStep(now);
    if (end < 0) return now;
    r.endStep(end, itl);
    now = end;
  }
}

/** Σ reference counts over all blocks: equals Σ blocks held by live sequences when nothing leaks. */
function totalRefs(r: Replica): number {
  let n = 0;
  for (let b = 0; b < r.kv.numBlocks; b++) n += r.kv.refCount(b);
  return n;
}

const A_PROMPT = 0xa11ce;
const B_PROMPT = 0xb0b;

describe('abort', () => {
  it('of a waiting request frees nothing and removes it; the running one is untouched', () => {
    const R = replica('r', { maxSeqs: 1 });
    const a = normal(req({ id: 1, at: 0, prompt: 32, output: 3 }));
    const b = normal(req({ id: 2, at: 0, prompt: 16, output: 2 }));
    R.enqueue(a, 0);
    R.enqueue(b, 0);
    expect(R.inFlight).toBe(2);
    // Step 1: only a (max_num_seqs 1): 1000 + 10·32 = 1,320 µs; a holds 32/16 = 2 blocks, b none.
    expect(R.beginStep(0)).toBe(1320);
    expect(R.kv.usedBlocks).toBe(2);
    expect(R.snapshot(0).waitingQueueSize).toBe(1);
    expect(R.abort(b, 500)).toBe(true);
    expect(R.kv.usedBlocks).toBe(2);
    expect(R.inFlight).toBe(1);
    expect(R.snapshot(500).waitingQueueSize).toBe(0);
    expect(R.abort(b, 600)).toBe(false); // no longer held
    R.endStep(1320, new Map());
    // a alone: tokens at 1,320, then two decode steps of 1000 + 100 = 1,100 → 2,420, 3,520.
    expect(drain(R, 1320)).toBe(3520);
    expect(a.rec.firstTokenUs).toBe(1320);
    expect(a.rec.lastTokenUs).toBe(3520);
    expect(b.rec.scheduledUs).toBe(-1);
    expect(R.kv.usedBlocks).toBe(0);
    expect(R.inFlight).toBe(0);
  });

  it('of a running request between steps frees exactly its blocks; the other decodes alone', () => {
    const R = replica('r');
    const a = normal(req({ id: 1, at: 0, segments: [[A_PROMPT, 32]], output: 4 }));
    const b = normal(req({ id: 2, at: 0, segments: [[B_PROMPT, 48]], output: 4 }));
    R.enqueue(a, 0);
    R.enqueue(b, 0);
    // Step 1: both prompts, 1000 + 10·(32 + 48) = 1,800 µs; a 2 blocks, b 3 blocks, all full → cached.
    expect(R.beginStep(0)).toBe(1800);
    const itl: ItlCounts = new Map();
    expect(R.endStep(1800, itl)).toEqual([]);
    expect(R.kv.usedBlocks).toBe(5);
    expect(R.kv.cachedBlocks).toBe(5);
    expect(R.abort(b, 1800)).toBe(true);
    // Exactly b's 3 blocks freed at once; they stay in the prefix cache (free, hittable).
    expect(R.kv.usedBlocks).toBe(2);
    expect(R.kv.cachedBlocks).toBe(5);
    expect(b.blocks).toEqual([]);
    expect(R.kv.checkInvariants()).toBeNull();
    // a decodes alone: 1000 + 100 = 1,100 µs a step (with b it would be 1,200): 2,900, 4,000, 5,100.
    expect(drain(R, 1800, itl)).toBe(5100);
    expect(a.rec.lastTokenUs).toBe(5100);
    expect(a.rec.outcome).toBe('completed');
    expect([...itl]).toEqual([[1100, 3]]);
    expect(b.outputDone).toBe(1); // it streamed its first token before the abort
    expect(b.rec.outcome).not.toBe('completed');
    expect(R.stats.completed).toBe(1);
    expect(R.kv.usedBlocks).toBe(0);
    // b's prompt is still cached: the same 48 tokens + 16 new hit 48 tokens (3 blocks).
    const again = normal(req({ id: 3, at: 0, segments: [[B_PROMPT, 48], [0x77, 16]], output: 1 }));
    R.enqueue(again, 6000);
    // 16 tokens computed: 1000 + 160 = 1,160 µs.
    expect(R.beginStep(6000)).toBe(7160);
    expect(again.rec.cachedTokens).toBe(48);
  });

  it('during an executing step: the step completes without it (no token, not finished, no ITL)', () => {
    const R = replica('r');
    const a = normal(req({ id: 1, at: 0, segments: [[A_PROMPT + 1, 32]], output: 4 }));
    const b = normal(req({ id: 2, at: 0, segments: [[B_PROMPT + 1, 48]], output: 1 }));
    R.enqueue(a, 0);
    R.enqueue(b, 0);
    // Step 1 as above: 1,800 µs, 5 blocks allocated, nothing cached yet (cached at completion).
    expect(R.beginStep(0)).toBe(1800);
    expect(R.kv.usedBlocks).toBe(5);
    expect(R.abort(b, 900)).toBe(true);
    expect(R.kv.usedBlocks).toBe(2);
    expect(R.busy).toBe(true);
    const itl: ItlCounts = new Map();
    // b would have finished in this step (output 1); it is not returned and gets no token.
    expect(R.endStep(1800, itl)).toEqual([]);
    expect(b.rec.firstTokenUs).toBe(-1);
    expect(b.outputDone).toBe(0);
    expect(a.rec.firstTokenUs).toBe(1800);
    // Only a's 2 blocks were computed and cached; b's prompt was never cached.
    expect(R.kv.cachedBlocks).toBe(2);
    expect(R.stats.steps).toBe(1);
    expect(R.stats.completed).toBe(0);
    // a: 2,900, 4,000, 5,100 (decoding alone), ITL gaps 3 × 1,100.
    expect(drain(R, 1800, itl)).toBe(5100);
    expect([...itl]).toEqual([[1100, 3]]);
    expect(R.kv.usedBlocks).toBe(0);
    const again = normal(req({ id: 3, at: 0, segments: [[B_PROMPT + 1, 48], [0x78, 16]], output: 1 }));
    R.enqueue(again, 6000);
    // No hit: 64 tokens computed, 1000 + 640 = 1,640 µs.
    expect(R.beginStep(6000)).toBe(7640);
    expect(again.rec.cachedTokens).toBe(0);
  });

  it('of a pulling decode leg frees its blocks and its pending pull, taken or not', () => {
    for (const taken of [false, true]) {
      const D = replica('decode');
      const d = decodeLeg(req({ id: 1, at: 0, prompt: 800, output: 2 })); // 800/16 = 50 blocks
      D.enqueue(d, 0);
      expect(D.beginStep(0)).toBe(-1);
      if (taken) expect(D.takePulls()).toEqual([d]);
      expect(D.kv.usedBlocks).toBe(50);
      expect(D.pullingCount).toBe(1);
      expect(D.inFlight).toBe(1);
      expect(D.abort(d, 100)).toBe(true);
      expect(D.kv.usedBlocks).toBe(0);
      expect(D.pullingCount).toBe(0);
      expect(D.inFlight).toBe(0);
      expect(D.takePulls()).toEqual([]);
      expect(D.snapshot(100).waitingQueueSize).toBe(0);
      expect(() => D.kvArrived(d, 200)).toThrow(/not waiting for remote KV/);
      expect(D.abort(d, 300)).toBe(false);
      expect(D.kv.checkInvariants()).toBeNull();
    }
  });

  it('of a held prefill leg releases its blocks, which stay cached', () => {
    const P = replica('prefill');
    const C = 0x1234_5678;
    const p = prefillLeg(req({ id: 1, at: 0, segments: [[C, 1024]], output: 4 }));
    P.enqueue(p, 0);
    // One step of 1,024 tokens: 1000 + 10·1024 = 11,240 µs; 64 blocks held after it.
    expect(P.beginStep(0)).toBe(11_240);
    expect(P.endStep(11_240, new Map())).toEqual([p]);
    expect(P.heldBlocks).toBe(64);
    expect(P.inFlight).toBe(1);
    expect(P.abort(p, 12_000)).toBe(true);
    expect(P.kv.usedBlocks).toBe(0);
    expect(P.heldBlocks).toBe(0);
    expect(P.inFlight).toBe(0);
    expect(() => P.releaseHeld(p)).toThrow(/holds no finished prefill-leg blocks/);
    expect(P.abort(p, 12_000)).toBe(false);
    // 1,024 cached tokens + 16 new: 16 computed, 1000 + 160 = 1,160 µs.
    const again = normal(req({ id: 2, at: 0, segments: [[C, 1024], [0x99, 16]], output: 1 }));
    P.enqueue(again, 20_000);
    expect(P.beginStep(20_000)).toBe(21_160);
    expect(again.rec.cachedTokens).toBe(1024);
  });

  it('returns false for a request never enqueued, already finished, or held by another replica', () => {
    const R = replica('r');
    const S = replica('s');
    const x = normal(req({ id: 1, at: 0, prompt: 16, output: 1 }));
    expect(R.abort(x, 0)).toBe(false);
    S.enqueue(x, 0);
    expect(R.abort(x, 0)).toBe(false);
    expect(S.inFlight).toBe(1);
    drain(S, 0);
    expect(x.rec.outcome).toBe('completed');
    expect(S.abort(x, 5000)).toBe(false);
    expect(S.inFlight).toBe(0);
  });

  it('keeps the adapter counters (vllm:lora_requests_info) right', () => {
    const R = replica('r', { maxSeqs: 1, maxLoras: 2 });
    const a = normal(req({ id: 1, at: 0, prompt: 16, output: 3, adapter: 'a' }));
    const b = normal(req({ id: 2, at: 0, prompt: 16, output: 3, adapter: 'b' }));
    R.enqueue(a, 0);
    R.enqueue(b, 0);
    R.beginStep(0);
    expect(R.snapshot(0).activeModels).toEqual(['a']);
    expect(R.snapshot(0).waitingModels).toEqual(['b']);
    expect(R.abort(a, 10)).toBe(true);
    expect(R.snapshot(10).activeModels).toEqual([]);
    expect(R.abort(b, 20)).toBe(true);
    expect(R.snapshot(20).waitingModels).toEqual([]);
    // The executing step completes with nothing in it.
    expect(R.endStep(1160, new Map())).toEqual([]);
    expect(R.hasWork).toBe(false);
    expect(R.kv.usedBlocks).toBe(0);
  });
});

describe('crash', () => {
  it('returns everything held in a fixed order and leaves an empty engine; the executing step is void', () => {
    const R = replica('r', { maxSeqs: 2 });
    R.kv.events = { stored: [], removed: [] };
    // A prefill leg of 32 tokens: 1000 + 320 = 1,320 µs, then it holds its 2 (cached) blocks.
    const p = prefillLeg(req({ id: 1, at: 0, segments: [[A_PROMPT + 2, 32]], output: 5 }));
    R.enqueue(p, 0);
    expect(R.beginStep(0)).toBe(1320);
    R.endStep(1320, new Map());
    const d = decodeLeg(req({ id: 2, at: 0, prompt: 64, output: 2 }));
    const a = normal(req({ id: 3, at: 0, prompt: 48, output: 3 }));
    const b = normal(req({ id: 4, at: 0, prompt: 16, output: 1 }));
    R.enqueue(d, 1320);
    R.enqueue(a, 1320);
    R.enqueue(b, 1320);
    // d admitted for a pull (4 blocks), a runs (3 blocks), b waits (running 1 + pulling 1 = max 2).
    // Step: 48 tokens, 1000 + 480 = 1,480 µs → ends at 2,800.
    const epoch = R.epoch;
    expect(R.beginStep(1320)).toBe(2800);
    expect(R.kv.usedBlocks).toBe(2 + 4 + 3);
    expect(R.inFlight).toBe(4);
    expect(R.kv.cachedBlocks).toBe(2);
    expect(R.kv.events.stored).toHaveLength(2);

    // Running, pulling, waiting, held.
    expect(R.crash(2000)).toEqual([a, d, b, p]);
    expect(R.epoch).toBe(epoch + 1);
    expect(R.busy).toBe(false);
    expect(R.kv.usedBlocks).toBe(0);
    expect(R.kv.cachedBlocks).toBe(0);
    expect(R.kv.events.removed).toHaveLength(2); // every cached hash reported gone
    expect(R.kv.checkInvariants()).toBeNull();
    expect(R.inFlight).toBe(0);
    expect(R.hasWork).toBe(false);
    expect(R.heldBlocks).toBe(0);
    expect(R.pullingCount).toBe(0);
    expect(R.takePulls()).toEqual([]);
    for (const s of [a, d, b, p]) expect(s.blocks).toEqual([]);
    expect(p.outputDone).toBe(1); // the prefill leg had finished: progress kept for the caller
    const snap = R.snapshot(2000);
    expect(snap.waitingQueueSize).toBe(0);
    expect(snap.runningRequestsSize).toBe(0);
    expect(snap.kvCacheUsagePercent).toBe(0);
    // Stats: one real step; busy time 1,320 + (2,000 − 1,320) of the voided step = 2,000 µs.
    expect(R.stats.steps).toBe(1);
    expect(R.stats.busyUs).toBe(2000);

    // The voided StepEnd: the caller sees a changed epoch and drops it; endStep is a no-op anyway.
    expect(R.epoch === epoch).toBe(false);
    expect(R.endStep(2800, new Map())).toEqual([]);
    expect(a.rec.firstTokenUs).toBe(-1);
    expect(R.stats.steps).toBe(1);

    // Restarted with nothing cached: p's prompt + 16 tokens gets no hit, 48 tokens = 1,480 µs.
    const again = normal(req({ id: 5, at: 0, segments: [[A_PROMPT + 2, 32], [0x79, 16]], output: 1 }));
    R.enqueue(again, 3000);
    expect(R.beginStep(3000)).toBe(4480);
    expect(again.rec.cachedTokens).toBe(0);
    expect(R.endStep(4480, new Map())).toEqual([again]);
    expect(R.kv.usedBlocks).toBe(0);
  });

  it('ignores a stale StepEnd that arrives while a post-crash step is in flight', () => {
    const R = replica('r');
    const a = normal(req({ id: 1, at: 0, prompt: 160, output: 2 }));
    R.enqueue(a, 0);
    // 1000 + 10·160 = 2,600 µs: the StepEnd at 2,600 is voided by the crash at 1,000.
    expect(R.beginStep(0)).toBe(2600);
    expect(R.crash(1000)).toEqual([a]);
    const b = normal(req({ id: 2, at: 0, prompt: 200, output: 1 }));
    R.enqueue(b, 1200);
    // New step: 1000 + 10·200 = 3,000 µs, 1,200 → 4,200; the stale end at 2,600 comes first.
    expect(R.beginStep(1200)).toBe(4200);
    expect(R.endStep(2600, new Map())).toEqual([]);
    expect(R.busy).toBe(true);
    expect(b.outputDone).toBe(0);
    expect(R.endStep(4200, new Map())).toEqual([b]);
    expect(b.rec.firstTokenUs).toBe(4200);
    expect(a.rec.firstTokenUs).toBe(-1);
    expect(R.stats.steps).toBe(1);
    expect(R.kv.usedBlocks).toBe(0);
  });

  it('of an idle engine returns nothing and still bumps the epoch', () => {
    const R = replica('r');
    expect(R.crash(0)).toEqual([]);
    expect(R.epoch).toBe(1);
    expect(R.endStep(10, new Map())).toEqual([]);
    expect(R.stats.steps).toBe(0);
  });
});

describe('warm-up', () => {
  it('doubles step times for steps starting before the boundary', () => {
    const R = replica('r');
    R.setWarmup(5000, 2);
    const a = normal(req({ id: 1, at: 0, prompt: 32, output: 4 }));
    R.enqueue(a, 0);
    // Prefill 2 × (1000 + 320) = 2,640; decodes 2 × 1,100 = 2,200 starting at 2,640 and 4,840 (< 5,000);
    // the last starts at 7,040 ≥ 5,000: 1,100 → 8,140.
    expect(R.beginStep(0)).toBe(2640);
    R.endStep(2640, new Map());
    expect(R.beginStep(2640)).toBe(4840);
    R.endStep(4840, new Map());
    expect(R.beginStep(4840)).toBe(7040);
    R.endStep(7040, new Map());
    expect(R.beginStep(7040)).toBe(8140);
    R.endStep(8140, new Map());
    expect(a.rec.firstTokenUs).toBe(2640);
    expect(a.rec.lastTokenUs).toBe(8140);
    // Its own prefill time is the warm duration.
    expect(a.rec.prefillUs).toBe(2640);
  });

  it('rounds to whole µs, is off by default and after setWarmup(0, 1)', () => {
    const R = replica('r');
    R.setWarmup(1_000_000, 1.25);
    R.enqueue(normal(req({ id: 1, at: 0, prompt: 15, output: 1 })), 0);
    // 1.25 × (1000 + 150) = 1,437.5 → 1,438.
    expect(R.beginStep(0)).toBe(1438);
    R.endStep(1438, new Map());
    R.setWarmup(0, 1);
    R.enqueue(normal(req({ id: 2, at: 0, prompt: 15, output: 1 })), 2000);
    expect(R.beginStep(2000)).toBe(3150);
    const S = replica('s');
    S.enqueue(normal(req({ id: 3, at: 0, prompt: 15, output: 1 })), 0);
    expect(S.beginStep(0)).toBe(1150);
    expect(() => R.setWarmup(10, 0)).toThrow(/positive/);
    expect(() => R.setWarmup(10, Number.NaN)).toThrow(/positive/);
  });
});

type Op =
  | { t: 'enqueue'; kind: 0 | 1 | 2; prompt: number; output: number; shared: number }
  | { t: 'step' }
  | { t: 'abort'; pick: number }
  | { t: 'crash' }
  | { t: 'arrive' }
  | { t: 'release' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('enqueue' as const),
      kind: fc.constantFrom(0 as const, 0 as const, 1 as const, 2 as const),
      prompt: fc.integer({ min: 1, max: 120 }),
      output: fc.integer({ min: 1, max: 5 }),
      shared: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 6, arbitrary: fc.constant({ t: 'step' as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('abort' as const), pick: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'crash' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'arrive' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'release' as const }) },
);

describe('property: random enqueue / step / abort / crash interleavings', () => {
  it('keep the KV balanced and end every sequence exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 10, maxLength: 120, size: 'max' }),
        fc.integer({ min: 12, max: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 16, max: 256 }),
        fc.boolean(),
        (ops, blocks, maxSeqs, budget, caching) => {
          const R = replica('r', { blocks, maxSeqs, budget, caching });
          const all: Sequence[] = [];
          const finished = new Map<Sequence, number>();
          const ended = new Map<Sequence, number>(); // aborted or crashed
          const pulled: Sequence[] = [];
          const held: Sequence[] = [];
          let pending: { end: number; epoch: number } | null = null;
          let now = 0;
          let id = 0;

          const live = (): Sequence[] => all.filter((s) => !ended.has(s) && (!finished.has(s) || s.holdsKv));
          const check = (): void => {
            expect(R.kv.checkInvariants()).toBeNull();
            expect(R.kv.usedBlocks + R.kv.freeBlocks).toBe(blocks);
            const ls = live();
            expect(R.inFlight).toBe(ls.length);
            expect(totalRefs(R)).toBe(ls.reduce((n, s) => n + s.blocks.length, 0));
          };
          const endStep = (): void => {
            if (pending === null) return;
            now = pending.end;
            if (pending.epoch !== R.epoch) {
              expect(R.endStep(now, new Map())).toEqual([]); // void: nothing applied
            } else {
              for (const s of R.endStep(now, new Map())) {
                expect(ended.has(s)).toBe(false);
                finished.set(s, (finished.get(s) ?? 0) + 1);
                if (s.prefillLeg) held.push(s);
              }
            }
            pending = null;
          };
          const step = (): void => {
            if (pending !== null) return endStep();
            const end = R.beginStep(now);
            pulled.push(...R.takePulls());
            if (end >= 0) pending = { end, epoch: R.epoch };
            else now += 100;
          };
          const arrive = (): void => {
            for (const s of pulled.splice(0)) if (!ended.has(s)) R.kvArrived(s, now);
          };
          const release = (): void => {
            for (const s of held.splice(0)) if (!ended.has(s)) R.releaseHeld(s);
          };

          for (const op of ops) {
            switch (op.t) {
              case 'enqueue': {
                const segments: [number, number][] = op.shared > 0 ? [[0x5000 + op.shared, 32], [0x9000 + id, op.prompt]] : [[0x9000 + id, op.prompt]];
                const r = req({ id: id++, at: now, segments, output: op.output });
                const s = op.kind === 0 ? normal(r) : op.kind === 1 ? prefillLeg(r) : decodeLeg(r);
                if (R.rejectionReason(s) !== '') break;
                R.enqueue(s, now);
                all.push(s);
                break;
              }
              case 'step':
                step();
                break;
              case 'abort': {
                // Mostly a sequence the replica holds; one pick in four from all (finished ones too).
                const ls = live();
                const from = op.pick % 4 === 0 || ls.length === 0 ? all : ls;
                if (from.length === 0) break;
                const s = from[(op.pick >> 2) % from.length]!;
                const holds = ls.includes(s);
                expect(R.abort(s, now)).toBe(holds);
                if (holds) ended.set(s, (ended.get(s) ?? 0) + 1);
                break;
              }
              case 'crash': {
                const expected = live();
                const out = R.crash(now);
                expect(new Set(out)).toEqual(new Set(expected));
                expect(out).toHaveLength(expected.length);
                for (const s of out) ended.set(s, (ended.get(s) ?? 0) + 1);
                expect(R.kv.usedBlocks).toBe(0);
                expect(R.kv.cachedBlocks).toBe(0);
                break;
              }
              case 'arrive':
                arrive();
                break;
              case 'release':
                release();
                break;
            }
            check();
          }

          // Finish: deliver pulls, release held legs and run until nothing is left.
          for (let guard = 0; guard < 10_000 && (pending !== null || R.inFlight > 0); guard++) {
            arrive();
            release();
            step();
            check();
          }
          expect(pending).toBeNull();
          expect(R.inFlight).toBe(0);
          expect(R.kv.usedBlocks).toBe(0);
          for (const s of all) {
            const f = finished.get(s) ?? 0;
            const e = ended.get(s) ?? 0;
            expect(f).toBeLessThanOrEqual(1);
            expect(e).toBeLessThanOrEqual(1);
            // Exactly one end, except a prefill leg aborted or lost while holding its KV after finishing.
            if (f === 1 && e === 1) expect(s.prefillLeg).toBe(true);
            else expect(f + e).toBe(1);
            if (f === 1 && e === 0) expect(s.rec.outcome).toBe('completed');
          }
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});
