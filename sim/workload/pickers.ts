/** Per-request draws of a workload's LoRA adapter and priority class, shared by generators and trace replay. */
import type { AdapterSpec, WorkloadSpec } from './spec.js';
import { weightedPicker, type Rng } from '../core/rng.js';

/** Picks (adapter name, rank) per request, the base model (null, 0) with `baseWeight`. */
export function createAdapterPicker(
  adapters: readonly AdapterSpec[],
  baseWeight: number,
  defaultRank: number,
  rng: Rng,
): () => { name: string | null; rank: number } {
  const base = { name: null, rank: 0 };
  if (adapters.length === 0) return () => base;
  const choices = [...adapters.map((a) => ({ name: a.name, rank: a.rank ?? defaultRank })), base];
  return weightedPicker(choices, [...adapters.map((a) => a.weight), baseWeight], rng);
}

/** Picks a priority class per request; 0 when no classes are given. */
export function createPriorityPicker(spec: WorkloadSpec, rng: Rng): () => number {
  const classes = spec.priorities;
  if (classes.length === 0) return () => 0;
  return weightedPicker(
    classes.map((c) => c.priority),
    classes.map((c) => c.weight),
    rng,
  );
}
