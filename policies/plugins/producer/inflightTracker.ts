/**
 * Per-endpoint in-flight counters (requests and estimated tokens) fed at dispatch and released at
 * the end of the response stream. Shared by `inflight-load-producer` and `concurrency-detector`.
 *
 * Each tracked request remembers the endpoints it was counted on and its token estimate, so the
 * release reverses exactly what the dispatch added (and a second release, or a release of an
 * untracked request, does nothing). The per-endpoint snapshot object is replaced on every change,
 * so producers can hand it to candidates without allocating per request.
 */
import type { InFlightLoad } from '../../framework/attributes.js';

const ZERO: InFlightLoad = Object.freeze({ requests: 0, tokens: 0 });

export class InFlightTracker {
  private readonly load = new Map<string, InFlightLoad>();
  private readonly requests = new Map<string, { readonly endpoints: readonly string[]; readonly tokens: number }>();

  /** Current load of an endpoint (zero if nothing is in flight there). */
  get(endpoint: string): InFlightLoad {
    return this.load.get(endpoint) ?? ZERO;
  }

  /** Number of requests currently tracked. */
  get size(): number {
    return this.requests.size;
  }

  /** Counts request `id` on each endpoint (+1 request, +tokens). A re-dispatch of a tracked id first releases it. */
  track(id: string, endpoints: readonly string[], tokens: number): void {
    if (this.requests.has(id)) this.release(id);
    for (const e of endpoints) this.add(e, 1, tokens);
    this.requests.set(id, { endpoints, tokens });
  }

  /** Releases request `id` (no-op when untracked). */
  release(id: string): void {
    const r = this.requests.get(id);
    if (!r) return;
    this.requests.delete(id);
    for (const e of r.endpoints) this.add(e, -1, -r.tokens);
  }

  private add(endpoint: string, requests: number, tokens: number): void {
    const cur = this.get(endpoint);
    const next = { requests: cur.requests + requests, tokens: cur.tokens + tokens };
    if (next.requests === 0 && next.tokens === 0) this.load.delete(endpoint);
    else this.load.set(endpoint, Object.freeze(next));
  }
}
