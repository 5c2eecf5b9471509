/**
 * The work of `routesim trace inspect FILE`, `routesim trace convert IN OUT` and `routesim trace
 * synth SPEC OUT` (loaded when one runs; their definitions are cli/trace.ts).
 */
import { existsSync } from 'node:fs';
import { stringify as stringifyYaml } from 'yaml';
import { parseUserYaml } from '../sim/core/userFiles.js';
import { inputError, readUserFile } from '../sim/core/errors.js';
import { parseScenario, loadScenarioFile } from '../sim/scenario/load.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { createRequestStream } from '../sim/workload/generator.js';
import { createSourceStream } from '../sim/workload/sources.js';
import type { WorkloadSpec } from '../sim/workload/spec.js';
import { looksLikeInferencePerf } from '../sim/workload/inferencePerf/index.js';
import { TRACE_FORMATS, type TraceFormat } from '../sim/workload/traces/index.js';
import { checkReplayControls, checkReplayNotEmpty, traceSource, traceWorkload, workloadStats } from '../sim/workload/traces/source.js';
import { renderTraceStats } from '../sim/workload/traces/stats.js';
import { outputFormat, writeTrace, type WritableFormat } from '../sim/workload/traces/write.js';
import { blisPaths, blisPathsForWrite } from '../sim/workload/traces/blis.js';
import { prepareOutputs, type OutputPlan } from '../reports/outputs/plan.js';
import { REPLAY_FLAGS } from '../sim/workload/resolve.js';
import { flagNumber, RANGES } from '../sim/scenario/bounds.js';
import { sourceInputFiles } from './sourceInputs.js';
import { replayControlsFromFlags, type ReplayFlagValues } from './replayFlags.js';

export interface InspectFlags extends ReplayFlagValues {
  format?: string;
  seed?: string;
  blockTokens?: string;
  json?: boolean;
}

export interface ConvertFlags extends ReplayFlagValues {
  format?: string;
  toFormat?: string;
  seed?: string;
}

export interface SynthFlags {
  toFormat?: string;
  seed?: string;
  requests?: string;
  duration?: string;
  datasetLengths?: string;
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

/** `routesim trace inspect FILE`: the trace's statistics. */
export function inspect(file: string, flags: InspectFlags): void {
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
}

/** `routesim trace convert IN OUT`: a trace in another format. */
export function convert(input: string, out: string, flags: ConvertFlags): void {
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
}

/** `routesim trace synth SPEC OUT`: a generated workload written as a trace. */
export function synth(spec: string, out: string, flags: SynthFlags): void {
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
    const lengths = flags.datasetLengths;
    if (lengths !== undefined && !existsSync(lengths)) throw inputError('--dataset-lengths', '', `file ${JSON.stringify(lengths)} not found`, 'give the recorded lengths file (JSONL or CSV)');
    const workload = traceWorkload({ ...traceSource(path, 'inference-perf'), ...(lengths !== undefined ? { dataset_lengths: lengths } : {}) });
    return { workload, seed: seedOf(flags.seed), limits: limitsOf(requests, duration) };
  }
  if (flags.datasetLengths !== undefined) throw inputError('--dataset-lengths', '', `applies to an inference-perf config; ${path} is a scenario`, 'set workload.trace.dataset_lengths in the scenario instead');
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
