/** `routesim run [scenario]`: simulate every policy of a scenario and report. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { renderRunTables } from '../reports/table.js';
import { collectResults, parseRatesFlag, parseSeedsFlag, planFor, plannedRuns } from '../reports/collect.js';
import { serialiseResults } from '../reports/results.js';
import { requestsCsvHeader, requestsCsvRows } from '../reports/requestsCsv.js';
import { summaryOptionsFor } from '../sim/metrics/options.js';
import { openAtomicStream, writeFileAtomic } from '../reports/atomicWrite.js';
import { createProgress } from './progress.js';
import { PACKAGE_ROOT, VERSION } from './version.js';
import { addReplayOptions, replayControlsFromFlags, type ReplayFlagValues } from './trace.js';
import { replayStats, withReplayOverrides } from '../sim/workload/resolve.js';
import { renderTraceStats } from '../sim/workload/traces/stats.js';
import { RunRecorder } from '../sim/workload/traces/record.js';

export const DEFAULT_SCENARIO = join(PACKAGE_ROOT, 'scenarios', 'quickstart.yaml');

interface RunFlags extends ReplayFlagValues {
  traceOut?: string;
  out?: string;
  requestsCsv?: string;
  json?: boolean;
  seeds?: string;
  sweepRate?: string;
  updateBaseline?: string;
}

export function registerRun(program: Command): void {
  addReplayOptions(program.command('run'))
    .description('simulate every policy in a scenario on the identical request stream and print a comparison table')
    .argument('[scenario]', 'scenario YAML (default: the embedded quickstart)')
    .option('-o, --out <file>', 'write the results JSON document (scenario echo, per-policy summaries, per-replica figures)')
    .option('--requests-csv <file>', 'write one CSV row per request and policy')
    .option('--json', 'print the results JSON document on stdout instead of the table')
    .option('--seeds <n>', 'repeat every policy over n seeds (seed, seed+1, …): mean, 95 % CI and paired significance')
    .option('--sweep-rate <rates>', 'also run at these offered loads, comma-separated req/s (latency against load)')
    .option('--update-baseline <file>', 'write the results JSON as the CI baseline for routesim check')
    .option('--trace-out <file>', 'write each policy\'s run as a BLIS TraceV2 pair (FILE.yaml header + FILE.csv rows; FILE.<policy>.* with several policies)')
    .action((scenarioPath: string | undefined, flags: RunFlags) => run(scenarioPath ?? DEFAULT_SCENARIO, flags));
}

function run(path: string, flags: RunFlags): void {
  const scenario = withReplayOverrides(loadScenarioFile(path), replayControlsFromFlags(flags), path);
  const traceStats = replayStats(scenario);
  if (traceStats && traceStats.skipped_rows > 0) process.stderr.write(`routesim: note: skipped ${traceStats.skipped_rows} malformed trace rows\n`);
  const recorder = flags.traceOut ? new RunRecorder(flags.traceOut, scenario) : null;
  const plan = planFor(scenario, parseSeedsFlag(flags.seeds), parseRatesFlag(flags.sweepRate));
  const csv = flags.requestsCsv ? openAtomicStream(flags.requestsCsv) : null;
  const total = (scenario.requests ?? traceStats?.rows ?? Math.round((scenario.duration_s ?? 0) * scenario.workload.arrival.rate)) * plannedRuns(scenario, plan);
  const progress = createProgress(scenario.name, total);
  let doneBefore = 0;
  try {
    csv?.write(requestsCsvHeader());
    const { primary, doc } = collectResults(scenario, plan, VERSION, {
      onProgress: (arrived) => progress.update(doneBefore + arrived),
      ...(recorder ? { onArrival: recorder.onArrival } : {}),
      onPolicyDone: (run, point) => {
        doneBefore += run.records.length;
        if (point.primary) {
          csv?.write(requestsCsvRows(run.policy, run.records, summaryOptionsFor(scenario).tenantNames));
          recorder?.policyDone(run);
        } else recorder?.discard();
      },
    });
    progress.stop();
    const full = traceStats ? { ...doc, trace: traceStats } : doc;
    if (flags.out) writeFileAtomic(flags.out, serialiseResults(full));
    if (flags.updateBaseline) writeFileAtomic(flags.updateBaseline, serialiseResults(full));
    csv?.commit();
    recorder?.commit();
    const traceHead = traceStats && scenario.workload.source?.kind === 'trace' ? renderTraceStats(`trace ${scenario.workload.source.path} (${scenario.workload.source.format}) as replayed:`, traceStats) + '\n' : '';
    process.stdout.write(flags.json ? serialiseResults(full) : traceHead + renderRunTables(primary, full));
  } catch (err) {
    progress.stop();
    csv?.abort();
    recorder?.abort();
    throw err;
  }
}
