/**
 * Cost against capacity for `routesim capacity --options`: the Pareto front of fleet options (not
 * beaten by another option that is both cheaper per hour and sustains a higher rate), a Vega-Lite
 * scatter of $/hour against max rate with the front drawn as a line, and a bar chart of QPS per
 * $/hour by option. Pure functions of the capacity document.
 */
import type { CapacityAnswer, CapacityDocument } from '../../lab/capacity/types.js';
import { CHART_CONFIG, INK, policyColor, VEGA_LITE_SCHEMA } from '../charts/palette.js';
import type { Chart } from '../charts/types.js';

/** A point of the cost/capacity plane: cost ($/hour) and the rate it sustains (req/s). */
export interface CostRate {
  readonly cost: number;
  readonly rate: number;
}

/**
 * Whether each point is on the Pareto front: no other point has a cost ≤ and a rate ≥ with at
 * least one of them strictly better. Equal points do not dominate each other (both stay on it).
 */
export function paretoMask(points: readonly CostRate[]): boolean[] {
  return points.map((p) => !points.some((q) => q.cost <= p.cost && q.rate >= p.rate && (q.cost < p.cost || q.rate > p.rate)));
}

/** The points on the Pareto front, by increasing cost (then rate, then input order). */
export function paretoFront<T extends CostRate>(points: readonly T[]): T[] {
  const mask = paretoMask(points);
  return points
    .map((p, i) => ({ p, i }))
    .filter(({ i }) => mask[i])
    .sort((a, b) => a.p.cost - b.p.cost || a.p.rate - b.p.rate || a.i - b.i)
    .map(({ p }) => p);
}

/** An answer's point, when it has a cost and a rate that met the SLOs. */
function answerPoint(a: CapacityAnswer): CostRate | null {
  return a.cost !== undefined && a.max_rate !== null ? { cost: a.cost.usd_per_hour, rate: a.max_rate } : null;
}

/**
 * Per answer, whether it is on the Pareto front: the document's `pareto` flag when every answer
 * has one, otherwise computed over the answers with a cost and a max rate (the others are not).
 */
export function paretoFlags(doc: CapacityDocument): boolean[] {
  if (doc.answers.length > 0 && doc.answers.every((a) => a.pareto !== undefined)) return doc.answers.map((a) => a.pareto === true);
  const pts = doc.answers.map(answerPoint);
  const present = pts.filter((p): p is CostRate => p !== null);
  const mask = paretoMask(present);
  let k = 0;
  return pts.map((p) => (p === null ? false : mask[k++]!));
}

/** A data row of the charts. */
interface OptionRow {
  policy: string;
  option: string;
  usd_per_hour: number;
  max_rate: number;
  qps_per_usd_hour: number | null;
  gpus: number;
  pareto: boolean;
}

/** The answers that have a cost and a max rate, as chart rows (document order). */
function optionRows(doc: CapacityDocument): OptionRow[] {
  const flags = paretoFlags(doc);
  const rows: OptionRow[] = [];
  doc.answers.forEach((a, i) => {
    if (a.cost === undefined || a.max_rate === null) return;
    rows.push({ policy: a.policy, option: a.option ?? a.policy, usd_per_hour: a.cost.usd_per_hour, max_rate: a.max_rate, qps_per_usd_hour: a.cost.qps_per_usd_hour, gpus: a.cost.gpus, pareto: flags[i] ?? false });
  });
  return rows;
}

/** Distinct values in first-seen order. */
function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Tooltip fields shared by the charts. */
const TOOLTIP = [
  { field: 'policy', type: 'nominal' as const },
  { field: 'option', type: 'nominal' as const },
  { field: 'usd_per_hour', type: 'quantitative' as const, title: '$/h', format: '.2f' },
  { field: 'max_rate', type: 'quantitative' as const, title: 'max rate (req/s)' },
  { field: 'qps_per_usd_hour', type: 'quantitative' as const, title: 'QPS per $/h', format: '.3f' },
  { field: 'gpus', type: 'quantitative' as const, title: 'GPUs' },
];

/**
 * `--options` with costs: each option × policy as a point at ($/hour, max rate), colour = policy,
 * shape = option, labelled with the option; the Pareto front's points filled and joined by a grey
 * line, the others hollow. Null for other questions or when no answer has a cost and a rate.
 */
export function paretoChart(doc: CapacityDocument): Chart | null {
  if (doc.question !== 'options') return null;
  const values = optionRows(doc);
  if (values.length === 0) return null;
  const policies = distinct(doc.answers.map((a) => a.policy));
  const options = distinct(values.map((v) => v.option));
  const front = values.filter((v) => v.pareto).sort((a, b) => a.usd_per_hour - b.usd_per_hour || a.max_rate - b.max_rate);
  const x = { field: 'usd_per_hour', type: 'quantitative' as const, title: 'fleet cost ($/h)', scale: { zero: false, padding: 20 } };
  const y = { field: 'max_rate', type: 'quantitative' as const, title: 'max rate within the SLOs (req/s)', scale: { zero: false, padding: 20 } };
  const shape = { field: 'option', type: 'nominal' as const, title: 'option', sort: options, scale: { domain: options } };
  const point = (filled: boolean) => ({
    transform: [{ filter: filled ? 'datum.pareto' : '!datum.pareto' }],
    mark: { type: 'point' as const, filled, size: filled ? 120 : 100, strokeWidth: 2, opacity: 1 },
    encoding: { x, y, color: policyColor(policies), shape, tooltip: TOOLTIP },
  });
  return {
    id: 'pareto',
    title: 'Cost against capacity',
    description: 'Each point is a fleet option under a policy: its cost ($/h) and the highest rate it sustains within the SLOs. Filled points, joined by the grey line, are the Pareto front: no other answer is both cheaper and faster.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: { text: `Cost against capacity — ${doc.scenario}`, subtitle: 'filled points joined by the grey line: the Pareto front (no other answer is both cheaper and faster)' },
      width: 560,
      height: 360,
      config: CHART_CONFIG,
      layer: [
        ...(front.length > 1
          ? [{ data: { values: front }, mark: { type: 'line' as const, color: INK.scraped, strokeWidth: 2 }, encoding: { x, y, order: { field: 'usd_per_hour', type: 'quantitative' as const } } }]
          : []),
        {
          data: { values },
          layer: [
            point(true),
            point(false),
            { mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 9, fontSize: 10, color: INK.slo }, encoding: { x, y, text: { field: 'option', type: 'nominal' as const } } },
          ],
        },
      ],
    },
  };
}

/**
 * `--options` with costs: QPS per $/hour by option, grouped bars per policy (higher is cheaper
 * capacity). Null for other questions or when no answer has the figure.
 */
export function qpsPerDollarChart(doc: CapacityDocument): Chart | null {
  if (doc.question !== 'options') return null;
  const values = optionRows(doc).filter((v) => v.qps_per_usd_hour !== null);
  if (values.length === 0) return null;
  const policies = distinct(doc.answers.map((a) => a.policy));
  const options = distinct(values.map((v) => v.option));
  return {
    id: 'qps-per-dollar',
    title: 'QPS per $/hour by option',
    description: "Each option's max rate within the SLOs divided by its fleet's $/hour, per policy: higher is cheaper capacity.",
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: `QPS per $/hour — ${doc.scenario}`,
      // 24 px a bar, within 320–900 px (+ axis and legend ≤ 1,300, palette.ts).
      width: Math.min(900, Math.max(320, options.length * policies.length * 24)),
      height: 260,
      config: CHART_CONFIG,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'option', type: 'nominal', sort: options, title: 'option', axis: { labelAngle: -30 } },
        xOffset: { field: 'policy', type: 'nominal', sort: policies },
        y: { field: 'qps_per_usd_hour', type: 'quantitative', title: 'max rate per fleet cost (req/s per $/h)' },
        color: policyColor(policies),
        tooltip: TOOLTIP,
      },
    },
  };
}

/** Every chart of a capacity document (possibly none), in a fixed order. */
export function capacityCharts(doc: CapacityDocument): Chart[] {
  return [paretoChart(doc), qpsPerDollarChart(doc)].filter((c): c is Chart => c !== null);
}
