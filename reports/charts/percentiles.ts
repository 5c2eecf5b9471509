/**
 * p50 / p90 / p99 of TTFT, TPOT and E2E per policy as grouped bars, one panel per metric; with
 * several seeds the bar is the mean over seeds and a rule spans its 95 % confidence interval.
 */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { meanWithCi, type Chart } from './types.js';

/** The latency figures charted (summary key, label); also the sweep chart's. */
export const LATENCY_METRICS = [
  ['ttft_ms', 'TTFT'],
  ['tpot_ms', 'TPOT'],
  ['e2e_ms', 'E2E latency'],
] as const;
export const PERCENTILES = ['p50', 'p90', 'p99'] as const;

interface Bar {
  policy: string;
  percentile: string;
  value: number;
  low?: number;
  high?: number;
}

export function percentilesChart(doc: ResultsDocument): Chart {
  const policies = doc.policies.map((p) => p.name);
  const withCi = (doc.seeds?.length ?? 1) > 1;
  const panels = LATENCY_METRICS.map(([metric, label]) => {
    const title = `${label} (ms)`;
    const values: Bar[] = [];
    for (const p of doc.policies) {
      for (const pct of PERCENTILES) {
        const m = withCi ? meanWithCi(p.stats?.[`${metric}.${pct}`]) : null;
        if (m) {
          values.push({ policy: p.name, percentile: pct, ...m });
        } else {
          const v = p.summary[metric]?.[pct];
          if (typeof v === 'number') values.push({ policy: p.name, percentile: pct, value: v });
        }
      }
    }
    const x = { field: 'percentile', type: 'nominal' as const, sort: [...PERCENTILES], title: 'percentile', axis: { labelAngle: 0 } };
    const xOffset = { field: 'policy', type: 'nominal' as const, sort: policies };
    return {
      width: { step: 24 },
      height: 240,
      data: { values },
      layer: [
        { mark: { type: 'bar' as const }, encoding: { x, xOffset, y: { field: 'value', type: 'quantitative' as const, title }, color: policyColor(policies) } },
        ...(withCi
          ? [{ mark: { type: 'rule' as const, color: '#333', strokeWidth: 1.5 }, encoding: { x, xOffset, y: { field: 'low', type: 'quantitative' as const, title }, y2: { field: 'high' } } }]
          : []),
      ],
    };
  });
  const seeds = doc.seeds?.length ?? 1;
  return {
    id: 'latency-percentiles',
    title: 'Latency percentiles per policy',
    description: withCi
      ? `Mean over ${seeds} seeds of each percentile; the black rule spans the 95 % confidence interval.`
      : 'p50, p90 and p99 of TTFT, TPOT and end-to-end latency over completed requests.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: withCi ? `Latency percentiles per policy (mean and 95 % CI over ${seeds} seeds)` : 'Latency percentiles per policy',
      config: CHART_CONFIG,
      hconcat: panels,
    },
  };
}
