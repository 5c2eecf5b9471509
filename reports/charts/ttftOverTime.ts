/**
 * TTFT over time: per policy, the p50 (solid) and p99 (dashed) TTFT of the completed requests that
 * arrived in each time bin (results `timeseries.ttft_over_time`, sim/metrics/timeSeries.ts), of the
 * first seed's run, on a log axis when every value is positive. Shows when a policy's latency ran
 * away (queues building) rather than only how bad its tail was overall. The TTFT SLO is a grey
 * dashed line.
 */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { logFloor } from './percentiles.js';
import { sloLayer, sloTarget } from './slo.js';
import type { Chart } from './types.js';

const SERIES = ['p50', 'p99'] as const;

export function ttftOverTimeChart(doc: ResultsDocument): Chart | null {
  const policies = doc.policies.map((p) => p.name);
  const values: { policy: string; t_s: number; percentile: string; ttft: number }[] = [];
  let bin = 0;
  for (const p of doc.policies) {
    const s = p.timeseries?.ttft_over_time;
    if (!s) continue;
    bin = Math.max(bin, s.bin_ms);
    const mid = (k: number): number => Number((((k + 0.5) * s.bin_ms) / 1000).toFixed(6));
    s.count.forEach((_, k) => {
      const q = { p50: s.p50_ms[k], p99: s.p99_ms[k] };
      for (const pct of SERIES) {
        const v = q[pct];
        if (typeof v === 'number') values.push({ policy: p.name, t_s: mid(k), percentile: pct, ttft: v });
      }
    });
  }
  if (values.length === 0) return null;
  const title = 'TTFT (ms)';
  const positive = values.every((v) => v.ttft > 0);
  const slo = sloLayer(doc, 'ttft_ms', 'y', title);
  const target = sloTarget(doc, 'ttft_ms');
  const min = Math.min(...values.map((v) => v.ttft), target ?? Infinity);
  return {
    id: 'ttft-over-time',
    title: 'TTFT over time',
    description: `p50 (solid) and p99 (dashed) TTFT of the requests that arrived in each ${bin / 1000} s bin, per policy, of the first seed's run${positive ? ' (log scale)' : ''}${target !== null ? `; the dashed grey line is the SLO (${target} ms)` : ''}.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: 'TTFT over time (by arrival)',
      width: 860,
      height: 300,
      config: CHART_CONFIG,
      layer: [
        {
          data: { values },
          mark: { type: 'line', strokeWidth: 1.6, point: values.length <= 400 ? { size: 12 } : false },
          encoding: {
            x: { field: 't_s', type: 'quantitative', title: 'arrival time (s)' },
            y: { field: 'ttft', type: 'quantitative', title, scale: positive ? { type: 'log', domainMin: logFloor(min) } : { zero: true } },
            color: policyColor(policies),
            strokeDash: { field: 'percentile', type: 'nominal', title: 'TTFT percentile', sort: [...SERIES], scale: { domain: [...SERIES], range: [[1, 0], [5, 3]] } },
          },
        },
        ...(slo ? [slo] : []),
      ],
    },
  };
}
