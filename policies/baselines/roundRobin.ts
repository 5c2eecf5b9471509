/** `round-robin`: endpoints in turn, ignoring load. */
import type { Endpoint, RouteContext, RouteRequest, Router } from '../types.js';

export class RoundRobinRouter implements Router {
  readonly type = 'round-robin';
  private next = 0;

  pick(_req: RouteRequest, endpoints: readonly Endpoint[], _ctx: RouteContext): number {
    const i = this.next % endpoints.length;
    this.next = i + 1;
    return i;
  }
}
