/**
 * Configurations that cannot work, caught at load with the reason in the user's terms:
 * - the model does not fit the GPU (vLLM's start-up failure, with the tp or GPU that would fit);
 * - the fleet's KV blocks would not fit the simulator's memory;
 * - a run too big to finish (more than {@link MAX_REQUESTS} requests, or longer than
 *   {@link MAX_DURATION_S} of simulated time);
 * - a generated workload whose every request vLLM would reject (prompt + output longer than
 *   max_model_len or the whole KV cache). Some such requests are a run with a warning (cli/runWarnings.ts).
 */
import { inputError } from '../core/errors.js';
import { capacityProblem, numGpuBlocks } from '../engine/capacity.js';
import { parallelismOf } from '../engine/modelMath.js';
import { getGpu, getModel, gpuNames } from '../hardware/catalog.js';
import { createRateFunction } from '../workload/arrivals.js';
import type { LengthDist, RateProfile, WorkloadSpec } from '../workload/spec.js';
import { fmtNum, MAX_DURATION_S, MAX_FLEET_BLOCKS, MAX_REQUESTS } from './bounds.js';
import { TP_VALUES } from './schema.js';
import type { ScenarioConfig } from './types.js';

/** The fleet can start: the weights leave room for KV, and the fleet's blocks fit in memory. */
export function checkFleetFits(s: ScenarioConfig, file: string): void {
  const f = s.fleet;
  const model = getModel(f.model);
  const gpu = getGpu(f.gpu);
  const p = capacityProblem(model, gpu, f.tp, f.engine, TP_VALUES, gpuNames().map(getGpu), parallelismOf(f));
  if (p) throw inputError(file, p.path, p.problem, p.fix);
  const blocks = numGpuBlocks(model, gpu, f.tp, f.engine, parallelismOf(f));
  if (blocks * f.replicas > MAX_FLEET_BLOCKS) {
    throw inputError(
      file,
      'fleet.replicas',
      `${f.replicas} replicas × ${blocks} KV blocks = ${fmtNum(blocks * f.replicas)} blocks; the simulator holds at most ${fmtNum(MAX_FLEET_BLOCKS)} over the fleet`,
      'use fewer replicas, a larger fleet.engine.block_size, or a smaller fleet.engine.num_gpu_blocks',
    );
  }
}

/** Smallest and largest value a length distribution can take. */
export function lengthBounds(d: LengthDist): { min: number; max: number } {
  switch (d.kind) {
    case 'constant':
      return { min: d.value, max: d.value };
    case 'uniform':
    case 'normal':
    case 'lognormal':
      return { min: d.min, max: d.max };
    case 'empirical': {
      const vs = d.values.filter((_, i) => (d.weights[i] ?? 0) > 0);
      return { min: Math.min(...vs), max: Math.max(...vs) };
    }
  }
}

/**
 * Expected arrivals of a generated workload at `rate`: the integral of its rate λ(t) over
 * [0, min(the stages' end, durationS)], as the arrival process draws it (workload/arrivals.ts
 * createRateFunction: with stages, a changed `rate` (a sweep point) scales every stage by rate / the
 * stages' mean; spikes multiply the rate while they last). The diurnal swing is left out (it averages
 * about 1). 0 when nothing bounds the time (the run is bounded by `requests`).
 */
export function expectedArrivals(rate: number, profile: RateProfile | undefined, durationS: number | null, withSpikes = true): number {
  const p: RateProfile = { stages: profile?.stages ?? [], spikes: withSpikes ? (profile?.spikes ?? []) : [], diurnal: null };
  const f = createRateFunction(rate, p);
  const horizon = Math.min(f.end, durationS ?? Infinity);
  if (!Number.isFinite(horizon)) return 0;
  let sum = 0;
  // Pieces between stage ends and spike edges: O(stages + spikes) of them.
  for (let t = 0; t < horizon; ) {
    const b = Math.min(f.nextBoundary(t), horizon);
    sum += f.meanRate(t, b) * (b - t);
    t = b;
  }
  return sum;
}

/**
 * Simulated seconds until `n` requests are expected to have arrived at `rate` under the spikes of
 * `profile` (no stages): a spike with multiplier 0 is a pause that lengthens the run. Walks the
 * O(spikes) pieces between spike edges, then the base rate after the last one.
 */
export function timeToArrivals(rate: number, profile: RateProfile | undefined, n: number): number {
  const f = createRateFunction(rate, { stages: [], spikes: profile?.spikes ?? [], diurnal: null });
  let left = n;
  let t = 0;
  for (;;) {
    const b = f.nextBoundary(t);
    if (!Number.isFinite(b)) return t + left / rate;
    const m = f.meanRate(t, b);
    if (m * (b - t) >= left) return t + left / m;
    left -= m * (b - t);
    t = b;
  }
}

/**
 * The run ends within MAX_REQUESTS requests and MAX_DURATION_S simulated seconds. Without
 * `requests`, a run's size is rate × duration_s (or a ladder's Σ rate × duration_s), spikes
 * included, at the scenario's rate and at every sweep rate; without duration_s, its length is
 * requests / rate.
 */
export function checkRunSize(s: ScenarioConfig, file: string): void {
  const w = s.workload;
  const rate = w.arrival.rate;
  if (w.source?.kind === 'sessions' && w.source.mode === 'closed') return;
  const profile = w.arrival.profile;
  const stages = profile?.stages ?? [];
  const spikes = profile?.spikes ?? [];
  const ladderSpan = stages.reduce((sum, st) => sum + st.duration_s, 0);
  /** The limit on expected requests at rate `r` (the scenario's, or a sweep point at `sweepPath`). */
  const checkExpected = (r: number, sweepPath?: string): void => {
    if (s.requests !== null) return;
    const expected = expectedArrivals(r, profile, s.duration_s);
    if (expected <= MAX_REQUESTS) return;
    const bySpikes = spikes.length > 0 && expectedArrivals(r, profile, s.duration_s, false) <= MAX_REQUESTS;
    // A ladder bounds the time unless duration_s stops it earlier.
    const byStages = stages.length > 0 && (s.duration_s === null || s.duration_s >= ladderSpan);
    const scaled = r !== rate ? ` scaled to a mean of ${fmtNum(r)} req/s` : '';
    const base = byStages ? `the stages' Σ rate × duration_s${scaled}` : stages.length > 0 ? `the stages' rates${scaled} over duration_s ${fmtNum(s.duration_s ?? 0)}` : `${fmtNum(r)} req/s × duration_s ${fmtNum(s.duration_s ?? 0)}`;
    const how = spikes.length > 0 ? `${base} with the spikes' multipliers` : base;
    const path = sweepPath ?? (bySpikes ? 'workload.arrival.spikes' : byStages ? 'workload.arrival.stages' : 'duration_s');
    const fix = sweepPath ? 'lower the rate or shorten the run, or set requests: <count>' : bySpikes ? 'lower or shorten the spikes, or set requests: <count> to stop the run earlier' : 'shorten the run or lower the rate, or set requests: <count> to stop it earlier';
    throw inputError(file, path, `${how} = ${fmtNum(expected)} expected requests; a run is limited to ${fmtNum(MAX_REQUESTS)}`, fix);
  };
  checkExpected(rate);
  if (stages.length > 0 && ladderSpan > MAX_DURATION_S) {
    throw inputError(file, 'workload.arrival.stages', `the stages last ${fmtNum(ladderSpan)} s; a run is limited to ${fmtNum(MAX_DURATION_S)} s of simulated time`, 'shorten the stages');
  }
  // Generated and tenant workloads only: a session's turns or a replay's own clock set their pace.
  const paced = w.source === undefined || w.source.kind === 'tenants';
  if (s.duration_s === null && s.requests !== null && rate > 0 && stages.length === 0 && paced) {
    const span = spikes.length > 0 ? timeToArrivals(rate, profile, s.requests) : s.requests / rate;
    if (span > MAX_DURATION_S && span > s.requests / rate) {
      throw inputError(file, 'workload.arrival.spikes', `${s.requests} requests at ${fmtNum(rate)} req/s with the spikes' multipliers (a multiplier 0 pauses arrivals) arrive over ~${fmtNum(span)} s; a run is limited to ${fmtNum(MAX_DURATION_S)} s of simulated time`, 'shorten the pauses (spikes with multiplier 0), or set duration_s');
    }
    if (span > MAX_DURATION_S) {
      throw inputError(file, w.source ? 'workload.tenants' : 'workload.arrival.rate', `at ${fmtNum(rate)} req/s, ${s.requests} requests arrive over ~${fmtNum(span)} s; a run is limited to ${fmtNum(MAX_DURATION_S)} s of simulated time`, `raise the rate to at least ${fmtNum(s.requests / MAX_DURATION_S)} req/s, or set duration_s`);
    }
  }
  // The same at every rate of a sweep (each point replaces the arrival rate; a ladder scales by it).
  (s.sweep?.rates ?? []).forEach((r, i) => {
    if (!paced) return;
    checkExpected(r, `sweep.rates[${i}]`);
    if (s.duration_s === null && s.requests !== null && stages.length === 0 && s.requests / r > MAX_DURATION_S) {
      throw inputError(file, `sweep.rates[${i}]`, `at ${fmtNum(r)} req/s, ${s.requests} requests arrive over ~${fmtNum(s.requests / r)} s; a run is limited to ${fmtNum(MAX_DURATION_S)} s of simulated time`, `use rates of at least ${fmtNum(s.requests / MAX_DURATION_S)} req/s, or set duration_s`);
    }
  });
}

/**
 * The longest request (prompt + output tokens) a replica accepts: vLLM rejects longer ones at
 * arrival (max_model_len, or more blocks than the whole KV cache).
 */
export function longestAccepted(s: ScenarioConfig): { tokens: number; why: string } {
  const maxLen = s.fleet.engine.max_model_len ?? getModel(s.fleet.model).max_model_len;
  const kvTokens = kvTokensPerReplica(s);
  return kvTokens < maxLen ? { tokens: kvTokens, why: `the whole KV cache of a replica (${kvTokens} tokens)` } : { tokens: maxLen, why: `max_model_len ${maxLen}` };
}

/** Tokens a replica's whole KV cache holds (blocks × block_size). */
export function kvTokensPerReplica(s: ScenarioConfig): number {
  const f = s.fleet;
  return numGpuBlocks(getModel(f.model), getGpu(f.gpu), f.tp, f.engine, parallelismOf(f)) * f.engine.block_size;
}

/** A generated workload whose shortest request is longer than a replica accepts: every request would be rejected. */
export function checkLengthsFit(s: ScenarioConfig, file: string): void {
  const w: WorkloadSpec = s.workload;
  const { tokens, why } = longestAccepted(s);
  const fail = (path: string, shortest: number): void => {
    if (shortest > tokens) {
      throw inputError(file, path, `every request would be rejected: the shortest is ${shortest} tokens (prompt + output), longer than ${why}`, 'shorten the prompts or outputs, or raise fleet.engine.max_model_len / use a larger GPU');
    }
  };
  const shortest = (input: LengthDist, output: LengthDist, extra: number): number => lengthBounds(input).min + extra + lengthBounds(output).min;
  const src = w.source;
  if (src?.kind === 'tenants') return fail('workload.tenants', Math.min(...src.tenants.map((t) => shortest(t.input, t.output, t.system_prompt_len))));
  if (src?.kind === 'trace' || src?.kind === 'servegen' || !w.input || !w.output) return;
  fail(w.shared_prefix ? 'workload.shared_prefix' : 'workload.input', shortest(w.input, w.output, src?.kind === 'sessions' ? src.system_prompt_len : 0));
}
