/** Resolved (validated, defaulted) workload description consumed by the generator. */

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
  /** poisson: exponential gaps; gamma: gamma gaps with coefficient of variation `cv`; constant: fixed gaps. */
  readonly process: 'poisson' | 'gamma' | 'constant';
  /** Mean requests per second. */
  readonly rate: number;
  /** Inter-arrival coefficient of variation (gamma only; 1 = Poisson). */
  readonly cv: number;
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

export interface WorkloadSpec {
  readonly arrival: ArrivalSpec;
  /** Prompt length when there is no shared prefix (each prompt is one unique segment). */
  readonly input: LengthDist;
  /** Output length of every request. */
  readonly output: LengthDist;
  readonly shared_prefix?: SharedPrefixSpec;
  /** LoRA adapter mix; empty = base model only. */
  readonly adapters: readonly AdapterSpec[];
  /** Weight of requests that use the base model when adapters are given (default 0). */
  readonly base_model_weight: number;
  /** Priority classes by weight; empty = everything priority 0. */
  readonly priorities: readonly PriorityClass[];
}

/** When the stream stops: after `requests` arrivals, or at `durationUs`, whichever comes first. */
export interface StreamLimits {
  readonly requests?: number;
  readonly durationUs?: number;
}
