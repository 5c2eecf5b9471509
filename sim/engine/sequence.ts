/**
 * A request's engine-side state on one replica (true state; routers never see this).
 * P/D legs (gateway.md §4.2–4.3): a prefill leg keeps its KV blocks after its 1-token completion
 * until `Replica.releaseHeld`; a remote-KV (decode) leg is admitted for a KV pull instead of a prefill.
 */
import type { SimRequest } from '../workload/request.js';
import type { RequestRecord } from '../metrics/types.js';
import { BlockHasher } from './blockHasher.js';
import { firstUniqueBlock, keyable, uniqueKey } from './uniqueKeys.js';

/** P/D role of a sequence; both false (the default) = an aggregated request. */
export interface SequenceOptions {
  /** Prefill leg of a disaggregated request (the caller passes a copy with outputTokens = 1). */
  readonly prefillLeg?: boolean;
  /** Decode leg: its prompt KV is pulled from the prefill pod instead of computed here. */
  readonly remoteKv?: boolean;
}

/** No remembered prefix hits (shared: memos are replaced, never changed in place). */
export const NO_HITS: readonly number[] = Object.freeze([]);

export class Sequence {
  /** Tokens whose KV has been computed (prompt, then generated tokens fed back). */
  numComputed = 0;
  /** Output tokens emitted so far. */
  outputDone = 0;
  /** KV blocks held, in sequence order. */
  blocks: number[] = [];
  /**
   * While waiting: the cached leading blocks the scheduler found at its last look (scheduler.ts
   * lookupPrefix), so the next step re-checks them by block instead of probing every hash again.
   */
  prefixHits: readonly number[] = NO_HITS;
  /** Leading blocks already registered in the prefix cache under their hash. */
  registeredBlocks = 0;
  /** Engine time of the last emitted token, µs (-1 before the first). */
  lastTokenUs = -1;
  /**
   * Its block hashes, made on first use: a request whose blocks all have unique keys (uniqueKeys.ts)
   * never hashes, and a hasher per request was ≈ 100 B that lived as long as it (issue 15).
   */
  private hasher: BlockHasher | null = null;
  private readonly blockSize: number;
  /** First block whose content only this request has (uniqueKeys.ts); Infinity when none. */
  readonly uniqueFrom: number;
  /** Prefill leg: on finishing, its blocks are held (vLLM kv_lease) until released by the caller. */
  readonly prefillLeg: boolean;
  /** Decode leg whose prompt KV is still remote; cleared when it arrives (a later preemption recomputes locally). */
  remoteKv: boolean;
  /** Decode leg: prompt tokens to pull, whole blocks (set at admission), 0 otherwise. */
  pullTokens = 0;
  /**
   * Async scheduling (calibration.md §1.2, §6.4): the end of the step that was executing when this
   * request was enqueued; the batch scheduled at that instant was already built, so it may only join
   * one scheduled after it. -1 = no hold (sync engine, idle engine, or set before enqueue).
   */
  joinAfterUs = -1;
  /**
   * Decode cohort (decodeCohort.ts): the scheduler's completed-step count when this sequence joined,
   * −1 when it is not a member. While a member, numComputed, outputDone and lastTokenUs are stale:
   * the scheduler settles them before anything reads them.
   */
  cohortFrom = -1;
  /** numComputed and outputDone when it joined. */
  cohortComputed = 0;
  cohortDone = 0;
  /** The completed-step count at which its next step is an event step (allocation, a block fills, its last token). */
  cohortEventStep = 0;
  /** Its context in the step after completed-step count s is cohortCtxBase + s. */
  cohortCtxBase = 0;
  /** The completed-step count at which a member computes its last token, and whether a block filling registers. */
  cohortLastStep = 0;
  cohortFills = false;
  /**
   * In the cohort's allocation class (cohortSet.ts): the completed-step count of its next allocation
   * whose block it has not been handed yet (then every block size steps on); −1 when not in it.
   */
  cohortClassFrom = -1;
  /** The membership its cohort heap entries belong to (cohortSet.ts); 0 when not a member. */
  cohortToken = 0;
  /** Order of joining the replica's running set (its position there relative to others). */
  runRank = 0;

  constructor(
    readonly req: SimRequest,
    readonly rec: RequestRecord,
    blockSize: number,
    opts?: SequenceOptions,
  ) {
    this.blockSize = blockSize;
    this.uniqueFrom = firstUniqueBlock(req, blockSize);
    this.prefillLeg = opts?.prefillLeg === true;
    this.remoteKv = opts?.remoteKv === true;
    if (this.prefillLeg && this.remoteKv) throw new Error('a sequence cannot be both a prefill leg and a remote-KV decode leg');
  }

  /**
   * The prefix-cache key of block `i`: its chained hash, or — when `unique` (the replica allows it)
   * and the block holds content only this request has — its unique key (uniqueKeys.ts).
   */
  keyAt(i: number, unique: boolean): number {
    if (unique && i >= this.uniqueFrom && keyable(this.req.id, i)) return uniqueKey(this.req.id, i);
    const req = this.req;
    return (this.hasher ??= new BlockHasher(req.segments, req.outputContent, req.outputTokens, this.blockSize, req.adapter)).hashAt(i);
  }

  /** A finished prefill leg still holding its KV blocks (until `Replica.releaseHeld`). */
  get holdsKv(): boolean {
    return this.prefillLeg && this.outputDone === this.req.outputTokens && this.blocks.length > 0;
  }

  /** Tokens that exist so far: the prompt plus emitted output. The next token comes when all are computed. */
  get knownTokens(): number {
    return this.req.inputTokens + this.outputDone;
  }

  /** Drop computed state (recompute preemption); emitted output is kept and will be recomputed. */
  resetForRecompute(): void {
    this.numComputed = 0;
    this.blocks = [];
    this.registeredBlocks = 0;
  }
}

/**
 * Tokens `seq` computes if scheduled now, before the step's budget: what is left of its known
 * tokens, at most `threshold` when that is > 0 (long_prefill_token_threshold). ≤ 0: nothing.
 */
export function chunkTokens(seq: Sequence, threshold: number): number {
  const n = seq.knownTokens - seq.numComputed;
  return threshold > 0 && n > threshold ? threshold : n;
}

/** KV blocks `seq` lacks to hold numComputed + n tokens at `bs` tokens a block (≤ 0: none). */
export function blocksShort(seq: Sequence, n: number, bs: number): number {
  return Math.ceil((seq.numComputed + n) / bs) - seq.blocks.length;
}
