/**
 * The production EPP's plugin framework (GAIE v1.5.0, `epp.md` §1.2), as small TypeScript
 * interfaces. A plugin instance may implement several of them (the prefix producer is PrepareData
 * and PreRequest; the utilization detector is a SaturationDetector and a Filter); the config loader
 * registers it into every matching list.
 *
 * Nothing here knows about the simulator: a live picker can feed the same types from real scrapes.
 */
import type { EndpointMetrics, KvEvent } from '../types.js';

// ---------------------------------------------------------------------------------------------
// Requests

/** One chat message as the OpenAI API carries it. */
export interface ChatMessage {
  readonly role?: string;
  readonly content: string | readonly ContentBlock[];
}

/** A structured content block (marshalled field by field, in this order, like Go's json.Marshal). */
export interface ContentBlock {
  readonly type: string;
  readonly text?: string;
  readonly image_url?: unknown;
  readonly input_audio?: unknown;
  readonly video_url?: unknown;
}

/**
 * One span of synthetic prompt content: `tokens` tokens of the text identified by `content`. Two
 * spans with the same content id and token range are identical text. The simulator describes its
 * prompts this way instead of carrying bytes; `charsPerToken` converts tokens to the byte offsets
 * the EPP's 4-chars-per-token hashing works on.
 */
export interface PromptSpan {
  readonly content: number;
  readonly tokens: number;
}

/** What the EPP hashes (`getUserInputBytes`, §2.1). */
export type Prompt =
  /** /v1/completions: the prompt text (a string array is joined with " " by the parser). */
  | { readonly kind: 'completion'; readonly text: string }
  /** /v1/chat/completions: hashed as Go's json.Marshal(messages). */
  | { readonly kind: 'chat'; readonly messages: readonly ChatMessage[] }
  /** Simulated prompt: spans of synthetic text, `charsPerToken` bytes per token. */
  | {
      readonly kind: 'synthetic';
      readonly spans: readonly PromptSpan[];
      readonly charsPerToken: number;
      /**
       * The last span is text no other request has, its content id distinct per request (set by the
       * simulator; never by the live picker): the approximate prefix index keeps its blocks as one
       * run instead of one hash each (prefix/uniqueRunKeys.ts), with the same results.
       */
      readonly uniqueTail?: boolean;
    };

/** The scheduling request (GAIE `LLMRequest`), after parsing and objective lookup. */
export interface LLMRequest {
  /** x-request-id; unique per request. */
  readonly id: string;
  /** The model the client asked for (body `model`). */
  readonly model: string;
  /** The model after InferenceModelRewrite (the LoRA adapter name, or the base model). */
  targetModel: string;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly prompt: Prompt;
  /** InferenceObjective priority (absent objective → 0; < 0 is sheddable). */
  priority: number;
  /** x-gateway-inference-fairness-id (flow-control flow key); "" = default bucket. */
  readonly fairnessId: string;
  /** Raw body size in bytes when known (the token estimator prefers it), else null. */
  readonly requestSizeBytes: number | null;
  /**
   * The engine's KV block keys of the prompt's full token blocks (what kv-cache-manager computes
   * with the real tokenizer and vLLM's hash), for precise prefix scoring. Absent when no tokenizer
   * is available.
   */
  readonly tokenBlockKeys?: () => readonly number[];
}

// ---------------------------------------------------------------------------------------------
// Endpoints

/**
 * A candidate endpoint as the scheduler sees it for one request: a frozen clone of the last scraped
 * metrics plus an attribute map that PrepareData producers fill (`epp.md` §1.1 step 6).
 */
export interface SchedEndpoint {
  /** Endpoint name (`<pod>-rank-<i>` in production; unique). */
  readonly name: string;
  /** Position in the pool's endpoint list (stable for the whole run). */
  readonly index: number;
  /** Pod labels (e.g. `llm-d.ai/role`). */
  readonly labels: Readonly<Record<string, string>>;
  /** Last scraped metrics; `null` if never scraped. */
  readonly metrics: EndpointMetrics | null;
  /** Per-request attributes written by producers (keys in attributes.ts). */
  readonly attributes: Map<string, unknown>;
}

export interface ScoredEndpoint {
  readonly endpoint: SchedEndpoint;
  readonly score: number;
}

// ---------------------------------------------------------------------------------------------
// State and context

/** Per-request plugin state (PluginState): survives from PrepareData to PreRequest / completion. */
export interface PluginState {
  read(requestId: string, key: string): unknown;
  write(requestId: string, key: string, value: unknown): void;
  delete(requestId: string): void;
}

/** Everything a plugin call gets besides the request and endpoints. */
export interface CycleContext {
  /** Current time, µs (simulated, or wall time in a live picker). */
  readonly nowUs: number;
  /** Seeded uniform [0, 1) stream owned by the picker (tie-breaks, exploration, A-Res keys). */
  readonly rng: () => number;
  /** Per-scheduling-cycle scratch (CycleState); fresh for every request. */
  readonly cycleState: Map<string, unknown>;
  readonly pluginState: PluginState;
}

// ---------------------------------------------------------------------------------------------
// Results

export interface ProfileRunResult {
  /** Picked endpoints, best first (maxNumOfEndpoints > 1 gives fallbacks). */
  readonly targetEndpoints: readonly SchedEndpoint[];
}

export interface SchedulingResult {
  /** Result per profile that ran; null when that profile failed. */
  readonly profileResults: ReadonlyMap<string, ProfileRunResult | null>;
  readonly primaryProfileName: string;
}

/** What the response path tells ResponseComplete plugins. */
export interface ResponseInfo {
  /** Name of the endpoint that served the request. */
  readonly endpoint: string;
  /** Profile results of the request's scheduling (e.g. the prefill target in P/D). */
  readonly result: SchedulingResult;
  /** Response headers; plugins may set some (session-affinity writes `x-session-token`). */
  readonly headers: Map<string, string>;
  /** Token usage of the finished response when the response path knows it (program-aware-fairness accounts it). */
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
}

// ---------------------------------------------------------------------------------------------
// Plugin kinds (§1.2)

export interface Plugin {
  /** Registered type name (production name, e.g. `queue-scorer`). */
  readonly type: string;
  /** Instance name from the config (defaults to the type). */
  readonly name: string;
  /**
   * Set by built-in plugins that keep no reference to a candidate endpoint or candidate list past
   * the call that handed it to them (other than through the scheduling result they return). When
   * every plugin of a config says so, the director reuses the candidate objects of one request for
   * the next (director.ts). Leave it unset in user plugins.
   */
  readonly keepsNoCandidates?: boolean;
}

export interface Filter extends Plugin {
  filter(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[];
}

export type ScorerCategory = 'Affinity' | 'Distribution' | 'Balance';

export interface Scorer extends Plugin {
  /** Metadata only; no decision uses it in v1.5.0. */
  readonly category: ScorerCategory;
  /** Score per endpoint name; a missing endpoint contributes 0. Values are clamped to [0, 1] by the framework. */
  score(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number>;
  /**
   * Optional allocation-free form of `score` (built-in scorers): writes the score `score` would give
   * `endpoints[i]` into `out[i]` for every i < endpoints.length (the same numbers; the framework
   * clamps them alike; `out` may be longer).
   * The scheduler prefers it when present; a plugin that has only `score` works unchanged.
   */
  scoreInto?(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[], out: Float64Array): void;
}

export interface Picker extends Plugin {
  pick(ctx: CycleContext, scored: readonly ScoredEndpoint[]): ProfileRunResult;
  /**
   * Optional allocation-free form of `pick` (built-in pickers): the same result and the same rng
   * draws as `pick` on `endpoints[i]` scored `totals[i]`, without building ScoredEndpoint objects.
   * `totals` may be longer than `endpoints` (a reused array): only its first endpoints.length count.
   */
  pickTotals?(ctx: CycleContext, endpoints: readonly SchedEndpoint[], totals: Float64Array): ProfileRunResult;
}

/** A scheduling profile: filters in order, weighted scorers, one picker. */
export interface SchedulerProfile {
  readonly name: string;
  readonly filters: readonly Filter[];
  readonly scorers: readonly { readonly scorer: Scorer; readonly weight: number }[];
  readonly picker: Picker;
}

export interface ProfileHandler extends Plugin {
  /** Profiles to run next given the results so far; an empty map ends the loop. */
  pickProfiles(
    ctx: CycleContext,
    req: LLMRequest,
    profiles: ReadonlyMap<string, SchedulerProfile>,
    results: ReadonlyMap<string, ProfileRunResult | null>,
  ): Map<string, SchedulerProfile>;
  /** Turns the profile results into the scheduling result; throws SchedulingError to fail the request. */
  processResults(ctx: CycleContext, req: LLMRequest, results: ReadonlyMap<string, ProfileRunResult | null>): SchedulingResult;
}

/** PrepareData producer: writes attributes onto candidate endpoints before scheduling. */
export interface PrepareData extends Plugin {
  /** Data keys this plugin produces / consumes (orders producers as a DAG). */
  readonly produces: readonly string[];
  readonly consumes: readonly string[];
  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void;
}

/** Admission plugin: returns a denial reason, or null to admit (denial → HTTP 500). */
export interface Admission extends Plugin {
  admitRequest(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): string | null;
}

/** Runs after scheduling, when the request is dispatched (records the pick). */
export interface PreRequest extends Plugin {
  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void;
}

/** ResponseBody with EndOfStream: the request's last token has been streamed (or it failed). */
export interface ResponseComplete extends Plugin {
  responseComplete(ctx: CycleContext, req: LLMRequest, response: ResponseInfo): void;
}

/** Flow control's and the legacy admission controller's view of pool saturation. */
export interface SaturationDetector extends Plugin {
  /** ≥ 1.0 means saturated. */
  saturation(ctx: CycleContext, endpoints: readonly SchedEndpoint[]): number;
}

/** P/D decider (llm-d): given the chosen decode endpoint, should a separate prefill run? */
export interface PdDecider extends Plugin {
  disaggregate(ctx: CycleContext, req: LLMRequest, decode: SchedEndpoint): boolean;
}

// llm-d-router v0.10.0 extension points (`llm-d-router.md` §3 steps 5, 9, 17) ---------------------

/**
 * RequestHeaderProcessor: runs once per request before admission and may write request attributes
 * (`ctx.cycleState`, v0.10's request attribute store; e.g. `agent-identity`). Throwing aborts the
 * request (the director maps it to an error status).
 */
export interface RequestHeaderProcessor extends Plugin {
  processRequestHeaders(ctx: CycleContext, req: LLMRequest): void;
}

/**
 * Screener: sees the full candidate snapshot after candidate location; the director intersects every
 * screener's result (empty → 503).
 */
export interface Screener extends Plugin {
  screen(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[];
}

/** ResponseHeaderProcessor: runs once when the response headers come back (may set response headers). */
export interface ResponseHeaderProcessor extends Plugin {
  processResponseHeaders(ctx: CycleContext, req: LLMRequest, response: ResponseInfo): void;
}

/** Consumes engine KV events (BlockStored/BlockRemoved/AllBlocksCleared), e.g. a precise prefix index. */
export interface KvEventListener extends Plugin {
  kvEvent(nowUs: number, endpoint: string, event: KvEvent): void;
}

// Flow-control policies (§2.10) -----------------------------------------------------------------

/** One queued request as flow-control policies see it. */
export interface QueueItem {
  readonly request: LLMRequest;
  /** Enqueue time, µs. */
  readonly enqueueUs: number;
  /** Time-to-live, µs (0 = none). */
  readonly ttlUs: number;
  /** Request size in bytes (capacity accounting). */
  readonly bytes: number;
  /** Global enqueue sequence number, when the queue keeps one: FIFO among items ranked equal. */
  readonly seq?: number;
}

/** A flow's FIFO inside a priority band (flow key = (fairnessId, priority)). */
export interface FlowQueueView {
  readonly fairnessId: string;
  /** The flow's items in enqueue order (may be materialised on access: prefer `length` and `head`). */
  readonly items: readonly QueueItem[];
  /** Number of queued items, without materialising `items` (flow controller's views set it). */
  readonly length?: number;
  /** The item the band's ordering policy dispatches next (null when empty), O(1) (flow controller's views set it). */
  readonly head?: QueueItem | null;
}

export interface FairnessPolicy extends Plugin {
  /**
   * Which flow of the band to serve next; null when all are empty. `ordering` is the band's
   * ordering policy (global-strict compares the flows' heads with it).
   */
  selectQueue(band: number, flows: readonly FlowQueueView[], ordering?: OrderingPolicy): FlowQueueView | null;
}

export interface OrderingPolicy extends Plugin {
  /** Index of the item to dispatch next within a flow queue (items are in enqueue order). */
  selectItem(items: readonly QueueItem[]): number;
  /**
   * Optional total order behind `selectItem` (< 0: `a` dispatches first; ties are FIFO): GAIE's
   * ordering policies are comparators, and with one the flow controller keeps each flow as a heap
   * (O(log n) per operation) instead of calling `selectItem` on the whole queue.
   */
  compare?(a: QueueItem, b: QueueItem): number;
}

export interface UsageLimitPolicy extends Plugin {
  /** Saturation ceiling per priority band: a band dispatches only while saturation < ceiling. */
  ceiling(saturation: number, priority: number): number;
}

// ---------------------------------------------------------------------------------------------
// Type guards (a plugin is registered into every list whose method it has)

export const isFilter = (p: Plugin): p is Filter => typeof (p as Filter).filter === 'function';
export const isScorer = (p: Plugin): p is Scorer => typeof (p as Scorer).score === 'function';
export const isPicker = (p: Plugin): p is Picker => typeof (p as Picker).pick === 'function';
export const isProfileHandler = (p: Plugin): p is ProfileHandler => typeof (p as ProfileHandler).processResults === 'function';
export const isPrepareData = (p: Plugin): p is PrepareData => typeof (p as PrepareData).prepareRequestData === 'function';
export const isAdmission = (p: Plugin): p is Admission => typeof (p as Admission).admitRequest === 'function';
export const isPreRequest = (p: Plugin): p is PreRequest => typeof (p as PreRequest).preRequest === 'function';
export const isResponseComplete = (p: Plugin): p is ResponseComplete => typeof (p as ResponseComplete).responseComplete === 'function';
export const isSaturationDetector = (p: Plugin): p is SaturationDetector => typeof (p as SaturationDetector).saturation === 'function';
export const isPdDecider = (p: Plugin): p is PdDecider => typeof (p as PdDecider).disaggregate === 'function';
export const isKvEventListener = (p: Plugin): p is KvEventListener => typeof (p as KvEventListener).kvEvent === 'function';
export const isRequestHeaderProcessor = (p: Plugin): p is RequestHeaderProcessor => typeof (p as RequestHeaderProcessor).processRequestHeaders === 'function';
export const isScreener = (p: Plugin): p is Screener => typeof (p as Screener).screen === 'function';
export const isResponseHeaderProcessor = (p: Plugin): p is ResponseHeaderProcessor => typeof (p as ResponseHeaderProcessor).processResponseHeaders === 'function';
export const isFairnessPolicy = (p: Plugin): p is FairnessPolicy => typeof (p as FairnessPolicy).selectQueue === 'function';
export const isOrderingPolicy = (p: Plugin): p is OrderingPolicy => typeof (p as OrderingPolicy).selectItem === 'function';
export const isUsageLimitPolicy = (p: Plugin): p is UsageLimitPolicy => typeof (p as UsageLimitPolicy).ceiling === 'function';

/** Scheduling failed (no endpoint survived, a profile handler refused): HTTP 429 in v1.5.0. */
export class SchedulingError extends Error {
  constructor(message?: string) {
    // An expected outcome (the request is answered 503), not a bug: its stack is never shown, and
    // capturing one made each failed pick cost ~15 µs (most of a drop-everything run's time).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}
