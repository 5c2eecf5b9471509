/**
 * For sweeps: latency percentiles against offered load per policy, one panel per metric and
 * percentile (TTFT and TPOT in ms, E2E in s, like the table; log axes); with several seeds a rule spans each
 * point's 95 % confidence interval. The scenario's SLOs are grey dashed lines.
 */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { LATENCY_METRICS, logFloor, PERCENTILES } from './percentiles.js';
import { LATENCY_UNITS, sloLayer, sloTarget } from './slo.js';
import { meanWithCi, type Chart } from './types.js';

/** Panel size, px: 3 × (220 + axis ≈ 70) + spacing + legend ≤ 1,300 (palette.ts). */
const PANEL = { width: 220, height: 160 };

export function sweepChart(doc: ResultsDocument): Chart | null {
  const sweep = doc.sweep;
  if (!sweep || sweep.length === 0) return null;
  const policies = doc.policies.map((p) => p.name);
  const withCi = (doc.seeds?.length ?? 1) > 1;
  const rows = LATENCY_METRICS.map((metric) => ({
    hconcat: PERCENTILES.map((pct) => {
      const { label, unit, scale } = LATENCY_UNITS[metric];
      const path = `${metric}.${pct}`;
      const round = (v: number): number => Number((v * scale).toPrecision(8));
      const values: { policy: string; rate: number; value: number; low?: number; high?: number }[] = [];
      for (const pt of sweep) {
        for (const p of pt.policies) {
          const m = withCi ? meanWithCi(p.stats?.[path]) : null;
          if (m) {
            values.push({ policy: p.name, rate: pt.rate, value: round(m.value), ...(m.low !== undefined && m.high !== undefined ? { low: round(m.low), high: round(m.high) } : {}) });
          } else {
            const v = p.summary[metric]?.[pct];
            if (typeof v === 'number') values.push({ policy: p.name, rate: pt.rate, value: round(v) });
          }
        }
      }
      // Log axis like the percentile chart (latency jumps by decades past saturation); an interval
      // reaching below the axis' start is cut there.
      const positive = values.map((v) => v.value).filter((v) => v > 0);
      const log = positive.length === values.length && positive.length > 0;
      const target = sloTarget(doc, metric);
      const floor = log ? logFloor(Math.min(...positive, target ?? Infinity)) : 0;
      if (log) for (const v of values) if (v.low !== undefined) v.low = Math.max(v.low, floor);
      const x = { field: 'rate', type: 'quantitative' as const, title: 'offered load (req/s)', scale: { zero: false } };
      const title = `${label} ${pct} (${unit})`;
      const yScale = log ? { type: 'log' as const, domainMin: floor } : { zero: true };
      const slo = sloLayer(doc, metric, 'y', title);
      return {
        ...PANEL,
        layer: [
          {
            data: { values },
            layer: [
              { mark: { type: 'line' as const, point: true }, encoding: { x, y: { field: 'value', type: 'quantitative' as const, title, scale: yScale }, color: policyColor(policies) } },
              ...(withCi
                ? [{ mark: { type: 'rule' as const, strokeWidth: 1.5 }, encoding: { x, y: { field: 'low', type: 'quantitative' as const, title }, y2: { field: 'high' }, color: policyColor(policies) } }]
                : []),
            ],
          },
          ...(slo ? [slo] : []),
        ],
      };
    }),
  }));
  return {
    id: 'sweep-latency',
    title: 'Latency against offered load',
    description: `Each policy re-run at ${sweep.map((p) => p.rate).join(', ')} req/s${withCi ? `; mean over ${doc.seeds!.length} seeds with 95 % CI` : ''}. TTFT and TPOT in ms, E2E in s, log axes.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: 'Latency percentiles against offered load',
      config: CHART_CONFIG,
      vconcat: rows,
    },
  };
}
