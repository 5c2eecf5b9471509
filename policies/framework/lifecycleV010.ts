/**
 * The llm-d-router v0.10.0 lifecycle steps that differ from GAIE v1.5.0 (`llm-d-router.md` §3,
 * §3.1), used by the director for `llm-d.ai/v1alpha1` configs: renamed headers (`x-llm-d-*`, GAIE
 * names as aliases, new name wins), parser choice by path (none → 400), request-header processors
 * (an error aborts), fairness id (header, else the `agent-identity` attribute, else `default-flow`),
 * screeners (results intersected; empty → 503), and the flow-control outcome table of §3.1.
 */
import { requestPath, selectParser, type ParserEntry } from '../config/llmd/requestHandler.js';
import { EppError, type EppStatus } from './eppError.js';
import type { CycleContext, LLMRequest, RequestHeaderProcessor, SchedEndpoint, Screener } from './types.js';

export const HEADER_OBJECTIVE_V010 = 'x-llm-d-inference-objective';
export const HEADER_FAIRNESS_ID_V010 = 'x-llm-d-inference-fairness-id';
/** Request attribute `agent-identity` writes (§4.7). */
export const AGENT_IDENTITY_ATTRIBUTE = 'agent-identity';
export const DEFAULT_FLOW = 'default-flow';

/** A header under its v0.10 name, else its GAIE alias. */
export function headerV010(headers: Readonly<Record<string, string>>, name: string, alias: string): string | undefined {
  return headers[name] ?? headers[alias];
}

/** Step 2: the parser for the request's path, or a 400 reason. */
export function chooseParser(parsers: readonly ParserEntry[], req: LLMRequest): { parser: ParserEntry } | { reason: string } {
  const path = requestPath(req.headers);
  const parser = selectParser(parsers, path);
  if (parser) return { parser };
  return { reason: `no request parser claims path ${path} (parsers: ${parsers.map((p) => p.name).join(', ') || 'none'}, no fallback)` };
}

export interface StepFailure {
  readonly status: EppStatus;
  readonly reason: string;
  readonly dropReason?: string;
}

/** The status an error thrown by a plugin maps to: a typed EppError keeps its code, others get `dflt`. */
export function failureOf(err: unknown, dflt: EppStatus, what: string): StepFailure {
  if (err instanceof EppError) return { status: err.status, reason: `${what}: ${err.message}`, dropReason: err.dropReason };
  return { status: dflt, reason: `${what}: ${err instanceof Error ? err.message : String(err)}` };
}

/** Step 5: request-header processors in order; the first error aborts (typed code kept, else 500). */
export function runHeaderProcessors(ps: readonly RequestHeaderProcessor[], ctx: CycleContext, req: LLMRequest): StepFailure | null {
  for (const p of ps) {
    try {
      p.processRequestHeaders(ctx, req);
    } catch (err) {
      return failureOf(err, 500, `request-header processor ${p.name} failed`);
    }
  }
  return null;
}

/** Step 6: fairness id = header, else the agent-identity attribute, else default-flow. */
export function fairnessIdV010(req: LLMRequest, ctx: CycleContext): string {
  const h = headerV010(req.headers, HEADER_FAIRNESS_ID_V010, 'x-gateway-inference-fairness-id');
  if (h) return h;
  const a = ctx.cycleState.get(AGENT_IDENTITY_ATTRIBUTE);
  if (typeof a === 'string' && a !== '') return a;
  return req.fairnessId || DEFAULT_FLOW;
}

/** Step 9: every screener sees the full snapshot; the survivors are the intersection (snapshot order). */
export function screen(screeners: readonly Screener[], ctx: CycleContext, req: LLMRequest, snapshot: SchedEndpoint[]): SchedEndpoint[] {
  let keep: Set<string> | null = null;
  for (const s of screeners) {
    const names = new Set(s.screen(ctx, req, snapshot).map((e) => e.name));
    keep = keep === null ? names : new Set([...keep].filter((n: string) => names.has(n)));
  }
  return keep === null ? snapshot : snapshot.filter((e) => keep!.has(e.name));
}

/** §3.1: flow-control rejection at capacity. */
export function capacityOutcome(poolSize: number): { status: 429 | 503; dropReason: string } {
  return poolSize > 0 ? { status: 429, dropReason: 'rejected-saturated' } : { status: 503, dropReason: 'rejected-no-endpoints' };
}

/** §3.1: queue TTL expired. */
export function ttlOutcome(poolSize: number): { status: 429 | 503; dropReason: string } {
  return poolSize > 0 ? { status: 429, dropReason: 'rejected-ttl-expired' } : { status: 503, dropReason: 'rejected-no-endpoints' };
}
