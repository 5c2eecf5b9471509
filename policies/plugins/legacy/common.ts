/**
 * The legacy (pre-scorer) filter functions of GAIE v0.3.0 `scheduling/filter.go` and their v0.5.0
 * plugin versions (`epp.md` §2.11), shared by the v0.3 chain and the v0.5 plugins. Endpoints with
 * no metrics read as zeros.
 */
import type { SchedEndpoint } from '../../framework/types.js';
import { activeModels, kvUsage, maxActiveModels, waiting, waitingModels } from '../scorer/metrics.js';

/**
 * Keeps `min ≤ q ≤ min + ⌊(max − min)/n⌋` (Go integer division; `max` starts at 0, `min` at
 * MaxInt). Scraped queue sizes are integers.
 */
export function leastQueue(endpoints: readonly SchedEndpoint[]): SchedEndpoint[] {
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (const e of endpoints) {
    const q = waiting(e);
    if (q <= min) min = q;
    if (q >= max) max = q;
  }
  const bound = min + Math.trunc((max - min) / endpoints.length);
  return endpoints.filter((e) => {
    const q = waiting(e);
    return q >= min && q <= bound;
  });
}

/** Keeps `min ≤ kv ≤ min + (max − min)/n` (float; `max` starts at 0). */
export function leastKvCache(endpoints: readonly SchedEndpoint[]): SchedEndpoint[] {
  let min = Number.MAX_VALUE;
  let max = 0;
  for (const e of endpoints) {
    const kv = kvUsage(e);
    if (kv <= min) min = kv;
    if (kv >= max) max = kv;
  }
  const bound = min + (max - min) / endpoints.length;
  return endpoints.filter((e) => {
    const kv = kvUsage(e);
    return kv >= min && kv <= bound;
  });
}

/**
 * LoRA soft affinity. "Affinity" endpoints have the target adapter (v0.3: running; v0.5: running
 * or waiting); the others are "available" when they have a free slot (v0.3: |running| < max;
 * v0.5: |running| + |waiting| < max). Both non-empty → affinity with probability `threshold`, else
 * available; otherwise whichever is non-empty (possibly neither → empty).
 */
export function loraSoftAffinity(
  endpoints: readonly SchedEndpoint[],
  targetModel: string,
  threshold: number,
  rng: () => number,
  version: 'v0.3' | 'v0.5',
): SchedEndpoint[] {
  const affinity: SchedEndpoint[] = [];
  const available: SchedEndpoint[] = [];
  for (const e of endpoints) {
    const active = activeModels(e);
    if (version === 'v0.3') {
      if (active.includes(targetModel)) affinity.push(e);
      else if (active.length < maxActiveModels(e)) available.push(e);
    } else {
      const waitingList = waitingModels(e);
      if (active.includes(targetModel) || waitingList.includes(targetModel)) affinity.push(e);
      else if (active.length + waitingList.length < maxActiveModels(e)) available.push(e);
    }
  }
  if (affinity.length > 0 && available.length > 0) return rng() < threshold ? affinity : available;
  return affinity.length > 0 ? affinity : available;
}

/** A node of a legacy decision tree (v0.3 `filter` struct / v0.5 `decision-tree-filter`). */
export interface TreeNode<C> {
  run(c: C, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[];
  readonly nextOnSuccess?: TreeNode<C> | undefined;
  readonly nextOnFailure?: TreeNode<C> | undefined;
  readonly nextOnSuccessOrFailure?: TreeNode<C> | undefined;
}

/**
 * Runs a node: a non-empty result goes to nextOnSuccess (else nextOnSuccessOrFailure) with the
 * FILTERED list; an empty result goes to nextOnFailure (else nextOnSuccessOrFailure) with the
 * ORIGINAL list; no successor → the result itself.
 */
export function runTree<C>(node: TreeNode<C>, c: C, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
  const filtered = node.run(c, endpoints);
  if (filtered.length > 0) {
    const next = node.nextOnSuccess ?? node.nextOnSuccessOrFailure;
    return next ? runTree(next, c, filtered) : filtered;
  }
  const next = node.nextOnFailure ?? node.nextOnSuccessOrFailure;
  return next ? runTree(next, c, endpoints) : filtered;
}
