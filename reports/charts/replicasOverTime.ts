/**
 * Replicas over time against load (issue 11; autoscaling ../shared/reference/gateway.md §5, churn
 * §6): top, each pool's replicas as step lines — ready (solid) and starting or draining (dashed) —
 * per policy (colour), one row per pool; bottom, the offered load (requests arriving per window,
 * timeseries.arrivals_rps) per policy on its own panel with the same time axis, so a scale-up can
 * be read against the load step that caused it. Drawn only when some policy's summary has
 * `replicas_over_time`. The series end at the last arrival window or the last change, whichever
 * is later (a step holds its value until then).
 */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, LABEL_LIMIT, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import type { Chart } from './types.js';

/** The two replica states, as drawn (strokeDash). */
export const STATES = ['ready', 'starting'] as const;

/** Width of the plots, px (well under MAX_CHART_WIDTH with legend and pool headers). */
const WIDTH = 820;

const round6 = (x: number): number => Number(x.toFixed(6));

export function replicasOverTimeChart(doc: ResultsDocument): Chart | null {
  const policies = doc.policies.map((p) => p.name);
  const pools: string[] = [];
  const replicas: { policy: string; pool: string; state: string; t_s: number; replicas: number }[] = [];
  const load: { policy: string; t_s: number; rps: number }[] = [];
  for (const p of doc.policies) {
    const rot = p.summary.replicas_over_time;
    if (rot === undefined) continue;
    const ts = p.timeseries;
    const arrivals = ts?.arrivals_rps ?? [];
    const windowS = (ts?.window_ms ?? 0) / 1000;
    // Window k as a step from its start; the last one held to its end.
    arrivals.forEach((rps, k) => load.push({ policy: p.name, t_s: round6(k * windowS), rps }));
    if (arrivals.length > 0) load.push({ policy: p.name, t_s: round6(arrivals.length * windowS), rps: arrivals.at(-1)! });
    const loadEnd = arrivals.length * windowS;
    for (const [pool, tl] of Object.entries(rot.pools)) {
      if (!pools.includes(pool)) pools.push(pool);
      const end = Math.max(loadEnd, tl.t_s.at(-1) ?? 0);
      for (const state of STATES) {
        const ys = state === 'ready' ? tl.ready : tl.starting;
        tl.t_s.forEach((t, i) => replicas.push({ policy: p.name, pool, state, t_s: round6(t), replicas: ys[i]! }));
        // Hold the last value to the end of the run (a step-after line ends at its last point).
        if (tl.t_s.length > 0 && end > tl.t_s.at(-1)!) replicas.push({ policy: p.name, pool, state, t_s: round6(end), replicas: ys.at(-1)! });
      }
    }
  }
  if (replicas.length === 0) return null;
  const x = { field: 't_s', type: 'quantitative' as const, title: 'simulated time (s)' };
  const color = policyColor(policies);
  const top = {
    data: { values: replicas },
    facet: { row: { field: 'pool', type: 'nominal' as const, sort: pools, title: 'pool', header: { labelAngle: 0, labelAlign: 'left' as const, labelLimit: LABEL_LIMIT } } },
    spec: {
      width: WIDTH,
      height: 140,
      mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.6 },
      encoding: {
        x,
        y: { field: 'replicas', type: 'quantitative' as const, title: 'replicas', scale: { domainMin: 0 }, axis: { tickMinStep: 1 } },
        color,
        strokeDash: { field: 'state', type: 'nominal' as const, title: 'replicas', sort: [...STATES], scale: { domain: [...STATES], range: [[1, 0], [5, 3]] } },
        detail: { field: 'state', type: 'nominal' as const },
      },
    },
  };
  const bottom = {
    data: { values: load },
    width: WIDTH,
    height: 120,
    title: { text: 'offered load (arrivals per window)', fontSize: 12 },
    mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.2 },
    encoding: { x, y: { field: 'rps', type: 'quantitative' as const, title: 'arrivals (req/s)', scale: { domainMin: 0 } }, color },
  };
  const window = doc.policies.find((p) => p.timeseries?.arrivals_rps !== undefined)?.timeseries?.window_ms;
  return {
    id: 'replicas-over-time',
    title: 'Replicas over time against load',
    description: `Ready replicas (solid) and replicas starting or draining (dashed) of each pool per policy, a step at every change; below, requests arriving per ${window !== undefined ? `${window / 1000} s ` : ''}window — how the fleet followed the load.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: 'Replicas over time against offered load',
      config: CHART_CONFIG,
      vconcat: load.length > 0 ? [top, bottom] : [top],
    },
  };
}
