/**
 * The request stream: a deterministic function of (spec, seed, limits). Every policy of a scenario
 * replays the identical stream by calling `createRequestStream` again with the same arguments.
 *
 * Each concern draws from its own named RNG stream ('arrivals', 'lengths', 'prefix', 'adapters',
 * 'priorities'), so e.g. adding an adapter mix leaves arrival times and lengths unchanged.
 */
import { createRng, weightedPicker, type Rng } from '../core/rng.js';
import { createArrivalProcess } from './arrivals.js';
import { sampleLength } from './distributions.js';
import { createSharedPrefixPrompts, outputContentOf, uniquePrompt } from './prompts.js';
import type { Segment, SimRequest } from './request.js';
import type { AdapterSpec, StreamLimits, WorkloadSpec } from './spec.js';

export interface StreamOptions {
  readonly seed: number;
  readonly limits: StreamLimits;
  /** Rank of adapters that do not state one (the fleet's max_lora_rank). */
  readonly defaultAdapterRank: number;
}

/** Picks (adapter name, rank) per request, the base model (null, 0) with `baseWeight`. */
function createAdapterPicker(
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
function createPriorityPicker(spec: WorkloadSpec, rng: Rng): () => number {
  const classes = spec.priorities;
  if (classes.length === 0) return () => 0;
  return weightedPicker(
    classes.map((c) => c.priority),
    classes.map((c) => c.weight),
    rng,
  );
}

/** Sum of segment lengths. */
function tokensOf(segments: readonly Segment[]): number {
  let n = 0;
  for (const s of segments) n += s.tokens;
  return n;
}

/**
 * The request stream of `spec`. Stops after `limits.requests` requests or before the first arrival
 * later than `limits.durationUs`, whichever comes first (at least one limit is required).
 * Arrival times accumulate in float seconds; each is converted with `Math.round(t * 1e6)`.
 */
export function createRequestStream(spec: WorkloadSpec, opts: StreamOptions): Iterator<SimRequest> {
  const { requests, durationUs } = opts.limits;
  if (requests === undefined && durationUs === undefined) {
    throw new RangeError('stream limits: give requests, durationUs, or both');
  }
  return generate(spec, opts, requests ?? Infinity, durationUs ?? Infinity);
}

function* generate(spec: WorkloadSpec, opts: StreamOptions, maxRequests: number, maxUs: number): Generator<SimRequest> {
  const { seed } = opts;
  const nextArrival = createArrivalProcess(spec.arrival, createRng(seed, 'arrivals'));
  const lengths = createRng(seed, 'lengths');
  const prefix = createRng(seed, 'prefix');
  const pickAdapter = createAdapterPicker(spec.adapters, spec.base_model_weight, opts.defaultAdapterRank, createRng(seed, 'adapters'));
  const pickPriority = createPriorityPicker(spec, createRng(seed, 'priorities'));

  const sp = spec.shared_prefix;
  const prompts = sp ? createSharedPrefixPrompts(sp) : null;
  const users = sp ? sp.num_groups * sp.num_prompts_per_group : 0;
  if (sp && !(users >= 1)) throw new RangeError('shared_prefix: num_groups × num_prompts_per_group must be ≥ 1');

  for (let id = 0; id < maxRequests; id++) {
    const arrivalUs = Math.round(nextArrival() * 1e6);
    if (arrivalUs > maxUs) return;

    let segments: readonly Segment[];
    let group = -1;
    let session = -1;
    let turn = 0;
    let outputTokens: number;
    if (prompts && sp) {
      session = Math.floor(prefix() * users);
      group = Math.floor(session / sp.num_prompts_per_group);
      outputTokens = sampleLength(spec.output, lengths);
      const pick = prompts(id, group, session - group * sp.num_prompts_per_group, outputTokens);
      segments = pick.segments;
      turn = pick.turn;
    } else {
      segments = uniquePrompt(id, sampleLength(spec.input, lengths));
      outputTokens = sampleLength(spec.output, lengths);
    }
    const adapter = pickAdapter();

    yield {
      id,
      arrivalUs,
      segments,
      inputTokens: tokensOf(segments),
      outputTokens,
      outputContent: outputContentOf(id),
      adapter: adapter.name,
      adapterRank: adapter.rank,
      priority: pickPriority(),
      group,
      session,
      turn,
    };
  }
}
