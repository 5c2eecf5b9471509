/** `routesim report results.json --out DIR`: charts (Vega-Lite + SVG), index.html and summary.md. */
import type { Command } from 'commander';
import { readResultsFile } from '../reports/resultsFile.js';
import { parseLinkBase } from '../reports/markdown.js';
import { writeReport } from '../reports/report.js';

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
      const doc = readResultsFile(results);
      const report = await writeReport(doc, flags.out, linkBase === undefined ? {} : { linkBase });
      for (const w of report.warnings) process.stderr.write(`routesim: warning: ${w}\n`);
      process.stdout.write(`wrote ${report.files.size} files to ${flags.out}: ${report.charts.length} charts (.vl.json + .svg), index.html, summary.md\n`);
    });
}
