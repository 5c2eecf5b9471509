/** The parsed inference-perf config (formats.md §1): what the request stream is generated from. */
import type { DatasetData } from './datasets.js';
import type { IpDist } from './distribution.js';
import type { OtelOptions } from './otelSession.js';

/** A rate stage (constant / poisson): exactly n = ⌊rate·duration⌋ requests. */
export interface RateStage {
  readonly kind: 'rate';
  readonly rate: number;
  readonly duration_s: number;
  readonly n: number;
}

/** A `concurrent` stage: n requests scheduled over 1 s, at most `concurrency` in flight. */
export interface ConcurrentStage {
  readonly kind: 'concurrent';
  readonly n: number;
  readonly concurrency: number;
}

/** A `trace_replay` stage: one request per Azure row, at the row's offset from the first. */
export interface TraceStage {
  readonly kind: 'trace';
  readonly offsetsUs: readonly number[];
  readonly n: number;
}

/** A `trace_session_replay` stage: sessions started while fewer than `concurrent` are active. */
export interface SessionStage {
  readonly kind: 'sessions';
  /** 0 = unlimited. */
  readonly concurrent: number;
  /** Sessions per second, or null (no spacing). */
  readonly session_rate: number | null;
  /** null = the rest of the corpus. */
  readonly num_sessions: number | null;
}

export type Stage = RateStage | ConcurrentStage | TraceStage | SessionStage;

/** `load.sweep`: stages derived from a saturation probe. */
export interface SweepPlan {
  readonly type: 'geometric' | 'linear';
  readonly num_requests: number;
  readonly timeout_s: number;
  readonly num_stages: number;
  readonly stage_duration_s: number;
  readonly saturation_percentile: number;
}

export interface LoraShare {
  readonly name: string;
  readonly split: number;
}

export interface LoadPlan {
  readonly type: 'constant' | 'poisson' | 'concurrent' | 'trace_replay' | 'trace_session_replay';
  readonly stages: readonly Stage[];
  /** Pause after every stage, seconds. */
  readonly interval_s: number;
  /** In-flight cap of rate types: num_workers × worker_max_concurrency (Infinity without num_workers). */
  readonly cap: number;
  readonly lora: readonly LoraShare[];
  readonly sweep: SweepPlan | null;
}

export interface SharedPrefixData {
  readonly type: 'shared_prefix';
  readonly groups: number;
  readonly perGroup: number;
  readonly system: IpDist;
  readonly question: IpDist;
  readonly output: IpDist;
  readonly seed: number | null;
  readonly multiTurn: boolean;
}

export interface RandomData {
  readonly type: 'random' | 'synthetic';
  readonly input: IpDist;
  readonly output: IpDist;
  /** `data.trace`: request i's lengths are row i's (mod the rows); null = drawn. */
  readonly rows: { readonly input: readonly number[]; readonly output: readonly number[] } | null;
}

export interface ConversationData {
  readonly type: 'conversation_replay';
  readonly seed: number;
  readonly conversations: number;
  readonly shared: number;
  readonly dynamic: IpDist;
  readonly turns: IpDist;
  readonly question: IpDist;
  readonly output: IpDist;
  readonly tool: IpDist | null;
  readonly maxModelLen: number;
}

/** otel_trace_replay of the catalog's corpus, regenerated from its published statistics, or of local OTel files (`files`). */
export interface SessionReplayData {
  readonly type: 'otel_trace_replay';
  readonly dataset: string;
  readonly maxWaitS: number;
  readonly defaultMaxTokens: number;
  readonly files?: OtelFileSource;
}

/** Local OTel trace files (trace_directory / trace_files), one session each, in order. */
export interface OtelFileSource {
  readonly paths: readonly string[];
  readonly skipInvalid: boolean;
  readonly options: OtelOptions;
}

export type DataPlan = SharedPrefixData | RandomData | ConversationData | SessionReplayData | DatasetData;

export interface InferencePerfConfig {
  readonly file: string;
  readonly load: LoadPlan;
  readonly data: DataPlan;
}
