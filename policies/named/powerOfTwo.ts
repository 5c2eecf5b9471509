/**
 * `power-of-two`: the power-of-two-choices policy of SGLang's router (`power_of_two`) and AIBrix
 * (policies.md §2.2, §2.3): sample two distinct endpoints uniformly at random and take the one with
 * the lower load — the router's own in-flight count (SGLang's worker.load(); AIBrix's shared
 * running-request counters). Ties go to the first sampled. One endpoint → that endpoint.
 */
import { z } from 'zod';
import type { Endpoint, RouteContext, RouteRequest, Router } from '../types.js';

export const powerOfTwoParams = z.strictObject({});

export class PowerOfTwoRouter implements Router {
  readonly type = 'power-of-two';

  pick(_request: RouteRequest, endpoints: readonly Endpoint[], ctx: RouteContext): number {
    const n = endpoints.length;
    if (n <= 1) return 0;
    const a = Math.min(n - 1, Math.floor(ctx.rng() * n));
    let b = Math.min(n - 2, Math.floor(ctx.rng() * (n - 1)));
    if (b >= a) b++;
    return endpoints[b]!.inFlight < endpoints[a]!.inFlight ? b : a;
  }
}
