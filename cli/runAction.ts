/** `routesim run [scenario]`'s work (loaded when the command runs; its definition is cli/run.ts): simulate every policy of a scenario and report. */
import { loadRecipe } from '../lab/cells/recipe.js';
import { parseSetFlag, parseSweepFlag } from '../sim/scenario/overrides/flags.js';
import { gridPoints } from '../sim/scenario/overrides/grid.js';
import type { VariantConfigs } from '../lab/cells/executor.js';
import { renderRunTables } from '../reports/table.js';
import { collectResultsWith, parseRatesFlag, parseSeedsFlag, planFor, plannedRuns, type ExperimentPlan, type GridPlan } from '../reports/collect.js';
import { parseJobsFlag } from '../lab/parallel/pool.js';
import { createExecutor } from '../lab/cells/executors.js';
import { AUTO_STREAMED_HEAP_GROWING_PERCENT, streamedHeap } from '../lab/parallel/heap.js';
import type { ScenarioRecipe } from '../lab/cells/recipe.js';
import { setShardInputs, shardingActive } from '../lab/shards/context.js';
import { startShard } from '../lab/shards/flags.js';
import { serialiseResults } from '../reports/results.js';
import { hasResilienceOrChurn } from '../sim/pools/resolve.js';
import { RECORDS_KEPT, STREAMED_FROM, requestsPerRun } from '../sim/metrics/stream/recordsKept.js';
import { summaryOptionsFor } from '../sim/metrics/options.js';
import { openAtomicStream, writeFileAtomic } from '../reports/atomicWrite.js';
import { prepareOutputs } from '../reports/outputs/plan.js';
import { inputError, ScenarioRunError, UserError } from '../sim/core/errors.js';
import { decisionsSampleShare } from './decisionsSample.js';
import { inputWarnings } from '../sim/scenario/warnings.js';
import { checkRunSize } from '../sim/scenario/feasibility.js';
import type { PolicySpec, ScenarioConfig } from '../sim/scenario/types.js';
import { blisPathsForWrite } from '../sim/workload/traces/blis.js';
import { policyTracePath } from '../sim/workload/traces/record.js';
import { createProgress } from './progress.js';
import { VERSION } from './version.js';
import { replayControlsFromFlags, type ReplayFlagValues } from './replayFlags.js';
import { replayStats } from '../sim/workload/resolve.js';
import { renderTraceStats } from '../sim/workload/traces/stats.js';
import { RunRecorder } from '../sim/workload/traces/record.js';
import { runWarnings } from './runWarnings.js';
import { sourceInputFiles } from './sourceInputs.js';
import type { DecisionLog } from '../sim/decisions/log.js';
import type { DecisionSummary } from '../sim/decisions/summary.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { Cell } from '../lab/cells/cell.js';
import type { CollectHooks, Collected, RunPoint } from '../reports/collect.js';
import { renderDecisionBlock } from '../reports/decisions.js';
import { communityOutputRequests, type CommunityFlags } from '../reports/communityFormats.js';

export interface RunFlags extends ReplayFlagValues, CommunityFlags {
  traceOut?: string;
  out?: string;
  requestsCsv?: string;
  json?: boolean;
  seeds?: string;
  sweepRate?: string;
  updateBaseline?: string;
  decisions?: string;
  decisionsSample?: string;
  decisionSummary?: boolean;
  jobs?: string;
  shard?: string;
  set?: string[];
  sweep?: string[];
  streamedSummary?: boolean;
}


/** The files `--trace-out FILE` writes: a TraceV2 pair per policy (FILE.<policy>.* with several). */
function traceOutFiles(path: string, scenario: ScenarioConfig): string[] {
  const several = scenario.policies.length > 1;
  return scenario.policies.flatMap((p) => {
    const pair = blisPathsForWrite(policyTracePath(path, p.name, several));
    return [pair.header, pair.data];
  });
}

/** Every output of a run, checked and staged before the simulation (reports/outputs). */
function runOutputs(path: string, flags: RunFlags, scenario: ScenarioConfig) {
  const src = scenario.workload.source;
  return prepareOutputs(
    [
      { flag: '--out', path: flags.out, stdout: true, example: 'results.json' },
      { flag: '--update-baseline', path: flags.updateBaseline, stdout: true, example: 'baseline.json' },
      { flag: '--requests-csv', path: flags.requestsCsv, stdout: true, example: 'requests.csv' },
      { flag: '--decisions', path: flags.decisions, stdout: true, example: 'decisions.jsonl' },
      {
        flag: '--trace-out',
        path: flags.traceOut,
        files: flags.traceOut ? traceOutFiles(flags.traceOut, scenario) : [],
        noStdoutWhy: 'a trace is a pair of files (header .yaml + rows .csv); give a file name, e.g. --trace-out run.csv',
        example: 'run.csv',
      },
      ...communityOutputRequests(flags, scenario),
    ],
    { inputs: [path, ...sourceInputFiles(src)], stdoutTakenBy: flags.json ? '--json' : null },
  );
}

export async function run(path: string, flags: RunFlags): Promise<void> {
  if (path.trim() === '') throw new UserError('the scenario path is empty (fix: give a scenario file, e.g. routesim run scenarios/quickstart.yaml, or no argument for the embedded quickstart)');
  const recipe: ScenarioRecipe = { path, overrides: (flags.set ?? []).map(parseSetFlag), replay: replayControlsFromFlags(flags), pluginModules: [] };
  const scenario = loadRecipe(recipe);
  const grid = gridPlan(recipe, scenario, flags.sweep);
  const plan = { ...planFor(scenario, parseSeedsFlag(flags.seeds), parseRatesFlag(flags.sweepRate)), grid: grid?.plan ?? null };
  // Rates given as a flag must keep every sweep point within the run-size limits too.
  if (flags.sweepRate !== undefined && plan.sweepRates !== null) checkRunSize({ ...scenario, sweep: { rates: plan.sweepRates } }, '--sweep-rate');
  decisionsSample(flags);
  const configOf: VariantConfigs = grid?.configOf ?? (() => scenario);
  const jobs = flags.jobs === undefined ? autoJobs(scenario, plan, configOf) : parseJobsFlag(flags.jobs);
  setShardInputs([path, ...sourceInputFiles(scenario.workload.source)]);
  if (flags.shard !== undefined) {
    const refused = [['--json', flags.json], ['--update-baseline', flags.updateBaseline], ['--requests-csv', flags.requestsCsv], ['--trace-out', flags.traceOut], ['--decisions', flags.decisions], ['--decision-summary', flags.decisionSummary], ['--benchmark-report', flags.benchmarkReport], ['--inference-perf-report', flags.inferencePerfReport]] as const;
    startShard(flags.shard, { out: flags.out, refused, documentOutputs: ['--json', '--update-baseline'], argv: process.argv.slice(2), version: VERSION });
  }
  const outputs = runOutputs(path, flags, scenario);
  try {
    await runWith(path, scenario, plan, flags, outputs, recipe, jobs, configOf);
  } catch (err) {
    outputs.abort();
    throw err instanceof ScenarioRunError ? new UserError(`${path}: ${err.message}`) : err;
  }
}

/** Said when a streamed run was too large for exact figures (stderr and the results' warnings). */
const STREAMED_NOTE = `streamed summary: a run of more than ${RECORDS_KEPT.toLocaleString('en-US')} requests keeps no per-request records and its figures are exact but for two: latency percentiles come from sketches (each within 0.5 % of the exact percentile) and the steady-state backlog from time bins (README "Streamed summary")`;

/**
 * Issue 15: runs of more than RECORDS_KEPT requests keep no request records (sim/metrics/stream/);
 * an output needing them is refused here, before anything runs.
 */
function streamedPlan(path: string, plan: ExperimentPlan, perRun: number, asked: boolean, outputs: readonly string[]): ExperimentPlan {
  if (outputs.length > 0) {
    const why = asked ? '--streamed-summary keeps no per-request records' : `requests: ${perRun} a run is more than ${RECORDS_KEPT}, and such runs keep no per-request records`;
    const fix = asked ? 'drop --streamed-summary' : `set requests (or duration_s) to at most ${RECORDS_KEPT} requests a run`;
    throw new UserError(`${path}: ${why}, which ${outputs.join(', ')} need: ${fix}, or leave those out`);
  }
  // Larger than RECORDS_KEPT: its figures cannot all be exact, so no exact columns fill up first.
  return { ...plan, streamed: true, ...(perRun > RECORDS_KEPT ? { sketched: true } : {}) };
}

async function runWith(path: string, scenario: ScenarioConfig, plan: ExperimentPlan, flags: RunFlags, outputs: ReturnType<typeof runOutputs>, recipe: ScenarioRecipe, jobs: number, configOf: VariantConfigs): Promise<void> {
  // The modules of optional outputs (the CSV writer, the decision log) load only when asked for.
  const csvFormat = flags.requestsCsv ? await import('../reports/requestsCsv.js') : null;
  const CsvStream = flags.requestsCsv ? (await import('../reports/requestsCsvStream.js')).RequestsCsvStream : null;
  const Log = flags.decisions || flags.decisionSummary === true ? (await import('../sim/decisions/log.js')).DecisionLog : null;
  const community = flags.benchmarkReport !== undefined || flags.inferencePerfReport !== undefined ? new (await import('../reports/communityOutputs.js')).CommunityOutputs(scenario, flags, VERSION) : null;
  const traceStats = replayStats(scenario);
  if (traceStats && traceStats.skipped_rows > 0) process.stderr.write(`routesim: note: skipped ${traceStats.skipped_rows} malformed trace rows\n`);
  const recorder = flags.traceOut ? new RunRecorder(flags.traceOut, scenario) : null;
  const csv = flags.requestsCsv ? openAtomicStream(flags.requestsCsv) : null;
  const decisionsOut = flags.decisions ? openAtomicStream(flags.decisions) : null;
  const decisionSummaries = new Map<string, DecisionSummary>();
  const logs = new Map<string, DecisionLog>();
  const wantDecisions = decisionsOut !== null || flags.decisionSummary === true;
  const sample = decisionsSample(flags);
  // Requests a run makes at `rate`: a time-limited run grows with its rate.
  const requestsAt = (rate: number): number => requestsPerRun(scenario, rate, traceStats?.rows);
  const perRun = requestsAt(scenario.workload.arrival.rate);
  // The sweep's highest rate decides whether records fit.
  const largestRun = requestsAt(Math.max(scenario.workload.arrival.rate, ...(plan.sweepRates ?? [])));
  const recordOutputs = [...(community !== null ? ['--benchmark-report / --inference-perf-report'] : []), ...(recorder !== null ? ['--trace-out'] : [])];
  if (largestRun > RECORDS_KEPT || flags.streamedSummary === true) {
    plan = streamedPlan(path, plan, largestRun, flags.streamedSummary === true, recordOutputs);
    streamedHeap();
  }
  // The same figures without records (streamSummary.ts), in less memory and time, unless an output
  // needs them; V8’s old generation grows at most half its live size (heap.ts AUTO_STREAMED_HEAP_GROWING_PERCENT).
  else if (largestRun > STREAMED_FROM && recordOutputs.length === 0) {
    plan = { ...plan, streamed: true };
    streamedHeap(AUTO_STREAMED_HEAP_GROWING_PERCENT);
  }
  const total = perRun * plannedRuns(scenario, plan, configOf);
  const progress = createProgress(scenario.name, total);
  let doneBefore = 0;
  try {
    const extendedCsv = csvFormat?.csvIsExtended(scenario) ?? false;
    const attemptsCsv = hasResilienceOrChurn(scenario);
    if (csvFormat) csv?.write(csvFormat.requestsCsvHeader(extendedCsv, attemptsCsv));
    // Rows stream to the file as requests end (in record order), one stream per primary policy run.
    const csvStreams = new Map<string, InstanceType<NonNullable<typeof CsvStream>>>();
    const tenantNames = summaryOptionsFor(scenario).tenantNames;
    const hooks = {
      onProgress: (arrived: number) => progress.update(doneBefore + arrived),
      ...(recorder ? { onArrival: recorder.onArrival } : {}),
      ...(wantDecisions && Log
        ? {
            // Every policy gets a log (another pool's picker may be an EPP); only those that scheduled report.
            decisionLog: (policy: PolicySpec) => {
              const log = new Log({ policy: policy.name, seed: scenario.seed, sample, write: decisionsOut ? (line) => decisionsOut.write(`${line}\n`) : null });
              logs.set(policy.name, log);
              return log;
            },
          }
        : {}),
      ...(csv && CsvStream
        ? {
            requestSink: (policy: PolicySpec) => {
              const stream = new CsvStream((text) => csv.write(text), { policy: policy.name, ...(tenantNames ? { tenantNames } : {}), extended: extendedCsv, attempts: attemptsCsv });
              csvStreams.set(policy.name, stream);
              return stream;
            },
          }
        : {}),
      onPolicyDone: (run: PolicyRun, point: RunPoint) => {
        const log = point.primary ? logs.get(run.policy) : undefined;
        const summary = log?.summary();
        if (summary !== undefined && summary.decisions > 0) decisionSummaries.set(run.policy, summary);
        doneBefore += run.arrived ?? run.records.length;
        if (point.primary) {
          csvStreams.get(run.policy)?.finish();
          csvStreams.delete(run.policy);
          recorder?.policyDone(run);
          community?.policyDone(run);
        } else recorder?.discard();
      },
    };
    const { primary, doc, approximate } = await collect(scenario, plan, hooks, recipe, jobs, configOf, csv !== null || recorder !== null || wantDecisions || community !== null, (requests) => {
      doneBefore += requests;
      progress.update(doneBefore);
    });
    progress.stop();
    const runLines = [...runWarnings(path, scenario, primary), ...(approximate ? [`routesim: warning: ${STREAMED_NOTE}`] : [])];
    for (const line of runLines) process.stderr.write(`${line}\n`);
    const warnings = [...inputWarnings(), ...runLines.map((l) => l.replace(/^routesim: warning: /, ''))];
    const withDecisions = decisionSummaries.size === 0 ? doc : { ...doc, policies: doc.policies.map((p) => (decisionSummaries.has(p.name) ? { ...p, decisions: decisionSummaries.get(p.name)! } : p)) };
    const full = { ...withDecisions, ...(traceStats ? { trace: traceStats } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
    if (flags.out) writeFileAtomic(flags.out, serialiseResults(full));
    if (flags.updateBaseline) writeFileAtomic(flags.updateBaseline, serialiseResults(full));
    community?.write();
    csv?.commit();
    decisionsOut?.commit();
    recorder?.commit();
    // Every file renamed into place together (or none), then stdout.
    outputs.commit();
    if (outputs.usesStdout) return;
    const traceHead = traceStats && scenario.workload.source?.kind === 'trace' ? renderTraceStats(`trace ${scenario.workload.source.path} (${scenario.workload.source.format}) as replayed:`, traceStats) + '\n' : '';
    process.stdout.write(flags.json ? serialiseResults(full) : traceHead + renderRunTables(primary, full) + renderDecisionBlock(full));
  } catch (err) {
    progress.stop();
    csv?.abort();
    decisionsOut?.abort();
    recorder?.abort();
    throw err;
  }
}

/**
 * The sweep grid: `--sweep PATH=V1,V2` flags (they replace the file's grid) or the file's own
 * `sweep:` paths; each point's scenario is built (and so checked) now, once.
 */
function gridPlan(recipe: ScenarioRecipe, scenario: ScenarioConfig, sweepFlags: readonly string[] | undefined): { plan: GridPlan; configOf: VariantConfigs } | null {
  const dimensions = sweepFlags !== undefined && sweepFlags.length > 0 ? sweepFlags.map(parseSweepFlag) : [...(scenario.sweep?.dimensions ?? [])];
  if (dimensions.length === 0) return null;
  const dup = dimensions.find((d, i) => dimensions.findIndex((e) => e.path === d.path) !== i);
  if (dup) throw new UserError(`--sweep ${dup.path}: the path is swept twice (fix: give each path once, with all its values: --sweep ${dup.path}=V1,V2)`);
  const points = gridPoints(dimensions);
  const configs = points.map((p) => loadRecipe(recipe, p));
  return { plan: { dimensions, points }, configOf: (v) => (v === 0 ? scenario : configs[v - 1]!) };
}

/** Simulated requests below which worker threads cost more to start than they save (without --jobs). */
const WORKERS_PAY_FROM_REQUESTS = 50_000;

/** Without --jobs: the machine's cores when the plan is big enough to repay starting workers, else 1. */
function autoJobs(scenario: ScenarioConfig, plan: ExperimentPlan, configOf: VariantConfigs): number {
  const perRun = requestsPerRun(scenario, scenario.workload.arrival.rate);
  return perRun * plannedRuns(scenario, plan, configOf) >= WORKERS_PAY_FROM_REQUESTS ? parseJobsFlag(undefined) : 1;
}

/**
 * Runs the plan: in this thread with --jobs 1 (or a single simulation), else on worker threads;
 * the primary runs stay here when their records are wanted (requests CSV, trace, decisions).
 */
async function collect(scenario: ScenarioConfig, plan: ExperimentPlan, hooks: CollectHooks, recipe: ScenarioRecipe, jobs: number, configOf: VariantConfigs, recordsWanted: boolean, onRemoteDone: (requests: number) => void): Promise<Collected> {
  // Every cell in this thread (with the hooks) for --jobs 1 or a single simulation, unless sharding or merging.
  const inThread = !shardingActive() && (jobs <= 1 || plannedRuns(scenario, plan, configOf) <= 1);
  const local = (c: Cell): boolean => inThread || (recordsWanted && c.timeseries);
  const points = plan.grid?.points ?? [];
  const exec = createExecutor({ recipe, variantOverrides: (v) => (v === 0 ? [] : points[v - 1]!), configOf, jobs: inThread ? 1 : jobs });
  try {
    return await collectResultsWith(scenario, plan, VERSION, exec, { ...hooks, onCellDone: (c, r) => (local(c) ? undefined : onRemoteDone(r.requests)) }, configOf, local);
  } finally {
    await exec.close();
  }
}

/** `--decisions-sample` as a share in (0, 1] (1 when absent); only valid with --decisions. */
function decisionsSample(flags: RunFlags): number {
  return decisionsSampleShare(flags.decisionsSample, Boolean(flags.decisions), {
    missingFix: 'add --decisions decisions.jsonl, or drop --decisions-sample',
    bad: (t) => inputError('--decisions-sample', '', `expected a share 0 < share ≤ 1, got ${JSON.stringify(t)}`, 'pass e.g. --decisions-sample 0.1'),
  });
}
