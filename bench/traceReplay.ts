/**
 * The bench's trace rows (issue 15): `trace-10m` replays the bench trace (bench/benchTrace.ts,
 * ROUTESIM_BENCH_TRACE_ROWS rows, default 10M) end to end as `routesim run bench/trace-10m.yaml
 * --jobs 1 --out FILE --set workload.trace.path=TRACE`, and `trace-10m-stats` runs `routesim trace
 * inspect TRACE --json` over the same file. Each is a child process whose own CPU and peak RSS come
 * from the usage hook, while this process samples its resident set (VmRSS in /proc/PID/status)
 * every 0.5 s: the RSS at 25/50/75/100 % of the wall time shows whether memory is flat after
 * warm-up.
 *
 * Guards, so a run that does not fit is stopped cleanly instead of eating the shared machine: the
 * child's V8 heap is capped (ROUTESIM_BENCH_TRACE_HEAP_MB, default 3000) and the child is killed
 * when its RSS passes ROUTESIM_BENCH_TRACE_RSS_CAP_MB (default 4000; typed arrays live off the heap).
 * ROUTESIM_BENCH_TRACE_SAMPLES=PREFIX writes every sample to PREFIX.<row>.csv (ms, rss_mib).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { benchTraceRows, ensureBenchTrace } from './benchTrace.js';
import type { Measurement } from './measurement.js';

export const TRACE_ROWS = ['trace-10m', 'trace-10m-lean', 'trace-10m-stats'] as const;

/**
 * `trace-10m-lean`: the same replay with V8's default young generation (not the launcher's 32 MB
 * semi-spaces) and the old generation capped at this many MiB: a streamed run's live heap stays
 * small (≈ 60 MB at 5M rows), so the cap only trims V8's headroom (README "Streamed summary").
 */
export const LEAN_HEAP_MIB = 160;
export type TraceRowName = (typeof TRACE_ROWS)[number];

/** What bench.ts prints for a row (the same fields as its Measurement), plus the RSS profile. */
export interface TraceMeasurement extends Measurement {
  simulatedSeconds: null;
  /**
   * RSS (MiB) at 25, 50 and 75 % of the wall time (the last VmRSS sample at or before each) and at
   * 100 % (the child's own RSS in its exit handler: a sample taken while the kernel tears the
   * process down would read low).
   */
  rssAtQuartersMiB: number[];
  samples: number;
}

export interface ChildSpec {
  /** Node flags of the child (bench.ts's NODE_FLAGS); the heap cap is added here. */
  readonly nodeFlags: readonly string[];
  /** `--import` module writing the child's CPU and peak RSS to ROUTESIM_BENCH_USAGE at exit. */
  readonly usageHook: string;
  readonly cliMain: string;
  readonly scenario: string;
}

const SAMPLE_MS = 500;

function envMiB(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined || v === '' ? fallback : Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new Error(`${name}: expected a positive number of MiB, got ${JSON.stringify(v)} (fix: e.g. ${name}=${fallback})`);
  return n;
}

/** VmRSS of `pid` in KiB, or null once the process is gone (or /proc is absent). */
export function vmRssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The last sample at or before each fraction of `wallMs` (the first sample when none is). */
export function rssAtFractions(samples: readonly { ms: number; kib: number }[], wallMs: number, fractions: readonly number[]): number[] {
  return fractions.map((f) => {
    let pick = samples[0];
    for (const s of samples) if (s.ms <= f * wallMs) pick = s;
    return pick === undefined ? NaN : pick.kib / 1024;
  });
}

interface ChildRun {
  cpu: number;
  maxRssKiB: number;
  exitRssKiB: number;
  wallSeconds: number;
  samples: { ms: number; kib: number }[];
}

/**
 * Runs `node FLAGS --import HOOK ARGS` sampling its RSS (written to ROUTESIM_BENCH_TRACE_SAMPLES.NAME.csv
 * when set, failed runs included); rejects with a one-line reason on failure.
 */
async function runSampled(spec: ChildSpec, args: readonly string[], dir: string, name: string): Promise<ChildRun> {
  const usageFile = join(dir, 'usage.json');
  const lean = name === 'trace-10m-lean';
  const heapMiB = lean ? LEAN_HEAP_MIB : envMiB('ROUTESIM_BENCH_TRACE_HEAP_MB', 3000);
  const capKiB = envMiB('ROUTESIM_BENCH_TRACE_RSS_CAP_MB', 4000) * 1024;
  const t0 = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - t0) / 1e6;
  const child = spawn(process.execPath, [...(lean ? [] : spec.nodeFlags), `--max-old-space-size=${heapMiB}`, '--import', spec.usageHook, spec.cliMain, ...args], {
    env: { ...process.env, ROUTESIM_BENCH_USAGE: usageFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-8192);
  });
  const samples: { ms: number; kib: number }[] = [];
  let killedAtKiB: number | null = null;
  const sample = () => {
    if (child.pid === undefined) return;
    const kib = vmRssKiB(child.pid);
    if (kib === null) return;
    samples.push({ ms: elapsedMs(), kib });
    if (kib > capKiB && killedAtKiB === null) {
      killedAtKiB = kib;
      child.kill('SIGKILL');
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, sig) => resolve([c, sig]));
  }).finally(() => clearInterval(timer));
  const wallSeconds = elapsedMs() / 1000;
  const dump = process.env.ROUTESIM_BENCH_TRACE_SAMPLES;
  if (dump !== undefined && dump !== '') writeFileSync(`${dump}.${name}.csv`, 'ms,rss_mib\n' + samples.map((x) => `${Math.round(x.ms)},${(x.kib / 1024).toFixed(1)}`).join('\n') + '\n');
  const peakSampled = samples.reduce((m, s) => Math.max(m, s.kib), 0) / 1024;
  if (killedAtKiB !== null) {
    throw new Error(`killed at ${(killedAtKiB / 1024).toFixed(0)} MiB RSS after ${wallSeconds.toFixed(1)} s (cap ROUTESIM_BENCH_TRACE_RSS_CAP_MB=${capKiB / 1024})`);
  }
  if (code !== 0) {
    const oom = /heap out of memory|Reached heap limit/.test(stderr);
    const why = oom ? `V8 heap out of memory (cap ROUTESIM_BENCH_TRACE_HEAP_MB=${heapMiB})` : signal !== null ? `signal ${signal}` : `exit ${code}: ${stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-1)[0] ?? ''}`;
    throw new Error(`${why} after ${wallSeconds.toFixed(1)} s, highest sampled RSS ${peakSampled.toFixed(0)} MiB`);
  }
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpu: number; maxRssKiB: number; exitRssKiB: number };
  return { cpu: usage.cpu, maxRssKiB: usage.maxRssKiB, exitRssKiB: usage.exitRssKiB, wallSeconds, samples };
}

/**
 * The scenario's policy names, read from the YAML as written: loading the scenario would resolve
 * (and measure) its placeholder trace path, which only the child gets right through --set.
 */
function policyNames(scenario: string): string {
  const doc = parse(readFileSync(scenario, 'utf8')) as { policies?: (string | { name?: string })[] };
  return (doc.policies ?? []).map((p) => (typeof p === 'string' ? p : (p.name ?? '?'))).join(', ');
}

/** Measures the named trace rows (generating the trace first when it is not cached). */
export async function measureTraceRows(names: readonly TraceRowName[], spec: ChildSpec): Promise<TraceMeasurement[]> {
  if (names.length === 0) return [];
  const rows = benchTraceRows();
  const { path, generatedSeconds } = ensureBenchTrace(rows);
  process.stderr.write(generatedSeconds === null ? `bench trace: ${path} (cached)\n` : `bench trace: wrote ${path} in ${generatedSeconds.toFixed(1)} s\n`);
  const out: TraceMeasurement[] = [];
  for (const name of names) {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-bench-'));
    try {
      const args = name !== 'trace-10m-stats'
        ? ['run', spec.scenario, '--jobs', '1', '--out', join(dir, 'results.json'), '--set', `workload.trace.path=${path}`]
        : ['trace', 'inspect', path, '--format', 'azure', '--json'];
      const r = await runSampled(spec, args, dir, name);
      out.push({
        scenario: name,
        policy: name !== 'trace-10m-stats' ? policyNames(spec.scenario) : 'trace inspect',
        requests: rows,
        wallSeconds: r.wallSeconds,
        cpuSeconds: r.cpu,
        requestsPerSecond: rows / r.wallSeconds,
        peakRssMiB: r.maxRssKiB / 1024,
        simulatedSeconds: null,
        rssAtQuartersMiB: [...rssAtFractions(r.samples, r.wallSeconds * 1000, [0.25, 0.5, 0.75]), r.exitRssKiB / 1024],
        samples: r.samples.length,
      });
    } catch (err) {
      process.stderr.write(`bench ${name} failed: ${(err as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/** One line per measured row: its RSS at each quarter of its wall time. */
export function rssProfileLines(rows: readonly TraceMeasurement[]): string[] {
  return rows.map((m) => `${m.scenario}: RSS MiB at 25/50/75/100 % of wall: ${m.rssAtQuartersMiB.map((v) => v.toFixed(0)).join(' / ')} (${m.samples} samples, every ${SAMPLE_MS / 1000} s; 100 % = at exit; ${m.requests.toLocaleString('en-US')} rows)`);
}
