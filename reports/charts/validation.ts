/**
 * The validation chart of `routesim validate` (../shared/reference/calibration.md §4.6: time-series
 * overlays): running batch, waiting queue and KV-cache use over time, as the measured engine logged
 * them (its 1-s `timeseries.csv`) and as the simulated replay had them (PolicyRun.samples, summed
 * over replicas for running/waiting, averaged for KV use). Measured is a solid near-black line,
 * simulated a dashed grey one (palette.ts INK), so the two stay apart in print too. Times are
 * seconds from each run's own start (the measured log's `t`; the first simulated arrival), so
 * the two clocks are aligned only to about a second.
 */
import type { MeasuredTick } from '../../sim/validation/measuredRun.js';
import type { ReplicaSamples } from '../../sim/metrics/types.js';
import { CHART_CONFIG, INK, VEGA_LITE_SCHEMA } from './palette.js';
import type { Chart } from './types.js';

export const VALIDATION_VIEWS = ['measured', 'simulated'] as const;

const GAUGES = [
  ['running', 'running batch (requests)', 'running (req)'],
  ['waiting', 'waiting queue (requests)', 'waiting (req)'],
  ['kv_pct', 'KV-cache use (%)', 'KV in use (%)'],
] as const;

type Gauge = (typeof GAUGES)[number][0];

/** One point of the chart's data. */
export interface ValidationPoint {
  readonly t_s: number;
  readonly view: (typeof VALIDATION_VIEWS)[number];
  readonly gauge: Gauge;
  readonly value: number;
}

const r4 = (x: number): number => Number(x.toFixed(4)) + 0;

/** The chart's points: measured ticks, then simulated samples (fleet totals; KV the replicas' mean, in %). */
export function validationPoints(measured: readonly MeasuredTick[], sim: ReplicaSamples): ValidationPoint[] {
  const out: ValidationPoint[] = [];
  for (const m of measured) {
    out.push({ t_s: r4(m.t), view: 'measured', gauge: 'running', value: m.running });
    out.push({ t_s: r4(m.t), view: 'measured', gauge: 'waiting', value: m.waiting });
    out.push({ t_s: r4(m.t), view: 'measured', gauge: 'kv_pct', value: r4(m.kvCachePct) });
  }
  const n = sim.replicas.length;
  for (let i = 0; i < sim.count && n > 0; i++) {
    const t = r4((i * sim.intervalUs) / 1e6);
    let running = 0;
    let waiting = 0;
    let kv = 0;
    for (const s of sim.replicas) {
      running += s.running[i] ?? 0;
      waiting += s.waiting[i] ?? 0;
      kv += s.kvUsage[i] ?? 0;
    }
    out.push({ t_s: t, view: 'simulated', gauge: 'running', value: running });
    out.push({ t_s: t, view: 'simulated', gauge: 'waiting', value: waiting });
    out.push({ t_s: t, view: 'simulated', gauge: 'kv_pct', value: r4((kv / n) * 100) });
  }
  return out;
}

/** Running / waiting / KV use over time, measured vs simulated, one panel per gauge side by side. */
export function validationChart(measured: readonly MeasuredTick[], sim: ReplicaSamples, title: string): Chart {
  const points = validationPoints(measured, sim);
  const panels = GAUGES.map(([gauge, panelTitle, yTitle]) => ({
    title: { text: panelTitle, fontSize: 12 },
    width: 300,
    height: 180,
    data: { values: points.filter((p) => p.gauge === gauge) },
    mark: { type: 'line' as const, interpolate: 'step-after' as const },
    encoding: {
      x: { field: 't_s', type: 'quantitative' as const, title: 'time from run start (s)' },
      y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { domainMin: 0 } },
      color: { field: 'view', type: 'nominal' as const, title: 'run', sort: [...VALIDATION_VIEWS], scale: { domain: [...VALIDATION_VIEWS], range: [INK.truth, INK.scraped] } },
      strokeDash: { field: 'view', type: 'nominal' as const, title: 'run', sort: [...VALIDATION_VIEWS], scale: { domain: [...VALIDATION_VIEWS], range: [[1, 0], [5, 2]] } },
      strokeWidth: { field: 'view', type: 'nominal' as const, title: 'run', sort: [...VALIDATION_VIEWS], scale: { domain: [...VALIDATION_VIEWS], range: [1.2, 2.5] } },
    },
  }));
  return {
    id: 'validation-timeseries',
    title: `Measured vs simulated engine state: ${title}`,
    description: 'Running batch, waiting queue and KV-cache use over time: solid = measured engine log (1 s), dashed = simulated replay (1 s samples).',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: `Measured vs simulated: ${title}`,
      config: CHART_CONFIG,
      hconcat: panels,
    },
  };
}
