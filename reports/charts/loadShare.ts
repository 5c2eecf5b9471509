/**
 * Share of dispatched requests per replica and policy (grouped bars). With several seeds the bar is
 * the mean share over seeds and a rule spans its 95 % confidence interval.
 */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, INK, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { meanWithCi, type Chart } from './types.js';

export function loadShareChart(doc: ResultsDocument): Chart | null {
  const policies = doc.policies.map((p) => p.name);
  const withCi = (doc.seeds?.length ?? 1) > 1;
  const values: { policy: string; replica: string; share: number; low?: number; high?: number }[] = [];
  const replicaOrder: string[] = [];
  for (const p of doc.policies) {
    (p.summary.replicas ?? []).forEach((r, i) => {
      if (!replicaOrder.includes(r.name)) replicaOrder.push(r.name);
      const m = withCi ? meanWithCi(p.stats?.[`replicas.${i}.share`]) : null;
      if (m) {
        // A share lies in [0, 1]: an interval reaching past either end (few seeds) is cut there.
        const ci = m.low !== undefined && m.high !== undefined ? { low: Math.max(0, m.low), high: Math.min(1, m.high) } : {};
        values.push({ policy: p.name, replica: r.name, share: m.value, ...ci });
      } else {
        values.push({ policy: p.name, replica: r.name, share: r.share });
      }
    });
  }
  if (values.length === 0) return null;
  const x = { field: 'replica', type: 'nominal' as const, sort: replicaOrder, title: 'replica', axis: { labelAngle: -30 } };
  const xOffset = { field: 'policy', type: 'nominal' as const, sort: policies };
  const y = { field: 'share', type: 'quantitative' as const, title: 'share of dispatched requests (%)', axis: { format: '.0%' } };
  const seeds = doc.seeds?.length ?? 1;
  return {
    id: 'load-share',
    title: 'Load share per replica',
    description: `Fraction of the requests each policy dispatched to each replica${withCi ? `; mean over ${seeds} seeds with 95 % CI` : ''}. Even bars mean an even spread of requests (not necessarily of work).`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: 'Load share per replica',
      // 16 px a bar, but at most 900 px (+ axis and legend ≤ 1,300, palette.ts): many replicas × policies get thinner bars.
      width: Math.min(900, Math.max(320, replicaOrder.length * policies.length * 16)),
      height: 240,
      config: CHART_CONFIG,
      data: { values },
      layer: [
        { mark: { type: 'bar' }, encoding: { x, xOffset, y, color: policyColor(policies) } },
        ...(withCi ? [{ mark: { type: 'rule' as const, color: INK.ci, strokeWidth: 1.5 }, encoding: { x, xOffset, y: { field: 'low', type: 'quantitative' as const, title: y.title }, y2: { field: 'high' } } }] : []),
      ],
    },
  };
}
