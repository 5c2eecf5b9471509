/**
 * TTFT (ms) and E2E (s) CDFs per policy, from the results' 101-point quantile grids, on a log x
 * axis when every value is positive; the scenario's SLO is a grey dashed vertical line.
 */
import type { ResultsDocument } from '../results.js';
import { gridP } from '../profiles.js';
import { CHART_CONFIG, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { LATENCY_UNITS, sloLayer, sloTarget } from './slo.js';
import type { Chart } from './types.js';

/** The CDF chart of `metric`, or null when no policy has a distribution for it. */
export function cdfChart(doc: ResultsDocument, metric: 'ttft_ms' | 'e2e_ms'): Chart | null {
  const policies = doc.policies.map((p) => p.name);
  const { label, unit, scale } = LATENCY_UNITS[metric];
  const values: { policy: string; latency: number; fraction: number }[] = [];
  for (const p of doc.policies) {
    const grid = p.distributions?.[metric];
    if (!grid) continue;
    grid.forEach((q, i) => values.push({ policy: p.name, latency: Number((q * scale).toPrecision(8)), fraction: gridP(i) }));
  }
  if (values.length === 0) return null;
  const seeds = doc.seeds?.length ?? 1;
  const log = values.every((v) => v.latency > 0);
  const title = `${label} (${unit})`;
  const target = sloTarget(doc, metric);
  // The SLO line's label goes on the side of the line with more room (position on the x scale).
  const xs = values.map((v) => v.latency);
  const [lo, hi] = [Math.min(...xs, target ?? Infinity), Math.max(...xs, target ?? -Infinity)];
  const at = (v: number): number => (log ? Math.log(v) : v);
  const frac = target === null || hi <= lo ? 0 : (at(target) - at(lo)) / (at(hi) - at(lo));
  const slo = sloLayer(doc, metric, 'x', title, frac > 0.5 ? 'left' : 'right');
  return {
    id: metric === 'ttft_ms' ? 'ttft-cdf' : 'e2e-cdf',
    title: `${label} CDF per policy`,
    description: `Fraction of completed requests whose ${label} is at most x${log ? ' (log scale)' : ''}${seeds > 1 ? `; quantiles averaged over ${seeds} seeds` : ''}${target !== null ? `; the dashed grey line is the SLO (${target} ${unit})` : ''}.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: `${label} CDF per policy`,
      width: 560,
      height: 300,
      config: CHART_CONFIG,
      layer: [
        {
          data: { values },
          mark: { type: 'line', interpolate: 'linear', strokeWidth: 2 },
          encoding: {
            x: { field: 'latency', type: 'quantitative', title, scale: log ? { type: 'log' } : { zero: true } },
            y: { field: 'fraction', type: 'quantitative', title: 'completed requests at or below (%)', axis: { format: '.0%' }, scale: { domain: [0, 1] } },
            color: policyColor(policies),
            order: { field: 'fraction', type: 'quantitative' },
          },
        },
        ...(slo ? [slo] : []),
      ],
    },
  };
}
