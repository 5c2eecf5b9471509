/**
 * The resolved scenario: what a scenario YAML becomes after strict validation and defaulting.
 * YAML keys are snake_case (vLLM's engine argument names); these types use the same keys so a
 * field in the file and in the code have one name.
 */
import type { WorkloadSpec } from '../workload/spec.js';
import type { ChurnEvent } from '../churn/events.js';
import type { SweepDimension } from './overrides/types.js';

export interface EngineConfig {
  readonly max_num_seqs: number;
  readonly max_num_batched_tokens: number;
  /** Cap on prefill tokens one request may take in a step; 0 = off. */
  readonly long_prefill_token_threshold: number;
  readonly block_size: number;
  readonly gpu_memory_utilization: number;
  /** Explicit KV capacity per replica; null = computed from GPU memory (engine.md §2). */
  readonly num_gpu_blocks: number | null;
  readonly enable_prefix_caching: boolean;
  /** LoRA slots per batch; 0 = LoRA disabled. */
  readonly max_loras: number;
  /** Adapters kept in host memory (others load from disk). */
  readonly max_cpu_loras: number;
  readonly max_lora_rank: number;
  readonly scheduling: 'fcfs' | 'priority';
  /** Max prompt + output tokens; null = the model's context length. */
  readonly max_model_len: number | null;
  // --- Issue 12 engine fidelity (calibration.md §1.2, §5, §6.4–6.6). Optional: absent = today's behaviour
  // (and absent from the resolved scenario echoed in results, so existing outputs stay byte-identical).
  /**
   * vLLM async scheduling (batch queue of depth 2): a request enqueued while a step executes joins
   * at the scheduling instant after the next one; step = max(gpu, cpu). Absent/false = routesim's
   * sync loop. vLLM 0.19 resolves async_scheduling=None to true.
   */
  readonly async_scheduling?: boolean;
  /**
   * vLLM scheduler_reserve_full_isl: admit a waiting/preempted request only if blocks for its whole
   * current sequence fit now (calibration.md §6.5). Absent/false = only the first chunk's blocks
   * must fit. vLLM 0.19 resolves it to true.
   */
  readonly reserve_full_prompt?: boolean;
  /** Fraction of KV blocks kept free when admitting waiting requests while others run (vLLM watermark); absent = 0. */
  readonly watermark?: number;
  /**
   * CUDA-graph memory M_cg subtracted from KV memory, GiB per GPU (calibration.md §5.1). Absent = 0:
   * vLLM < 0.21 did not subtract it; ≥ 0.21 estimates it (public values 0.36–1.3 GiB).
   */
  readonly cuda_graph_memory_gb?: number;
  /** vLLM --kv-cache-memory, GiB per GPU: skips profiling, the KV cache gets exactly this. Absent/null = profiled. */
  readonly kv_cache_memory_gb?: number | null;
}

export interface FleetConfig {
  readonly replicas: number;
  readonly gpu: string;
  readonly model: string;
  readonly tp: number;
  readonly engine: EngineConfig;
  /** vLLM enable_expert_parallel (absent = false); see ReplicaGroup. */
  readonly expert_parallel?: boolean;
  /** DP ranks stepping together, each replica one rank (absent = 1). */
  readonly data_parallel?: number;
}

/** Non-GPU per-request overheads (BLIS α, engine.md §1), microseconds. */
export interface Overheads {
  /** Before the request enters the scheduler (API server, tokenisation). */
  readonly alpha0_us: number;
  /** After the last token (response completion). */
  readonly alpha1_us: number;
  /** Detokenisation delay of each streamed token (not cumulative). */
  readonly alpha2_us: number;
}

/**
 * Engine-core CPU time per step and frontend output processing (calibration.md §1.1–1.4, §6.4), µs.
 * Every field defaults to 0 (absent block = today's behaviour).
 */
export interface StepCpuCosts {
  /** Scheduler + input preparation + output update per step (sync: added to GPU time; async: max). */
  readonly schedule_us: number;
  /** The same, per scheduled request. */
  readonly per_request_us: number;
  /** Frontend output handler per step that emitted tokens (detokenise, SSE), FIFO per replica. */
  readonly egress_us_per_step: number;
  /** The same, per request that emitted a token in the step. */
  readonly egress_us_per_request: number;
}

export interface PhysicsCoefficients {
  readonly beta1a: number; readonly beta1b: number; readonly beta2a: number; readonly beta2b: number;
  readonly beta3: number; readonly beta4: number;
  readonly beta5_us_per_layer: number; readonly beta6_us_per_request: number;
  readonly beta7_us_per_step: number; readonly beta8_us_per_moe_layer: number;
}

export interface LinearCoefficients {
  readonly beta0_us: number;
  readonly beta1_us_per_prefill_token: number;
  readonly beta2_us_per_decode_token: number;
  /** Scaled terms (sim/engine/stepTime/linear.ts): µs on the reference hardware, scaled by the replica's weight / FLOP time. Absent = 0. */
  readonly beta3_us_scaled_by_weight_time?: number;
  readonly beta4_us_per_prefill_token_scaled_by_flop_time?: number;
  readonly beta5_us_per_decode_token_scaled_by_weight_time?: number;
}

/** Issue 12: the calibration file a physics/linear step time was read from (`step_time: {calibration: FILE}`) and what it was fitted for. */
export interface CalibrationRef {
  readonly file: string;
  readonly step_time_model: 'physics' | 'linear';
  readonly gpu: string;
  readonly model: string;
  readonly tp: number;
}

export type StepTimeConfig =
  | { readonly model: 'physics'; readonly coefficients: PhysicsCoefficients; readonly overheads: Overheads; readonly cpu?: StepCpuCosts; readonly calibration?: CalibrationRef }
  | { readonly model: 'linear'; readonly coefficients: LinearCoefficients; readonly overheads: Overheads; readonly cpu?: StepCpuCosts; readonly calibration?: CalibrationRef }
  | {
      readonly model: 'profile';
      readonly cpu?: StepCpuCosts;
      readonly profile: ProfileSource;
      readonly all_reduce: AllReduceCost | null;
      readonly overheads: Overheads;
      /** None (declared so code reading `step_time.coefficients` of the other models still compiles). */
      readonly coefficients?: undefined;
    };

/** Per-layer profile tables (calibration.md §3): paths are resolved against the scenario file's directory (as given, not made absolute). */
export type ProfileSource = LlmServingSimSource | VidurSource;

export interface LlmServingSimSource {
  readonly format: 'llmservingsim';
  readonly dir: string;
  /** File-name prefix, e.g. rtx4090_Llama-3.1-8B_tp1 → <dir>/<prefix>_dense.csv[.gz]. */
  readonly prefix: string;
  /** false = no decode-length skew blend even when the profile's meta has an α (profile/skew.ts); absent = LSS's behaviour (blend). */
  readonly skew?: boolean;
}

/** Vidur tables (calibration.md §3.3–3.6; sim/engine/stepTime/profile/vidurStep.ts). */
export interface VidurSource {
  readonly format: 'vidur';
  /** vidur_<gpu>_<model>_mlp.csv[.gz]: per-layer operators vs num_tokens and TP. */
  readonly mlp: string;
  /** vidur_network_<node>_all_reduce.csv[.gz]; needed when TP > 1 (else all_reduce: {latency_us, busbw_gbps}). */
  readonly all_reduce?: string;
  /** Vidur-style attention table (time_stats.attn_prefill/attn_decode); absent = roofline attention. */
  readonly attention?: string;
}

/**
 * TP all-reduce per call: latency_us + bytes·2(TP−1)/TP / busbw, or a Vidur NCCL table
 * (`table`, looked up at num_workers = devices_per_node = TP, plus `launch_us`) (calibration.md §3.6).
 */
export type AllReduceCost =
  | { readonly latency_us: number; readonly busbw_gbps: number; readonly table?: undefined }
  | { readonly table: string; readonly launch_us: number };

export interface LoraLoadConfig {
  /** Fixed cost of loading an adapter into a GPU slot (BLIS: 1.5 ms). */
  readonly base_us: number;
  /** Host-to-GPU copy bandwidth, GB/s (adapter resident in host memory). */
  readonly host_gbps: number;
  /** Disk read bandwidth, GB/s (adapter not in host memory). */
  readonly disk_gbps: number;
}

export interface GatewayConfig {
  /** Metrics scrape interval (EPP refreshMetricsInterval), ms; 0 = oracle (always fresh). */
  readonly refresh_metrics_ms: number;
  /** Bytes of prompt text per token as the router sees the synthetic prompts (the EPP estimates 4). */
  readonly chars_per_token: number;
  /** Delay before an engine's KV events (BlockStored/BlockRemoved) reach the router, ms. */
  readonly kv_events_delay_ms: number;
  /** InferenceModelRewrite rules: requests for `model` go to targets by integer weight. */
  readonly model_rewrites: readonly ModelRewrite[];
}

export interface ModelRewrite {
  readonly model: string;
  readonly targets: readonly { readonly model: string; readonly weight: number }[];
}

/** Where an EPP policy's EndpointPickerConfig comes from. */
export type EppConfigSource =
  /** GAIE v1.5.0's built-in default (no config file): queue 2, kv-cache 2, prefix 3. */
  | { readonly kind: 'default' }
  /** A config file: `path` as written in the scenario, `text` its content (read at load time). */
  | { readonly kind: 'file'; readonly path: string; readonly text: string }
  /** A config written inline in the scenario. */
  | { readonly kind: 'inline'; readonly config: Readonly<Record<string, unknown>> };

/** One group of identical replicas inside a pool (issue 10): GPU type, count, TP and pod labels. */
export interface ReplicaGroup {
  readonly gpu: string;
  readonly count: number;
  readonly tp: number;
  /** Pod labels the pool's picker sees, e.g. `llm-d.ai/role: prefill`. */
  readonly labels: Readonly<Record<string, string>>;
  /** vLLM enable_expert_parallel: whole experts over tp·data_parallel GPUs (absent = false; issue 12). */
  readonly expert_parallel?: boolean;
  /** DP ranks stepping together; each replica is one rank, count a multiple of it (absent = 1). */
  readonly data_parallel?: number;
}

/** KV transfer between prefill and decode pods (gateway.md §4.4–4.5). */
export interface KvTransferConfig {
  readonly transport: 'nvlink' | 'rdma' | 'tcp';
  /** Link bandwidth per GPU, GB/s (10^9 bytes/s). */
  readonly bandwidth_gbps: number;
  /** Fixed latency per transfer, µs. */
  readonly latency_us: number;
  /**
   * What concurrent transfers share: each prefill pod's NIC (`prefill`), each decode pod's NIC
   * (`decode`), or one cluster-wide link (`cluster`, BLIS's fair share).
   */
  readonly shared_by: 'prefill' | 'decode' | 'cluster';
}

/** A window during which a pool's Endpoint Picker is unreachable, seconds from the start. */
export interface PickerOutage {
  readonly from_s: number;
  readonly to_s: number;
}

/** An InferenceObjective of a pool: requests naming it in `x-gateway-inference-objective` get its priority. */
export interface ObjectiveSpec {
  readonly name: string;
  readonly priority: number;
}

/** What a pool's autoscaler reads (gateway.md §5.2–5.3): a per-pod gauge, or WVA V1's saturation analysis. */
export type AutoscaleMetric = 'queue' | 'kv' | 'running' | 'saturation';

/** One HPA scaling policy (autoscaling/v2 `HPAScalingPolicy`, gateway.md §5.1 step 6). */
export interface HpaPolicy {
  readonly type: 'Pods' | 'Percent';
  /** Pods added/removed, or percent of the replicas at the start of the period. */
  readonly value: number;
  /** Length of the sliding window over which changes are summed, s. */
  readonly period_s: number;
}

/** HPA scaling rules of one direction (autoscaling/v2 `HPAScalingRules`). */
export interface HpaScalingRules {
  readonly stabilization_window_s: number;
  readonly policies: readonly HpaPolicy[];
  readonly select_policy: 'Max' | 'Min' | 'Disabled';
}

/** A pool's autoscaler (issue 11): Kubernetes HPA semantics on one metric (sim/autoscale/hpa.ts). */
export interface AutoscalingConfig {
  readonly metric: AutoscaleMetric;
  /**
   * Per-pod average the HPA aims at (AverageValue): requests waiting (queue), KV use 0..1 (kv),
   * requests running (running); for `saturation` the External AverageValue on WVA's desired count (1).
   */
  readonly target: number;
  readonly min_replicas: number;
  readonly max_replicas: number;
  readonly sync_period_s: number;
  readonly tolerance: number;
  /** Age of the metric the HPA sees (scrape + adapter), s. */
  readonly metric_delay_s: number;
  readonly behavior: { readonly scale_up: HpaScalingRules; readonly scale_down: HpaScalingRules };
  /** Index of the pool's replica group that scales. */
  readonly group: number;
}

/** Start-up of a new replica (gateway.md §5.5; sim/autoscale/startup.ts), s unless noted. */
export interface StartupConfig {
  /** Until a GPU node is available and the pod is bound. */
  readonly scheduling_s: number;
  /** Container start (image cached). */
  readonly container_s: number;
  /** Weight read bandwidth of one pod, GB/s (10^9 bytes/s). */
  readonly storage_gbps: number;
  /** Weight load time; null = the model's weight bytes / storage_gbps. */
  readonly load_s: number | null;
  /** Engine initialisation (KV profiling, CUDA graphs, compile). */
  readonly init_s: number;
  /** After Ready: steps run `warmup_factor` times slower for this long. */
  readonly warmup_s: number;
  readonly warmup_factor: number;
}

/** One InferencePool with its model servers and its Endpoint Picker (gateway.md §2). */
export interface PoolConfig {
  readonly name: string;
  readonly model: string;
  readonly replicas: readonly ReplicaGroup[];
  readonly engine: EngineConfig;
  readonly step_time: StepTimeConfig;
  /** The pool's picker as configured (a policy under comparison may replace it). */
  readonly picker: PolicySpec;
  /** What the gateway does while the picker is unreachable (API default FailClose). */
  readonly failureMode: 'FailOpen' | 'FailClose';
  readonly picker_outages: readonly PickerOutage[];
  readonly objectives: readonly ObjectiveSpec[];
  readonly model_rewrites: readonly ModelRewrite[];
  /** LoRA adapters this pool serves (body-based routing maps them to the pool's base model). */
  readonly adapters: readonly string[];
  readonly kv_transfer: KvTransferConfig;
  /** Circuit breaker of the pool's cluster (issue 11); absent or null = none (Envoy's 1024 / 1024 defaults are raised in reference deployments, gateway.md §2.6). */
  readonly circuit_breaker?: CircuitBreakerSpec | null;
  /** Outlier detection (issue 11); absent or null = off. */
  readonly outlier_detection?: OutlierDetectionSpec | null;
  /** Issue 11: the pool's autoscaler; absent/null = a fixed replica count. */
  readonly autoscaling?: AutoscalingConfig | null;
  /** Issue 11: start-up phases of replicas added at run time; absent = DEFAULT_STARTUP. */
  readonly startup?: StartupConfig;
  /** Extra replica slots of the last group for a rolling restart's surge pods (set per run, not in YAML). */
  readonly surge_slots?: number;
}

/** One HTTPRoute match (gateway.md §1.2); all of its conditions must hold. */
export interface RouteMatch {
  /** null: no path condition (the implicit `PathPrefix /` when the whole match list is empty). */
  readonly path: { readonly type: 'Exact' | 'PathPrefix'; readonly value: string } | null;
  /** Header conditions, names lower-cased, Exact values; ANDed. */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

/** One weighted backend of a rule. */
export interface BackendRef {
  /** Pool name. */
  readonly pool: string;
  readonly weight: number;
}

/** One HTTPRoute rule, flattened with its route's name and position (precedence needs them). */
export interface RouteRule {
  /** `<route name>` or `<route name>/<rule name>`, for reports. */
  readonly name: string;
  /** Index of the route among `routes:` (older = earlier, gateway.md §1.3 key 6). */
  readonly routeIndex: number;
  /** Index of the rule within its route (key 8). */
  readonly ruleIndex: number;
  /** ORed; empty = the implicit `PathPrefix /`. */
  readonly matches: readonly RouteMatch[];
  readonly backendRefs: readonly BackendRef[];
  /** Parsed and kept; enforced by a later issue. null = unset. */
  readonly timeouts: { readonly request_ms: number | null; readonly backend_request_ms: number | null } | null;
  /** Retry policy (issue 11); absent or null = no retries. */
  readonly retry?: RetryPolicy | null;
  /** Local rate limits (issue 11), all applied; absent or empty = none. */
  readonly rate_limits?: readonly RateLimitSpec[];
  /** Pool that takes the rule's requests its pool answers with 429/503 (issue 11); absent or null = none. */
  readonly fallback?: string | null;
}

/**
 * A rule's retry policy (gateway.md §1.7): Gateway API `retry` plus Envoy's back-off, retry
 * budget and per-try timeout. Retries happen only before response headers.
 */
export interface RetryPolicy {
  /** Retries (not tries), 0–10. */
  readonly attempts: number;
  /** Backend status codes that are retried (400–599). */
  readonly codes: readonly number[];
  /** Retry connect failures and resets before response headers. */
  readonly on_reset: boolean;
  /** Limit on each try, µs; null = none (the rule's request timeout bounds all tries). */
  readonly per_try_timeout_us: number | null;
  /** Envoy back-off: retry N waits U[0, (2^N − 1)·base) capped at max. */
  readonly backoff: { readonly base_us: number; readonly max_us: number };
  /** Envoy retry budget: concurrent retries ≤ max(min_concurrency, percent % of active + pending). */
  readonly budget: { readonly percent: number; readonly min_concurrency: number };
  /** Ask the picker again on a retry (false: the same pod or the picker's fallback list, as production). */
  readonly repick: boolean;
  /** Also retry the picker's own 429/503 answers (production: never, they are ext_proc local replies). */
  readonly retry_picker_errors: boolean;
}

/** One token bucket of a rule (Envoy local rate limit, gateway.md §3.3). */
export interface RateLimitSpec {
  readonly max_tokens: number;
  readonly tokens_per_fill: number;
  /** ≥ 50 ms. */
  readonly fill_interval_us: number;
  /** Lower-cased header whose value keys a bucket each (per tenant); null = one bucket for the rule. */
  readonly header: string | null;
}

/** Envoy circuit-breaker thresholds of a pool's cluster (gateway.md §3.1). */
export interface CircuitBreakerSpec {
  readonly max_requests: number;
  readonly max_pending_requests: number;
}

/** Envoy consecutive-5xx outlier detection of a pool (gateway.md §3.2), times in µs. */
export interface OutlierDetectionSpec {
  readonly consecutive_5xx: number;
  readonly interval_us: number;
  readonly base_ejection_time_us: number;
  readonly max_ejection_time_us: number;
  /** 0–100. */
  readonly max_ejection_percent: number;
}

export interface PolicySpec {
  /** Label in reports (unique within a scenario). */
  readonly name: string;
  /** Router type (a baseline or a named policy), or `epp` for an EndpointPickerConfig. */
  readonly type: string;
  /** Router parameters (named policies). */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** The EPP configuration when `type` is `epp`. */
  readonly epp?: EppConfigSource;
  /** llm-d-router v0.10.0 `--allow-experimental-plugins`: Alpha plugin types load only when true (absent = false). Issue 13. */
  readonly allow_experimental_plugins?: boolean;
  /** Overrides gateway.refresh_metrics_ms for this policy (e.g. to compare staleness). */
  readonly refresh_metrics_ms?: number;
  /** The pool whose picker this policy replaces (absent: the scenario's only / first pool). */
  readonly pool?: string;
  /** Replaces that pool's replica groups for this run (e.g. 2 prefill + 6 decode vs 8 aggregated). */
  readonly replicas?: readonly ReplicaGroup[];
  /** Replaces the scenario's routes for this run (e.g. with and without retries). Issue 11. */
  readonly routes?: readonly RouteRule[];
  /** Replaces the scenario's churn events for this run (e.g. a failure detected in 1 s vs 30 s). */
  readonly events?: readonly ChurnEvent[];
  /** Replaces its pool's autoscaler for this run (null: a fixed replica count). */
  readonly autoscaling?: AutoscalingConfig | null;
}

export interface SloConfig {
  readonly ttft_ms: number | null;
  readonly tpot_ms: number | null;
}

export interface ScenarioConfig {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  /** Stop generating arrivals after this many requests (null = no count limit). */
  readonly requests: number | null;
  /** Stop generating arrivals after this many seconds (null = no time limit). */
  readonly duration_s: number | null;
  /**
   * The first pool's fleet, for code that predates pools (a single-`fleet` scenario: exactly its
   * fleet). With `pools:` it is pool 0's model, engine and first GPU type with its total replicas.
   */
  readonly fleet: FleetConfig;
  readonly step_time: StepTimeConfig;
  /**
   * Every InferencePool (issue 10). A single-`fleet` scenario is one pool named `default` whose
   * picker is the policy under comparison, behind one catch-all route. Absent in scenarios built in
   * code before pools existed: the loader and `poolsOf` (sim/pools/resolve.ts) fill it in.
   */
  readonly pools?: readonly PoolConfig[];
  /** HTTPRoute rules, flattened in spec order; absent/empty with one pool = catch-all to it. */
  readonly routes?: readonly RouteRule[];
  /** Pod churn timeline (issue 11, sim/churn/events.ts); absent = a static fleet. */
  readonly events?: readonly ChurnEvent[];
  readonly lora_load: LoraLoadConfig;
  readonly gateway: GatewayConfig;
  readonly workload: WorkloadSpec;
  readonly policies: readonly PolicySpec[];
  readonly slo: SloConfig;
  /** Independent repetitions with seeds seed, seed + 1, …; the loader fills in 1. */
  readonly seeds?: number;
  /** Arrival rates to repeat the scenario at (latency against offered load); null = no sweep. */
  readonly sweep?: SweepConfig | null;
  /** Sampling of the report's time series; the loader fills in DEFAULT_REPORT. */
  readonly report?: ReportConfig;
  /** Issue 11: $ per GPU-hour by GPU type (sim/hardware/gpuPrices.json with the scenario's overrides). */
  readonly gpu_prices?: Readonly<Record<string, number>>;
}

export interface SweepConfig {
  /** Offered loads, req/s; each replaces workload.arrival.rate. Absent when the file gives none. */
  readonly rates?: readonly number[];
  /**
   * Issue 14: the other keys of the file's `sweep:`, each an override path with its values, in file
   * order (sim/scenario/overrides/grid.ts); absent when the file has none.
   */
  readonly dimensions?: readonly SweepDimension[];
}

export interface ReportConfig {
  /** Interval between samples of each replica's queue, batch and KV use (and the router's view), ms. */
  readonly sample_ms: number;
  /** Window of the throughput / goodput time series, ms. */
  readonly window_ms: number;
  /**
   * Seconds after the first arrival whose arrivals are left out of the latency, throughput and
   * goodput figures; null = automatic (10 % of the arrival span, at most 60 s). The loader fills in
   * null; absent (a scenario built in code) = automatic too, as summaryOptionsFor
   * (sim/metrics/options.ts) and the simulation's ITL timeline read it.
   */
  readonly warmup_s?: number | null;
  /** Seconds before the last arrival whose arrivals are left out likewise; absent = 0. */
  readonly cooldown_s?: number;
}
