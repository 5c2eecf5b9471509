/**
 * SLO reference lines: the scenario's `slo` targets drawn as grey dashed rules, labelled
 * "TTFT SLO 200 ms", on every chart with that quantity on an axis (CDFs, percentile panels, TTFT
 * over time, the sweep). Units follow the charts: TTFT and TPOT in ms, E2E in s. A target that is
 * not set (null or absent) draws nothing.
 */
import type { ResultsDocument } from '../results.js';
import { INK } from './palette.js';

/** Latency quantities that can carry an SLO. */
export type SloMetric = 'ttft_ms' | 'tpot_ms' | 'e2e_ms';

/** How each latency is shown: label, unit, and the factor from the results' ms to that unit. */
export const LATENCY_UNITS: Readonly<Record<SloMetric, { label: string; unit: 'ms' | 's'; scale: number }>> = {
  ttft_ms: { label: 'TTFT', unit: 'ms', scale: 1 },
  tpot_ms: { label: 'TPOT', unit: 'ms', scale: 1 },
  e2e_ms: { label: 'E2E latency', unit: 's', scale: 1 / 1000 },
};

/** The SLO target of `metric` in the chart's unit (ms or s), or null when none is set. */
export function sloTarget(doc: ResultsDocument, metric: SloMetric): number | null {
  const slo = (doc.scenario as { slo?: Partial<Record<SloMetric, number | null>> }).slo;
  const v = slo?.[metric];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v * LATENCY_UNITS[metric].scale : null;
}

/** "TTFT SLO 200 ms". */
export function sloLabel(metric: SloMetric, value: number): string {
  const u = LATENCY_UNITS[metric];
  return `${u.label === 'E2E latency' ? 'E2E' : u.label} SLO ${Number(value.toPrecision(6))} ${u.unit}`;
}

/**
 * A layer drawing the SLO of `metric` as a rule across the plot on the `axis` channel (y: a
 * horizontal line, for charts with the latency on y; x: vertical, for CDFs), labelled at its end
 * (a vertical line's label on `labelSide` of it: the side with more room in the plot).
 * `title` must be the latency axis' title, so the shared axis keeps it. Null when no SLO is set.
 */
export function sloLayer(doc: ResultsDocument, metric: SloMetric, axis: 'x' | 'y', title: string, labelSide: 'left' | 'right' = 'right') {
  const value = sloTarget(doc, metric);
  if (value === null) return null;
  const pos = { field: 'slo', type: 'quantitative' as const, title };
  const text =
    axis === 'y'
      ? { type: 'text' as const, align: 'right' as const, baseline: 'bottom' as const, x: 'width' as const, dx: -2, dy: -2, fontSize: 10 }
      : { type: 'text' as const, align: labelSide === 'right' ? ('left' as const) : ('right' as const), baseline: 'top' as const, y: 0, dx: labelSide === 'right' ? 3 : -3, dy: 2, fontSize: 10 };
  const textEncoding = { [axis]: pos, text: { field: 'label', type: 'nominal' as const } };
  return {
    data: { values: [{ slo: value, label: sloLabel(metric, value) }] },
    layer: [
      { mark: { type: 'rule' as const, color: INK.slo, strokeDash: [6, 3], strokeWidth: 1.5 }, encoding: { [axis]: pos } },
      // The label twice: a white outline first, so it stays legible over bars and lines.
      { mark: { ...text, color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' as const }, encoding: textEncoding },
      { mark: { ...text, color: INK.slo }, encoding: textEncoding },
    ],
  };
}
