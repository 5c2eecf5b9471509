/**
 * Blocks only one request has (sim/engine/uniqueKeys.ts, issue 15): the engine keeps them out of
 * the hash index while their sequence holds them and names them by (request id, block index)
 * afterwards. The property: a replica doing that behaves exactly like one that hashes and indexes
 * every full block at once — same batches, step times, tokens, prefix hits, preemptions and free
 * blocks after every step — under KV pressure (recompute preemption), aborts followed by a retry
 * on the same replica, and P/D prefill and decode legs of one request on the same replica. The
 * reference replica publishes KV events, which turns unique keys off (events carry real hashes).
 *
 * Replicas use the linear step time of test/engineFixtures.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Replica } from '../sim/engine/replica.js';
import { Sequence } from '../sim/engine/sequence.js';
import { firstUniqueBlock, uniqueKey } from '../sim/engine/uniqueKeys.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import { uniqueContentOf } from '../sim/workload/prompts.js';
import type { SimRequest } from '../sim/workload/request.js';
import { hashInts } from '../sim/core/hash.js';
import { linearReplica } from './engineFixtures.js';

const BS = 16;

/** A request with an optional shared system prompt followed by its own unique text. */
function request(id: number, system: number, systemTokens: number, uniqueTokens: number, output: number, adapter: string | null = null): SimRequest {
  const segments = [
    ...(systemTokens > 0 ? [{ content: hashInts(0x5151, system), tokens: systemTokens }] : []),
    ...(uniqueTokens > 0 ? [{ content: uniqueContentOf(id), tokens: uniqueTokens }] : []),
  ];
  return {
    id,
    arrivalUs: 0,
    segments,
    inputTokens: systemTokens + uniqueTokens,
    outputTokens: output,
    outputContent: hashInts(0xabc, id),
    adapter,
    adapterRank: adapter === null ? 0 : 8,
    priority: 0,
    group: -1,
    session: -1,
    turn: 0,
  };
}

describe('firstUniqueBlock', () => {
  it('is the block holding the first token of the request\'s own segment, Infinity without one', () => {
    // 40 system tokens then unique text: token 40 lies in block ⌊40/16⌋ = 2.
    expect(firstUniqueBlock(request(7, 1, 40, 30, 5), BS)).toBe(2);
    // 48 system tokens: the unique text starts block 3 exactly.
    expect(firstUniqueBlock(request(7, 1, 48, 30, 5), BS)).toBe(3);
    expect(firstUniqueBlock(request(7, 1, 0, 30, 5), BS)).toBe(0);
    // No unique segment (a shared prompt), or a unique segment of another id, or a LoRA request.
    expect(firstUniqueBlock(request(7, 1, 40, 0, 5), BS)).toBe(Infinity);
    expect(firstUniqueBlock({ ...request(7, 1, 40, 30, 5), id: 8 }, BS)).toBe(Infinity);
    expect(firstUniqueBlock(request(7, 1, 40, 30, 5, 'lora-a'), BS)).toBe(Infinity);
  });

  it('keys are negative below the no-hash sentinel and distinct per (request, block)', () => {
    expect(uniqueKey(0, 0)).toBe(-2);
    expect(uniqueKey(0, 1)).toBe(-3);
    expect(uniqueKey(1, 0)).toBe(-(2 + 2 ** 21));
    expect(new Set([uniqueKey(3, 5), uniqueKey(5, 3), uniqueKey(3, 6)]).size).toBe(3);
  });
});

interface Op {
  kind: 'arrive' | 'abort' | 'pd';
  system: number;
  systemTokens: number;
  uniqueTokens: number;
  output: number;
  /** Steps to run after the op. */
  steps: number;
  /** For abort: which live request (index into the live list, modulo its length). */
  pick: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('arrive', 'arrive', 'arrive', 'abort', 'pd'),
  system: fc.integer({ min: 0, max: 2 }),
  systemTokens: fc.constantFrom(0, 0, 16, 40, 64),
  uniqueTokens: fc.integer({ min: 1, max: 120 }),
  output: fc.integer({ min: 1, max: 40 }),
  steps: fc.integer({ min: 0, max: 6 }),
  pick: fc.nat(),
});

/** One replica's side of the lock-step run: what happened, step by step, as comparable numbers. */
class Side {
  readonly log: number[] = [];
  now = 0;
  private readonly live = new Map<number, Sequence>();
  /** P/D legs waiting to move on: prefill leg → its request. */
  private readonly legs = new Map<Sequence, SimRequest>();

  constructor(readonly r: Replica) {}

  arrive(req: SimRequest, pd: boolean): void {
    if (pd) {
      const leg = new Sequence({ ...req, outputTokens: 1 }, newRequestRecord({ ...req, outputTokens: 1 }), BS, { prefillLeg: true });
      this.legs.set(leg, req);
      this.r.enqueue(leg, this.now);
      return;
    }
    const seq = new Sequence(req, newRequestRecord(req), BS);
    this.live.set(req.id, seq);
    this.r.enqueue(seq, this.now);
  }

  /** Abort a live request and send it again (a retry on the same replica). */
  abortAndRetry(pick: number): void {
    const ids = [...this.live.keys()];
    if (ids.length === 0) return;
    const id = ids[pick % ids.length]!;
    const seq = this.live.get(id)!;
    this.log.push(this.r.abort(seq, this.now) ? 1 : 0);
    const retry = new Sequence(seq.req, newRequestRecord(seq.req), BS);
    this.live.set(id, retry);
    this.r.enqueue(retry, this.now);
  }

  step(): void {
    const end = this.r.beginStep(this.now);
    if (end < 0) return;
    this.log.push(end, this.r.kv.freeBlocks);
    const done = this.r.endStep(end, new Map());
    this.now = end;
    for (const s of done) {
      this.log.push(s.req.id, s.rec.cachedTokens, s.rec.preemptions, s.rec.firstTokenUs);
      const whole = this.legs.get(s);
      if (whole !== undefined) {
        // The decode leg comes to the same replica; its KV "arrives" once it is admitted.
        this.legs.delete(s);
        const decode = new Sequence(whole, newRequestRecord(whole), BS, { remoteKv: true });
        this.live.set(whole.id, decode);
        this.r.enqueue(decode, this.now);
        this.r.releaseHeld(s);
      } else {
        this.live.delete(s.req.id);
      }
    }
    for (const p of this.r.takePulls()) {
      this.log.push(p.req.id, p.pullTokens);
      this.r.kvArrived(p, this.now);
    }
    const st = this.r.finaliseStats();
    this.log.push(st.prefixHitTokens, st.prefixQueryTokens, st.preemptions);
  }
}

/** Runs `ops` on a replica with unique keys and on one hashing every block, in lock step; returns both logs. */
function lockStep(ops: readonly Op[], blocks: number, maxSeqs: number): { fast: Side; ref: Side } {
  const fast = new Side(linearReplica('fast', { blocks, maxSeqs, budget: 256 }, 0));
  const ref = new Side(linearReplica('ref', { blocks, maxSeqs, budget: 256 }, 0));
  ref.r.kv.events = { stored: [], removed: [] };
  let id = 0;
  for (const op of ops) {
    for (const side of [fast, ref]) {
      if (op.kind === 'abort') side.abortAndRetry(op.pick);
      else {
        const req = request(id, op.system, op.systemTokens, op.uniqueTokens, op.output);
        // Requests that can never fit are rejected at arrival in a real run; leave them out.
        if (side.r.rejectionReason(new Sequence(req, newRequestRecord(req), BS)) === '') side.arrive(req, op.kind === 'pd');
      }
      for (let k = 0; k < op.steps; k++) side.step();
    }
    if (op.kind !== 'abort') id++;
    expect(fast.r.kv.checkInvariants()).toBeNull();
  }
  for (let k = 0; k < 400; k++) {
    fast.step();
    ref.step();
  }
  ref.r.kv.events.stored.length = 0;
  return { fast, ref };
}

describe('unique keys change nothing', () => {
  it('a replica with them matches one hashing every block, step for step (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 12, max: 60 }), fc.integer({ min: 1, max: 6 }), (ops, blocks, maxSeqs) => {
        const { fast, ref } = lockStep(ops, blocks, maxSeqs);
        expect(fast.log).toEqual(ref.log);
        expect(fast.r.kv.checkInvariants()).toBeNull();
      }),
      { numRuns: Number(process.env.UNIQUE_RUNS ?? 400) },
    );
  });

  it('an earlier attempt\'s block still cached when a block fills keeps it unregistered, as with hashes (found by fast-check)', () => {
    // Request 0 is aborted after its 4th block filled (cached under its key, block 3); its retry
    // hits 3 blocks (its 55-token prompt allows ⌊54/16⌋ = 3) and fills block index 3 again while
    // block 3 still holds that key: the first holder keeps it, the new block stays unregistered.
    // Block 3 is evicted later, before the retry is preempted: registering at preemption would then
    // succeed and give the readmitted request one more hit than hashing every block does.
    const ops: Op[] = [
      { kind: 'arrive', system: 0, systemTokens: 16, uniqueTokens: 39, output: 11, steps: 3, pick: 0 },
      { kind: 'arrive', system: 1, systemTokens: 16, uniqueTokens: 117, output: 13, steps: 5, pick: 0 },
      { kind: 'abort', system: 0, systemTokens: 0, uniqueTokens: 1, output: 1, steps: 2, pick: 155765487 },
      { kind: 'abort', system: 0, systemTokens: 0, uniqueTokens: 1, output: 1, steps: 0, pick: 0 },
      { kind: 'arrive', system: 0, systemTokens: 0, uniqueTokens: 1, output: 1, steps: 0, pick: 0 },
    ];
    const { fast, ref } = lockStep(ops, 14, 2);
    expect(fast.log).toEqual(ref.log);
    // The readmitted request's hits: 224 prompt tokens served from cache in all (both replicas).
    expect(fast.r.finaliseStats().prefixHitTokens).toBe(ref.r.finaliseStats().prefixHitTokens);
  });

  it('a finished request leaves no entry: unique entries stay bounded by what preemption left cached', () => {
    const side = new Side(linearReplica('r', { blocks: 400, maxSeqs: 8 }, 0));
    for (let id = 0; id < 200; id++) {
      side.arrive(request(id, 0, 0, 100, 20), false);
      side.step();
    }
    for (let k = 0; k < 2000; k++) side.step();
    // 200 requests, never preempted (400 blocks ≥ 8 × ⌈120/16⌉ = 64): nothing was registered under a unique key.
    expect(side.r.finaliseStats().preemptions).toBe(0);
    expect(side.r.kv.uniqueRequests).toBe(0);
    expect(side.r.kv.checkInvariants()).toBeNull();
  });
});
