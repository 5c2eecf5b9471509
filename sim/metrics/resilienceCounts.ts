/** Counters of what the gateway's resilience features did in a run (PolicyRun.resilience). */
import type { ResilienceCounters } from './types.js';

export interface ResilienceCounts {
  readonly retries: Map<string, number>;
  readonly retriesOverBudget: Map<string, number>;
  readonly perTryTimeouts: Map<string, number>;
  readonly ejections: Map<string, number>;
  readonly fallbacks: Map<string, number>;
}

export function newResilienceCounts(): ResilienceCounts {
  return { retries: new Map(), retriesOverBudget: new Map(), perTryTimeouts: new Map(), ejections: new Map(), fallbacks: new Map() };
}

export function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function sorted(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}

export function finishCounts(c: ResilienceCounts): ResilienceCounters {
  return {
    retries: sorted(c.retries),
    retriesOverBudget: sorted(c.retriesOverBudget),
    perTryTimeouts: sorted(c.perTryTimeouts),
    ejections: sorted(c.ejections),
    fallbacks: sorted(c.fallbacks),
  };
}
