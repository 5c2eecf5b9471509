/**
 * `header-label-affinity-scorer` (llm-d-router v0.10.0, Alpha, Affinity, `llm-d-router.md` §4.3):
 * 1 for endpoints whose label `labelKey` equals the value of the request header `headerName`, else
 * 0; an absent or empty header → 0 everywhere. Both parameters are required.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';

export class HeaderLabelAffinityScorer implements Scorer {
  readonly type = 'header-label-affinity-scorer';
  readonly category = 'Affinity' as const;
  readonly header: string;
  constructor(readonly name: string, headerName: string, readonly labelKey: string) {
    this.header = headerName.toLowerCase();
  }

  score(_ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const want = req.headers[this.header] ?? '';
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, want !== '' && e.labels[this.labelKey] === want ? 1 : 0);
    return out;
  }
}

const params = z.strictObject({
  headerName: z.string().min(1).describe('request header whose value selects the endpoints (required)'),
  labelKey: z.string().min(1).describe('pod label compared with the header value (required)'),
});

export const headerLabelAffinityScorer: PluginDefinition<typeof params> = {
  type: 'header-label-affinity-scorer',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Scorer'],
  source: 'llm-d-router v0.10.0',
  description: '1 if the endpoint label labelKey equals the request header headerName, else 0 (empty header → all 0).',
  params,
  create: (name, p) => new HeaderLabelAffinityScorer(name, p.headerName, p.labelKey),
};
