/** The baseline routers, keyed by type name. */
import type { Router } from '../types.js';
import { LeastRequestsRouter } from './leastRequests.js';
import { RandomRouter } from './random.js';
import { RoundRobinRouter } from './roundRobin.js';

/** Type names of the baseline policies, as written in scenario files. */
export const BASELINE_TYPES = ['round-robin', 'random', 'least-requests'] as const;
export type BaselineType = (typeof BASELINE_TYPES)[number];

const factories: Record<BaselineType, () => Router> = {
  'round-robin': () => new RoundRobinRouter(),
  random: () => new RandomRouter(),
  'least-requests': () => new LeastRequestsRouter(),
};

/** One line per baseline, for `routesim plugins` and the README. */
export const BASELINE_DOCS: Readonly<Record<BaselineType, string>> = {
  'round-robin': 'endpoints in turn, ignoring load',
  random: 'a uniformly random endpoint (seeded)',
  'least-requests': "fewest requests in flight by the router's own count (never stale); ties at random",
};

export function createBaselineRouter(type: string): Router {
  const f = factories[type as BaselineType];
  if (!f) throw new Error(`unknown routing policy type "${type}" (known: ${BASELINE_TYPES.join(', ')})`);
  return f();
}
