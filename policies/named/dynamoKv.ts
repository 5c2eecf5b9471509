/**
 * `dynamo-kv`: NVIDIA Dynamo's KV router, the classic cost (policies.md §2.4; docs v0.4–0.9 and
 * the older `kv_router/scheduler.rs`), lower is better:
 *
 *   logit_w = overlap_score_weight × prefill_blocks_w + decode_blocks_w
 *   prefill_blocks_w = (ISL − overlap_w × block_size) / block_size
 *   decode_blocks_w  = active_blocks_w + ⌈ISL / block_size⌉
 *
 * - overlap_w: the number of leading blocks of the request (`request.tokenBlockKeys()`, the engine's
 *   block keys of the prompt's full blocks) that worker w holds, consecutive from the first block,
 *   from a KV index fed by engine events (`onKvEvent`: stored → add, removed → remove, cleared →
 *   drop all of the worker's blocks, as Dynamo's indexer does). With `use_kv_events: false`
 *   (Dynamo's `--no-kv-events` approximate mode) the router instead assumes its own routing created
 *   the cache: a dispatch records the request's blocks on the chosen worker for `router_ttl_secs`.
 * - active_blocks_w: tracked router-locally (Dynamo `router_track_active_blocks`): each in-flight
 *   request counts ⌈ISL / block_size⌉ blocks from dispatch until its response completes. Dynamo
 *   deduplicates blocks shared by a worker's active sequences and adds the growing output; the
 *   policies.md formula (and routesim) counts each request's prompt blocks. The pending-prefill term
 *   some versions add is not modelled (the Router interface has no first-token hook).
 * - Selection: router_temperature 0 → argmin, ties uniformly at random; T > 0 → softmax over
 *   min–max-normalised costs, p_w ∝ exp(−(c_w − c_min) / ((c_max − c_min) · T)), uniform when all
 *   costs are equal.
 * - block_size: 0 (default) = the engine's, from the scraped `vllm:cache_config_info` block_size of
 *   the first endpoint reporting one (16 until then), fixed once known.
 * Per request O(n + matched blocks × ⌈n/32⌉) — the index keeps one 32-bit worker mask per block key
 * in a typed-array hash table (numMap.ts).
 */
import { z } from 'zod';
import type { Endpoint, KvEvent, RouteContext, RouteRequest, Router } from '../types.js';
import { NumIntMap } from './numMap.js';

export const dynamoKvParams = z.strictObject({
  overlap_score_weight: z
    .number()
    .min(0)
    .default(1.0)
    .describe('Weight of the prefill blocks still to compute (Dynamo --kv-overlap-score-weight, default 1.0).'),
  router_temperature: z
    .number()
    .min(0)
    .default(0.0)
    .describe('Softmax temperature over normalised costs; 0 = argmin with random tie-break (default 0).'),
  block_size: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("KV block size in tokens; 0 = the engine's, read from the scraped cache_config_info block_size."),
  use_kv_events: z
    .boolean()
    .default(true)
    .describe('true: overlap from engine KV events; false: approximate mode, the router records its own dispatches for router_ttl_secs.'),
  router_ttl_secs: z.number().positive().default(120).describe('Approximate mode: seconds a dispatched request\'s blocks count as cached (Dynamo default 120).'),
});

export type DynamoKvParams = z.output<typeof dynamoKvParams>;

const EMPTY: readonly number[] = [];

/** Block key → workers holding it, one 32-bit mask per word of 32 workers. */
export class KvBlockIndex {
  private readonly words: NumIntMap[] = [];

  private word(w: number): NumIntMap {
    const j = w >>> 5;
    while (this.words.length <= j) this.words.push(new NumIntMap());
    return this.words[j]!;
  }

  add(keys: readonly number[], w: number): void {
    const m = this.word(w);
    const bit = 1 << (w & 31);
    for (const k of keys) m.set(k, m.get(k) | bit);
  }

  remove(keys: readonly number[], w: number): void {
    const m = this.word(w);
    const bit = 1 << (w & 31);
    for (const k of keys) {
      const v = m.get(k);
      if (v !== 0) m.set(k, v & ~bit);
    }
  }

  has(key: number, w: number): boolean {
    return (this.word(w).get(key) & (1 << (w & 31))) !== 0;
  }

  clear(w: number): void {
    const m = this.word(w);
    const bit = 1 << (w & 31);
    const held: number[] = [];
    m.forEach((k, v) => {
      if ((v & bit) !== 0) held.push(k);
    });
    for (const k of held) m.set(k, m.get(k) & ~bit);
  }

  /** out[w] = leading blocks of `keys` that worker w holds consecutively (w < n). */
  overlaps(keys: readonly number[], n: number, out: Int32Array): void {
    out.fill(0, 0, n);
    for (let j = 0; j * 32 < n; j++) {
      const m = this.words[j];
      const lanes = Math.min(32, n - j * 32);
      let alive = m === undefined ? 0 : lanes === 32 ? -1 : (1 << lanes) - 1;
      let i = 0;
      for (; i < keys.length && alive !== 0; i++) {
        const next = alive & m!.get(keys[i]!);
        let dropped = alive & ~next;
        while (dropped !== 0) {
          out[j * 32 + 31 - Math.clz32(dropped & -dropped)] = i;
          dropped &= dropped - 1;
        }
        alive = next;
      }
      while (alive !== 0) {
        out[j * 32 + 31 - Math.clz32(alive & -alive)] = i;
        alive &= alive - 1;
      }
    }
  }
}

interface InFlight {
  readonly index: number;
  readonly blocks: number;
}

export class DynamoKvRouter implements Router {
  readonly type = 'dynamo-kv';
  readonly index = new KvBlockIndex();
  /** Router-tracked active blocks per worker. */
  private active: number[] = [];
  private readonly inflight = new Map<number, InFlight>();
  private blockSize: number;
  private overlap = new Int32Array(0);
  private cost = new Float64Array(0);
  /** Approximate mode: per worker key → expiry µs, and a FIFO of (expiry, worker, keys). */
  private readonly expiryOf: Map<number, number>[] = [];
  private readonly ttlQueue: { at: number; w: number; keys: readonly number[] }[] = [];
  private ttlHead = 0;

  constructor(readonly params: DynamoKvParams) {
    this.blockSize = params.block_size;
  }

  /** Block size in use (0 until known → 16). */
  private bs(endpoints: readonly Endpoint[]): number {
    if (this.blockSize > 0) return this.blockSize;
    for (const e of endpoints) {
      const b = e.metrics?.cacheBlockSize ?? 0;
      if (b > 0) return (this.blockSize = b);
    }
    return 16;
  }

  /** Active blocks the router tracks on worker `w`. */
  activeBlocks(w: number): number {
    return this.active[w] ?? 0;
  }

  /** The per-worker costs of the last pick (for tests and traces). */
  lastCosts(): readonly number[] {
    return Array.from(this.cost);
  }

  private purge(nowUs: number): void {
    const q = this.ttlQueue;
    while (this.ttlHead < q.length && q[this.ttlHead]!.at <= nowUs) {
      const { w, keys } = q[this.ttlHead++]!;
      const exp = this.expiryOf[w]!;
      for (const k of keys) {
        const at = exp.get(k);
        if (at !== undefined && at <= nowUs) {
          exp.delete(k);
          this.index.remove([k], w);
        }
      }
    }
    if (this.ttlHead > 1024 && this.ttlHead * 2 > q.length) {
      q.splice(0, this.ttlHead);
      this.ttlHead = 0;
    }
  }

  pick(request: RouteRequest, endpoints: readonly Endpoint[], ctx: RouteContext): number {
    const n = endpoints.length;
    if (n <= 1) return 0;
    if (!this.params.use_kv_events) this.purge(ctx.nowUs);
    if (this.overlap.length < n) {
      this.overlap = new Int32Array(n);
      this.cost = new Float64Array(n);
    }
    const bs = this.bs(endpoints);
    const keys = request.tokenBlockKeys?.() ?? EMPTY;
    this.index.overlaps(keys, n, this.overlap);
    const isl = request.inputTokens;
    const requestBlocks = Math.ceil(isl / bs);
    const wgt = this.params.overlap_score_weight;
    const cost = this.cost;
    let min = Infinity;
    let max = -Infinity;
    for (let w = 0; w < n; w++) {
      const prefill = (isl - this.overlap[w]! * bs) / bs;
      const c = wgt * prefill + (this.active[w] ?? 0) + requestBlocks;
      cost[w] = c;
      if (c < min) min = c;
      if (c > max) max = c;
    }
    const t = this.params.router_temperature;
    if (t === 0 || max === min) {
      // argmin (all workers when every cost is equal), ties uniformly at random.
      let choice = 0;
      let ties = 0;
      for (let w = 0; w < n; w++) {
        if (cost[w] !== min) continue;
        ties++;
        if (ctx.rng() * ties < 1) choice = w;
      }
      return choice;
    }
    const span = (max - min) * t;
    let sum = 0;
    for (let w = 0; w < n; w++) sum += Math.exp(-(cost[w]! - min) / span);
    let u = ctx.rng() * sum;
    for (let w = 0; w < n; w++) {
      u -= Math.exp(-(cost[w]! - min) / span);
      if (u < 0) return w;
    }
    return n - 1;
  }

  onDispatch(request: RouteRequest, index: number, ctx: RouteContext): void {
    const bs = this.blockSize > 0 ? this.blockSize : 16;
    const blocks = Math.ceil(request.inputTokens / bs);
    while (this.active.length <= index) this.active.push(0);
    this.active[index]! += blocks;
    this.inflight.set(request.id, { index, blocks });
    if (!this.params.use_kv_events) {
      const keys = request.tokenBlockKeys?.() ?? EMPTY;
      if (keys.length === 0) return;
      const at = ctx.nowUs + this.params.router_ttl_secs * 1e6;
      while (this.expiryOf.length <= index) this.expiryOf.push(new Map());
      const exp = this.expiryOf[index]!;
      for (const k of keys) exp.set(k, at);
      this.index.add(keys, index);
      this.ttlQueue.push({ at, w: index, keys });
    }
  }

  onComplete(request: RouteRequest, _index: number, _ctx: RouteContext): void {
    const f = this.inflight.get(request.id);
    if (!f) return;
    this.inflight.delete(request.id);
    this.active[f.index]! -= f.blocks;
  }

  onKvEvent(event: KvEvent, _ctx: RouteContext): void {
    if (!this.params.use_kv_events) return;
    if (event.kind === 'stored') this.index.add(event.keys, event.index);
    else if (event.kind === 'removed') this.index.remove(event.keys, event.index);
    else this.index.clear(event.index);
  }
}
