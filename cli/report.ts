/** `routesim report results.json --out DIR`: charts (Vega-Lite + SVG), index.html and summary.md. */
import type { Command } from 'commander';
import { prepareOutputs } from '../reports/outputs/plan.js';
import { readResultsFile } from '../reports/resultsFile.js';
import { parseLinkBase } from '../reports/markdown.js';

interface ReportFlags {
  out: string;
  linkBase?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write charts (Vega-Lite specs and SVG), a self-contained index.html and summary.md from a results JSON')
    .argument('<results>', 'results JSON written by routesim run --out')
    .requiredOption('-o, --out <dir>', 'report directory (created, or replaced if it holds a previous report)')
    .option('--link-base <url>', "http(s) URL where the report directory will be published: summary.md's links become absolute (for a pull-request comment)")
    .action(async (results: string, flags: ReportFlags) => {
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
    });
}
