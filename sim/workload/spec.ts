/** Resolved (validated, defaulted) workload description consumed by the generator. */
import type { RequestRouting } from './routing.js';

export type LengthDist =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  /** Normal clipped to [min, max] (resampled-free: clipped), rounded to an integer. */
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number; readonly min: number; readonly max: number }
  /** Lognormal parameterised by the mean and std of the *resulting* lengths, clipped to [min, max]. */
  | { readonly kind: 'lognormal'; readonly mean: number; readonly std: number; readonly min: number; readonly max: number }
  /** Discrete values with weights (need not sum to 1). */
  | { readonly kind: 'empirical'; readonly values: readonly number[]; readonly weights: readonly number[] };

export interface ArrivalSpec {
  /**
   * poisson: exponential gaps; gamma / weibull: gaps with coefficient of variation `cv` (BLIS,
   * ServeGen); constant: fixed gaps. `source`: the workload's source (trace, tenants, ServeGen)
   * sets the arrival times and `rate` is its mean offered rate; setting another `rate` (a sweep)
   * scales the source by rate / its nominal_rate.
   */
  readonly process: 'poisson' | 'gamma' | 'weibull' | 'constant' | 'source';
  /** Mean requests per second (with a profile: the rate its multipliers apply to). */
  readonly rate: number;
  /** Inter-arrival coefficient of variation (gamma and weibull; 1 = Poisson). */
  readonly cv: number;
  /** Time-varying rate (rate ladder, spikes, diurnal swing); absent = the constant `rate`. */
  readonly profile?: RateProfile;
}

/** One step of a rate ladder. */
export interface RateStage {
  readonly rate: number;
  readonly duration_s: number;
}

/** The rate multiplied by `multiplier` during [at_s, at_s + duration_s). */
export interface RateSpike {
  readonly at_s: number;
  readonly duration_s: number;
  readonly multiplier: number;
}

/** rate × (1 + amplitude · cos(2π (t − peak_s) / period_s)). */
export interface DiurnalSpec {
  readonly amplitude: number;
  readonly period_s: number;
  readonly peak_s: number;
}

/**
 * A time-varying arrival rate λ(t) = base(t) · Π spikes(t) · diurnal(t), where base(t) is the
 * current stage's rate (no arrivals after the last stage) or the arrival `rate` without stages.
 */
export interface RateProfile {
  readonly stages: readonly RateStage[];
  readonly spikes: readonly RateSpike[];
  readonly diurnal: DiurnalSpec | null;
}

/** inference-perf `shared_prefix` semantics (workloads.md §1). */
export interface SharedPrefixSpec {
  readonly num_groups: number;
  readonly num_prompts_per_group: number;
  readonly system_prompt_len: number;
  readonly question_len: number;
  /** Each user's requests accumulate the conversation so far (system + q1 + a1 + … + qk). */
  readonly enable_multi_turn_chat: boolean;
  /**
   * Multi-turn only: turns per conversation; after this many a user's conversation starts over from
   * turn 0 with fresh question content. 0 = unlimited (the context grows for the whole run).
   */
  readonly max_turns: number;
}

export interface AdapterSpec {
  readonly name: string;
  readonly weight: number;
  /** LoRA rank; defaults to the fleet's max_lora_rank. */
  readonly rank?: number;
}

export interface PriorityClass {
  readonly priority: number;
  readonly weight: number;
}

/**
 * `model`, `path` and `headers` (RequestRouting, routing.ts) at workload level apply to every
 * request of every source; tenants and sessions carry their own, already merged over these.
 */
export interface WorkloadSpec extends RequestRouting {
  readonly arrival: ArrivalSpec;
  /** Prompt length when there is no shared prefix (each prompt is one unique segment); absent with a trace or tenants. */
  readonly input?: LengthDist;
  /** Output length of every request; absent with a trace or tenants. */
  readonly output?: LengthDist;
  readonly shared_prefix?: SharedPrefixSpec;
  /** LoRA adapter mix; empty = base model only. */
  readonly adapters: readonly AdapterSpec[];
  /** Weight of requests that use the base model when adapters are given (default 0). */
  readonly base_model_weight: number;
  /** Priority classes by weight; empty = everything priority 0. */
  readonly priorities: readonly PriorityClass[];
  /**
   * inference-perf `total_count`: prompts (and their input/output lengths) come from a pool of this
   * many, drawn once; request n uses entry n mod size, so a prompt repeats after `size` requests.
   * Absent = every request draws its own lengths and unique prompt. Ignored with shared_prefix.
   */
  readonly pool?: number;
  /**
   * Where requests come from instead of the generator above: a trace, sessions, tenants or ServeGen
   * clients. Absent = the generator. Sessions use `arrival` (open), `input` and `output`; trace rows
   * without an adapter or priority take them from `adapters` / `priorities` when given.
   */
  readonly source?: WorkloadSource;
}

/** When the stream stops: after `requests` arrivals, or at `durationUs`, whichever comes first. */
export interface StreamLimits {
  readonly requests?: number;
  readonly durationUs?: number;
}

/** Replay controls of a trace (README "Workloads and traces"). */
export interface ReplayControls {
  /** Offered-load multiplier: trace time is divided by it (2 = twice the rate). */
  readonly rate_scale: number;
  /** Window on the trace's own clock, seconds; the replay starts at `from_s`. */
  readonly from_s: number;
  readonly to_s: number | null;
  /** Fraction of rows kept (each independently, seeded). */
  readonly sample: number;
  /** Passes over the window; 0 = endless (then requests or duration_s stops the run). */
  readonly loop: number;
  /** Each arrival moves later by U[0, jitter_s) on the trace's clock (coarse timestamps). */
  readonly jitter_s: number;
  /** Skip (and count) malformed rows instead of failing. */
  readonly skip_bad_rows: boolean;
}

/** Requests read from a trace file. */
export interface TraceSourceSpec extends ReplayControls {
  readonly kind: 'trace';
  /** Path as resolved (relative to the scenario file's directory when given in a scenario). */
  readonly path: string;
  readonly format: 'routesim' | 'mooncake' | 'azure' | 'blis' | 'inference-perf';
  /** Mean request rate of this replay as resolved (rows / span), req/s; 0 = unknown (no scaling by arrival.rate). */
  readonly nominal_rate: number;
  /** inference-perf real-text datasets: the recorded (input, output) lengths file, resolved (inferencePerf/datasets.ts). */
  readonly dataset_lengths?: string;
}

/** A duration distribution in seconds (think times). */
export type DurationDist =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'exponential'; readonly mean: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'lognormal'; readonly mean: number; readonly std: number };

/**
 * Multi-turn conversations: turn k's prompt is the session's system prompt + q0 + a0 + … + qk
 * (each answer as generated), questions drawn from the workload's `input`, answers from `output`.
 * open: sessions start by the workload's `arrival` process and turn k + 1 is sent a think time after
 * turn k was sent. closed: `users` clients each run one session at a time; a turn is sent a think
 * time after the previous answer arrived (or was rejected, which ends the session).
 */
export interface SessionsSpec extends RequestRouting {
  readonly kind: 'sessions';
  readonly mode: 'open' | 'closed';
  /** closed: concurrency (clients); open: unused (0). */
  readonly users: number;
  readonly turns: LengthDist;
  readonly think_time_s: DurationDist;
  /** Tokens of the system prompt every session starts with (0 = none). */
  readonly system_prompt_len: number;
  /** Distinct system prompts; a session picks one uniformly. */
  readonly num_system_prompts: number;
  // model / path / headers (RequestRouting): the workload's merged with the sessions' own; every turn carries them.
}

/** One client of a multi-tenant workload; its routing fields are the workload's merged with its own. */
export interface TenantSpec extends RequestRouting {
  readonly name: string;
  readonly arrival: ArrivalSpec;
  readonly input: LengthDist;
  readonly output: LengthDist;
  readonly priority: number;
  readonly adapter: string | null;
  readonly adapter_rank: number;
  /** Tokens of a system prompt all of this tenant's requests share (0 = none). */
  readonly system_prompt_len: number;
}

/** Many clients, each with its own arrival process, lengths, priority and adapter; merged in time. */
export interface TenantsSpec {
  readonly kind: 'tenants';
  readonly tenants: readonly TenantSpec[];
  /** Σ tenants' mean rates, req/s. */
  readonly nominal_rate: number;
}

/** ServeGen model pools (servegen_client_windows `model`). */
export const SERVEGEN_POOLS = ['m-large', 'm-mid', 'm-small', 'deepseek-r1', 'mm-image'] as const;

/**
 * Clients driven by ServeGen's per-client windows (servegen_client_windows): each selected client's
 * 600-s windows give its rate and inter-arrival distribution (Gamma or Weibull shape, rescaled to
 * the window's rate); optional per-client lengths from servegen_client_lengths.
 */
export interface ServeGenSpec {
  readonly kind: 'servegen';
  readonly path: string;
  readonly lengths_path: string | null;
  /** Model pool: m-large, m-mid, m-small, deepseek-r1, mm-image. */
  readonly pool: string;
  /** Range of the ServeGen clock replayed, seconds (the run starts at from_s). */
  readonly from_s: number;
  readonly to_s: number;
  /** Keep the N clients with the most requests in the range (null = all). */
  readonly clients: number | null;
  readonly rate_scale: number;
  /** Each client uses adapter `client-<id>` (a synthetic proxy: no public per-request LoRA trace exists). */
  readonly adapters: boolean;
  /** Expected requests of the selected clients over the range / its length, req/s (at rate_scale). */
  readonly nominal_rate: number;
}

export type WorkloadSource = TraceSourceSpec | SessionsSpec | TenantsSpec | ServeGenSpec;

/** The input and output length distributions, which every generated workload has. */
export function requireLengths(spec: WorkloadSpec): { input: LengthDist; output: LengthDist } {
  if (!spec.input || !spec.output) throw new RangeError('workload: input and output lengths are required to generate requests');
  return { input: spec.input, output: spec.output };
}

/**
 * How much a source's offered rate is scaled: arrival.rate / nominal_rate for a `source` arrival
 * whose rate was changed after resolution (a sweep), else exactly 1.
 */
export function sourceRateFactor(spec: WorkloadSpec, nominal: number): number {
  return spec.arrival.process === 'source' && nominal > 0 && spec.arrival.rate !== nominal ? spec.arrival.rate / nominal : 1;
}
