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

export function createBaselineRouter(type: string): Router {
  const f = factories[type as BaselineType];
  if (!f) throw new Error(`unknown routing policy type "${type}" (known: ${BASELINE_TYPES.join(', ')})`);
  return f();
}
