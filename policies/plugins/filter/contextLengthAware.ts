/**
 * `context-length-aware` (llm-d v0.7.0, v0.10.0 semantics, `llm-d-router.md` §4.2): Filter and
 * Scorer (Affinity) on the pod label `label` (default `llm-d.ai/context-length-range`, value
 * `min-max` integers). Context length = the request's TokenizedPrompt token count
 * (`TokenizedPrompt/token-producer`; 0 if none) — the v0.10 change (v0.7.0 used 0.25 × characters).
 *
 * Filter (only when enableFiltering): keeps unlabeled endpoints and those whose range contains the
 * length; malformed ranges dropped. Score: unlabeled 0.5; malformed 0; in range with w = max − min:
 * w = 0 → 1, else 0.3 + 0.7·(0.7/(1 + w/10000) + 0.3·(max − len)/w); out of range 0.3/(1 + d/1000),
 * d = distance to the nearer bound. Derived: len 10 in 0–20 → 0.8940; 9000 vs 0–2048 → 0.0377.
 */
import { z } from 'zod';
import { tokenizedPromptCount } from '../../framework/dataKeys.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';

export const CONTEXT_LENGTH_LABEL = 'llm-d.ai/context-length-range';

/** [min, max] of a `min-max` label value, or null when malformed. */
export function parseRange(v: string): [number, number] | null {
  const m = /^(\d+)-(\d+)$/.exec(v.trim());
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  return lo <= hi ? [lo, hi] : null;
}

/** Score of an endpoint whose label value is `v` (undefined = unlabeled) for a request of `len` tokens. */
export function contextLengthScore(v: string | undefined, len: number): number {
  if (v === undefined) return 0.5;
  const r = parseRange(v);
  if (!r) return 0;
  const [lo, hi] = r;
  if (len >= lo && len <= hi) {
    const w = hi - lo;
    if (w === 0) return 1;
    return 0.3 + 0.7 * (0.7 / (1 + w / 10000) + (0.3 * (hi - len)) / w);
  }
  const d = len < lo ? lo - len : len - hi;
  return 0.3 / (1 + d / 1000);
}

export class ContextLengthAware implements Filter, Scorer {
  readonly type = 'context-length-aware';
  readonly category = 'Affinity' as const;
  constructor(readonly name: string, readonly label: string, readonly enableFiltering: boolean) {}

  filter(ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    if (!this.enableFiltering) return endpoints;
    const len = tokenizedPromptCount(ctx.cycleState);
    const kept = endpoints.filter((e) => {
      const v = e.labels[this.label];
      if (v === undefined) return true;
      const r = parseRange(v);
      return r !== null && len >= r[0] && len <= r[1];
    });
    return kept.length === endpoints.length ? endpoints : kept;
  }

  score(ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const len = tokenizedPromptCount(ctx.cycleState);
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, contextLengthScore(e.labels[this.label], len));
    return out;
  }
}

const params = z.strictObject({
  label: z.string().min(1).default(CONTEXT_LENGTH_LABEL).describe('pod label holding the `min-max` token range'),
  enableFiltering: z.boolean().default(false).describe('also filter out endpoints whose range excludes the length'),
});

export const contextLengthAware: PluginDefinition<typeof params> = {
  type: 'context-length-aware',
  dialects: ['llm-d-v0.10'],
  kinds: ['Filter', 'Scorer'],
  source: 'llm-d-router v0.10.0',
  description:
    'Length = TokenizedPrompt token count. Score: unlabeled 0.5, malformed 0, in range 0.3 + 0.7·(0.7/(1+w/10000) + 0.3·(max−len)/w) (w = 0 → 1), out of range 0.3/(1+d/1000). Filter (enableFiltering): keeps unlabeled and in-range endpoints.',
  params,
  create: (name, p) => new ContextLengthAware(name, p.label, p.enableFiltering),
};
