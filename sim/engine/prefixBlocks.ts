/**
 * A sequence's blocks in the prefix cache (engine.md §2): registering them as they fill, the ones
 * only its request has once it lets them go (uniqueKeys.ts), and finding a waiting request's cached
 * leading blocks. Used by the scheduler and the decode cohort (cohort/).
 */
import type { KvCache } from './kvCache.js';
import type { Sequence } from './sequence.js';

/**
 * Register `seq`'s newly full blocks (up to `full`) as they fill — except those only its request
 * has (uniqueKeys.ts), which wait for registerPending, unless a block of that request is already
 * cached under a unique key here (an earlier attempt's, or its own from before a preemption): then
 * whether a block may register depends on what is cached now (the first holder of a key keeps it),
 * so they register now, as every block did before.
 */
export function registerFull(kv: KvCache, seq: Sequence, full: number, unique: boolean): void {
  const upTo = unique && seq.uniqueFrom < full && !kv.hasUniqueEntry(seq.req.id) ? seq.uniqueFrom : full;
  registerUpTo(kv, seq, upTo, unique);
}

/** Register `seq`'s full blocks from its first unregistered one up to (not including) block `upTo`. */
export function registerUpTo(kv: KvCache, seq: Sequence, upTo: number, unique: boolean): void {
  while (seq.registeredBlocks < upTo) {
    const r = seq.registeredBlocks++;
    kv.cacheBlock(seq.blocks[r]!, seq.keyAt(r, unique));
  }
}

/**
 * Register the full computed blocks `complete` left unregistered: those only this request has
 * (uniqueKeys.ts), kept out of the cache while the sequence holds them because only another
 * sequence of the same request could hit them, and none can run until this one lets them go —
 * preempted, aborted (a retry may follow), or a finished prefill leg (its decode leg may come
 * here). A finished request's are never registered: nothing can ask for them again.
 */
export function registerPending(kv: KvCache, seq: Sequence): void {
  if (kv.prefixCaching) registerUpTo(kv, seq, Math.floor(seq.numComputed / kv.blockSize), kv.uniqueKeys);
}

/**
 * Whether a block of `seq` filling from now on would register anything: not without prefix
 * caching, nor while its request-unique blocks wait for registerPending (registerFull's
 * `upTo = uniqueFrom`, already reached).
 */
export function fillRegisters(kv: KvCache, seq: Sequence): boolean {
  if (!kv.prefixCaching) return false;
  return !(kv.uniqueKeys && seq.uniqueFrom <= seq.registeredBlocks && !kv.hasUniqueEntry(seq.req.id));
}

/**
 * Cached leading blocks of a waiting request: whole blocks only, at most known − 1 tokens. A request
 * that waits is looked up again every step; the blocks it found when it was last turned away (its
 * `prefixHits`) are re-checked by `holds` (the same answer as a probe of the index, kvCache.ts) and
 * only the rest is probed. One scratch array serves every lookup.
 */
export class PrefixLookup {
  private readonly hits: number[] = [];
  /** Whether the last answer differs from the request's memo. */
  private changed = false;

  constructor(private readonly kv: KvCache) {}

  lookup(seq: Sequence, known: number): number[] {
    const kv = this.kv;
    const hits = this.hits;
    hits.length = 0;
    this.changed = false;
    if (!kv.prefixCaching) return hits;
    const maxBlocks = Math.floor((known - 1) / kv.blockSize);
    const unique = kv.uniqueKeys;
    const memo = seq.prefixHits;
    const kept = Math.min(memo.length, maxBlocks);
    let b = 0;
    while (b < kept && kv.holds(memo[b]!, seq.keyAt(b, unique))) hits.push(memo[b++]!);
    const verified = b;
    for (; b < maxBlocks; b++) {
      const blk = kv.lookup(seq.keyAt(b, unique));
      if (blk < 0) break;
      hits.push(blk);
    }
    this.changed = !(verified === memo.length && hits.length === verified);
    return hits;
  }

  /** A request turned away keeps what its lookup found, for the next step's. */
  remember(seq: Sequence): void {
    if (this.changed) seq.prefixHits = this.hits.slice();
  }
}
