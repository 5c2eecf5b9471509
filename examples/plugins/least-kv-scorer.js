// @ts-check
/**
 * A user scorer for routesim, written outside the repository's plugin folders (README "User
 * plugins"): `least-kv-scorer` prefers the endpoint with the most free KV cache.
 *
 *   score = 1 − kvCacheUsagePercent          (kv usage ≤ threshold)
 *   score = 0                                 (kv usage > threshold, or never scraped)
 *
 * Unlike GAIE's kv-cache-utilization-scorer this is not min–max normalised, so it keeps its
 * absolute meaning when all candidates are busy. Loaded by naming it in a scenario or pick case:
 * `plugin_modules: [./least-kv-scorer.js]`. least-kv-scorer.ts is the same plugin in TypeScript
 * (compile it to .js before use: Node 20 does not load .ts).
 */
import { z, ParamError } from 'routesim';

/** @type {import('routesim').PluginDefinition} */
const leastKvScorer = {
  type: 'least-kv-scorer',
  kinds: ['Scorer'],
  source: 'examples/plugins',
  description: 'Scores 1 − KV-cache usage per endpoint (absolute, not min–max); 0 above `threshold` or when never scraped.',
  params: z.strictObject({
    threshold: z.number().default(1).describe('KV usage (0..1) above which an endpoint scores 0'),
  }),
  create(name, params) {
    const { threshold } = /** @type {{ threshold: number }} */ (params);
    if (threshold < 0 || threshold > 1) throw new ParamError('threshold', `threshold must be within [0, 1], got ${threshold}`);
    /** @type {import('routesim').Scorer} */
    const scorer = {
      type: 'least-kv-scorer',
      name,
      category: 'Balance',
      score(_ctx, _req, endpoints) {
        const out = new Map();
        for (const e of endpoints) {
          const kv = e.metrics?.kvCacheUsagePercent;
          out.set(e.name, kv === undefined || kv > threshold ? 0 : 1 - kv);
        }
        return out;
      },
    };
    return scorer;
  },
};

export default leastKvScorer;
