/**
 * Disaggregated requests in flight (gateway.md §4.2–4.6, serial path of llm-d's decode sidecar):
 * 1. the prefill leg — the prompt with its token limit forced to 1, not streamed — runs on the
 *    prefill pod (prefix caching applies there) and keeps its KV blocks after it finishes;
 * 2. its response returns to the decode pod's sidecar, which sends the original request to the local
 *    vLLM with the KV handles; that vLLM admits it when blocks for the whole prompt are free (its own
 *    prefix hits count as computed) and pulls the rest, whole blocks, over the pool's KV link
 *    (sim/pd/links.ts: concurrent pulls on one link share its bandwidth);
 * 3. when the KV is present the prefill pod frees its blocks (they stay in its prefix cache), and the
 *    decode pod's next step recomputes the last prompt token and emits token 1.
 * The request's record gets each part's time (RequestRecord P/D fields).
 */
import type { PoolConfig } from '../scenario/types.js';
import type { RequestRecord } from '../metrics/types.js';
import type { SimRequest } from '../workload/request.js';
import type { BuiltFleet } from '../fleet/fleet.js';
import { Sequence } from '../engine/sequence.js';
import { newRequestRecord } from '../metrics/records.js';
import { getModel } from '../hardware/catalog.js';
import type { ModelSpec } from '../hardware/types.js';
import { kvTransferBytesPerGpu } from './kvBytes.js';
import { KvLinks } from './links.js';

/** vLLM NixlConnector's kv_lease_duration default: a prefill leg's KV is held this long for the decoder's pull (gateway.md §4.3). */
export const KV_LEASE_US = 30_000_000;

/** A finished prefill leg whose decoder will never pull: its blocks, on replica `prefill`, are freed at lease expiry. */
export interface Stranded {
  readonly prefill: number;
  readonly leg: Sequence;
}

/** One disaggregated request. */
export interface PdLeg {
  /** The request as served (after any model rewrite). */
  readonly req: SimRequest;
  /** Its record (the client's view); the prefill leg has a scratch record of its own. */
  readonly rec: RequestRecord;
  readonly prefill: number;
  /** The prefill leg's sequence (holds its KV blocks until the pull is done). */
  readonly leg: Sequence;
  /** The decode leg, once the prefill returned. */
  decode: Sequence | null;
  pullStartUs: number;
  readonly blockSize: number;
  /** Given up on (timeout, failure): a pull still in flight lands nowhere. */
  cancelled: boolean;
}

export class PdRuns {
  private readonly legs = new Map<Sequence, PdLeg>();
  private readonly decodes = new Map<Sequence, PdLeg>();
  private readonly links: (KvLinks<PdLeg> | null)[];
  private readonly models: ModelSpec[];

  constructor(
    private readonly pools: readonly PoolConfig[],
    private readonly fleet: BuiltFleet,
  ) {
    this.links = pools.map((p) => new KvLinks<PdLeg>(p.kv_transfer.bandwidth_gbps * 1000, p.kv_transfer.latency_us));
    this.models = pools.map((p) => getModel(p.model));
  }

  /** The prefill leg of `served` on replica `prefill` (the caller enqueues it). */
  begin(served: SimRequest, rec: RequestRecord, prefill: number, blockSize: number): Sequence {
    const legReq: SimRequest = { ...served, outputTokens: 1 };
    const leg = new Sequence(legReq, newRequestRecord(legReq), blockSize, { prefillLeg: true });
    leg.rec.replica = prefill;
    this.legs.set(leg, { req: served, rec, prefill, leg, decode: null, pullStartUs: -1, blockSize, cancelled: false });
    return leg;
  }

  /** The disaggregated request a prefill-leg sequence belongs to, or null for any other sequence. */
  legOf(seq: Sequence): PdLeg | null {
    return this.legs.size === 0 ? null : (this.legs.get(seq) ?? null);
  }

  /** The decode leg of the request whose current sequence is `seq` (a prefill leg), or null. */
  decodeOf(seq: Sequence | null): Sequence | null {
    if (seq === null) return null;
    return this.legs.get(seq)?.decode ?? null;
  }

  /**
   * The request of `seq` (its prefill leg or its decode leg) is given up on: the caller aborts `seq`
   * on its replica; this frees the rest — the decode leg on the decode pod, the blocks the prefill
   * leg still holds — and makes a pull in flight land nowhere.
   */
  cancel(seq: Sequence, now: number): void {
    const l = this.legs.get(seq) ?? this.decodes.get(seq);
    if (l === undefined) return;
    l.cancelled = true;
    this.legs.delete(l.leg);
    if (l.decode !== null) {
      this.decodes.delete(l.decode);
      if (l.decode !== seq) this.fleet.replicas[l.rec.replica]!.abort(l.decode, now);
    }
    if (l.leg !== seq) this.fleet.replicas[l.prefill]!.abort(l.leg, now);
  }

  /**
   * The decode pod refused decode leg `seq` (it can never run there): the request ends, and the KV
   * its prefill leg holds for a pull that will never come is stranded until the lease expires
   * (gateway.md §4.7). Returns what to free then, or null when `seq` is not a decode leg.
   */
  strand(seq: Sequence): Stranded | null {
    const l = this.decodes.get(seq);
    if (l === undefined) return null;
    l.cancelled = true;
    this.decodes.delete(seq);
    this.legs.delete(l.leg);
    return { prefill: l.prefill, leg: l.leg };
  }

  /** The prefill pod refused the leg (never ran; holds nothing). */
  abandon(legSeq: Sequence): void {
    this.legs.delete(legSeq);
  }

  /** The prefill leg's response reached the sidecar at `now`: the decode leg to enqueue. */
  prefilled(legSeq: Sequence, now: number): Sequence {
    const l = this.legs.get(legSeq)!;
    const lr = legSeq.rec;
    l.rec.prefillQueueUs = lr.scheduledUs - lr.enqueueUs;
    l.rec.prefillComputeUs = now - lr.scheduledUs;
    l.rec.preemptions += lr.preemptions;
    const decode = new Sequence(l.req, l.rec, l.blockSize, { remoteKv: true });
    l.decode = decode;
    this.decodes.set(decode, l);
    return decode;
  }

  /** Start the pulls replica `d` admitted in its last schedule (Replica.takePulls, not empty); returns its pool. */
  startPulls(pulls: readonly Sequence[], d: number, now: number): number {
    const p = this.fleet.info[d]!.pool;
    const links = this.links[p]!;
    const shared = this.pools[p]!.kv_transfer.shared_by;
    for (const seq of pulls) {
      const l = this.decodes.get(seq)!;
      const bytes = kvTransferBytesPerGpu(this.models[p]!, seq.pullTokens, this.fleet.info[l.prefill]!.group.tp, this.fleet.info[d]!.group.tp);
      l.rec.decodeQueueUs = now - l.rec.enqueueUs;
      l.rec.kvTransferBytes = bytes;
      l.pullStartUs = now;
      links.start(shared === 'prefill' ? l.prefill : shared === 'decode' ? d : 0, bytes, l, now);
    }
    return p;
  }

  /** When pool `p`'s next pull completes (Infinity: none in flight). */
  nextDoneUs(p: number): number {
    return this.links[p]!.nextDoneUs();
  }

  /**
   * Pulls of pool `p` done by `now`: KV lands on the decode pods, prefill pods free theirs. Returns
   * the replicas to kick: each decode pod (its request runs next) and each prefill pod (freed blocks
   * may admit prompts waiting there).
   */
  takeArrived(p: number, now: number): number[] {
    const out: number[] = [];
    for (const l of this.links[p]!.takeDone(now)) {
      if (l.cancelled) continue;
      const decode = l.decode!;
      const d = l.rec.replica;
      this.fleet.replicas[d]!.kvArrived(decode, now);
      this.fleet.replicas[l.prefill]!.releaseHeld(l.leg);
      l.rec.kvTransferUs = now - l.pullStartUs;
      l.rec.kvReadyUs = now;
      this.legs.delete(l.leg);
      this.decodes.delete(decode);
      out.push(d, l.prefill);
    }
    return out;
  }
}
