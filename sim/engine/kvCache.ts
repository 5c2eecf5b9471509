/**
 * A paged KV cache with automatic prefix caching, as vLLM's V1 block pool (engine.md §2).
 *
 * - Blocks are ref-counted. A block whose count drops to 0 keeps its hash and goes to the tail of
 *   the free queue, where a later request can still hit it; allocation pops the head, evicting the
 *   least recently freed block (and its hash).
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
/** Block flags (meta[4b + FLAGS]). */
const QUEUED = 1;
const HASHED = 2;
const NO_HASH = -1;

export class KvCache {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly prefixCaching: boolean;

  /**
   * Per block, interleaved so that one cache line holds a block's queue links and counts (the free
   * queue hands out blocks from all over the pool, so separate arrays cost a cache miss each):
   * [4b + PREV], [4b + NEXT] (free-queue links), [4b + REF] reference count, [4b + FLAGS]: QUEUED while
   * in the free queue, HASHED while it holds a hash (so allocating an unhashed block, the common case
   * with unique prompts, never reads `hashOf`).
   */
  private readonly meta: Int32Array;
  private readonly hashOf: Float64Array;
  private head = NIL;
  private tail = NIL;
  private free = 0;
  private readonly cached: HashIndex;
  private readonly uniques = new UniqueBlocks();
  /**
   * When set, the hashes of blocks newly cached (vLLM BlockStored) and evicted (BlockRemoved) are
   * appended here; the replica drains them into KV events once per step.
   */
  events: { stored: number[]; removed: number[] } | null = null;

  constructor(numBlocks: number, blockSize: number, prefixCaching: boolean) {
    if (!Number.isInteger(numBlocks) || numBlocks < 1) throw new Error(`numBlocks must be a positive integer, got ${numBlocks}`);
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.prefixCaching = prefixCaching;
    this.meta = new Int32Array(numBlocks * 4);
    this.hashOf = new Float64Array(numBlocks).fill(NO_HASH);
    this.cached = new HashIndex();
    for (let b = 0; b < numBlocks; b++) this.pushTail(b);
  }

  /** Blocks in the free queue (ref count 0), cached or not. */
  get freeBlocks(): number {
    return this.free;
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

  /** True if taking a reference to `block` would remove it from the free queue. */
  isFree(block: number): boolean {
    return (this.meta[block * 4 + FLAGS]! & QUEUED) !== 0;
  }

  /** Take a reference to a cached block (a prefix hit). */
  touch(block: number): void {
    if (this.isFree(block)) this.unlink(block);
    this.meta[block * 4 + REF]! += 1;
  }

  /** Pop the least recently freed block, evicting its hash; -1 when none is free. */
  allocate(): number {
    const b = this.head;
    if (b === NIL) return NIL;
    this.unlink(b);
    if ((this.meta[b * 4 + FLAGS]! & HASHED) === 0) {
      this.meta[b * 4 + REF] = 1;
      return b;
    }
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

  /** Drop one reference from each block, tail first, so a sequence's later blocks are evicted first. */
  release(blocks: readonly number[]): void {
    for (let i = blocks.length - 1; i >= 0; i--) {
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
    this.meta.fill(0);
    this.cached.clear();
    this.uniques.clear();
    this.head = NIL;
    this.tail = NIL;
    this.free = 0;
    for (let b = 0; b < this.numBlocks; b++) this.pushTail(b);
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

  /** Reference count of a block (for tests and invariants). */
  refCount(block: number): number {
    return this.meta[block * 4 + REF]!;
  }

  /** Consistency check used by property tests: free-queue length, ref counts and the hash map agree. */
  checkInvariants(): string | null {
    let n = 0;
    for (let b = this.head; b !== NIL; b = this.meta[b * 4 + NEXT]!) {
      if (this.meta[b * 4 + REF] !== 0) return `free block ${b} has ref ${this.meta[b * 4 + REF]}`;
      n++;
      if (n > this.numBlocks) return 'free queue has a cycle';
    }
    if (n !== this.free) return `free queue length ${n} != free count ${this.free}`;
    let used = 0;
    for (let b = 0; b < this.numBlocks; b++) {
      if (this.meta[b * 4 + REF]! > 0) used++;
      else if ((this.meta[b * 4 + FLAGS]! & QUEUED) === 0) return `block ${b} has ref 0 but is not free`;
    }
    if (used + this.free !== this.numBlocks) return `used ${used} + free ${this.free} != total ${this.numBlocks}`;
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

  private pushTail(b: number): void {
    this.meta[b * 4 + PREV] = this.tail;
    this.meta[b * 4 + NEXT] = NIL;
    if (this.tail === NIL) this.head = b;
    else this.meta[this.tail * 4 + NEXT] = b;
    this.tail = b;
    this.meta[b * 4 + FLAGS] = this.meta[b * 4 + FLAGS]! | QUEUED;
    this.free++;
  }

  private unlink(b: number): void {
    const p = this.meta[b * 4 + PREV]!;
    const n = this.meta[b * 4 + NEXT]!;
    if (p === NIL) this.head = n;
    else this.meta[p * 4 + NEXT] = n;
    if (n === NIL) this.tail = p;
    else this.meta[n * 4 + PREV] = p;
    this.meta[b * 4 + FLAGS] = this.meta[b * 4 + FLAGS]! & ~QUEUED;
    this.free--;
  }
}
