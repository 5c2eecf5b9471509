/**
 * What a request carries for routing besides its tokens: the model name in its body, its path and
 * its headers (gateway.md §2.5: body-based routing copies the body `model` into the
 * `x-gateway-base-model-name` header routes match on; §2.4: the header
 * `x-gateway-inference-objective` selects an InferenceObjective, hence the request's priority).
 *
 * The workload sets them at workload level (every request), per tenant and in `sessions:`; a
 * tenant's or the sessions' values override the workload's (headers name by name). Absent stays
 * absent, so a workload that sets none produces exactly the requests it produced before these
 * fields existed. One headers object per tenant (or workload) is shared by all its requests.
 */
import type { SimRequest } from './request.js';

/** The routing fields of a request, as the workload resolves them (each absent when not set). */
export type RequestRouting = Pick<SimRequest, 'model' | 'path' | 'headers'>;

/** Header that selects the request's InferenceObjective (gateway.md §2.4); `objective:` sets it. */
export const OBJECTIVE_HEADER = 'x-gateway-inference-objective';

/** Most headers one request may carry from the workload (objective included). */
export const MAX_HEADERS = 16;

/** HTTP field-name characters (RFC 9110 `token`). */
export const HEADER_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `over` on top of `base`: model and path from `over` when it sets them, headers merged name by
 * name (`over` wins). The merged headers object is new and frozen only when both give headers.
 */
export function mergeRouting(base: RequestRouting, over: RequestRouting): RequestRouting {
  const model = over.model ?? base.model;
  const path = over.path ?? base.path;
  const headers = base.headers && over.headers ? Object.freeze({ ...base.headers, ...over.headers }) : (over.headers ?? base.headers);
  return { ...(model !== undefined ? { model } : {}), ...(path !== undefined ? { path } : {}), ...(headers !== undefined ? { headers } : {}) };
}

/** The routing fields `r` sets (a fresh object holding only those), or null when it sets none. */
export function routingOf(r: RequestRouting): RequestRouting | null {
  const out = mergeRouting({}, r);
  return Object.keys(out).length === 0 ? null : out;
}

/** `req` carrying `routing` (the same object when there is none; the headers object is shared, not copied). */
export function withRouting(req: SimRequest, routing: RequestRouting | null): SimRequest {
  return routing === null ? req : { ...req, ...routing };
}
