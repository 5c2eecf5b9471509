/**
 * The request stream: a deterministic function of (spec, seed, limits). Every policy of a scenario
 * replays the identical stream by calling `createRequestStream` again with the same arguments.
 *
 * Each concern draws from its own named RNG stream ('arrivals', 'lengths', 'prefix', 'adapters',
 * 'priorities'), so e.g. adding an adapter mix leaves arrival times and lengths unchanged. The
 * workload's model, path and headers (routing.ts) are on every request; they draw nothing.
 */
import { createRng } from '../core/rng.js';
import { createAdapterPicker, createPriorityPicker } from './pickers.js';
import { createArrivalProcess } from './arrivals.js';
import { sampleLength } from './distributions.js';
import { createSharedPrefixPrompts, outputContentOf, poolContentOf, uniquePrompt } from './prompts.js';
import { createSourceStream } from './sources.js';
import { routingOf, withRouting } from './routing.js';
import type { Segment, SimRequest } from './request.js';
import { requireLengths, type StreamLimits, type WorkloadSpec } from './spec.js';

export interface StreamOptions {
  readonly seed: number;
  readonly limits: StreamLimits;
  /** Rank of adapters that do not state one (the fleet's max_lora_rank). */
  readonly defaultAdapterRank: number;
  /** The simulation reports finished requests to a FeedbackStream (inference-perf stages drain); absent = listing only. */
  readonly closedLoop?: boolean;
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
  if (spec.source) return createSourceStream(spec, spec.source, opts, createRequestStream);
  const { requests, durationUs } = opts.limits;
  if (requests === undefined && durationUs === undefined && !(spec.arrival.profile && spec.arrival.profile.stages.length > 0)) {
    throw new RangeError('stream limits: give requests, durationUs, or both');
  }
  return generate(spec, opts, requests ?? Infinity, durationUs ?? Infinity);
}

function* generate(spec: WorkloadSpec, opts: StreamOptions, maxRequests: number, maxUs: number): Generator<SimRequest> {
  const { seed } = opts;
  const { input, output } = requireLengths(spec);
  const nextArrival = createArrivalProcess(spec.arrival, createRng(seed, 'arrivals'));
  const lengths = createRng(seed, 'lengths');
  const prefix = createRng(seed, 'prefix');
  const pickAdapter = createAdapterPicker(spec.adapters, spec.base_model_weight, opts.defaultAdapterRank, createRng(seed, 'adapters'));
  const pickPriority = createPriorityPicker(spec, createRng(seed, 'priorities'));
  const routing = routingOf(spec);

  const sp = spec.shared_prefix;
  const prompts = sp ? createSharedPrefixPrompts(sp) : null;
  const users = sp ? sp.num_groups * sp.num_prompts_per_group : 0;
  if (sp && !(users >= 1)) throw new RangeError('shared_prefix: num_groups × num_prompts_per_group must be ≥ 1');
  // inference-perf total_count: lengths of pool entry j are drawn when j is first used (in order).
  const pool = spec.pool !== undefined && spec.pool > 0 ? { size: spec.pool, input: [] as number[], output: [] as number[] } : null;

  for (let id = 0; id < maxRequests; id++) {
    const arrivalUs = Math.round(nextArrival() * 1e6);
    if (arrivalUs > maxUs || arrivalUs === Infinity) return;

    let segments: readonly Segment[];
    let group = -1;
    let session = -1;
    let turn = 0;
    let outputTokens: number;
    if (prompts && sp) {
      session = Math.floor(prefix() * users);
      group = Math.floor(session / sp.num_prompts_per_group);
      outputTokens = sampleLength(output, lengths);
      const pick = prompts(id, group, session - group * sp.num_prompts_per_group, outputTokens);
      segments = pick.segments;
      turn = pick.turn;
    } else if (pool) {
      const j = id % pool.size;
      while (pool.input.length <= j) {
        pool.input.push(sampleLength(input, lengths));
        pool.output.push(sampleLength(output, lengths));
      }
      segments = [{ content: poolContentOf(j), tokens: pool.input[j]! }];
      outputTokens = pool.output[j]!;
    } else {
      segments = uniquePrompt(id, sampleLength(input, lengths));
      outputTokens = sampleLength(output, lengths);
    }
    const adapter = pickAdapter();

    yield withRouting({
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
    }, routing);
  }
}
