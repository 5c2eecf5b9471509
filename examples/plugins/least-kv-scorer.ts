/**
 * least-kv-scorer.js in TypeScript, type-checked against routesim's plugin API (test/userPlugins.test.ts).
 * Node 20 does not load .ts: compile it first, e.g.
 *   npx tsc least-kv-scorer.ts --module nodenext --target es2022 --skipLibCheck
 * and name the .js in plugin_modules.
 */
import { definePlugin, ParamError, z, type CycleContext, type LLMRequest, type SchedEndpoint, type Scorer } from 'routesim';

class LeastKvScorer implements Scorer {
  readonly type = 'least-kv-scorer';
  readonly category = 'Balance' as const;
  constructor(
    readonly name: string,
    private readonly threshold: number,
  ) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) {
      const kv = e.metrics?.kvCacheUsagePercent;
      out.set(e.name, kv === undefined || kv > this.threshold ? 0 : 1 - kv);
    }
    return out;
  }
}

export default definePlugin({
  type: 'least-kv-scorer',
  kinds: ['Scorer'],
  source: 'examples/plugins',
  description: 'Scores 1 − KV-cache usage per endpoint (absolute, not min–max); 0 above `threshold` or when never scraped.',
  params: z.strictObject({
    threshold: z.number().default(1).describe('KV usage (0..1) above which an endpoint scores 0'),
  }),
  create(name, params) {
    if (params.threshold < 0 || params.threshold > 1) throw new ParamError('threshold', `threshold must be within [0, 1], got ${params.threshold}`);
    return new LeastKvScorer(name, params.threshold);
  },
});
