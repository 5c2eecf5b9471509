/**
 * Keys for KV blocks no other request can share, and their index (issue 15).
 *
 * Block hashes are chained (blockHasher.ts): block i's hash covers every token before it. Once a
 * block holds a token of content that only this request has — the segment `uniqueContentOf(id)`
 * that generators, tenants, ServeGen and trace replay append as a request's own text — that block
 * and every later one (the rest of the prompt, then the output) have hashes no other request can
 * produce. Only the same request can hit them again: after a recompute preemption, as a retry on
 * the same replica, or as the decode leg of its own P/D prefill. So instead of hashing them and
 * keeping them in the hash index, the engine names them `uniqueKey(id, i)` — negative, so never a
 * real hash — and finds them through one small entry per request (`UniqueBlocks`): the same hits,
 * the same evictions, without a hash computation or a table probe per block.
 *
 * Not used when the replica publishes KV events (they carry real hashes for an external index) or
 * for LoRA requests (their hashes include the adapter, which a retry may change).
 */
import type { SimRequest } from '../workload/request.js';
import { uniqueContentOf } from '../workload/prompts.js';

/** Block indices a key can name: 2^21 blocks (33M tokens at block size 16) per request. */
const BLOCK_SPAN = 2097152;

/** First block index holding request-unique content, or Infinity when the request has none. */
export function firstUniqueBlock(req: SimRequest, blockSize: number): number {
  if (req.adapter !== null) return Infinity;
  const segs = req.segments;
  const last = segs[segs.length - 1];
  if (last === undefined || last.content !== uniqueContentOf(req.id)) return Infinity;
  return Math.floor((req.inputTokens - last.tokens) / blockSize);
}

/** The key of block `i` of request `id` (i ≥ its first unique block): ≤ −2, distinct per (id, i). */
export function uniqueKey(id: number, i: number): number {
  return -(2 + id * BLOCK_SPAN + i);
}

/** Whether (id, i) can be named by a key (else the caller hashes the block as usual). */
export function keyable(id: number, i: number): boolean {
  return i < BLOCK_SPAN && id >= 0 && id < 2 ** 31;
}

/** The request id a unique key names. */
function idOf(key: number): number {
  return Math.floor((-key - 2) / BLOCK_SPAN);
}

/** The block index a unique key names. */
function indexOf(key: number): number {
  return (-key - 2) % BLOCK_SPAN;
}

interface Entry {
  /** Block index of blocks[0]. */
  base: number;
  /** Block registered for index base + k (−1: none); valid only while the cache still holds its key there. */
  blocks: number[];
  /** Registered blocks not evicted yet. */
  live: number;
}

/** Per replica: request id → the blocks registered under its unique keys. */
export class UniqueBlocks {
  private readonly byRequest = new Map<number, Entry>();
  /** Registered unique blocks not evicted yet, all requests. */
  size = 0;

  /** Whether request `id` has a live entry (some block cached under one of its keys). */
  has(id: number): boolean {
    return this.byRequest.has(id);
  }

  /** The block registered under `key`, or −1; `holds(block, key)` must still confirm it. */
  candidate(key: number): number {
    const e = this.byRequest.get(idOf(key));
    if (e === undefined) return -1;
    const k = indexOf(key) - e.base;
    return k >= 0 && k < e.blocks.length ? e.blocks[k]! : -1;
  }

  /** Record `block` under `key` (the caller checked that no live block holds it). */
  add(key: number, block: number): void {
    const id = idOf(key);
    const i = indexOf(key);
    let e = this.byRequest.get(id);
    if (e === undefined) {
      e = { base: i, blocks: [], live: 0 };
      this.byRequest.set(id, e);
    } else if (i < e.base) {
      const pad: number[] = new Array<number>(e.base - i).fill(-1);
      e.blocks = pad.concat(e.blocks);
      e.base = i;
    }
    const k = i - e.base;
    while (e.blocks.length <= k) e.blocks.push(-1);
    e.blocks[k] = block;
    e.live++;
    this.size++;
  }

  /** The block holding `key` was evicted. */
  evicted(key: number): void {
    const id = idOf(key);
    const e = this.byRequest.get(id);
    if (e === undefined) throw new Error(`evicted unique key ${key} of an unknown request ${id}`);
    this.size--;
    if (--e.live === 0) this.byRequest.delete(id);
  }

  clear(): void {
    this.byRequest.clear();
    this.size = 0;
  }

  /** Requests with a live entry (for invariant checks and memory tests). */
  get requests(): number {
    return this.byRequest.size;
  }

  /** Every live entry's live count (for invariant checks). */
  *lives(): IterableIterator<[number, number]> {
    for (const [id, e] of this.byRequest) yield [id, e.live];
  }
}
