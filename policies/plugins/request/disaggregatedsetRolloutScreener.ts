/**
 * `disaggregatedset-rollout-screener` (llm-d-router v0.10.0 Screener + ResponseHeaderProcessor,
 * Alpha; `llm-d-router.md` §4.7, §3 step 9): during a rolling update of a DisaggregatedSet, sends
 * each request to one revision whose prefill and decode pods are all of that revision.
 *
 * Screen (over the candidate snapshot):
 * 1. Scope: candidates matching `scope.labelSelector` are the set's; others pass untouched.
 * 2. Header selectors (request header value → endpoints whose `labelKey` label equals it): a
 *    `strict` selector whose header is sent keeps only matching endpoints (none → empty → 503) and
 *    skips revision gating; a `prefer` selector narrows to the matching endpoints when there are any.
 * 3. Revision gating (`sum` | `max-role`; `disabled` keeps the scope): group the set's (ready,
 *    i.e. candidate) endpoints by the revision label and count pods per role label (the rank
 *    endpoints `<pod>-rank-<i>` of one pod count once). Drop
 *    revisions lacking a required role (`requireRoles.values`). Weight = Σ required-role counts
 *    (`sum`), or the revision's count of the globally largest role (`max-role`, ties → first
 *    listed). Pick a revision with probability weight/Σweights (one draw of ctx.rng) and keep its
 *    endpoints. No weight left → empty (503).
 * README vector: 2P:10D rollout A{2P, 9D} B{1P, 1D}: max-role → D is largest (10) → 9:1 = 90/10;
 * sum → 11:2 = 84.6 %/15.4 %.
 * ProcessResponseHeaders: each selector's header is set from the serving endpoint's label.
 *
 * Assumptions where the reference is silent: out-of-scope endpoints are kept; no required roles →
 * every role seen counts (in order of first appearance); header values are trimmed.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, ResponseHeaderProcessor, ResponseInfo, SchedEndpoint, Screener } from '../../framework/types.js';
import { matches, type Requirement } from '../filter/byLabelSelector.js';

export interface HeaderSelector {
  readonly name: string;
  /** Lower-cased. */
  readonly headerName: string;
  readonly labelKey: string;
  readonly mode: 'strict' | 'prefer';
}

export interface RevisionGating {
  readonly mode: 'sum' | 'max-role' | 'disabled';
  readonly requireRoles: readonly string[];
  readonly revisionLabelKey: string;
  readonly roleLabelKey: string;
}

interface Revision {
  readonly endpoints: SchedEndpoint[];
  /** Ready pods per role (a data-parallel pod's rank endpoints count once). */
  readonly roles: Map<string, number>;
  readonly pods: Set<string>;
}

/** The pod of an endpoint: production names data-parallel ranks `<pod>-rank-<i>`. */
export function podOf(endpointName: string): string {
  return endpointName.replace(/-rank-\d+$/, '');
}

export class DisaggregatedSetRolloutScreener implements Screener, ResponseHeaderProcessor {
  readonly type = 'disaggregatedset-rollout-screener';
  constructor(
    readonly name: string,
    readonly scope: readonly Requirement[],
    readonly headerSelectors: readonly HeaderSelector[],
    readonly gating: RevisionGating,
  ) {}

  screen(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    let set = endpoints.filter((e) => matches(e.labels, this.scope));
    if (set.length === 0) return endpoints;
    let strict = false;
    for (const s of this.headerSelectors) {
      const v = (req.headers[s.headerName] ?? '').trim();
      if (v === '') continue;
      const hit = set.filter((e) => e.labels[s.labelKey] === v);
      if (s.mode === 'strict') {
        strict = true;
        set = hit;
      } else if (hit.length > 0) set = hit;
    }
    const kept = new Set(strict ? set : this.gate(ctx, set));
    return endpoints.filter((e) => kept.has(e) || !matches(e.labels, this.scope));
  }

  /** Revision gating over the set's endpoints: those of one revision, picked by weight. */
  gate(ctx: CycleContext, set: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const g = this.gating;
    if (g.mode === 'disabled') return set;
    const revisions = new Map<string, Revision>();
    const seenRoles: string[] = [];
    for (const e of set) {
      const rev = e.labels[g.revisionLabelKey] ?? '';
      const role = e.labels[g.roleLabelKey] ?? '';
      let r = revisions.get(rev);
      if (!r) revisions.set(rev, (r = { endpoints: [], roles: new Map(), pods: new Set() }));
      r.endpoints.push(e);
      const pod = podOf(e.name);
      if (!r.pods.has(pod)) {
        r.pods.add(pod);
        r.roles.set(role, (r.roles.get(role) ?? 0) + 1);
      }
      if (!seenRoles.includes(role)) seenRoles.push(role);
    }
    const roles = g.requireRoles.length > 0 ? g.requireRoles : seenRoles;
    const alive = [...revisions.values()].filter((r) => roles.every((role) => (r.roles.get(role) ?? 0) > 0));
    let weights: number[];
    if (g.mode === 'sum') weights = alive.map((r) => roles.reduce((n, role) => n + (r.roles.get(role) ?? 0), 0));
    else {
      // The globally largest role (ties → first listed), then each revision's count of it.
      let best = roles[0];
      let bestCount = -1;
      for (const role of roles) {
        const n = alive.reduce((s, r) => s + (r.roles.get(role) ?? 0), 0);
        if (n > bestCount) [best, bestCount] = [role, n];
      }
      weights = alive.map((r) => (best === undefined ? 0 : r.roles.get(best) ?? 0));
    }
    const total = weights.reduce((a, b) => a + b, 0);
    if (total <= 0) return [];
    let u = ctx.rng() * total;
    for (let i = 0; i < alive.length; i++) {
      if (u < weights[i]!) return alive[i]!.endpoints;
      u -= weights[i]!;
    }
    return alive[alive.length - 1]!.endpoints;
  }

  processResponseHeaders(_ctx: CycleContext, _req: LLMRequest, response: ResponseInfo): void {
    let served: SchedEndpoint | undefined;
    for (const r of response.result.profileResults.values()) {
      served = r?.targetEndpoints.find((e) => e.name === response.endpoint);
      if (served) break;
    }
    if (!served) return;
    for (const s of this.headerSelectors) {
      const v = served.labels[s.labelKey];
      if (v !== undefined) response.headers.set(s.headerName, v);
    }
  }
}

const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).default({}),
  matchExpressions: z
    .array(z.strictObject({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }))
    .default([]),
});

const params = z.strictObject({
  scope: z.strictObject({ labelSelector: labelSelector.describe('Kubernetes label selector of the set\'s pods') }).describe('which candidates belong to the DisaggregatedSet (required)'),
  headerSelectors: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        headerName: z.string().min(1),
        labelKey: z.string().min(1),
        mode: z.enum(['strict', 'prefer']),
      }),
    )
    .default([])
    .describe('[{name, headerName, labelKey, mode: strict|prefer}]: pin requests to endpoints whose label equals the header'),
  revisionGating: z
    .strictObject({
      mode: z.enum(['sum', 'max-role', 'disabled']),
      requireRoles: z.strictObject({ values: z.array(z.string().min(1)).default([]) }).default({ values: [] }),
      revisionLabelKey: z.string().min(1).default('disaggregatedset.x-k8s.io/revision'),
      roleLabelKey: z.string().min(1).default('disaggregatedset.x-k8s.io/role'),
    })
    .describe('{mode: sum|max-role|disabled (required), requireRoles.values, revisionLabelKey, roleLabelKey}'),
});

/** A LabelSelector as requirements (validated like LabelSelectorAsSelector). */
export function selectorRequirements(sel: z.output<typeof labelSelector>, at: string): Requirement[] {
  const reqs: Requirement[] = Object.entries(sel.matchLabels).map(([key, v]) => ({ key, operator: 'In', values: new Set([v]) }));
  sel.matchExpressions.forEach((m, i) => {
    const values = m.values ?? [];
    const needs = m.operator === 'In' || m.operator === 'NotIn';
    if (needs !== values.length > 0) throw new ParamError(`${at}.matchExpressions[${i}].values`, `values must be ${needs ? 'non-empty' : 'empty'} for operator ${m.operator}`);
    reqs.push({ key: m.key, operator: m.operator, values: new Set(values) });
  });
  return reqs;
}

export const disaggregatedsetRolloutScreener: PluginDefinition<typeof params> = {
  type: 'disaggregatedset-rollout-screener',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Screener', 'ResponseHeaderProcessor'],
  source: 'llm-d-router v0.10.0',
  description:
    'Rolling updates of a DisaggregatedSet: keeps the endpoints of one revision, picked at random weighted by its required-role pod count (sum) or its count of the largest role (max-role); strict header selectors pin a request instead. Responses carry each selector header from the serving pod\'s label.',
  params,
  create: (name, p) =>
    new DisaggregatedSetRolloutScreener(
      name,
      selectorRequirements(p.scope.labelSelector, 'scope.labelSelector'),
      p.headerSelectors.map((s) => ({ ...s, headerName: s.headerName.toLowerCase() })),
      { mode: p.revisionGating.mode, requireRoles: p.revisionGating.requireRoles.values, revisionLabelKey: p.revisionGating.revisionLabelKey, roleLabelKey: p.revisionGating.roleLabelKey },
    ),
};
