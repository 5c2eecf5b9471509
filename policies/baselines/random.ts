/** `random`: a uniformly random endpoint from the router's seeded stream. */
import type { Endpoint, RouteContext, RouteRequest, Router } from '../types.js';

export class RandomRouter implements Router {
  readonly type = 'random';

  pick(_req: RouteRequest, endpoints: readonly Endpoint[], ctx: RouteContext): number {
    return Math.min(endpoints.length - 1, Math.floor(ctx.rng() * endpoints.length));
  }
}
