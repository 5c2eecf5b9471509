/**
 * Multi-tenant traffic: each tenant (client) has its own arrival process (rate, gamma/Weibull CV,
 * optional rate profile), lengths, priority, LoRA adapter and optionally a system prompt all its
 * requests share. Tenant streams are merged in time. Each tenant draws from its own named RNG
 * streams (`tenant/<name>/…`), so adding a tenant leaves the others' traffic unchanged. A tenant's
 * requests carry its model, path and headers (routing.ts; one headers object per tenant).
 */
import { hashInts, hashString } from '../core/hash.js';
import { createRng } from '../core/rng.js';
import { createArrivalProcess } from './arrivals.js';
import { sampleLength } from './distributions.js';
import { MinHeap } from './heap.js';
import { ContentTag, outputContentOf, uniqueContentOf } from './prompts.js';
import type { Segment, SimRequest } from './request.js';
import { routingOf, withRouting } from './routing.js';
import type { ArrivalSpec, StreamLimits, TenantsSpec } from './spec.js';

/** Content id of tenant `name`'s shared system prompt. */
export function tenantSystemContent(name: string): number {
  return hashInts(ContentTag.sessionSystem, hashString(name), 0x7e4a);
}

interface Next {
  readonly tenant: number;
  readonly t: number;
}

export function* tenantStream(spec: TenantsSpec, seed: number, limits: StreamLimits, factor = 1): Generator<SimRequest> {
  const maxRequests = limits.requests ?? Infinity;
  const maxUs = limits.durationUs ?? Infinity;
  const tenants = spec.tenants.map((t) => ({
    spec: t,
    next: createArrivalProcess(factor === 1 ? t.arrival : scaleArrival(t.arrival, factor), createRng(seed, `tenant/${t.name}/arrivals`)),
    lengths: createRng(seed, `tenant/${t.name}/lengths`),
    system: t.system_prompt_len > 0 ? ({ content: tenantSystemContent(t.name), tokens: t.system_prompt_len } as Segment) : null,
    routing: routingOf(t),
  }));
  const heap = new MinHeap<Next>((a, b) => a.t < b.t || (a.t === b.t && a.tenant < b.tenant));
  tenants.forEach((t, i) => heap.push({ tenant: i, t: t.next() }));
  for (let id = 0; id < maxRequests && heap.size > 0; id++) {
    const n = heap.pop()!;
    const arrivalUs = Math.round(n.t * 1e6);
    if (!Number.isFinite(arrivalUs) || arrivalUs > maxUs) return;
    const t = tenants[n.tenant]!;
    heap.push({ tenant: n.tenant, t: t.next() });
    const input = sampleLength(t.spec.input, t.lengths);
    const output = sampleLength(t.spec.output, t.lengths);
    const unique: Segment = { content: uniqueContentOf(id), tokens: input };
    yield withRouting({
      id,
      arrivalUs,
      segments: t.system ? [t.system, unique] : [unique],
      inputTokens: input + (t.system ? t.system.tokens : 0),
      outputTokens: output,
      outputContent: outputContentOf(id),
      adapter: t.spec.adapter,
      adapterRank: t.spec.adapter === null ? 0 : t.spec.adapter_rank,
      priority: t.spec.priority,
      group: t.system ? n.tenant : -1,
      session: -1,
      turn: 0,
      client: n.tenant,
    }, t.routing);
  }
}

/** `a` with its rate (and every stage's rate) multiplied by `factor`. */
export function scaleArrival(a: ArrivalSpec, factor: number): ArrivalSpec {
  const profile = a.profile ? { ...a.profile, stages: a.profile.stages.map((s) => ({ ...s, rate: s.rate * factor })) } : undefined;
  return { ...a, rate: a.rate * factor, ...(profile ? { profile } : {}) };
}
