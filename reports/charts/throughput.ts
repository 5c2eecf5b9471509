/** Throughput and goodput over simulated time per policy (completions per window). */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { sloTarget } from './slo.js';
import type { Chart } from './types.js';

export function throughputChart(doc: ResultsDocument): Chart | null {
  const policies = doc.policies.map((p) => p.name);
  const rows = {
    throughput: [] as { policy: string; t_s: number; rps: number }[],
    goodput: [] as { policy: string; t_s: number; rps: number }[],
  };
  let window = 0;
  for (const p of doc.policies) {
    const ts = p.timeseries;
    if (!ts) continue;
    window = Math.max(window, ts.window_ms);
    const mid = (k: number): number => Number((((k + 0.5) * ts.window_ms) / 1000).toFixed(6));
    ts.throughput_rps.forEach((v, k) => rows.throughput.push({ policy: p.name, t_s: mid(k), rps: v }));
    ts.goodput_rps.forEach((v, k) => rows.goodput.push({ policy: p.name, t_s: mid(k), rps: v }));
  }
  if (rows.throughput.length === 0) return null;
  // Goodput counts the TTFT and TPOT SLOs (sim/metrics/summary.ts meetsSlo).
  const ttft = sloTarget(doc, 'ttft_ms');
  const tpot = sloTarget(doc, 'tpot_ms');
  const sloText = ttft !== null || tpot !== null
    ? [ttft !== null ? `TTFT ≤ ${ttft} ms` : '', tpot !== null ? `TPOT ≤ ${tpot} ms` : ''].filter(Boolean).join(', ')
    : 'no SLO set, so goodput equals throughput';
  const panel = (values: { policy: string; t_s: number; rps: number }[], title: string) => ({
    width: 520,
    height: 180,
    data: { values },
    mark: { type: 'line' as const, point: values.length <= 400, strokeWidth: 1.5 },
    encoding: {
      x: { field: 't_s', type: 'quantitative' as const, title: 'simulated time (s)' },
      y: { field: 'rps', type: 'quantitative' as const, title },
      color: policyColor(policies),
    },
  });
  return {
    id: 'throughput-goodput',
    title: 'Throughput and goodput over time',
    description: `Requests completed per ${window / 1000} s window (top) and those meeting the SLOs (${sloText}) (bottom), per policy, of the first seed's run.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: 'Throughput and goodput over time',
      config: CHART_CONFIG,
      vconcat: [panel(rows.throughput, 'throughput, completed (req/s)'), panel(rows.goodput, 'goodput, meeting SLOs (req/s)')],
    },
  };
}
