/**
 * A paged KV cache with automatic prefix caching, as vLLM's V1 block pool (engine.md §2).
 *
 * - Blocks are ref-counted. A block whose count drops to 0 keeps its hash and goes to the tail of
 *   the free queue, where a later request can still hit it; allocation pops the head, evicting the
 *   least recently freed block (and its hash).
 * - Free blocks without a hash are interchangeable: nothing can hit them, so which one the queue
 *   hands out changes nothing but the block's number. The queue keeps only where they stand (the
 *   count of them queued before each free hashed block, and after the last) and hands out the most
 *   recently freed of them (a stack, then the never-used ones in block order): the same hits,
 *   evictions and counts as one FIFO queue of every free block, while a replica's blocks in use stay
 *   few and close together instead of cycling through the whole pool (issue 15: with unique prompts
 *   no free block has a hash, and the FIFO queue's links were a cache miss per allocation and per
 *   release).
 * - The decode cohort's allocation class (cohort/cohortSet.ts) takes places at the head of the queue
 *   in bulk while no free block has a hash (`takeUnhashed`): they are in use from then on, and the
 *   member gets the blocks themselves when it next needs their numbers (`popTaken`).
 * - A sequence's blocks past its registered ones (release's `exclusiveFrom`) were allocated to it and
 *   never cached, so each has exactly its one reference: they go back to the stack without reading
 *   their `meta`, which a block in the stack keeps as it was in use (count 1, no flags), so handing
 *   it out again writes nothing either.
 * - Only full blocks are cached, under a chained integer hash computed by the caller.
 * - State is typed arrays and one Map from hash to block; nothing is copied per step.
 * - Blocks of content only one request has are cached under negative keys (uniqueKeys.ts) and found
 *   through that request's entry instead of the hash index: the same hits and evictions, cheaper.
 */
import { HashIndex } from './hashIndex.js';
import { UniqueBlocks } from './uniqueKeys.js';

const NIL = -1;
/** A block's four int32 in `meta`: free-queue links, reference count, flags. */
const PREV = 0;
const NEXT = 1;
const REF = 2;
const FLAGS = 3;
/** Block flags (meta[4b + FLAGS], bits 0–1). */
const QUEUED = 1;
const HASHED = 2;
/**
 * From bit RUN_SHIFT on, a free hashed block's FLAGS count the unhashed free blocks queued just
 * before it (its run).
 */
const RUN_SHIFT = 2;
const RUN_ONE = 1 << RUN_SHIFT;
const NO_HASH = -1;

export class KvCache {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly prefixCaching: boolean;

  /**
   * Per block, interleaved so that one cache line holds a block's queue links and counts (hashed
   * blocks leave the free queue from all over the pool, so separate arrays cost a cache miss each):
   * [4b + PREV], [4b + NEXT] (free-queue links of a free hashed block; free unhashed ones are in
   * `spare` or never used), [4b + REF] reference count, [4b + FLAGS]: QUEUED while in the free queue,
   * HASHED while it holds a hash (so allocating an unhashed block, the common case with unique
   * prompts, never reads `hashOf`), and a free hashed block's run (RUN_SHIFT).
   */
  private readonly meta: Int32Array;
  private readonly hashOf: Float64Array;
  /** First and last free hashed block (the hashed part of the free queue, in queue order). */
  private head = NIL;
  private tail = NIL;
  /** Free blocks, hashed or not. */
  private free = 0;
  /** Unhashed free blocks that were used, the most recently freed last (spare[0 … spares − 1]). */
  private spare = new Int32Array(256);
  private spares = 0;
  /** Blocks from this one on were never handed out (unhashed and free: after the stack's). */
  private fresh = 0;
  /** Unhashed free blocks queued after the last free hashed one. */
  private tailRun = 0;
  /** Blocks taken in bulk (`takeUnhashed`) and not handed out yet: in use, still in the stack. */
  private taken = 0;
  private readonly cached: HashIndex;
  private readonly uniques = new UniqueBlocks();
  /**
   * When set, the hashes of blocks newly cached (vLLM BlockStored) and evicted (BlockRemoved) are
   * appended here; the replica drains them into KV events once per step.
   */
  events: { stored: number[]; removed: number[] } | null = null;

  constructor(numBlocks: number, blockSize: number, prefixCaching: boolean) {
    if (!Number.isInteger(numBlocks) || numBlocks < 1) throw new Error(`numBlocks must be a positive integer, got ${numBlocks}`);
    // A run of unhashed places is counted in FLAGS from bit RUN_SHIFT of an int32.
    if (numBlocks >= 2 ** (31 - RUN_SHIFT)) throw new Error(`numBlocks must be below ${2 ** (31 - RUN_SHIFT)}, got ${numBlocks}`);
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.prefixCaching = prefixCaching;
    this.meta = new Int32Array(numBlocks * 4);
    this.hashOf = new Float64Array(numBlocks).fill(NO_HASH);
    this.cached = new HashIndex();
    this.queueAll();
  }

  /** Blocks in the free queue (ref count 0), cached or not. */
  get freeBlocks(): number {
    return this.free;
  }

  /** Whether some free block holds a hash (else every place in the free queue is interchangeable). */
  get hashedFree(): boolean {
    return this.head !== NIL;
  }

  /**
   * Take `k` places at the head of the free queue, none of them hashed (`hashedFree` false, at least
   * k free), as k allocations would, without handing out the blocks yet (`popTaken`).
   */
  takeUnhashed(k: number): void {
    if (this.head !== NIL || k > this.tailRun) throw new Error(`cannot take ${k} unhashed blocks in bulk (${this.tailRun} at the head)`);
    this.tailRun -= k;
    this.free -= k;
    this.taken += k;
  }

  /** One block of those taken in bulk, handed out now (its meta already reads as in use). */
  popTaken(): number {
    if (this.taken === 0) throw new Error('no block taken in bulk to hand out');
    this.taken--;
    return this.popStack();
  }

  /** Blocks referenced by at least one request. */
  get usedBlocks(): number {
    return this.numBlocks - this.free;
  }

  /** vllm:kv_cache_usage_perc (0..1). */
  get usage(): number {
    return this.usedBlocks / this.numBlocks;
  }

  /** Block holding `hash`, or -1. */
  lookup(hash: number): number {
    if (!this.prefixCaching) return NIL;
    if (hash >= 0) return this.cached.get(hash);
    const b = this.uniques.candidate(hash);
    return b >= 0 && this.hashOf[b] === hash ? b : NIL;
  }

  /**
   * Whether `block` is the cached block of `hash`: exactly `lookup(hash) === block` (a block holds
   * a hash only while the index maps that hash to it), but one array read instead of a probe.
   */
  holds(block: number, hash: number): boolean {
    return this.hashOf[block] === hash;
  }

  /** True if taking a reference to cached `block` would remove it from the free queue (hashed blocks only). */
  isFree(block: number): boolean {
    return (this.meta[block * 4 + FLAGS]! & QUEUED) !== 0;
  }

  /** Take a reference to a cached block (a prefix hit). */
  touch(block: number): void {
    const flags = this.meta[block * 4 + FLAGS]!;
    if ((flags & HASHED) === 0) throw new Error(`block ${block} touched without a hash`);
    if ((flags & QUEUED) !== 0) this.unlink(block);
    this.meta[block * 4 + REF]! += 1;
  }

  /**
   * Pop the head of the free queue: an unhashed block (the most recently freed of them: they are
   * interchangeable) or the least recently freed hashed one, evicting its hash; -1 when none is free.
   */
  allocate(): number {
    const meta = this.meta;
    const b = this.head;
    if (b === NIL) {
      if (this.tailRun === 0) return NIL;
      this.tailRun--;
      return this.popSpare();
    }
    if (meta[b * 4 + FLAGS]! >= RUN_ONE) {
      meta[b * 4 + FLAGS]! -= RUN_ONE;
      return this.popSpare();
    }
    this.unlink(b);
    this.meta[b * 4 + FLAGS] = 0;
    const h = this.hashOf[b]!;
    if (h >= 0) {
      this.cached.delete(h, b);
      this.hashOf[b] = NO_HASH;
      this.events?.removed.push(h);
    } else if (h !== NO_HASH) {
      this.uniques.evicted(h);
      this.hashOf[b] = NO_HASH;
    }
    this.meta[b * 4 + REF] = 1;
    return b;
  }

  /** Record that full block `block` holds content `hash` (first holder wins on duplicates). */
  cacheBlock(block: number, hash: number): void {
    if (!this.prefixCaching || this.hashOf[block] !== NO_HASH) return;
    if (hash < 0) {
      const holder = this.uniques.candidate(hash);
      if (holder >= 0 && this.hashOf[holder] === hash) return;
      this.uniques.add(hash, block);
      this.hashOf[block] = hash;
      this.meta[block * 4 + FLAGS] = this.meta[block * 4 + FLAGS]! | HASHED;
      return;
    }
    if (this.cached.insert(hash, block)) {
      this.hashOf[block] = hash;
      this.meta[block * 4 + FLAGS] = this.meta[block * 4 + FLAGS]! | HASHED;
      this.events?.stored.push(hash);
    }
  }

  /**
   * Drop one reference from each block, tail first, so a sequence's later blocks are evicted first.
   * `exclusiveFrom`: the blocks from this index on were allocated to the caller and never cached (a
   * sequence's past its registered ones), so they are free now without a look at their counts.
   */
  release(blocks: readonly number[], exclusiveFrom = blocks.length): void {
    let i = blocks.length - 1;
    for (; i >= exclusiveFrom; i--) this.pushSpare(blocks[i]!);
    for (; i >= 0; i--) {
      const b = blocks[i]!;
      const r = (this.meta[b * 4 + REF]! -= 1);
      if (r < 0) throw new Error(`block ${b} released more often than referenced`);
      if (r === 0) this.pushTail(b);
    }
  }

  /**
   * Empty the cache as a restarted process finds it: every block free with no hash, the prefix
   * cache empty, the free queue back in block order (as at construction). With `events` set, every
   * hash that was cached is reported removed (vLLM's AllBlocksCleared), in block order.
   */
  reset(): void {
    const ev = this.events;
    for (let b = 0; b < this.numBlocks; b++) {
      const h = this.hashOf[b]!;
      if (h >= 0 && ev !== null) ev.removed.push(h);
    }
    this.hashOf.fill(NO_HASH);
    this.cached.clear();
    this.uniques.clear();
    this.queueAll();
  }

  /** Every block free and unhashed, handed out in block order (the queue at construction). */
  private queueAll(): void {
    const meta = this.meta;
    meta.fill(0);
    // As a block in the stack: its meta reads as it will once handed out.
    for (let b = 0; b < this.numBlocks; b++) meta[b * 4 + REF] = 1;
    this.head = NIL;
    this.tail = NIL;
    this.free = this.numBlocks;
    this.spares = 0;
    this.fresh = 0;
    this.tailRun = this.numBlocks;
    this.taken = 0;
  }

  /** Blocks whose content is in the prefix cache (hittable), in use or free. */
  get cachedBlocks(): number {
    return this.cached.size + this.uniques.size;
  }

  /**
   * Whether blocks only one request has may be cached under unique keys (uniqueKeys.ts): not when
   * KV events are published (they carry real hashes for an external index).
   */
  get uniqueKeys(): boolean {
    return this.events === null;
  }

  /** Whether some block of request `id` is cached under a unique key (uniqueKeys.ts). */
  hasUniqueEntry(id: number): boolean {
    return this.uniques.has(id);
  }

  /** Requests with blocks cached under unique keys (bounded by the blocks cached; for tests). */
  get uniqueRequests(): number {
    return this.uniques.requests;
  }

  /** Reference count of a block (for tests and invariants: O(free blocks)). */
  refCount(block: number): number {
    return this.inStack(block) ? 0 : this.meta[block * 4 + REF]!;
  }

  /** Whether `block` is an unhashed free block (in the stack or never used). */
  private inStack(block: number): boolean {
    if (block >= this.fresh) return true;
    for (let k = 0; k < this.spares; k++) if (this.spare[k] === block) return true;
    return false;
  }

  /**
   * The free queue in order, for tests: each entry a free hashed block's number, or −1 for a place
   * an unhashed free block holds (whichever is handed out there).
   */
  freeQueue(): number[] {
    const out: number[] = [];
    for (let b = this.head; b !== NIL; b = this.meta[b * 4 + NEXT]!) {
      for (let k = this.meta[b * 4 + FLAGS]! >>> RUN_SHIFT; k > 0; k--) out.push(NIL);
      out.push(b);
    }
    for (let k = this.tailRun; k > 0; k--) out.push(NIL);
    return out;
  }

  /** Consistency check used by property tests: free-queue length, ref counts and the hash map agree. */
  checkInvariants(): string | null {
    let n = 0;
    let runs = this.tailRun;
    let last = NIL;
    for (let b = this.head; b !== NIL; b = this.meta[b * 4 + NEXT]!) {
      if (this.meta[b * 4 + REF] !== 0) return `free block ${b} has ref ${this.meta[b * 4 + REF]}`;
      if ((this.meta[b * 4 + FLAGS]! & (QUEUED | HASHED)) !== (QUEUED | HASHED)) return `free hashed block ${b} has flags ${this.meta[b * 4 + FLAGS]! & 3}`;
      if (this.meta[b * 4 + PREV] !== last) return `free block ${b} links back to ${this.meta[b * 4 + PREV]}, not ${last}`;
      runs += this.meta[b * 4 + FLAGS]! >>> RUN_SHIFT;
      last = b;
      n++;
      if (n > this.numBlocks) return 'free queue has a cycle';
    }
    if (last !== this.tail) return `free queue ends at ${last}, tail is ${this.tail}`;
    const stacked = new Uint8Array(this.numBlocks);
    for (let b = this.fresh; b < this.numBlocks; b++) stacked[b] = 1;
    for (let k = 0; k < this.spares; k++) {
      const b = this.spare[k]!;
      if (!(b >= 0 && b < this.fresh)) return `stack holds ${b}, not a used block`;
      if (stacked[b] === 1) return `stack holds block ${b} twice`;
      stacked[b] = 1;
    }
    const unhashed = this.spares + this.numBlocks - this.fresh;
    for (let b = 0; b < this.numBlocks; b++) {
      if (stacked[b] === 0) continue;
      if (this.meta[b * 4 + REF] !== 1 || this.meta[b * 4 + FLAGS] !== 0) return `free unhashed block ${b} has ref ${this.meta[b * 4 + REF]}, flags ${this.meta[b * 4 + FLAGS]}, not as in use`;
      if (this.hashOf[b] !== NO_HASH) return `free unhashed block ${b} holds ${this.hashOf[b]}`;
    }
    if (unhashed !== runs + this.taken) return `${unhashed} unhashed blocks in the stack, the queue has places for ${runs} and ${this.taken} are taken`;
    n += runs;
    if (n !== this.free) return `free queue length ${n} != free count ${this.free}`;
    let used = 0;
    for (let b = 0; b < this.numBlocks; b++) {
      if (stacked[b] === 1) continue;
      if (this.meta[b * 4 + REF]! > 0) used++;
      else if ((this.meta[b * 4 + FLAGS]! & QUEUED) === 0) return `block ${b} has ref 0 but is not free`;
    }
    if (used + this.taken + this.free !== this.numBlocks) return `used ${used} + taken ${this.taken} + free ${this.free} != total ${this.numBlocks}`;
    for (const [h, b] of this.cached.entries()) if (this.hashOf[b] !== h) return `hash map points ${h} at block ${b} holding ${this.hashOf[b]}`;
    let unique = 0;
    for (let b = 0; b < this.numBlocks; b++) {
      const h = this.hashOf[b]!;
      if (h >= 0 && this.cached.get(h) !== b) return `block ${b} holds hash ${h} the map does not point at it`;
      if (h < NO_HASH) {
        unique++;
        if (this.uniques.candidate(h) !== b) return `block ${b} holds unique key ${h} its request entry does not name`;
      }
    }
    if (unique !== this.uniques.size) return `${unique} blocks hold unique keys, entries count ${this.uniques.size}`;
    let live = 0;
    for (const [, n] of this.uniques.lives()) live += n;
    if (live !== unique) return `unique entries count ${live} live blocks, ${unique} hold keys`;
    return null;
  }

  /** `b` (its count just dropped to 0) joins the tail of the free queue. */
  private pushTail(b: number): void {
    const meta = this.meta;
    if ((meta[b * 4 + FLAGS]! & HASHED) === 0) {
      meta[b * 4 + REF] = 1;
      this.pushSpare(b);
      return;
    }
    this.free++;
    meta[b * 4 + PREV] = this.tail;
    meta[b * 4 + NEXT] = NIL;
    if (this.tail === NIL) this.head = b;
    else meta[this.tail * 4 + NEXT] = b;
    this.tail = b;
    meta[b * 4 + FLAGS] = HASHED | QUEUED | (this.tailRun << RUN_SHIFT);
    this.tailRun = 0;
  }

  /** Unhashed `b`, its meta as in use (count 1, no flags), joins the tail of the free queue. */
  private pushSpare(b: number): void {
    if (this.spares === this.spare.length) {
      const grown = new Int32Array(Math.min(this.numBlocks, this.spare.length * 2));
      grown.set(this.spare);
      this.spare = grown;
    }
    this.spare[this.spares++] = b;
    this.tailRun++;
    this.free++;
  }

  /**
   * The most recently freed unhashed free block, or the first never used, taken (its place in the
   * queue was counted off by the caller); its meta already reads as in use.
   */
  private popSpare(): number {
    this.free--;
    return this.popStack();
  }

  /** The most recently freed unhashed block, else the first never used (its meta reads as in use). */
  private popStack(): number {
    return this.spares > 0 ? this.spare[--this.spares]! : this.fresh++;
  }

  /** A free hashed block leaves the queue; the unhashed places before it pass to the next one. */
  private unlink(b: number): void {
    const meta = this.meta;
    const p = meta[b * 4 + PREV]!;
    const n = meta[b * 4 + NEXT]!;
    const run = meta[b * 4 + FLAGS]! >>> RUN_SHIFT;
    if (p === NIL) this.head = n;
    else meta[p * 4 + NEXT] = n;
    if (n === NIL) {
      this.tail = p;
      this.tailRun += run;
    } else {
      meta[n * 4 + PREV] = p;
      meta[n * 4 + FLAGS]! += run << RUN_SHIFT;
    }
    meta[b * 4 + FLAGS] = HASHED;
    this.free--;
  }
}
