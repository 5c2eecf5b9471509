/**
 * HTTPRoute matching, weighted backendRefs and GEP-2257 durations (gateway.md §1 in
 * ../shared/reference/gateway.md), plus the headers body-based routing adds before route
 * matching (§2.5). The YAML form and its resolution into RouteRule live in
 * sim/scenario/routesSchema.ts.
 */
export { RouteTable } from './table.js';
export { WeightedBackends, pickBackend, rulesWithoutBackend } from './weights.js';
export { parseGatewayDuration } from './durations.js';

/** Header body-based routing copies the body's model (or LoRA adapter) name into. */
export const MODEL_NAME_HEADER = 'x-gateway-model-name';
/** Header carrying the base model; each pool's rule matches it Exact (§2.5). */
export const BASE_MODEL_HEADER = 'x-gateway-base-model-name';

/** The headers body-based routing adds to one request (names lower-cased). */
export interface BbrHeaders {
  readonly [MODEL_NAME_HEADER]?: string;
  readonly [BASE_MODEL_HEADER]?: string;
}

const NONE: BbrHeaders = Object.freeze({});

/**
 * What the body-based-routing ext_proc sets before routes are matched (§2.5):
 * `x-gateway-model-name` = the body's `model` field — the adapter when one is requested, else the
 * model — and `x-gateway-base-model-name` = `model` when it is a known base model, '' when it is
 * not (so only a catch-all route can match: otherwise 404). No model in the body: no headers.
 * routesim keeps the request's base model and adapter apart, so the adapter → base lookup of the
 * real ConfigMaps is already done: `model` is the base of `adapter`.
 */
export function bbrHeaders(model: string | undefined, adapter: string | null, baseModels: ReadonlySet<string>): BbrHeaders {
  if (model === undefined) return NONE;
  return { [MODEL_NAME_HEADER]: adapter ?? model, [BASE_MODEL_HEADER]: baseModels.has(model) ? model : '' };
}
