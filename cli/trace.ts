/**
 * `routesim trace inspect FILE`, `routesim trace convert IN OUT`, `routesim trace synth SPEC OUT`,
 * and the replay flags shared with `routesim run` (--rate-scale, --from, --to, --sample, --loop,
 * --jitter, --skip-bad-rows).
 */
import type { Command } from 'commander';
import { stringify as stringifyYaml } from 'yaml';
import { parseUserYaml } from '../sim/core/userFiles.js';
import { inputError, readUserFile } from '../sim/core/errors.js';
import { parseScenario, loadScenarioFile } from '../sim/scenario/load.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { createRequestStream } from '../sim/workload/generator.js';
import { createSourceStream } from '../sim/workload/sources.js';
import type { ReplayControls, WorkloadSpec } from '../sim/workload/spec.js';
import { looksLikeInferencePerf } from '../sim/workload/traces/inferencePerf.js';
import { TRACE_FORMATS, type TraceFormat } from '../sim/workload/traces/index.js';
import { checkReplayControls, checkReplayNotEmpty, traceSource, traceWorkload, workloadStats } from '../sim/workload/traces/source.js';
import { renderTraceStats } from '../sim/workload/traces/stats.js';
import { outputFormat, writeTrace, WRITABLE_FORMATS, type WritableFormat } from '../sim/workload/traces/write.js';
import { blisPaths, blisPathsForWrite } from '../sim/workload/traces/blis.js';
import { prepareOutputs, type OutputPlan } from '../reports/outputs/plan.js';
import { REPLAY_FLAGS } from '../sim/workload/resolve.js';
import { flagNumber, RANGES } from '../sim/scenario/bounds.js';
import { sourceInputFiles } from './sourceInputs.js';

/** Replay flags as commander delivers them. */
export interface ReplayFlagValues {
  rateScale?: string;
  from?: string;
  to?: string;
  sample?: string;
  loop?: string | true;
  jitter?: string;
  skipBadRows?: boolean;
}

/** Adds the replay flags to a command. */
export function addReplayOptions(cmd: Command): Command {
  return cmd
    .option('--rate-scale <k>', 'offered-load multiplier: trace time is divided by k (2 = twice the rate)')
    .option('--from <s>', 'start of the replayed window, seconds of the trace clock')
    .option('--to <s>', 'end of the replayed window, seconds of the trace clock')
    .option('--sample <fraction>', 'keep each row with this probability (seeded)')
    .option('--loop [passes]', 'replay the window this many times (no value: endlessly, until requests/duration_s)')
    .option('--jitter <s>', 'spread each arrival uniformly over [t, t + s) (coarse timestamps, e.g. 3 for Mooncake)')
    .option('--skip-bad-rows', 'skip malformed rows (and report how many) instead of failing');
}

/** The replay controls given on the command line (only those given), each checked against its range (bounds.ts). */
export function replayControlsFromFlags(f: ReplayFlagValues): Partial<ReplayControls> {
  const o: { -readonly [K in keyof ReplayControls]?: ReplayControls[K] } = {};
  if (f.rateScale !== undefined) o.rate_scale = flagNumber(REPLAY_FLAGS.rate_scale, f.rateScale, RANGES.rateScale, '2');
  if (f.from !== undefined) o.from_s = flagNumber(REPLAY_FLAGS.from_s, f.from, RANGES.time, '600');
  if (f.to !== undefined) o.to_s = flagNumber(REPLAY_FLAGS.to_s, f.to, { ...RANGES.time, minExclusive: true }, '1200');
  if (f.sample !== undefined) o.sample = flagNumber(REPLAY_FLAGS.sample, f.sample, RANGES.sample, '0.25');
  if (f.loop !== undefined) o.loop = f.loop === true ? 0 : flagNumber(REPLAY_FLAGS.loop, f.loop, RANGES.loop, '3');
  if (f.jitter !== undefined) o.jitter_s = flagNumber(REPLAY_FLAGS.jitter_s, f.jitter, RANGES.jitter, '3');
  if (f.skipBadRows) o.skip_bad_rows = true;
  return o;
}

interface InspectFlags extends ReplayFlagValues {
  format?: string;
  seed?: string;
  blockTokens?: string;
  json?: boolean;
}

interface ConvertFlags extends ReplayFlagValues {
  format?: string;
  toFormat?: string;
  seed?: string;
}

interface SynthFlags {
  toFormat?: string;
  seed?: string;
  requests?: string;
  duration?: string;
}

function traceFormat(v: string | undefined): TraceFormat | undefined {
  if (v === undefined) return undefined;
  if (!(TRACE_FORMATS as readonly string[]).includes(v)) throw inputError('--format', '', `unknown format ${JSON.stringify(v)}`, `use one of ${TRACE_FORMATS.join(', ')}`);
  return v as TraceFormat;
}

function seedOf(v: string | undefined): number {
  return v === undefined ? 42 : flagNumber('--seed', v, RANGES.seed, '7');
}

/** A replayed trace workload from a file and the command-line controls (checked). */
function replayed(file: string, flags: ReplayFlagValues & { format?: string; seed?: string }): WorkloadSpec {
  const controls = replayControlsFromFlags(flags);
  const src = traceSource(file, traceFormat(flags.format), controls);
  checkReplayControls(src, 'command line', (k) => REPLAY_FLAGS[k]);
  checkReplayNotEmpty(src, seedOf(flags.seed), 'command line', (k) => REPLAY_FLAGS[k]);
  if (src.loop === 0) throw inputError(REPLAY_FLAGS.loop, '', 'an endless loop never ends a file', 'give a number of passes, e.g. --loop 3');
  return traceWorkload(src);
}

/** Prints skipped-row notes on stderr (the first few, then a count). */
function skipReporter(): { onSkip(m: string): void; done(): void } {
  let n = 0;
  return {
    onSkip(m: string) {
      if (++n <= 3) process.stderr.write(`routesim: skipped ${m}\n`);
    },
    done() {
      if (n > 3) process.stderr.write(`routesim: skipped ${n} malformed rows in all\n`);
    },
  };
}

export function registerTrace(program: Command): void {
  const trace = program.command('trace').description('inspect, convert and synthesise request traces');

  addReplayOptions(
    trace
      .command('inspect')
      .description('print a trace\'s statistics: rows, time span, per-minute rate, inter-arrival CV, length percentiles, ideal prefix reuse')
      .argument('<file>', `trace file (${TRACE_FORMATS.join(', ')}; .gz read directly)`)
      .option('--format <format>', `trace format (default: from the name and content): ${TRACE_FORMATS.join(', ')}`)
      .option('--seed <n>', 'seed of sampling, jitter and generated formats', '42')
      .option('--block-tokens <n>', 'measure prefix reuse at fixed blocks of n tokens instead of the trace\'s own units')
      .option('--json', 'print the statistics as JSON'),
  ).action((file: string, flags: InspectFlags) => {
    const workload = replayed(file, flags);
    let blockTokens: number | null = null;
    if (flags.blockTokens !== undefined) {
      blockTokens = flagNumber('--block-tokens', flags.blockTokens, { ...RANGES.tokens, max: 65536 }, '16');
    }
    const skips = skipReporter();
    const stats = workloadStats(workload, { seed: seedOf(flags.seed), limits: {}, defaultAdapterRank: 16 }, { blockTokens }, skips.onSkip)!;
    skips.done();
    const src = workload.source!;
    process.stdout.write(flags.json ? `${JSON.stringify({ file, format: src.kind === 'trace' ? src.format : null, ...stats }, null, 2)}\n` : renderTraceStats(`${file} (${src.kind === 'trace' ? src.format : ''})`, stats));
  });

  addReplayOptions(
    trace
      .command('convert')
      .description(`convert a trace between formats (reads ${TRACE_FORMATS.join(', ')}; writes ${WRITABLE_FORMATS.join(', ')})`)
      .argument('<in>', 'input trace')
      .argument('<out>', 'output file (.jsonl → routesim, .csv/.yaml → BLIS TraceV2 pair; .gz compresses; - = stdout with --to-format)')
      .option('--format <format>', 'input format (default: from the name and content)')
      .option('--to-format <format>', `output format: ${WRITABLE_FORMATS.join(', ')}`)
      .option('--seed <n>', 'seed of sampling, jitter and generated formats', '42'),
  ).action((input: string, out: string, flags: ConvertFlags) => {
    checkOutName(out);
    const format = outputFormat(out, flags.toFormat);
    const workload = replayed(input, flags);
    const seed = seedOf(flags.seed);
    const inputs = workload.source?.kind === 'trace' ? [input, ...(workload.source.format === 'blis' ? Object.values(blisPaths(workload.source.path)) : [])] : [input];
    withOutputs(traceOutput(out, format), inputs, (outputs) => {
      const skips = skipReporter();
      const stream = createSourceStream(workload, workload.source!, { seed, limits: {}, defaultAdapterRank: 16 }, createRequestStream, skips.onSkip);
      const report = writeTrace(stream, out, format, { header: { mode: 'replayed', seed, workload: { trace: input } } });
      skips.done();
      outputs.commit();
      done(report, outputs.usesStdout);
    });
  });

  trace
    .command('synth')
    .description('write a generated workload (a scenario\'s workload, or an inference-perf config) as a trace')
    .argument('<spec>', 'scenario YAML (only workload, seed, requests/duration_s are used; fleet and policies may be omitted) or inference-perf config')
    .argument('<out>', 'output file (.jsonl → routesim, .csv/.yaml → BLIS TraceV2 pair; .gz compresses)')
    .option('--to-format <format>', `output format: ${WRITABLE_FORMATS.join(', ')}`)
    .option('--seed <n>', 'seed (default: the spec\'s)')
    .option('--requests <n>', 'stop after n requests (overrides the spec)')
    .option('--duration <s>', 'stop after s seconds (overrides the spec)')
    .action((spec: string, out: string, flags: SynthFlags) => {
      checkOutName(out);
      const format = outputFormat(out, flags.toFormat);
      const { workload, seed, limits } = synthSpec(spec, flags);
      const src = workload.source;
      if (src?.kind === 'sessions' && src.mode === 'closed') {
        throw inputError(spec, 'workload.sessions.mode', 'closed-loop sessions depend on simulated response times, so they cannot be written without a run', 'use mode: open, or record a run with routesim run --trace-out');
      }
      withOutputs(traceOutput(out, format), [spec, ...sourceInputFiles(src)], (outputs) => {
        const stream = createRequestStream(workload, { seed, limits, defaultAdapterRank: 16 });
        const report = writeTrace(stream, out, format, { header: { mode: 'generated', seed, workload: { spec } } });
        outputs.commit();
        done(report, outputs.usesStdout);
      });
    });
}

/** An empty OUT is named as such (before the format is guessed from the name). */
function checkOutName(out: string): void {
  if (out.trim() === '') throw inputError('OUT', '', 'the output path is empty', 'give a file name, e.g. trace.jsonl, or - with --to-format for stdout');
}

/** The OUT argument of convert / synth as an output request: one file, or a TraceV2 pair. */
function traceOutput(out: string, format: WritableFormat) {
  const pair = format === 'blis' ? blisPathsForWrite(out) : null;
  return {
    flag: 'OUT',
    path: out,
    stdout: pair === null && !out.endsWith('.gz'),
    noStdoutWhy: 'a BLIS trace is a pair of files (header .yaml + rows .csv); give a file name, or --to-format routesim for stdout',
    ...(pair ? { files: [pair.header, pair.data] } : {}),
    example: 'trace.jsonl',
  };
}

/** Checks and stages OUT before any work; aborts the staged files on failure. */
function withOutputs(req: ReturnType<typeof traceOutput>, inputs: string[], body: (outputs: OutputPlan) => void): void {
  const outputs = prepareOutputs([req], { inputs });
  try {
    body(outputs);
  } catch (err) {
    outputs.abort();
    throw err;
  }
}

function done(r: { rows: number; files: string[]; dropped: Record<string, number> }, toStdout: boolean): void {
  for (const [what, n] of Object.entries(r.dropped)) process.stderr.write(`routesim: note: the output format cannot hold ${what} (${n} rows)\n`);
  if (!toStdout) process.stdout.write(`wrote ${r.rows} requests to ${r.files.join(' and ')}\n`);
}

/** The workload, seed and limits of a synth spec file. */
function synthSpec(path: string, flags: SynthFlags): { workload: WorkloadSpec; seed: number; limits: { requests?: number; durationUs?: number } } {
  const text = readUserFile(path, 'pass a scenario YAML or an inference-perf config');
  const doc = parseUserYaml(text, path);
  const requests = flags.requests === undefined ? undefined : flagNumber('--requests', flags.requests, RANGES.requests, '1000');
  const duration = flags.duration === undefined ? undefined : flagNumber('--duration', flags.duration, RANGES.duration, '600');
  let scenario: ScenarioConfig;
  if (looksLikeInferencePerf(doc)) {
    const workload = traceWorkload(traceSource(path, 'inference-perf'));
    return { workload, seed: seedOf(flags.seed), limits: limitsOf(requests, duration) };
  }
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && !('fleet' in doc) && !('pools' in doc)) {
    // A workload-only spec: borrow a placeholder fleet and policy so the scenario loader checks it.
    const filled = { fleet: { replicas: 1, gpu: 'H100', model: 'Llama-3.1-8B' }, policies: ['round-robin'], ...(doc as object) };
    if (requests !== undefined || duration !== undefined) Object.assign(filled, { requests: requests ?? null, duration_s: duration ?? null });
    scenario = parseScenario(stringifyYaml(filled), path);
  } else scenario = loadScenarioFile(path);
  const seed = flags.seed === undefined ? scenario.seed : seedOf(flags.seed);
  return { workload: scenario.workload, seed, limits: limitsOf(requests ?? scenario.requests ?? undefined, duration ?? scenario.duration_s ?? undefined) };
}

function limitsOf(requests: number | undefined, duration: number | undefined): { requests?: number; durationUs?: number } {
  return { ...(requests !== undefined ? { requests } : {}), ...(duration !== undefined ? { durationUs: Math.round(duration * 1e6) } : {}) };
}
