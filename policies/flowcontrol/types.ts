/**
 * Flow control (`epp.md` §2.10, feature gate `flowControl`): the contract between the request
 * lifecycle (framework/director.ts) and the queueing implementation (flowcontrol/controller.ts).
 *
 * The director enqueues admitted requests, asks for dispatchable ones whenever something that can
 * change saturation happens (an enqueue, a metrics refresh, a response completing), and sweeps TTL
 * expiry; all times are µs.
 */
import type { LLMRequest } from '../framework/types.js';

/** The `flowControl` section of EndpointPickerConfig, with defaults applied. */
export interface FlowControlConfig {
  /** Global byte cap (0 = unlimited). */
  readonly maxBytes: number;
  /** Global request cap (0 = unlimited). */
  readonly maxRequests: number;
  /** Default TTL, µs (0 = none). */
  readonly defaultRequestTtlUs: number;
  readonly defaultPriorityBand: PriorityBandConfig;
  readonly priorityBands: readonly PriorityBandConfig[];
  /** Instance name of the usage-limit policy plugin (default static-usage-limit-policy). */
  readonly usageLimitPolicyRef: string;
}

export interface PriorityBandConfig {
  readonly priority: number;
  /** Default 1 GB. */
  readonly maxBytes: number;
  /** 0 = unlimited. */
  readonly maxRequests: number;
  /** Instance names of the band's policies. */
  readonly fairnessPolicyRef: string;
  readonly orderingPolicyRef: string;
}

export type EnqueueOutcome =
  | { readonly kind: 'queued' }
  /** Over a byte/request capacity: RejectedCapacity → HTTP 429. */
  | { readonly kind: 'rejected'; readonly status: 429; readonly reason: string };

export interface FlowController {
  /** Requests waiting in all bands. */
  readonly queued: number;
  /** Bytes waiting in all bands. */
  readonly queuedBytes?: number;
  /**
   * Queues `req` (`bytes` counts against the byte caps). `ttlUs` is the request's own TTL (e.g. the
   * client's deadline); absent or 0 → `defaultRequestTtlUs`.
   */
  enqueue(req: LLMRequest, bytes: number, nowUs: number, ttlUs?: number): EnqueueOutcome;
  /**
   * One dispatch cycle given the pool saturation: walks bands from highest priority down, skipping
   * empty bands; at the first non-empty band, if saturation ≥ the band's ceiling the whole cycle
   * stops (head-of-line blocking: nothing lower dispatches); otherwise the band's selected head item
   * is removed and returned. Null when nothing may dispatch. Does not expire anything.
   */
  dispatchOne(saturation: number, nowUs: number): LLMRequest | null;
  /** Removes and returns requests whose TTL has expired by `nowUs` (→ HTTP 503). */
  expire(nowUs: number): LLMRequest[];
}

// llm-d-router v0.10.0 additions (`llm-d-router.md` §4.8) ---------------------------------------

/**
 * A usage-limit policy that sets every band's ceiling at once from the list of all registered
 * priority levels (v0.10's contract: the policy fills a buffer pre-set to 1.0, one entry per level).
 * `priorities` are all registered levels, highest first (configured bands and those created on
 * demand, empty or not); the result has one ceiling per entry. The controller calls it once per
 * dispatch attempt (`dispatchOne`) and, when a policy has it, ignores `ceiling`.
 */
export interface BandAwareUsageLimitPolicy {
  ceilings(saturation: number, priorities: readonly number[]): number[];
}

export const isBandAwareUsageLimitPolicy = (p: object): p is BandAwareUsageLimitPolicy =>
  typeof (p as BandAwareUsageLimitPolicy).ceilings === 'function';

/**
 * A fairness policy that needs the dispatch time (program-aware-fairness: head-of-line wait and
 * time-based decay). The controller calls `observeNow` right before `selectQueue`.
 */
export interface ClockedFairnessPolicy {
  observeNow(nowUs: number): void;
}

export const isClockedFairnessPolicy = (p: object): p is ClockedFairnessPolicy => typeof (p as ClockedFairnessPolicy).observeNow === 'function';
