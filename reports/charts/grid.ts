/**
 * For sweep grids (issue 14): each metric against each swept field, per policy. One chart per
 * dimension: x = that field's value (quantitative when every value is a number, else ordinal in
 * the dimension's order), one row of panels per metric (TTFT, TPOT p99 in ms and E2E p99 in s on
 * log axes with their SLO lines; throughput and goodput in req/s), colour = policy. When the grid
 * has other dimensions, each combination of their values gets its own panel (titled with it), so
 * points are never averaged across them. With several seeds a point is the mean over seeds and a
 * rule spans its 95 % confidence interval, as in the rate sweep (sweep.ts).
 */
import { flattenFigures } from '../figures.js';
import type { GridResults, ResultsDocument } from '../results.js';
import { gridValueLabel, shortPaths } from '../table.js';
import { CHART_CONFIG, policyColor, VEGA_LITE_SCHEMA } from './palette.js';
import { logFloor } from './percentiles.js';
import { LATENCY_UNITS, sloLayer, sloTarget, type SloMetric } from './slo.js';
import { meanWithCi, slug, type Chart } from './types.js';

/** A plotted figure: its path in the summary, axis title, factor from the summary's unit, and its SLO. */
interface GridMetric {
  readonly path: string;
  readonly title: string;
  readonly scale: number;
  /** Latencies: log axis when every value is positive, with the SLO line. */
  readonly slo: SloMetric | null;
}

const latency = (metric: SloMetric): GridMetric => {
  const { label, unit, scale } = LATENCY_UNITS[metric];
  return { path: `${metric}.p99`, title: `${label} p99 (${unit})`, scale, slo: metric };
};

/** The panels' figures, in row order. */
export const GRID_METRICS: readonly GridMetric[] = [
  latency('ttft_ms'),
  latency('tpot_ms'),
  latency('e2e_ms'),
  { path: 'throughput.requests_per_s', title: 'throughput (req/s)', scale: 1, slo: null },
  { path: 'goodput.requests_per_s', title: 'goodput (req/s)', scale: 1, slo: null },
];

/** Most panels side by side in a metric's row (more combinations wrap onto further lines). */
const MAX_COLUMNS = 4;

/**
 * Panel width, px, for `columns` panels a row: columns × (width + axis ≈ 70) + spacing + the
 * policy legend (≈ 300) ≤ 1,300 (palette.ts).
 */
function panelWidth(columns: number): number {
  return Math.min(260, Math.floor((1000 - (columns - 1) * 24) / columns) - 70);
}

/** One plotted point. */
interface Datum {
  policy: string;
  x: number | string;
  value: number;
  low?: number;
  high?: number;
}

/** Every policy name of the document, then any that only grid points have (one colour each). */
function policyNames(doc: ResultsDocument, grid: GridResults): string[] {
  const names = doc.policies.map((p) => p.name);
  for (const pt of grid.points) for (const p of pt.policies) if (!names.includes(p.name)) names.push(p.name);
  return names;
}

/** ["gpu = H100", "tp = 2"]: a point's values of every dimension but `dim`, a line each. */
function otherLines(grid: GridResults, short: readonly string[], dim: number, values: Readonly<Record<string, unknown>>): string[] {
  return grid.dimensions.flatMap((d, i) => (i === dim ? [] : [`${short[i]} = ${gridValueLabel(values[d.path])}`]));
}

/** The chart of dimension `dim` (index into grid.dimensions). */
function dimensionChart(doc: ResultsDocument, grid: GridResults, dim: number, policies: readonly string[]): Chart {
  const dimension = grid.dimensions[dim]!;
  const withCi = (doc.seeds?.length ?? 1) > 1;
  const numeric = dimension.values.length > 0 && dimension.values.every((v) => typeof v === 'number' && Number.isFinite(v));
  // Combinations of the other dimensions' values, in grid order (first dimension slowest).
  const short = shortPaths(grid);
  const combos: string[][] = [];
  const comboKey = (lines: readonly string[]): string => JSON.stringify(lines);
  for (const pt of grid.points) {
    const c = otherLines(grid, short, dim, pt.values);
    if (!combos.some((k) => comboKey(k) === comboKey(c))) combos.push(c);
  }
  const columns = Math.min(combos.length, MAX_COLUMNS);
  const width = panelWidth(combos.length === 1 ? 3 : columns);
  const xValues = dimension.values.map((v) => (numeric ? (v as number) : gridValueLabel(v)));
  const positiveX = numeric && xValues.every((v) => (v as number) > 0);
  const logX = positiveX && Math.max(...(xValues as number[])) / Math.min(...(xValues as number[])) >= 10;
  // A long path or value is cut (…) rather than widen its panel.
  const x = numeric
    ? { field: 'x', type: 'quantitative' as const, title: dimension.path, scale: logX ? { type: 'log' as const } : { zero: false }, axis: { titleLimit: width } }
    : { field: 'x', type: 'ordinal' as const, title: dimension.path, sort: xValues as string[], scale: { domain: xValues as string[] }, axis: { titleLimit: width, labelLimit: 100 } };

  const panel = (metric: GridMetric, combo: readonly string[]) => {
    const round = (v: number): number => Number((v * metric.scale).toPrecision(8));
    const values: Datum[] = [];
    for (const pt of grid.points) {
      if (comboKey(otherLines(grid, short, dim, pt.values)) !== comboKey(combo)) continue;
      const raw = pt.values[dimension.path];
      const xv = numeric ? (raw as number) : gridValueLabel(raw);
      for (const p of pt.policies) {
        const m = withCi ? meanWithCi(p.stats?.[metric.path]) : null;
        if (m) {
          values.push({ policy: p.name, x: xv, value: round(m.value), ...(m.low !== undefined && m.high !== undefined ? { low: round(m.low), high: round(m.high) } : {}) });
        } else {
          const v = flattenFigures(p.summary).get(metric.path);
          if (typeof v === 'number') values.push({ policy: p.name, x: xv, value: round(v) });
        }
      }
    }
    // Latencies on a log axis like the sweep (they jump by decades past saturation); an interval
    // reaching below the axis' start is cut there.
    const positive = values.map((v) => v.value).filter((v) => v > 0);
    const log = metric.slo !== null && positive.length === values.length && positive.length > 0;
    const target = metric.slo !== null ? sloTarget(doc, metric.slo) : null;
    const floor = log ? logFloor(Math.min(...positive, target ?? Infinity)) : 0;
    if (log) for (const v of values) if (v.low !== undefined) v.low = Math.max(v.low, floor);
    const yScale = log ? { type: 'log' as const, domainMin: floor } : { zero: true };
    const slo = metric.slo !== null ? sloLayer(doc, metric.slo, 'y', metric.title) : null;
    return {
      width,
      height: 160,
      // One line per other dimension, each cut (…) at the panel's width so it never widens the chart.
      ...(combo.length > 0 ? { title: { text: [...combo], fontSize: 11, fontWeight: 'normal' as const, limit: width } } : {}),
      layer: [
        {
          data: { values },
          layer: [
            { mark: { type: 'line' as const, point: true }, encoding: { x, y: { field: 'value', type: 'quantitative' as const, title: metric.title, scale: yScale, axis: { minExtent: 36 } }, color: policyColor(policies) } },
            ...(withCi
              ? [{ mark: { type: 'rule' as const, strokeWidth: 1.5 }, encoding: { x, y: { field: 'low', type: 'quantitative' as const, title: metric.title }, y2: { field: 'high' }, color: policyColor(policies) } }]
              : []),
          ],
        },
        ...(slo ? [slo] : []),
      ],
    };
  };

  // One grid dimension: the five panels wrap three a row. Several: one row per metric, a panel per
  // combination of the other dimensions' values.
  const body =
    combos.length === 1
      ? { columns: 3, concat: GRID_METRICS.map((m) => panel(m, combos[0]!)) }
      : { vconcat: GRID_METRICS.map((m) => ({ columns, concat: combos.map((c) => panel(m, c)) })) };
  const others = grid.dimensions.filter((_, i) => i !== dim).map((d) => d.path);
  return {
    id: `grid-${dim}-${slug(dimension.path)}`,
    title: `Sweep grid: metrics against ${dimension.path}`,
    description:
      `TTFT, TPOT p99 (ms), E2E p99 (s), throughput and goodput (req/s) per policy at each value of ${dimension.path}` +
      (others.length === 1 ? `, one panel per value of ${others[0]}` : others.length > 1 ? `, one panel per combination of ${others.join(', ')}` : '') +
      (withCi ? `; mean over ${doc.seeds!.length} seeds with 95 % CI` : '') +
      '. Latencies on log axes.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: `Sweep grid: metrics against ${dimension.path}`,
      config: CHART_CONFIG,
      ...body,
    },
  };
}

/** One chart per dimension of the results' sweep grid; none without a grid. */
export function gridCharts(doc: ResultsDocument): Chart[] {
  const grid = doc.grid;
  if (!grid || grid.points.length === 0 || grid.dimensions.length === 0) return [];
  const policies = policyNames(doc, grid);
  return grid.dimensions.map((_, dim) => dimensionChart(doc, grid, dim, policies));
}
