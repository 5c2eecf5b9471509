/** A chart of the report: a file stem, a title for the page, and its Vega-Lite spec. */
import type { TopLevelSpec } from 'vega-lite';
import type { FigureStats } from '../confidence.js';

export interface Chart {
  /** File stem: `<id>.vl.json` and `<id>.svg`. */
  readonly id: string;
  readonly title: string;
  /** One sentence on how to read it (page and Markdown). */
  readonly description: string;
  readonly spec: TopLevelSpec;
}

/** Lower-case, dash-separated file-name-safe form of a label. */
export function slug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'policy';
}

/**
 * A figure's mean over seeds as a data point, with its 95 % interval as `low` / `high` (left out
 * when the interval is null); null when there is no mean (no statistics, or no samples).
 */
export function meanWithCi(st: FigureStats | undefined): { value: number; low?: number; high?: number } | null {
  if (st === undefined || st.mean === null) return null;
  return { value: st.mean, ...(st.ci95_low !== null && st.ci95_high !== null ? { low: st.ci95_low, high: st.ci95_high } : {}) };
}
