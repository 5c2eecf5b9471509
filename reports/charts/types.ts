/** A chart of the report: a file stem, a title for the page, and its Vega-Lite spec. */
import type { TopLevelSpec } from 'vega-lite';

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
