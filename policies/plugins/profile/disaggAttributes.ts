/**
 * What llm-d-router v0.10.0's disaggregation plugins tell the decode pod's routing sidecar
 * (`llm-d-router.md` §4.5): `x-prefiller-host-port` = the prefill profile's pick, and
 * `x-encoder-hosts-ports` = the encode profile's targets, comma-joined; inbound values of both are
 * cleared first. Also the request attributes the disagg handler writes (`peer-endpoint`, the
 * decision type of the `disagg_decision_total` metric, §6).
 *
 * Where the headers go: routesim forwards no HTTP request, so the headers the EPP adds to the
 * upstream request are collected in the request attribute store (`ctx.cycleState`) under
 * UPSTREAM_HEADERS, a Map of header name → value, where `null` means "removed" (the inbound value
 * is cleared and nothing is set). The simulated gateway reads the prefill target from the
 * scheduling result itself. routesim endpoints have names, not IPs: `ip:port` is the endpoint name.
 */
import type { CycleContext, SchedEndpoint, SchedulingResult } from '../../framework/types.js';

export const HEADER_PREFILLER_HOST_PORT = 'x-prefiller-host-port';
export const HEADER_ENCODER_HOSTS_PORTS = 'x-encoder-hosts-ports';
export const HEADER_DATA_PARALLEL_HOST_PORT = 'x-data-parallel-host-port';

/** Request attribute: headers set (string) or cleared (null) on the upstream request. */
export const UPSTREAM_HEADERS = 'upstream-request-headers';

/** Request attribute: `disagg_decision_total`'s decision_type for this request (§6). */
export const DISAGG_DECISION = 'disagg-decision';
export type DisaggDecision = 'decode-only' | 'prefill-decode' | 'encode-decode' | 'encode-prefill-decode';

/** `ip:port` of an endpoint as routesim names it. */
export function hostPort(e: SchedEndpoint): string {
  return e.name;
}

/** The request's upstream header edits (created on first use). */
export function upstreamHeaders(ctx: CycleContext): Map<string, string | null> {
  let m = ctx.cycleState.get(UPSTREAM_HEADERS) as Map<string, string | null> | undefined;
  if (!m) {
    m = new Map();
    ctx.cycleState.set(UPSTREAM_HEADERS, m);
  }
  return m;
}

/**
 * Clears both inbound disaggregation headers and sets them from the `prefill` and `encode`
 * profiles' results (absent or empty results leave them cleared).
 */
export function setDisaggHeaders(ctx: CycleContext, result: SchedulingResult, prefillProfile: string, encodeProfile: string): void {
  const h = upstreamHeaders(ctx);
  h.set(HEADER_PREFILLER_HOST_PORT, null);
  h.set(HEADER_ENCODER_HOSTS_PORTS, null);
  const prefill = result.profileResults.get(prefillProfile)?.targetEndpoints[0];
  if (prefill) h.set(HEADER_PREFILLER_HOST_PORT, hostPort(prefill));
  const encode = result.profileResults.get(encodeProfile)?.targetEndpoints ?? [];
  if (encode.length > 0) h.set(HEADER_ENCODER_HOSTS_PORTS, encode.map(hostPort).join(','));
}
