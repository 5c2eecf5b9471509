/** The work of `routesim report results.json --out DIR` (definition: cli/report.ts): charts (Vega-Lite + SVG), index.html and summary.md. */
import { prepareOutputs } from '../reports/outputs/plan.js';
import { readResultsFile } from '../reports/resultsFile.js';
import { parseLinkBase } from '../reports/markdown.js';

export interface ReportFlags {
  out: string;
  linkBase?: string;
}

/** Draws the report of a results file into --out (all files or none). */
export async function report(results: string, flags: ReportFlags): Promise<void> {
  const linkBase = flags.linkBase === undefined ? undefined : parseLinkBase(flags.linkBase);
  const outputs = prepareOutputs([{ flag: '--out', path: flags.out, kind: 'dir', noStdoutWhy: 'a report is a directory of files; give a directory name, e.g. --out report' }], { inputs: [results] });
  try {
    const doc = readResultsFile(results);
    // vega and vega-lite take ~0.1 s to load: only when a report is actually drawn.
    const { writeReport } = await import('../reports/report.js');
    const report = await writeReport(doc, flags.out, linkBase === undefined ? {} : { linkBase });
    outputs.commit();
    for (const w of report.warnings) process.stderr.write(`routesim: warning: ${w}\n`);
    process.stdout.write(`wrote ${report.files.size} files to ${flags.out}: ${report.charts.length} charts (.vl.json + .svg), index.html, summary.md\n`);
  } catch (err) {
    outputs.abort();
    throw err;
  }
}
