/**
 * What a router sees. These types are the contract between the simulated gateway (sim/) and the
 * routing policies (policies/); policies never import the simulator, so the same code can run
 * against a live picker's scraped metrics.
 */

/** One model server's metrics as last scraped (names follow the EPP's datalayer Metrics). */
export interface EndpointMetrics {
  /** vllm:num_requests_waiting */
  readonly waitingQueueSize: number;
  /** vllm:num_requests_running */
  readonly runningRequestsSize: number;
  /** vllm:kv_cache_usage_perc, 0..1 */
  readonly kvCacheUsagePercent: number;
  /** vllm:lora_requests_info running_lora_adapters */
  readonly activeModels: readonly string[];
  /** vllm:lora_requests_info waiting_lora_adapters */
  readonly waitingModels: readonly string[];
  /** vllm:lora_requests_info max_lora */
  readonly maxActiveModels: number;
  /** vllm:cache_config_info block_size */
  readonly cacheBlockSize: number;
  /** vllm:cache_config_info num_gpu_blocks */
  readonly cacheNumGpuBlocks: number;
  /** vllm:prefix_cache_queries_total (prompt tokens looked up) */
  readonly prefixCacheQueriesTotal: number;
  /** vllm:prefix_cache_hits_total (prompt tokens found cached) */
  readonly prefixCacheHitsTotal: number;
  /** When the scrape was taken, µs of simulated (or wall) time. */
  readonly updateTimeUs: number;
}

export interface Endpoint {
  /** Stable name, e.g. "replica-0". */
  readonly name: string;
  /** Position in the endpoint list given to the policy. */
  readonly index: number;
  /** Last scraped metrics (stale by up to the refresh interval). */
  readonly metrics: EndpointMetrics;
  /** Requests the router itself dispatched to this endpoint and has not yet seen complete. */
  readonly inFlight: number;
}

export interface RouteRequest {
  readonly id: number;
  readonly model: string;
  readonly adapter: string | null;
  readonly priority: number;
  readonly inputTokens: number;
  /** The prompt as a router sees it (text, chat messages or synthetic spans). */
  readonly prompt?: import('./framework/types.js').Prompt;
  /** The engine's KV block keys of the prompt (see LLMRequest.tokenBlockKeys). */
  readonly tokenBlockKeys?: () => readonly number[];
}

export interface RouteContext {
  /** Current time, µs. */
  readonly nowUs: number;
  /** Seeded uniform [0, 1) stream owned by the router. */
  readonly rng: () => number;
}

/**
 * A routing policy outside the EPP plugin framework (baselines, and named policies of other routers
 * such as SGLang's cache-aware or Dynamo's KV router): picks one endpoint (its index) for a request.
 * Stateful policies learn from the optional hooks.
 */
export interface Router {
  readonly type: string;
  /** The chosen endpoint's position in `endpoints` (the pool's current members, in pool order). */
  pick(request: RouteRequest, endpoints: readonly Endpoint[], ctx: RouteContext): number;
  /** The request was sent to endpoint `index` (after pick). */
  onDispatch?(request: RouteRequest, index: number, ctx: RouteContext): void;
  /** The request's response finished streaming (or failed) at endpoint `index`. */
  onComplete?(request: RouteRequest, index: number, ctx: RouteContext): void;
  /** Engine KV-cache events (for precise-cache policies), delivered after the configured delay. */
  onKvEvent?(event: KvEvent, ctx: RouteContext): void;
}

/**
 * A vLLM KV event (BlockStored / BlockRemoved / AllBlocksCleared) from endpoint `index`. Block keys
 * are the engine's chained block hashes (token blocks of `blockSize`).
 */
export type KvEvent =
  | { readonly kind: 'stored'; readonly index: number; readonly keys: readonly number[] }
  | { readonly kind: 'removed'; readonly index: number; readonly keys: readonly number[] }
  | { readonly kind: 'cleared'; readonly index: number };
