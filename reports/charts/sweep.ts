/**
 * For sweeps: latency percentiles against offered load per policy, one panel per metric and
 * percentile; with several seeds a rule spans each point's 95 % confidence interval.
 */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { LATENCY_METRICS, PERCENTILES } from './percentiles.js';
import { meanWithCi, type Chart } from './types.js';

export function sweepChart(doc: ResultsDocument): Chart | null {
  const sweep = doc.sweep;
  if (!sweep || sweep.length === 0) return null;
  const policies = doc.policies.map((p) => p.name);
  const withCi = (doc.seeds?.length ?? 1) > 1;
  const rows = LATENCY_METRICS.map(([metric, label]) => ({
    hconcat: PERCENTILES.map((pct) => {
      const path = `${metric}.${pct}`;
      const values: { policy: string; rate: number; value: number; low?: number; high?: number }[] = [];
      for (const pt of sweep) {
        for (const p of pt.policies) {
          const m = withCi ? meanWithCi(p.stats?.[path]) : null;
          if (m) {
            values.push({ policy: p.name, rate: pt.rate, ...m });
          } else {
            const v = p.summary[metric]?.[pct];
            if (typeof v === 'number') values.push({ policy: p.name, rate: pt.rate, value: v });
          }
        }
      }
      const x = { field: 'rate', type: 'quantitative' as const, title: 'offered load (req/s)', scale: { zero: false } };
      const title = `${label} ${pct} (ms)`;
      return {
        width: 220,
        height: 160,
        data: { values },
        layer: [
          { mark: { type: 'line' as const, point: true }, encoding: { x, y: { field: 'value', type: 'quantitative' as const, title }, color: policyColor(policies) } },
          ...(withCi
            ? [{ mark: { type: 'rule' as const, strokeWidth: 1.5 }, encoding: { x, y: { field: 'low', type: 'quantitative' as const, title }, y2: { field: 'high' }, color: policyColor(policies) } }]
            : []),
        ],
      };
    }),
  }));
  return {
    id: 'sweep-latency',
    title: 'Latency against offered load',
    description: `Each policy re-run at ${sweep.map((p) => p.rate).join(', ')} req/s${withCi ? `; mean over ${doc.seeds!.length} seeds with 95 % CI` : ''}.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: 'Latency percentiles against offered load',
      config: CHART_CONFIG,
      vconcat: rows,
    },
  };
}
