/**
 * P/D disaggregation in the engine (gateway.md §4.2–4.4): a prefill leg holds its KV after its
 * 1-token completion until released; a remote-KV decode leg is admitted with blocks for its whole
 * prompt into `pulling`, waits for its KV and then runs its last prompt token in the next step.
 *
 * Replicas are built directly with the linear step time β0 = 1000 µs, β1 = 10 µs per prefill
 * token, β2 = 100 µs per decode token and no α overheads, so step times are derived by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Replica } from '../sim/engine/replica.js';
import { Sequence } from '../sim/engine/sequence.js';
import { getModel } from '../sim/hardware/catalog.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import type { ItlCounts } from '../sim/metrics/types.js';
import type { SimRequest } from '../sim/workload/request.js';
import { kvTransferBytesPerGpu } from '../sim/pd/kvBytes.js';
import { KvLinks } from '../sim/pd/links.js';
import { req } from './helpers.js';
import { linearReplica, type EngineOpts } from './engineFixtures.js';

const replica = (name: string, o: EngineOpts = {}): Replica => linearReplica(name, o, 1500);

const bsOf = (r: Replica): number => r.kv.blockSize;
const prefillLeg = (r: SimRequest, on: Replica): Sequence => {
  const copy = { ...r, outputTokens: 1 };
  return new Sequence(copy, newRequestRecord(copy), bsOf(on), { prefillLeg: true });
};
const decodeLeg = (r: SimRequest, on: Replica): Sequence => new Sequence(r, newRequestRecord(r), bsOf(on), { remoteKv: true });
const normal = (r: SimRequest, on: Replica): Sequence => new Sequence(r, newRequestRecord(r), bsOf(on));

/** Run `r`'s steps back to back from `now` until it has nothing to schedule; returns the end time. */
function drain(r: Replica, now: number, itl: ItlCounts = new Map()): number {
  for (;;) {
    const end = r.beginStep(now);
    if (end < 0) return now;
    r.endStep(end, itl);
    now = end;
  }
}

const C = 0x1234_5678;

describe('P/D golden: one 1,024-token prompt, Llama-3.1-8B TP1, bs 16, idle pods', () => {
  it('prefills, holds, transfers, pulls, decodes, releases', () => {
    const P = replica('prefill');
    const D = replica('decode');
    const r = req({ id: 1, at: 0, segments: [[C, 1024]], output: 4 });
    const itl: ItlCounts = new Map();

    // Prefill leg: one step of 1,024 tokens = 1000 + 10·1024 = 11,240 µs; its single token ends it.
    const p = prefillLeg(r, P);
    expect(P.rejectionReason(p)).toBe('');
    P.enqueue(p, 0);
    expect(P.beginStep(0)).toBe(11_240);
    expect(P.endStep(11_240, itl)).toEqual([p]);
    expect(p.rec.firstTokenUs).toBe(11_240);
    expect(P.hasWork).toBe(false);
    // Its 1024 / 16 = 64 blocks are held, counted as used (64 / 200 = 0.32 usage).
    expect(P.kv.usedBlocks).toBe(64);
    expect(P.heldBlocks).toBe(64);
    expect(P.snapshot(11_240).kvCacheUsagePercent).toBeCloseTo(0.32, 12);

    // Decode leg: admission allocates blocks for the whole prompt, no step, pull of 64 whole blocks.
    const d = decodeLeg(r, D);
    D.enqueue(d, 11_240);
    expect(D.beginStep(11_240)).toBe(-1);
    expect(D.takePulls()).toEqual([d]);
    expect(D.takePulls()).toEqual([]);
    expect(d.pullTokens).toBe(1024);
    expect(d.rec.scheduledUs).toBe(11_240);
    expect(d.rec.cachedTokens).toBe(0);
    expect(D.kv.usedBlocks).toBe(64);
    expect(D.pullingCount).toBe(1);
    expect(D.hasWork).toBe(false); // nothing to schedule until the KV arrives: no empty steps
    const snap = D.snapshot(11_240);
    expect(snap.waitingQueueSize).toBe(1); // WAITING_FOR_REMOTE_KVS counts as waiting
    expect(snap.runningRequestsSize).toBe(0);
    expect(snap.kvCacheUsagePercent).toBeCloseTo(0.32, 12);

    // Transfer: 1024 tokens · 131,072 B = 134,217,728 B at 50,000 B/µs = 2,684.35 µs → 2,685, + 50 µs latency.
    const bytes = kvTransferBytesPerGpu(getModel('Llama-3.1-8B'), d.pullTokens, 1, 1);
    expect(bytes).toBe(134_217_728);
    const links = new KvLinks<Sequence>(50_000, 50);
    links.start(0, bytes, d, 11_240);
    const ready = links.nextDoneUs();
    expect(ready).toBe(11_240 + 2_685 + 50);
    expect(links.takeDone(ready)).toEqual([d]);

    // KV present: all but the last prompt token computed; the next step computes 1 token.
    D.kvArrived(d, ready);
    expect(d.numComputed).toBe(1023);
    expect(d.rec.kvReadyUs).toBe(ready);
    expect(D.hasWork).toBe(true);
    P.releaseHeld(p);
    expect(P.kv.usedBlocks).toBe(0);
    expect(P.heldBlocks).toBe(0);

    // First decode step: 1000 + 10·1 = 1,010 µs → first token at 13,975 + 1,010 = 14,985.
    const end = D.beginStep(ready);
    expect(end).toBe(ready + 1010);
    D.endStep(end, itl);
    expect(d.rec.firstTokenUs).toBe(14_985);
    // Three decode steps of 1000 + 100 = 1,100 µs: last token at 14,985 + 3,300 = 18,285.
    expect(drain(D, end, itl)).toBe(18_285);
    expect(d.rec.lastTokenUs).toBe(18_285);
    expect(d.rec.outcome).toBe('completed');
    expect(D.kv.usedBlocks).toBe(0);

    // The released blocks stay cached on the prefill pod: the same 1,024 tokens + 16 new hit 64 blocks;
    // 16 tokens computed: 1000 + 10·16 = 1,160 µs.
    const again = normal(req({ id: 2, at: 0, segments: [[C, 1024], [0x99, 16]], output: 1 }), P);
    P.enqueue(again, 20_000);
    expect(P.beginStep(20_000)).toBe(21_160);
    expect(again.rec.cachedTokens).toBe(1024);
    // And on the decode pod, where the pulled blocks were cached at kvArrived / the first step.
    const onD = normal(req({ id: 3, at: 0, segments: [[C, 1024], [0x98, 16]], output: 1 }), D);
    D.enqueue(onD, 20_000);
    D.beginStep(20_000);
    expect(onD.rec.cachedTokens).toBe(1024);
  });
});

describe('decode-leg admission', () => {
  it('pulls only the blocks the decode pod lacks, rounded up to whole blocks', () => {
    const D = replica('decode');
    // Warm D with 512 tokens of the prefix (aggregated request): 32 blocks cached.
    D.enqueue(normal(req({ id: 0, at: 0, segments: [[C, 512], [0x55, 8]], output: 1 }), D), 0);
    drain(D, 0);
    // Prompt 1,000 tokens = ceil(1000/16) = 63 blocks; 32 hit → 31 new blocks = 496 tokens to pull
    // (the uncached 1000 − 512 = 488 tokens rounded up to whole blocks).
    const d = decodeLeg(req({ id: 1, at: 0, segments: [[C, 512], [0x66, 488]], output: 2 }), D);
    D.enqueue(d, 10_000);
    expect(D.beginStep(10_000)).toBe(-1);
    expect(D.takePulls()).toEqual([d]);
    expect(d.pullTokens).toBe(496);
    expect(d.rec.cachedTokens).toBe(512);
    expect(d.numComputed).toBe(512);
    expect(D.kv.usedBlocks).toBe(63);
    D.kvArrived(d, 11_000);
    // 999 computed: 1 token in the next step (1000 + 10 = 1,010), then one decode (1,100).
    expect(D.beginStep(11_000)).toBe(12_010);
    D.endStep(12_010, new Map());
    expect(drain(D, 12_010)).toBe(13_110);
    expect(D.kv.usedBlocks).toBe(0);
  });

  it('counts pulling legs against max_num_seqs and waits for free blocks for the whole prompt', () => {
    const D = replica('decode', { maxSeqs: 1, blocks: 100 });
    const d = decodeLeg(req({ id: 1, at: 0, prompt: 800, output: 2 }), D); // 50 blocks
    const n = normal(req({ id: 2, at: 0, prompt: 16, output: 1 }), D);
    D.enqueue(d, 0);
    D.enqueue(n, 0);
    // d admitted for a pull; n waits (running 0 + pulling 1 = max_num_seqs 1): no step at all.
    expect(D.beginStep(0)).toBe(-1);
    expect(D.takePulls()).toEqual([d]);
    expect(D.hasWork).toBe(true);
    expect(D.snapshot(0).waitingQueueSize).toBe(2);
    D.kvArrived(d, 500);
    // Only d runs (running 1 = max): 1 token, 1,010 µs.
    expect(D.beginStep(500)).toBe(1510);
    D.endStep(1510, new Map());
    expect(n.rec.scheduledUs).toBe(-1);

    // Not enough free blocks: a 51-block decode leg behind a 50-block one on a 100-block pod.
    const E = replica('e', { blocks: 100 });
    const a = decodeLeg(req({ id: 3, at: 0, prompt: 800, output: 1 }), E);
    const b = decodeLeg(req({ id: 4, at: 0, prompt: 801, output: 1 }), E);
    E.enqueue(a, 0);
    E.enqueue(b, 0);
    expect(E.beginStep(0)).toBe(-1);
    expect(E.takePulls()).toEqual([a]);
    expect(E.kv.usedBlocks).toBe(50);
    E.kvArrived(a, 100);
    expect(E.beginStep(100)).toBe(1110); // a's last prompt token: 1000 + 10
    E.endStep(1110, new Map());
    // a finished (1 output token) and freed its 50 blocks: b fits now (51 blocks).
    expect(E.beginStep(1110)).toBe(-1);
    expect(E.takePulls()).toEqual([b]);
    expect(b.pullTokens).toBe(816);
  });

  it('rejects misuse: kvArrived for a sequence not pulling, releaseHeld twice', () => {
    const P = replica('p');
    const p = prefillLeg(req({ id: 1, at: 0, prompt: 40, output: 5 }), P);
    expect(() => P.releaseHeld(p)).toThrow(/holds no/);
    P.enqueue(p, 0);
    drain(P, 0);
    expect(P.heldBlocks).toBe(3);
    P.releaseHeld(p);
    expect(() => P.releaseHeld(p)).toThrow(/holds no/);
    expect(() => P.kvArrived(normal(req({ id: 2, at: 0, prompt: 16, output: 1 }), P), 0)).toThrow(/not waiting/);
    expect(P.kv.checkInvariants()).toBeNull();
  });
});

/** A random mix of aggregated and disaggregated requests over a few replicas, driven to completion. */
interface MixReq {
  gap: number;
  pd: boolean;
  a: number; // aggregated / prefill replica
  b: number; // decode replica (may equal a)
  prefix: number; // shared prefix id (0..2), tokens prefixLen
  prefixLen: number;
  tail: number;
  output: number;
  kvDelay: number;
  releaseDelay: number;
}

const mixArb = fc.record({
  gap: fc.integer({ min: 0, max: 3000 }),
  pd: fc.boolean(),
  a: fc.integer({ min: 0, max: 2 }),
  b: fc.integer({ min: 0, max: 2 }),
  prefix: fc.integer({ min: 0, max: 2 }),
  prefixLen: fc.integer({ min: 0, max: 96 }),
  tail: fc.integer({ min: 1, max: 120 }),
  output: fc.integer({ min: 1, max: 12 }),
  kvDelay: fc.integer({ min: 0, max: 4000 }),
  releaseDelay: fc.integer({ min: 0, max: 4000 }),
});

type Ev =
  | { t: number; k: 'arrive'; r: number; seq: Sequence; mix: MixReq }
  | { t: number; k: 'step'; r: number }
  | { t: number; k: 'kv'; r: number; seq: Sequence; prefill: { r: number; seq: Sequence } | null }
  | { t: number; k: 'release'; r: number; seq: Sequence };

/**
 * Held prefill KV is freed at the decoder's read or at lease expiry (vLLM kv_lease_duration,
 * gateway.md §4.3 / §4.7 "stranded memory"). Without expiry, held blocks can starve the request
 * that would release them (e.g. a long prompt thrashing in preemption ahead of the decode leg on
 * the pod holding them), so the driver models it, shortened to 30 ms.
 */
const LEASE_US = 30_000;

describe('engine property: P/D mixes', () => {
  it('finish every sequence exactly once and leak no block', () => {
    const seen = { pulls: 0, localHits: 0, decodePreempted: 0, leaseFreed: 0 };
    fc.assert(
      fc.property(
        fc.array(mixArb, { minLength: 1, maxLength: 30 }),
        fc.record({
          blocks: fc.integer({ min: 20, max: 120 }),
          bs: fc.constantFrom(8, 16),
          maxSeqs: fc.integer({ min: 1, max: 6 }),
          budget: fc.integer({ min: 16, max: 256 }),
          threshold: fc.constantFrom(0, 0, 24),
          caching: fc.boolean(),
        }),
        (mixes, o) => {
          const reps = [replica('r0', o), replica('r1', o), replica('r2', o)];
          const events: Ev[] = [];
          let order = 0;
          const evOrder = new Map<Ev, number>();
          const push = (e: Ev): void => {
            evOrder.set(e, order++);
            events.push(e);
          };
          const finished = new Map<Sequence, number>();
          const expected = new Set<Sequence>();
          /** Decode leg → its prefill leg, and prefill leg → its mix entry. */
          const legOf = new Map<Sequence, MixReq>();
          const decodeOf = new Map<Sequence, { r: number; seq: Sequence } | null>();
          let t = 0;
          mixes.forEach((m, id) => {
            t += m.gap;
            const segments: [number, number][] = m.prefixLen > 0 ? [[0xc0de + m.prefix, m.prefixLen], [0xf00 + id, m.tail]] : [[0xf00 + id, m.tail]];
            const r = req({ id, at: t, segments, output: m.output });
            const on = reps[m.a]!;
            const seq = m.pd ? prefillLeg(r, on) : normal(r, on);
            if (m.pd) legOf.set(seq, m);
            push({ t, k: 'arrive', r: m.a, seq, mix: m });
          });
          const busy = [false, false, false];
          const kick = (i: number, now: number): void => {
            const R = reps[i]!;
            if (!busy[i] && R.hasWork) {
              const end = R.beginStep(now);
              if (end >= 0) {
                busy[i] = true;
                push({ t: end, k: 'step', r: i });
              }
            }
            for (const s of R.takePulls()) {
              seen.pulls++;
              if (s.rec.cachedTokens > 0) seen.localHits++;
              expect(s.pullTokens % o.bs).toBe(0);
              expect(s.pullTokens).toBeGreaterThanOrEqual(s.req.inputTokens - s.rec.cachedTokens);
              push({ t: now + (legOf.get(s)?.kvDelay ?? 0), k: 'kv', r: i, seq: s, prefill: decodeOf.get(s) ?? null });
            }
          };
          let guard = 0;
          while (events.length > 0) {
            expect(++guard).toBeLessThan(100_000);
            let best = 0;
            for (let j = 1; j < events.length; j++) {
              const x = events[j]!;
              const y = events[best]!;
              if (x.t < y.t || (x.t === y.t && evOrder.get(x)! < evOrder.get(y)!)) best = j;
            }
            const e = events.splice(best, 1)[0]!;
            const now = e.t;
            const R = reps[e.r]!;
            if (e.k === 'arrive') {
              if (R.rejectionReason(e.seq) !== '') continue;
              expected.add(e.seq);
              R.enqueue(e.seq, now);
            } else if (e.k === 'step') {
              busy[e.r] = false;
              for (const s of R.endStep(now, new Map())) {
                finished.set(s, (finished.get(s) ?? 0) + 1);
                const m = legOf.get(s);
                if (s.prefillLeg && m !== undefined) {
                  push({ t: now + LEASE_US, k: 'release', r: e.r, seq: s });
                  // Prefill done: the decode leg goes to replica b; if it cannot ever fit there, release now.
                  const D = reps[m.b]!;
                  const full = { ...s.req, outputTokens: m.output };
                  const d = decodeLeg(full, D);
                  if (D.rejectionReason(d) !== '') continue; // freed at lease expiry
                  legOf.set(d, m);
                  decodeOf.set(d, { r: e.r, seq: s });
                  expected.add(d);
                  D.enqueue(d, now);
                  kick(m.b, now);
                }
              }
              for (const R2 of reps) expect(R2.kv.checkInvariants()).toBeNull();
            } else if (e.k === 'kv') {
              R.kvArrived(e.seq, now);
              expect(e.seq.numComputed).toBe(e.seq.req.inputTokens - 1);
              if (e.prefill !== null) push({ t: now + legOf.get(e.seq)!.releaseDelay, k: 'release', r: e.prefill.r, seq: e.prefill.seq });
            } else if (e.seq.holdsKv) {
              if (e.seq.rec.lastTokenUs + LEASE_US === now) seen.leaseFreed++;
              R.releaseHeld(e.seq); // the decoder's read or the lease, whichever comes first
            }
            for (let i = 0; i < reps.length; i++) kick(i, now);
          }
          for (const s of expected) {
            expect(finished.get(s)).toBe(1);
            if (decodeOf.has(s) && s.rec.preemptions > 0) seen.decodePreempted++;
          }
          expect(finished.size).toBe(expected.size);
          for (const R of reps) {
            expect(R.kv.usedBlocks).toBe(0);
            expect(R.heldBlocks).toBe(0);
            expect(R.pullingCount).toBe(0);
            expect(R.hasWork).toBe(false);
            expect(R.kv.checkInvariants()).toBeNull();
          }
        },
      ),
      { numRuns: 150 },
    );
    // The runs exercised pulls, decode-pod prefix hits, decode legs preempted after their KV
    // arrived (recomputed locally) and lease expiry.
    expect(seen.pulls).toBeGreaterThan(100);
    expect(seen.localHits).toBeGreaterThan(0);
    expect(seen.decodePreempted).toBeGreaterThan(0);
    expect(seen.leaseFreed).toBeGreaterThan(0);
  });
});
