/**
 * `consistent-hash-bounded-load`: consistent hashing with bounded loads (Mirrokni, Thorup,
 * Zadimoghaddam, SODA 2018; HAProxy `hash-balance-factor`, Envoy `hash_balance_factor`;
 * policies.md §2.10) — "session affinity that cannot overload".
 *
 * - Ring: `virtual_nodes` points per endpoint at hash(endpoint name, v), ketama-style (160 per
 *   server); rebuilt when the endpoint list changes.
 * - Key: a hash of the request's first `prefix_tokens` tokens (0 = the whole prompt) and its
 *   adapter (text.ts `prefixKey`): requests that share that prefix — a system prompt, a document,
 *   the first turn of a conversation — share a home endpoint. RouteRequest carries no session id, so
 *   the prompt prefix stands in for the session key.
 * - Load = the router's in-flight count per endpoint; m = total in flight including this request;
 *   capacity = ⌈(1 + ε) · m / n⌉. Walk clockwise from the key's point and take the first endpoint
 *   with load < capacity, so after the dispatch its load ≤ capacity. Σ capacity ≥ m > current total,
 *   so the walk always finds one.
 */
import { z } from 'zod';
import type { Endpoint, RouteContext, RouteRequest, Router } from '../types.js';
import { fmix32, hashString, mix32 } from '../util/hash.js';
import { prefixKey } from './text.js';

export const consistentHashBoundedLoadParams = z.strictObject({
  epsilon: z
    .number()
    .min(0)
    .default(0.25)
    .describe('Load bound slack: capacity = ⌈(1 + epsilon) · in-flight / endpoints⌉ (HAProxy/Envoy balance factor 125 % ⇒ 0.25).'),
  virtual_nodes: z.number().int().min(1).max(10000).default(160).describe('Ring points per endpoint (ketama: 160).'),
  prefix_tokens: z
    .number()
    .int()
    .min(0)
    .default(256)
    .describe('Tokens of the prompt prefix hashed into the key (text: 4 characters per token); 0 = the whole prompt.'),
});

export type ConsistentHashBoundedLoadParams = z.output<typeof consistentHashBoundedLoadParams>;

/** ⌈(1 + ε) · m / n⌉, robust to floating-point noise just above an integer. */
export function boundedLoadCapacity(epsilon: number, inFlightIncludingNew: number, endpoints: number): number {
  return Math.ceil(((1 + epsilon) * inFlightIncludingNew) / endpoints - 1e-9);
}

export class ConsistentHashBoundedLoadRouter implements Router {
  readonly type = 'consistent-hash-bounded-load';
  private names: string[] = [];
  private points = new Uint32Array(0);
  private owners = new Int32Array(0);

  constructor(readonly params: ConsistentHashBoundedLoadParams) {}

  private ring(endpoints: readonly Endpoint[]): void {
    let same = endpoints.length === this.names.length;
    for (let i = 0; same && i < endpoints.length; i++) same = endpoints[i]!.name === this.names[i];
    if (same) return;
    this.names = endpoints.map((e) => e.name);
    const v = this.params.virtual_nodes;
    const pts: { h: number; o: number }[] = [];
    for (let i = 0; i < endpoints.length; i++) {
      const base = hashString(endpoints[i]!.name);
      for (let k = 0; k < v; k++) pts.push({ h: fmix32(mix32(mix32(0x3c6ef372, base), k)), o: i });
    }
    pts.sort((a, b) => a.h - b.h || a.o - b.o);
    this.points = Uint32Array.from(pts, (p) => p.h);
    this.owners = Int32Array.from(pts, (p) => p.o);
  }

  /** The endpoint the key's ring walk starts at (its "home"), for tests and diagnostics. */
  home(request: RouteRequest, endpoints: readonly Endpoint[]): number {
    this.ring(endpoints);
    return this.owners[this.start(prefixKey(request, this.params.prefix_tokens))]!;
  }

  private start(key: number): number {
    const pts = this.points;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo === pts.length ? 0 : lo;
  }

  pick(request: RouteRequest, endpoints: readonly Endpoint[], _ctx: RouteContext): number {
    const n = endpoints.length;
    if (n <= 1) return 0;
    this.ring(endpoints);
    let total = 1;
    let least = 0;
    for (let i = 0; i < n; i++) {
      total += endpoints[i]!.inFlight;
      if (endpoints[i]!.inFlight < endpoints[least]!.inFlight) least = i;
    }
    const cap = boundedLoadCapacity(this.params.epsilon, total, n);
    const p = this.points.length;
    const s = this.start(prefixKey(request, this.params.prefix_tokens));
    for (let k = 0; k < p; k++) {
      const o = this.owners[(s + k) % p]!;
      if (endpoints[o]!.inFlight < cap) return o;
    }
    return least; // unreachable: Σ capacity ≥ total > Σ in flight
  }
}
