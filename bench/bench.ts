/**
 * `npm run bench`: simulated requests per wall-clock second on named scenarios. Each policy of each
 * scenario runs in its own child process, so its CPU and peak RSS are its own. Speed targets live
 * here (TARGETS, printed beside their rows), never in tests. A run of more than STREAMED_FROM
 * requests (`million`) is measured as `routesim run` makes it: streamed, no records, its summary,
 * distributions and time series included (runOnce).
 *
 * The rows `cli-reference` and `cli-side-by-side` are the whole CLI process instead: `routesim run
 * bench/NAME.yaml --jobs 1 --out FILE` from start-up to exit (module loading, scenario, simulation,
 * results), its CPU and peak RSS reported by the child itself at exit.
 *
 * The rows `trace-10m`, `trace-10m-lean` and `trace-10m-stats` (bench/traceReplay.ts) replay a
 * generated 10M-row trace end to end (the lean one with V8's default young generation and a
 * 160 MiB old generation) and compute its statistics, sampling the child's RSS every 0.5 s (printed at
 * 25/50/75/100 % of its wall time below the table). They take minutes, so they run only when named;
 * ROUTESIM_BENCH_TRACE_ROWS sets the row count (default 10,000,000).
 *
 *   npm run bench                                     # every scenario in bench/*.yaml but trace-10m, then the CLI rows
 *   npm run bench -- side-by-side cli-side-by-side    # only the named ones
 *   npm run bench -- trace-10m trace-10m-lean trace-10m-stats   # the 10M-row trace (generated once under the OS temp dir)
 *   ROUTESIM_BENCH_TRACE_ROWS=1000000 npm run bench -- trace-10m
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { runCell } from '../lab/cells/runCell.js';
import { requestsPerRun, STREAMED_FROM } from '../sim/metrics/stream/recordsKept.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { PACKAGE_ROOT } from '../cli/version.js';
import { AUTO_STREAMED_HEAP_GROWING_PERCENT, NODE_FLAGS, streamedHeap } from '../lab/parallel/heap.js';
import type { Measurement } from './measurement.js';
import { measureTraceRows, rssProfileLines, TRACE_ROWS, type TraceMeasurement, type TraceRowName } from './traceReplay.js';

const BENCH_DIR = join(PACKAGE_ROOT, 'bench');


/**
 * Warm rows: `<scenario>-warm` runs the scenario's first policy WARM_RUNS times in one process and
 * reports the best run (the simulation with V8's code already compiled, as a long-lived process or
 * a sweep sees it); the plain row is a single cold run.
 */
const WARM_ROWS = ['side-by-side'].map((name) => ({ row: `${name}-warm`, name }));
const WARM_RUNS = 6;

/** Whole-CLI rows: `cli-<scenario>`. */
const CLI_ROWS = ['reference', 'side-by-side'].map((name) => ({ row: `cli-${name}`, name }));

/**
 * Issue 15's targets, by row (`scenario/policy`, or the CLI row's name): CPU seconds and peak RSS.
 * The reference side-by-side load (bench/side-by-side.yaml) and the cluster-scale one (million).
 */
const TARGETS: Readonly<Record<string, { readonly cpu?: number; readonly rssMiB?: number }>> = {
  'side-by-side/gaie-default': { cpu: 0.3 },
  'side-by-side-warm/gaie-default': { cpu: 0.3 },
  'cli-side-by-side': { cpu: 0.6 },
  'million/gaie-default': { cpu: 20, rssMiB: 400 },
  'million/least-requests': { cpu: 12 },
  // A 10M-row trace replays with peak RSS ≤ 300 MB, flat after warm-up (no CPU target).
  'trace-10m': { rssMiB: 300 },
  'trace-10m-lean': { rssMiB: 300 },
};

function targetCell(m: Measurement): string {
  const t = TARGETS[m.simulatedSeconds === null ? m.scenario : `${m.scenario}/${m.policy}`];
  if (t === undefined) return '';
  const met = (t.cpu === undefined || m.cpuSeconds <= t.cpu) && (t.rssMiB === undefined || m.peakRssMiB <= t.rssMiB);
  const bounds = [t.cpu !== undefined ? `≤ ${t.cpu} s` : '', t.rssMiB !== undefined ? `≤ ${t.rssMiB} MiB` : ''].filter((b) => b !== '');
  return `${bounds.join(', ')}: ${met ? 'met' : 'not met'}`;
}

/**
 * Loaded into the CLI child with `--import`: at exit it writes its own CPU time (user + system),
 * peak RSS and RSS at exit to the file named by ROUTESIM_BENCH_USAGE (spawnSync cannot report a
 * child's usage).
 */
const USAGE_HOOK = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs'; process.on('exit', () => { const c = process.cpuUsage(); writeFileSync(process.env.ROUTESIM_BENCH_USAGE, JSON.stringify({ cpu: (c.user + c.system) / 1e6, maxRssKiB: process.resourceUsage().maxRSS, exitRssKiB: process.memoryUsage().rss / 1024 })); });",
)}`;

/** `routesim run bench/NAME.yaml --jobs 1 --out FILE` as a whole process: start-up included. */
function measureCli(row: string, name: string): Measurement | null {
  const dir = mkdtempSync(join(tmpdir(), 'routesim-bench-'));
  try {
    const usageFile = join(dir, 'usage.json');
    const scenario = join(BENCH_DIR, `${name}.yaml`);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [...NODE_FLAGS, '--import', USAGE_HOOK, join(PACKAGE_ROOT, 'dist', 'cli', 'main.js'), 'run', scenario, '--jobs', '1', '--out', join(dir, 'results.json')], { encoding: 'utf8', env: { ...process.env, ROUTESIM_BENCH_USAGE: usageFile } });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) {
      process.stderr.write(`bench ${row} failed: ${r.stderr.trim().split('\n')[0]}\n`);
      process.exitCode = 1;
      return null;
    }
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpu: number; maxRssKiB: number };
    const config = loadScenarioFile(scenario);
    const requests = config.requests ?? 0;
    return { scenario: row, policy: config.policies.map((p) => p.name).join(', '), requests, wallSeconds: wall, cpuSeconds: usage.cpu, requestsPerSecond: requests / wall, peakRssMiB: usage.maxRssKiB / 1024, simulatedSeconds: null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One run of `policy` as `routesim run` makes it. Up to STREAMED_FROM requests: the simulation
 * alone, keeping its records (the figures are then computed from them, not timed here). Above it:
 * the simulation with its streamed summary, distributions and time series folded in as requests
 * end and computed at the end (runCell, the run's primary cell) — no records, V8's old generation
 * as `run` sets it for such runs (AUTO_STREAMED_HEAP_GROWING_PERCENT); timed whole.
 */
function runOnce(scenario: ScenarioConfig, index: number): { requests: number; endUs: number; figuresCpu?: number } {
  if (requestsPerRun(scenario, scenario.workload.arrival.rate) <= STREAMED_FROM) {
    const run = runPolicy(scenario, scenario.policies[index]!);
    return { requests: run.records.length, endUs: run.endUs };
  }
  streamedHeap(AUTO_STREAMED_HEAP_GROWING_PERCENT);
  let endUs = 0;
  let simulated: NodeJS.CpuUsage | null = null;
  const cell = { variant: 0, policy: index, seed: scenario.seed, rate: scenario.workload.arrival.rate, profiles: true, timeseries: true, streamed: true };
  const result = runCell(scenario, cell, { onSimulated: () => (simulated = process.cpuUsage()), onPolicyDone: (run) => (endUs = run.endUs) });
  const figures = process.cpuUsage(simulated ?? undefined);
  return { requests: result.requests, endUs, figuresCpu: (figures.user + figures.system) / 1e6 };
}

/**
 * Runs policy `index` of bench/NAME.yaml (each policy in its own process: a run's CPU and peak RSS
 * are its own) `runs` times and reports the run with the least CPU (labelled `row`).
 */
function measure(name: string, index: number, runs = 1, row = name): Measurement[] {
  const scenario = loadScenarioFile(join(BENCH_DIR, `${name}.yaml`));
  const out: Measurement[] = [];
  const policy = scenario.policies[index];
  if (policy !== undefined) {
    let best: { cpu: NodeJS.CpuUsage; wall: number; run: ReturnType<typeof runOnce> } | null = null;
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      const cpu0 = process.cpuUsage();
      const run = runOnce(scenario, index);
      const cpu = process.cpuUsage(cpu0);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (best === null || cpu.user + cpu.system < best.cpu.user + best.cpu.system) best = { cpu, wall, run };
    }
    const { cpu, wall, run } = best!;
    out.push({
      scenario: row,
      policy: policy.name,
      requests: run.requests,
      wallSeconds: wall,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      requestsPerSecond: run.requests / wall,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      simulatedSeconds: run.endUs / 1e6,
      ...(run.figuresCpu !== undefined ? { figuresCpuSeconds: run.figuresCpu } : {}),
    });
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(JSON.stringify(measure(args[1]!, Number(args[2]), Number(args[3] ?? 1), args[4])));
    return;
  }
  const cliRows = new Set([...CLI_ROWS, ...WARM_ROWS].map((c) => c.row));
  const traceRows = new Set<string>(TRACE_ROWS);
  const names = args.length > 0 ? args.filter((a) => !cliRows.has(a) && !traceRows.has(a)) : readdirSync(BENCH_DIR).filter((f) => f.endsWith('.yaml')).map((f) => basename(f, '.yaml')).filter((n) => !traceRows.has(n)).sort();
  const rows: Measurement[] = [];
  for (const name of names) {
    const policies = loadScenarioFile(join(BENCH_DIR, `${name}.yaml`)).policies.length;
    for (let p = 0; p < policies; p++) {
      const r = spawnSync(process.execPath, [...NODE_FLAGS, fileURLToPath(import.meta.url), '--child', name, String(p)], { encoding: 'utf8' });
      if (r.status !== 0) {
        process.stderr.write(`bench ${name} failed: ${r.stderr.trim().split('\n')[0]}\n`);
        process.exitCode = 1;
        continue;
      }
      rows.push(...(JSON.parse(r.stdout) as Measurement[]));
    }
  }
  for (const { row, name } of WARM_ROWS) {
    if (args.length > 0 && !args.includes(row)) continue;
    const r = spawnSync(process.execPath, [...NODE_FLAGS, fileURLToPath(import.meta.url), '--child', name, '0', String(WARM_RUNS), row], { encoding: 'utf8' });
    if (r.status !== 0) {
      process.stderr.write(`bench ${row} failed: ${r.stderr.trim().split('\n')[0]}\n`);
      process.exitCode = 1;
    } else rows.push(...(JSON.parse(r.stdout) as Measurement[]));
  }
  for (const { row, name } of CLI_ROWS) {
    if (args.length > 0 && !args.includes(row)) continue;
    const cli = measureCli(row, name);
    if (cli) rows.push(cli);
  }
  const traced: TraceMeasurement[] = await measureTraceRows(TRACE_ROWS.filter((r: TraceRowName) => args.includes(r)), {
    nodeFlags: NODE_FLAGS,
    usageHook: USAGE_HOOK,
    cliMain: join(PACKAGE_ROOT, 'dist', 'cli', 'main.js'),
    scenario: join(BENCH_DIR, 'trace-10m.yaml'),
  });
  rows.push(...traced);
  const header = ['scenario', 'policy', 'requests', 'sim s', 'CPU s', 'wall s', 'req/wall-s', 'peak RSS MiB', 'issue 15 target'];
  const body = rows.map((m) => [m.scenario, m.policy, String(m.requests), m.simulatedSeconds === null ? '-' : m.simulatedSeconds.toFixed(1), m.cpuSeconds.toFixed(2), m.wallSeconds.toFixed(2), Math.round(m.requestsPerSecond).toString(), m.peakRssMiB.toFixed(0), targetCell(m)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const figures = rows.filter((m) => m.figuresCpuSeconds !== undefined).map((m) => `${m.scenario}/${m.policy}: ${(m.cpuSeconds - m.figuresCpuSeconds!).toFixed(2)} CPU s simulating (folding requests into the streamed summary included) + ${m.figuresCpuSeconds!.toFixed(2)} computing the figures`);
  process.stdout.write([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ...figures, ...rssProfileLines(traced), machineLine()].join('\n') + '\n');
}

/**
 * The machine the figures come from: CPU seconds differ 1.5–1.7× between two machines of the same
 * kind (issue 15, sixth round), so a table is compared with one from the same machine only.
 */
function machineLine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  const mhz = cores[0]?.speed ? ` at ${cores[0].speed} MHz` : '';
  return `machine: ${cores.length} × ${model}${mhz}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

await main();
