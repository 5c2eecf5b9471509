/** `routesim run [scenario]`: simulate every policy of a scenario and report. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { runScenario } from '../sim/experiment.js';
import { renderComparisonTable } from '../reports/table.js';
import { buildResultsDocument, serialiseResults } from '../reports/results.js';
import { requestsCsvHeader, requestsCsvRows } from '../reports/requestsCsv.js';
import { openAtomicStream, writeFileAtomic } from '../reports/atomicWrite.js';
import { createProgress } from './progress.js';
import { PACKAGE_ROOT, VERSION } from './version.js';

export const DEFAULT_SCENARIO = join(PACKAGE_ROOT, 'scenarios', 'quickstart.yaml');

interface RunFlags {
  out?: string;
  requestsCsv?: string;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('simulate every policy in a scenario on the identical request stream and print a comparison table')
    .argument('[scenario]', 'scenario YAML (default: the embedded quickstart)')
    .option('-o, --out <file>', 'write the results JSON document (scenario echo, per-policy summaries, per-replica figures)')
    .option('--requests-csv <file>', 'write one CSV row per request and policy')
    .option('--json', 'print the results JSON document on stdout instead of the table')
    .action((scenarioPath: string | undefined, flags: RunFlags) => run(scenarioPath ?? DEFAULT_SCENARIO, flags));
}

function run(path: string, flags: RunFlags): void {
  const scenario = loadScenarioFile(path);
  const csv = flags.requestsCsv ? openAtomicStream(flags.requestsCsv) : null;
  const total = (scenario.requests ?? Math.round((scenario.duration_s ?? 0) * scenario.workload.arrival.rate)) * scenario.policies.length;
  const progress = createProgress(scenario.name, total);
  let doneBefore = 0;
  try {
    csv?.write(requestsCsvHeader());
    const results = runScenario(scenario, {
      onProgress: (arrived) => progress.update(doneBefore + arrived),
      onPolicyDone: (run) => {
        doneBefore += run.records.length;
        csv?.write(requestsCsvRows(run.policy, run.records));
      },
    });
    progress.stop();
    const doc = buildResultsDocument({ scenario, runs: results, routesimVersion: VERSION });
    if (flags.out) writeFileAtomic(flags.out, serialiseResults(doc));
    csv?.commit();
    process.stdout.write(flags.json ? serialiseResults(doc) : renderComparisonTable(results));
  } catch (err) {
    progress.stop();
    csv?.abort();
    throw err;
  }
}
