/** TTFT and E2E CDFs per policy, from the results' 101-point quantile grids. */
import type { ResultsDocument } from '../results.js';
import { gridP } from '../profiles.js';
import { CHART_CONFIG, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import type { Chart } from './types.js';

const LABELS = { ttft_ms: 'TTFT', e2e_ms: 'E2E latency' } as const;

/** The CDF chart of `metric`, or null when no policy has a distribution for it. */
export function cdfChart(doc: ResultsDocument, metric: keyof typeof LABELS): Chart | null {
  const policies = doc.policies.map((p) => p.name);
  const values: { policy: string; latency_ms: number; fraction: number }[] = [];
  for (const p of doc.policies) {
    const grid = p.distributions?.[metric];
    if (!grid) continue;
    grid.forEach((q, i) => values.push({ policy: p.name, latency_ms: q, fraction: gridP(i) }));
  }
  if (values.length === 0) return null;
  const label = LABELS[metric];
  const seeds = doc.seeds?.length ?? 1;
  const log = values.every((v) => v.latency_ms > 0);
  return {
    id: metric === 'ttft_ms' ? 'ttft-cdf' : 'e2e-cdf',
    title: `${label} CDF per policy`,
    description: `Fraction of completed requests whose ${label} is at most x${log ? ' (log scale)' : ''}${seeds > 1 ? `; quantiles averaged over ${seeds} seeds` : ''}.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: `${label} CDF per policy`,
      width: 520,
      height: 300,
      config: CHART_CONFIG,
      data: { values },
      mark: { type: 'line', interpolate: 'linear', strokeWidth: 2 },
      encoding: {
        x: { field: 'latency_ms', type: 'quantitative', title: `${label} (ms)`, scale: log ? { type: 'log' } : { zero: true } },
        y: { field: 'fraction', type: 'quantitative', title: 'completed requests at or below (%)', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
        color: policyColor(policies),
        order: { field: 'fraction', type: 'quantitative' },
      },
    },
  };
}
