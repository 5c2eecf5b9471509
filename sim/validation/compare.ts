/**
 * The validation figures of a replayed measured run (../shared/reference/calibration.md §4.6):
 * per figure — TTFT, TPOT and E2E mean and p99, and output throughput — the measured value, the
 * simulated value and the signed error (sim − meas)/meas. Means and percentiles are routesim's
 * own (sim/metrics/latency.ts latencyStats: simple-statistics type-7 linear interpolation at rank
 * p·(n−1), rounded to 4 decimals), applied to both sides. Simulated latencies come from the run's
 * records with the engine-side anchors matching the measured queued_ts ones: TTFT = firstTokenUs −
 * arrivalUs, TPOT = (lastTokenUs − firstTokenUs)/max(1, out − 1), E2E = lastTokenUs − arrivalUs.
 */
import { latencyStats } from '../metrics/latency.js';
import type { RequestRecord } from '../metrics/types.js';
import type { MeasuredLatency } from './measuredRun.js';

/** The seven figures, in table order. */
export const FIGURES = ['TTFT mean (ms)', 'TTFT p99 (ms)', 'TPOT mean (ms)', 'TPOT p99 (ms)', 'E2E mean (ms)', 'E2E p99 (ms)', 'output throughput (tok/s)'] as const;
export type FigureName = (typeof FIGURES)[number];

export interface FigureRow {
  readonly figure: FigureName;
  readonly measured: number;
  readonly simulated: number;
  /** (simulated − measured)/measured × 100; null when measured is 0. */
  readonly errorPct: number | null;
}

/** One side's values of the seven figures. */
export type FigureValues = Readonly<Record<FigureName, number>>;

/** Signed relative error in percent, or null when the measured value is 0. */
export function signedErrorPct(measured: number, simulated: number): number | null {
  return measured === 0 ? null : ((simulated - measured) / measured) * 100;
}

/** The figures of a set of per-request latencies (ms) and a throughput (tok/s). */
export function figureValues(lat: readonly MeasuredLatency[], outputTokPerS: number): FigureValues {
  const ttft = latencyStats(lat.map((l) => l.ttftMs));
  const tpot = latencyStats(lat.map((l) => l.tpotMs));
  const e2e = latencyStats(lat.map((l) => l.e2eMs));
  return {
    'TTFT mean (ms)': ttft.mean ?? 0,
    'TTFT p99 (ms)': ttft.p99 ?? 0,
    'TPOT mean (ms)': tpot.mean ?? 0,
    'TPOT p99 (ms)': tpot.p99 ?? 0,
    'E2E mean (ms)': e2e.mean ?? 0,
    'E2E p99 (ms)': e2e.p99 ?? 0,
    'output throughput (tok/s)': Number(outputTokPerS.toFixed(4)),
  };
}

/** Per-request latencies of the completed simulated records (same anchors as the measured side). */
export function simulatedLatencies(records: readonly RequestRecord[]): MeasuredLatency[] {
  return records
    .filter((r) => r.outcome === 'completed')
    .map((r) => ({
      ttftMs: (r.firstTokenUs - r.arrivalUs) / 1000,
      tpotMs: (r.lastTokenUs - r.firstTokenUs) / Math.max(1, r.outputTokens - 1) / 1000,
      e2eMs: (r.lastTokenUs - r.arrivalUs) / 1000,
    }));
}

/** Simulated output throughput, tok/s: Σ outputTokens of completed / (latest last token − earliest arrival). */
export function simulatedOutputThroughput(records: readonly RequestRecord[]): number {
  let first = Infinity;
  let last = -Infinity;
  let tokens = 0;
  for (const r of records) {
    first = Math.min(first, r.arrivalUs);
    if (r.outcome !== 'completed') continue;
    last = Math.max(last, r.lastTokenUs);
    tokens += r.outputTokens;
  }
  return last > first ? tokens / ((last - first) / 1e6) : 0;
}

/** Measured next to simulated, figure by figure. */
export function compareFigures(measured: FigureValues, simulated: FigureValues): FigureRow[] {
  return FIGURES.map((figure) => ({ figure, measured: measured[figure], simulated: simulated[figure], errorPct: signedErrorPct(measured[figure], simulated[figure]) }));
}

/** The comparison as a plain-text table (one figure a row). */
export function renderFigureTable(rows: readonly FigureRow[]): string {
  const cells = [['figure', 'measured', 'simulated', 'error'], ...rows.map((r) => [r.figure, r.measured.toFixed(1), r.simulated.toFixed(1), r.errorPct === null ? 'n/a' : `${r.errorPct >= 0 ? '+' : ''}${r.errorPct.toFixed(1)} %`])];
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]): string => row.map((s, c) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}
