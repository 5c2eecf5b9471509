/**
 * The simulated gateway: it knows only what a real EPP knows — each endpoint's metrics as last
 * scraped (refreshed every `refresh_metrics_ms`, each with the time it was taken) and its own
 * in-flight counters. With `refresh_metrics_ms: 0` it is an oracle that scrapes at every decision,
 * so users can measure what staleness costs.
 */
import type { Endpoint, EndpointMetrics, RouteRequest, Router } from '../../policies/types.js';
import type { Rng } from '../core/rng.js';
import type { SimRequest } from '../workload/request.js';

interface EndpointState {
  name: string;
  index: number;
  metrics: EndpointMetrics;
  inFlight: number;
}

/** Where scrapes come from: anything that can report an endpoint's metrics at a time. */
export interface MetricsSource {
  readonly name: string;
  snapshot(now: number): EndpointMetrics;
}

export class Gateway {
  private readonly endpoints: EndpointState[];
  readonly oracle: boolean;

  constructor(
    private readonly router: Router,
    private readonly sources: readonly MetricsSource[],
    readonly refreshUs: number,
    private readonly model: string,
    private readonly rng: Rng,
  ) {
    this.oracle = refreshUs === 0;
    this.endpoints = sources.map((s, index) => ({ name: s.name, index, metrics: s.snapshot(0), inFlight: 0 }));
  }

  /** Refresh every endpoint's metrics (a scrape tick). */
  scrape(now: number): void {
    for (let i = 0; i < this.sources.length; i++) this.endpoints[i]!.metrics = this.sources[i]!.snapshot(now);
  }

  /** Choose the endpoint for a request and count it in flight. */
  route(req: SimRequest, now: number): number {
    if (this.oracle) this.scrape(now);
    const r: RouteRequest = { id: req.id, model: this.model, adapter: req.adapter, priority: req.priority, inputTokens: req.inputTokens };
    const i = this.router.pick(r, this.endpoints as readonly Endpoint[], { nowUs: now, rng: this.rng });
    if (!Number.isInteger(i) || i < 0 || i >= this.endpoints.length) {
      throw new Error(`policy ${this.router.type} picked endpoint ${i} of ${this.endpoints.length}`);
    }
    this.endpoints[i]!.inFlight++;
    return i;
  }

  /** The response for a request sent to endpoint `i` has completed (or failed). */
  complete(i: number): void {
    this.endpoints[i]!.inFlight--;
  }
}
