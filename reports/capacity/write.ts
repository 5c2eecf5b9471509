/**
 * `routesim capacity --charts DIR`: each capacity chart as a Vega-Lite spec (`<id>.vl.json`, which
 * VS Code's Vega viewers open) and as SVG rendered in Node (`<id>.svg`), like `routesim report`.
 * Files are written one by one atomically (atomicWrite.ts) into DIR, which may hold other files:
 * only the chart files are replaced. Their bytes depend only on the document and the vega packages.
 */
import { join } from 'node:path';
import type { CapacityDocument } from '../../lab/capacity/types.js';
import { writeFileAtomic } from '../atomicWrite.js';
import { stringifyCompact } from '../json.js';
import { renderSvg } from '../render.js';
import { capacityCharts } from './pareto.js';

/** Ids of every chart a capacity document can have, in writing order. */
export const CAPACITY_CHART_IDS = ['pareto', 'qps-per-dollar'] as const;

/**
 * Every path `--charts DIR` may write, for declaring to an output plan before the search
 * (a declared file that is not written is dropped by the plan).
 */
export function capacityChartPaths(dir: string): string[] {
  return CAPACITY_CHART_IDS.flatMap((id) => [join(dir, `${id}.vl.json`), join(dir, `${id}.svg`)]);
}

/** The chart files of `doc` (file name → content, in a fixed order) and vega's warnings, prefixed with the chart id. */
export async function buildCapacityChartFiles(doc: CapacityDocument): Promise<{ files: Map<string, string>; warnings: string[] }> {
  const files = new Map<string, string>();
  const warnings: string[] = [];
  for (const c of capacityCharts(doc)) {
    files.set(`${c.id}.vl.json`, stringifyCompact(c.spec));
    const r = await renderSvg(c.spec);
    files.set(`${c.id}.svg`, r.svg);
    for (const w of r.warnings) warnings.push(`${c.id}: ${w}`);
  }
  return { files, warnings };
}

/** Writes the charts of `doc` into `dir` (created if missing); returns the paths written (none for a document without charts). */
export async function writeCapacityCharts(doc: CapacityDocument, dir: string): Promise<string[]> {
  const { files } = await buildCapacityChartFiles(doc);
  const written: string[] = [];
  for (const [name, content] of files) {
    const path = join(dir, name);
    writeFileAtomic(path, content);
    written.push(path);
  }
  return written;
}
