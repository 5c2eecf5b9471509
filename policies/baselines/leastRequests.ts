/**
 * `least-requests`: fewest requests in flight by the router's own count (dispatched, response not
 * yet complete). Uses no scraped metrics, so it is never stale. Ties break uniformly at random.
 */
import type { Endpoint, RouteContext, RouteRequest, Router } from '../types.js';

export class LeastRequestsRouter implements Router {
  readonly type = 'least-requests';

  pick(_req: RouteRequest, endpoints: readonly Endpoint[], ctx: RouteContext): number {
    let best = Infinity;
    let ties = 0;
    let choice = 0;
    // Returns a position in `endpoints` (the Router contract), not the endpoint's pool index.
    for (let k = 0; k < endpoints.length; k++) {
      const e = endpoints[k]!;
      if (e.inFlight < best) {
        best = e.inFlight;
        ties = 1;
        choice = k;
      } else if (e.inFlight === best) {
        // Reservoir sampling over the tied endpoints: each is kept with probability 1/ties.
        ties++;
        if (ctx.rng() * ties < 1) choice = k;
      }
    }
    return choice;
  }
}
