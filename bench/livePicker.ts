/**
 * The live picker's cost on loopback (issue 16): `routesim serve picker` (the built CLI, in its own
 * process, GAIE v1.5 default config, TLS with a given certificate, scrape every 50 ms) over 8 mock
 * endpoints (static vLLM `/metrics` servers on 127.0.0.2–9, fixed metrics), driven by the ext_proc
 * client playing Envoy, one request at a time.
 *
 * Per request: the latency the picker adds = ext_proc round trip from sending the request headers
 * (then the body, one message) to receiving the routing answer (destination header + the re-emitted
 * body); not timed: the response path then played (SSE headers, one chunk with usage, end of
 * stream) so the response-complete hooks run and nothing stays in flight. Per run: p50 and p99 of
 * the timed requests, and the picker's resident set (Linux /proc/PID/status VmRSS) after the
 * warm-up, half-way and after all requests, and its V8 heap in use after a forced full GC (a
 * SIGUSR2 hook loaded with --import) after the warm-up and at the end: flat = bounded. Inputs are deterministic (prompts from the request index: 16
 * families sharing a ~2 KB prefix, tails of 0–6 sentences); timings are not.
 *
 *   node dist/bench/livePicker.js [--runs 5] [--requests 50000] [--warmup 1000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExtProcClient } from '../live/picker/client.js';
import { vllmExposition } from '../live/picker/exposition.js';
import { selfSignedPem } from '../live/picker/tls.js';
import { PACKAGE_ROOT } from '../cli/version.js';
import { meanInterval } from '../reports/confidence.js';

const ENDPOINTS = 8;
const FAMILIES = 16;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${name}: expected a positive integer`);
  return v;
}

/** Endpoint i's fixed metrics: different queues and KV use, so the scorers have something to rank. */
function metricsText(i: number): string {
  return vllmExposition({ waiting: i % 4, running: (3 * i) % 5, kvUsage: 0.1 + 0.08 * i, activeAdapters: [], waitingAdapters: [], maxLoras: 0, blockSize: 16, numGpuBlocks: 2048 }, 'Llama-3.1-8B');
}

/** Request k's prompt: family k mod 16's ~2 KB prefix, then its own question and 0–6 sentences. */
export function promptOf(k: number): string {
  const f = k % FAMILIES;
  const prefix = Array.from({ length: 40 }, (_, s) => `family ${f} shared context sentence ${s}.`).join(' ');
  const tail = Array.from({ length: k % 7 }, (_, s) => `detail ${s} of request ${k}.`).join(' ');
  return `${prefix} Question ${k}: ${tail}`;
}

async function metricsServer(i: number): Promise<{ server: Server; address: string }> {
  const text = metricsText(i);
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
  });
  const host = `127.0.0.${2 + i}`;
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return { server, address: `${host}:${(server.address() as { port: number }).port}` };
}

/**
 * Loaded into the picker with `--import` (and `--expose-gc`): on SIGUSR2 it runs a full garbage
 * collection and writes the V8 heap in use to the file named by ROUTESIM_BENCH_HEAP.
 */
const HEAP_HOOK = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs'; process.on('SIGUSR2', () => { globalThis.gc(); globalThis.gc(); writeFileSync(process.env.ROUTESIM_BENCH_HEAP, String(process.memoryUsage().heapUsed)); });",
)}`;

function startPicker(args: string[], heapFile: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', HEAP_HOOK, join(PACKAGE_ROOT, 'dist', 'cli', 'main.js'), 'serve', 'picker', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ROUTESIM_BENCH_HEAP: heapFile } });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /ext_proc on [^:]+:(\d+) /.exec(stderr);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`serve picker exited ${code}: ${stderr}`)));
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The picker's V8 heap in use after a full GC (MiB), via the SIGUSR2 hook. */
async function heapMiB(child: ChildProcess, heapFile: string): Promise<number> {
  rmSync(heapFile, { force: true });
  child.kill('SIGUSR2');
  for (let i = 0; i < 500; i++) {
    await new Promise((r) => setTimeout(r, 10));
    try {
      const text = readFileSync(heapFile, 'utf8');
      if (text !== '') return Number(text) / 2 ** 20;
    } catch {
      // not written yet
    }
  }
  return NaN;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

interface RunResult {
  p50: number;
  p99: number;
  rssWarm: number;
  rssHalf: number;
  rssEnd: number;
  /** RSS after every tenth of the timed requests (MiB). */
  rssSeries: number[];
  heapWarm: number;
  heapEnd: number;
}

async function oneRun(requests: number, warmup: number, certDir: string, caPem: string): Promise<RunResult> {
  const servers = await Promise.all(Array.from({ length: ENDPOINTS }, (_, i) => metricsServer(i)));
  const eps = servers.flatMap((s, i) => ['--endpoint', `ep-${i}=${s.address}`]);
  const heapFile = join(certDir, 'heap.txt');
  const { child, port } = await startPicker(['--port', '0', '--http-port', '0', '--cert', join(certDir, 'c.pem'), '--key', join(certDir, 'k.pem'), '--refresh-metrics-interval', '50ms', ...eps], heapFile);
  const client = new ExtProcClient(`127.0.0.1:${port}`, { caPem });
  try {
    await new Promise((r) => setTimeout(r, 300)); // first scrapes
    const lat: number[] = [];
    let rssWarm = NaN;
    let heapWarm = NaN;
    let rssHalf = NaN;
    const half = warmup + Math.floor(requests / 2);
    const rssSeries: number[] = [];
    const tenth = Math.max(1, Math.floor(requests / 10));
    for (let k = 0; k < warmup + requests; k++) {
      if (k > warmup && (k - warmup) % tenth === 0) rssSeries.push(rssMiB(child.pid!));
      if (k === warmup) {
        rssWarm = rssMiB(child.pid!);
        heapWarm = await heapMiB(child, heapFile);
      }
      if (k === half) rssHalf = rssMiB(child.pid!);
      const body = JSON.stringify({ model: 'Llama-3.1-8B', prompt: promptOf(k), max_tokens: 16 });
      const t0 = process.hrtime.bigint();
      const r = await client.route({ headers: { ':method': 'POST', ':path': '/v1/completions', 'content-type': 'application/json', 'x-request-id': `bench-${k}` }, body });
      const t1 = process.hrtime.bigint();
      if (r.kind !== 'routed') throw new Error(`request ${k} not routed: ${JSON.stringify(r)}`);
      if (k >= warmup) lat.push(Number(t1 - t0) / 1e6);
      await r.session.respond({ headers: { ':status': '200', 'content-type': 'text/event-stream' }, chunks: ['data: {"choices":[],"usage":{"prompt_tokens":500,"completion_tokens":16}}\n\ndata: [DONE]\n\n'] });
    }
    const rssEnd = rssMiB(child.pid!);
    lat.sort((a, b) => a - b);
    rssSeries.push(rssEnd);
    const heapEnd = await heapMiB(child, heapFile);
    return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), rssWarm, rssHalf, rssEnd, rssSeries, heapWarm, heapEnd };
  } finally {
    client.close();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    for (const s of servers) await new Promise<void>((r) => s.server.close(() => r()));
  }
}

const fmt = (v: number[], d: number): string => {
  const { mean, half } = meanInterval(v);
  return `${mean.toFixed(d)} ± ${(half ?? 0).toFixed(d)}`;
};

async function main(): Promise<void> {
  const runs = arg('--runs', 5);
  const requests = arg('--requests', 50000);
  const warmup = arg('--warmup', 1000);
  const certDir = mkdtempSync(join(tmpdir(), 'routesim-livebench-'));
  const pem = await selfSignedPem();
  writeFileSync(join(certDir, 'c.pem'), pem.cert);
  writeFileSync(join(certDir, 'k.pem'), pem.key);
  const rows: RunResult[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const r = await oneRun(requests, warmup, certDir, pem.cert);
      rows.push(r);
      process.stderr.write(`run ${i + 1}/${runs}: p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, RSS ${r.rssWarm.toFixed(1)} / ${r.rssHalf.toFixed(1)} / ${r.rssEnd.toFixed(1)} MiB after ${warmup} / ${warmup + Math.floor(requests / 2)} / ${warmup + requests} requests; every tenth: ${r.rssSeries.map((x) => x.toFixed(0)).join(' ')}; heap after GC ${r.heapWarm.toFixed(1)} / ${r.heapEnd.toFixed(1)} MiB\n`);
    }
  } finally {
    rmSync(certDir, { recursive: true, force: true });
  }
  process.stdout.write(
    [
      `live picker, GAIE default config, ${ENDPOINTS} endpoints, TLS, loopback; ${runs} runs × ${requests} timed requests (after ${warmup} warm-up), mean ± 95 % CI over runs`,
      '| figure | value |',
      '| --- | --- |',
      `| added latency p50 (ms) | ${fmt(rows.map((r) => r.p50), 3)} |`,
      `| added latency p99 (ms) | ${fmt(rows.map((r) => r.p99), 3)} |`,
      `| picker RSS after ${warmup} requests (MiB) | ${fmt(rows.map((r) => r.rssWarm), 1)} |`,
      `| picker RSS after ${warmup + Math.floor(requests / 2)} requests (MiB) | ${fmt(rows.map((r) => r.rssHalf), 1)} |`,
      `| picker RSS after ${warmup + requests} requests (MiB) | ${fmt(rows.map((r) => r.rssEnd), 1)} |`,
      `| picker V8 heap in use after a full GC, after ${warmup} requests (MiB) | ${fmt(rows.map((r) => r.heapWarm), 1)} |`,
      `| picker V8 heap in use after a full GC, after ${warmup + requests} requests (MiB) | ${fmt(rows.map((r) => r.heapEnd), 1)} |`,
      '',
    ].join('\n'),
  );
}

await main();
