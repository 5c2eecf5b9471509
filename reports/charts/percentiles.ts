/**
 * p50 / p90 / p99 of TTFT, TPOT (ms) and E2E (s) per policy as grouped bars on a log axis, one
 * panel per metric, so a 100 ms bar stays visible beside a 3 s one. Bars on a log axis need a
 * non-zero baseline: each panel's axis starts at the power of ten at or below half its smallest
 * value (`logFloor`), so the shortest bar is at least ~0.3 decade long. With several seeds the bar is
 * the mean over seeds and a grey rule spans its 95 % confidence interval; a lower end at or below
 * the axis' start is drawn from the axis' start. The scenario's SLOs are grey dashed lines.
 */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, INK, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { LATENCY_UNITS, sloLayer, sloTarget } from './slo.js';
import { meanWithCi, type Chart } from './types.js';

/** The latency figures charted (summary key); also the sweep chart's. */
export const LATENCY_METRICS = ['ttft_ms', 'tpot_ms', 'e2e_ms'] as const;
export const PERCENTILES = ['p50', 'p90', 'p99'] as const;

/** Width of each of the three panels, px: 3 × (260 + axis ≈ 70) + spacing + legend ≤ 1,300 (palette.ts). */
const PANEL_WIDTH = 260;

interface Bar {
  policy: string;
  percentile: string;
  value: number;
  low?: number;
  high?: number;
}

/** The power of ten at or below half of `min` (min > 0): a log axis' start that leaves every bar visible. */
export function logFloor(min: number): number {
  return 10 ** Math.floor(Math.log10(min / 2));
}

export function percentilesChart(doc: ResultsDocument): Chart {
  const policies = doc.policies.map((p) => p.name);
  const withCi = (doc.seeds?.length ?? 1) > 1;
  const panels = LATENCY_METRICS.map((metric) => {
    const { label, unit, scale } = LATENCY_UNITS[metric];
    const title = `${label} (${unit})`;
    const values: Bar[] = [];
    for (const p of doc.policies) {
      for (const pct of PERCENTILES) {
        const m = withCi ? meanWithCi(p.stats?.[`${metric}.${pct}`]) : null;
        const v = m ? m.value : p.summary[metric]?.[pct];
        if (typeof v !== 'number') continue;
        const bar: Bar = { policy: p.name, percentile: pct, value: Number((v * scale).toPrecision(8)) };
        if (m && m.low !== undefined && m.high !== undefined) {
          bar.low = Number((m.low * scale).toPrecision(8));
          bar.high = Number((m.high * scale).toPrecision(8));
        }
        values.push(bar);
      }
    }
    // The SLO line counts too, so an SLO below every bar still lies on the axis.
    const target = sloTarget(doc, metric);
    const positive = [...values.flatMap((b) => [b.value, b.high ?? b.value]), ...(target !== null && values.length > 0 ? [target] : [])].filter((v) => v > 0);
    const log = positive.length > 0;
    const floor = log ? logFloor(Math.min(...positive)) : 0;
    // Values at or below the axis' start (a zero, or a CI reaching below zero) are drawn from it.
    if (log) {
      for (const b of values) {
        b.value = Math.max(b.value, floor);
        if (b.low !== undefined) b.low = Math.max(b.low, floor);
      }
    }
    const x = { field: 'percentile', type: 'nominal' as const, sort: [...PERCENTILES], title: 'percentile', axis: { labelAngle: 0 } };
    const xOffset = { field: 'policy', type: 'nominal' as const, sort: policies };
    const y = { field: 'value', type: 'quantitative' as const, title, scale: log ? { type: 'log' as const, domainMin: floor } : { zero: true } };
    const slo = sloLayer(doc, metric, 'y', title);
    return {
      width: PANEL_WIDTH,
      height: 240,
      layer: [
        {
          data: { values },
          layer: [
            // On a log axis the bar starts at the axis' start (its default baseline, 0, has no place there).
            { mark: { type: 'bar' as const }, encoding: { x, xOffset, y, ...(log ? { y2: { datum: floor } } : {}), color: policyColor(policies) } },
            ...(withCi
              ? [{ mark: { type: 'rule' as const, color: INK.ci, strokeWidth: 1.5 }, encoding: { x, xOffset, y: { field: 'low', type: 'quantitative' as const, title }, y2: { field: 'high' } } }]
              : []),
          ],
        },
        ...(slo ? [slo] : []),
      ],
    };
  });
  const seeds = doc.seeds?.length ?? 1;
  const anySlo = LATENCY_METRICS.some((m) => sloTarget(doc, m) !== null);
  const how = `log axis; TTFT and TPOT in ms, E2E in s${anySlo ? '; dashed grey lines are the SLOs' : ''}`;
  return {
    id: 'latency-percentiles',
    title: 'Latency percentiles per policy',
    description: withCi
      ? `Mean over ${seeds} seeds of each percentile; the grey rule spans the 95 % confidence interval (${how}).`
      : `p50, p90 and p99 of TTFT, TPOT and end-to-end latency over completed requests (${how}).`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: withCi ? `Latency percentiles per policy (mean and 95 % CI over ${seeds} seeds)` : 'Latency percentiles per policy',
      config: CHART_CONFIG,
      hconcat: panels,
    },
  };
}
