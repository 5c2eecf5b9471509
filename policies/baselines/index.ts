/** The baseline routers, keyed by type name. */
import type { Router } from '../types.js';
import { LeastRequestsRouter } from './leastRequests.js';
import { RandomRouter } from './random.js';
import { RoundRobinRouter } from './roundRobin.js';

const factories: Record<string, () => Router> = {
  'round-robin': () => new RoundRobinRouter(),
  random: () => new RandomRouter(),
  'least-requests': () => new LeastRequestsRouter(),
};

export const BASELINE_TYPES: readonly string[] = Object.keys(factories);

export function createBaselineRouter(type: string): Router {
  const f = factories[type];
  if (!f) throw new Error(`unknown routing policy type "${type}" (known: ${BASELINE_TYPES.join(', ')})`);
  return f();
}
