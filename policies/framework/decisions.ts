/**
 * What the director (director.ts) decides per request: dispatch, reject (HTTP status, fixed code,
 * v0.10 drop reason) or queue, and its inputs (pool endpoints, options, model-rewrite rules).
 */
import type { EndpointMetrics } from '../types.js';
import type { EppStatus } from './eppError.js';
import type { SchedulingTrace } from './scheduler.js';
import type { LLMRequest, SchedulingResult } from './types.js';

/** One endpoint of the pool as the gateway last scraped it. */
export interface PoolEndpoint {
  readonly name: string;
  readonly index: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Last scraped metrics; null if never scraped. */
  readonly metrics: EndpointMetrics | null;
  /** IP (or `ip:port`) the subset header may name instead of the endpoint name. */
  readonly address?: string;
  /** Static endpoint attributes (endpoint attribute store) copied into every request's candidate. */
  readonly attributes?: ReadonlyMap<string, unknown>;
}

/** InferenceModelRewrite: requests for `model` go to one of `targets`, by integer weight. */
export interface ModelRewriteRule {
  readonly model: string;
  readonly targets: readonly { readonly model: string; readonly weight: number }[];
}

export interface EndpointPickerOptions {
  /** Seeded uniform [0, 1) stream: model rewrites, and every plugin's ctx.rng. */
  readonly rng: () => number;
  /** InferenceObjective name → priority (header `x-gateway-inference-objective`). */
  readonly objectives?: ReadonlyMap<string, number>;
  readonly modelRewrites?: readonly ModelRewriteRule[];
}

/** What the picker did, for the pick harness: the scheduling trace, plus the pool saturation when computed. */
export interface DecisionTrace extends SchedulingTrace {
  /** Saturation the legacy admission controller (or, when tracing, the detector) saw. */
  saturation?: number;
}

interface DecisionBase {
  readonly requestId: string;
  readonly request: LLMRequest;
  readonly trace?: DecisionTrace;
}

export interface DispatchDecision extends DecisionBase {
  readonly kind: 'dispatch';
  /** Name of the primary target endpoint. */
  readonly target: string;
  /** Its pool index. */
  readonly index: number;
  /** Further endpoints of the primary profile (maxNumOfEndpoints > 1), best first. */
  readonly fallbacks: string[];
  readonly result: SchedulingResult;
}

/**
 * Why the EPP answered a request itself, as a fixed code (the free text, with live values such as
 * the pool saturation, is `reason`): shed-saturated (429, sheddable request while the pool is
 * saturated), flow-control-capacity (429, a flow-control queue limit), no-endpoint (429, the
 * scheduler found no target), no-candidates (503, no endpoint in the pool / subset),
 * flow-control-ttl (503, timed out in the flow-control queue), admission-rejected (500, an admission
 * plugin denied it). llm-d-router v0.10.0 only (`llm-d-router.md` §3): bad-request (400, no parser
 * claims the path), request-header-error (a request-header processor failed; 500 unless typed),
 * screened-out (503, the screeners' intersection is empty), pre-request-error (a PreRequest plugin
 * failed; 500 unless typed); v0.10 flow-control outcomes use the §3.1 statuses and drop reasons.
 */
export type RejectCode =
  | 'shed-saturated'
  | 'flow-control-capacity'
  | 'no-endpoint'
  | 'no-candidates'
  | 'flow-control-ttl'
  | 'admission-rejected'
  | 'bad-request'
  | 'request-header-error'
  | 'screened-out'
  | 'pre-request-error';

/** Every RejectCode, sorted. */
export const REJECT_CODES: readonly RejectCode[] = [
  'admission-rejected',
  'bad-request',
  'flow-control-capacity',
  'flow-control-ttl',
  'no-candidates',
  'no-endpoint',
  'pre-request-error',
  'request-header-error',
  'screened-out',
  'shed-saturated',
];

export interface RejectDecision extends DecisionBase {
  readonly kind: 'reject';
  readonly status: EppStatus;
  readonly code: RejectCode;
  readonly reason: string;
  /** llm-d-router v0.10.0: the `x-llm-d-request-dropped-reason` header value, when the EPP sets one (§3.1). */
  readonly dropReason?: string;
}

/** Flow control: the request waits in the EPP's queue; `dispatchQueued` releases it later. */
export interface QueuedDecision extends DecisionBase {
  readonly kind: 'queued';
}

export type Decision = DispatchDecision | RejectDecision | QueuedDecision;

export interface ExpiredRequest {
  readonly requestId: string;
  readonly request: LLMRequest;
  /** 503 (GAIE v1.5.0); llm-d-router v0.10.0: 429 while the pool has endpoints, else 503 (§3.1). */
  readonly status: 429 | 503;
  readonly code: 'flow-control-ttl';
  readonly reason: string;
  /** llm-d-router v0.10.0: `rejected-ttl-expired` or `rejected-no-endpoints`. */
  readonly dropReason?: string;
}
