/**
 * `routesim report`: from a results document, every chart as a Vega-Lite spec (`<id>.vl.json`) and
 * as SVG rendered in Node (`<id>.svg`), one self-contained `index.html`, and `summary.md`. The
 * directory is written whole (atomicWrite.writeDirectoryAtomic) and its bytes depend only on the
 * results document and the installed vega packages.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { inputError } from '../sim/core/errors.js';
import { writeDirectoryAtomic } from './atomicWrite.js';
import { buildCharts, type Chart } from './charts/index.js';
import { renderIndexHtml } from './html.js';
import { stringifyCompact } from './json.js';
import { renderSummaryMarkdown, type SummaryOptions } from './markdown.js';
import { renderSvg } from './render.js';
import type { ResultsDocument } from './results.js';

export interface ReportFiles {
  readonly charts: readonly Chart[];
  /** File name → content, in a fixed order. */
  readonly files: ReadonlyMap<string, string>;
  /** vega-lite / vega warnings while rendering, prefixed with the chart id. */
  readonly warnings: readonly string[];
}

/** Options of the report: summary.md's link base (markdown.ts). */
export type ReportOptions = SummaryOptions;

/** Builds every file of the report in memory. */
export async function buildReport(doc: ResultsDocument, opts: ReportOptions = {}): Promise<ReportFiles> {
  const charts = buildCharts(doc);
  const files = new Map<string, string>();
  const warnings: string[] = [];
  for (const c of charts) {
    files.set(`${c.id}.vl.json`, stringifyCompact(c.spec));
    const r = await renderSvg(c.spec);
    files.set(`${c.id}.svg`, r.svg);
    for (const w of r.warnings) warnings.push(`${c.id}: ${w}`);
  }
  files.set('index.html', renderIndexHtml(doc, charts));
  files.set('summary.md', renderSummaryMarkdown(doc, charts, opts));
  return { charts, files, warnings };
}

/** Whether `dir` may be replaced by a report: absent, empty, or a previous report. */
function checkReportTarget(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw inputError(dir, '', 'exists and is not a directory', 'choose another --out directory');
  const names = readdirSync(dir);
  if (names.length === 0 || (names.includes('index.html') && names.includes('summary.md'))) return;
  throw inputError(dir, '', 'exists and is not a routesim report (a report directory holds index.html and summary.md), so it will not be replaced', 'choose a new or empty --out directory');
}

/** Builds the report and writes it as `dir`, replacing a previous report there. */
export async function writeReport(doc: ResultsDocument, dir: string, opts: ReportOptions = {}): Promise<ReportFiles> {
  checkReportTarget(dir);
  const report = await buildReport(doc, opts);
  writeDirectoryAtomic(dir, report.files);
  return report;
}
