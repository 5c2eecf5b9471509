/**
 * `routesim serve picker` from the built CLI (node dist/cli/main.js): starts, says where it
 * listens, routes a request from the ext_proc client, runs a user plugin module's config, serves a
 * given certificate, and stops cleanly on SIGTERM (exit 0); flag mistakes are one line, exit 2.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExtProcClient } from '../live/picker/client.js';
import { selfSignedPem } from '../live/picker/tls.js';
import { MAIN, ROOT, routesim } from './cliHelpers.js';
import { startFakeMetrics, vllmText, type FakeServer } from './helpers/fakeVllmMetrics.js';

const fakes: FakeServer[] = [];
afterAll(async () => {
  for (const f of fakes) await f.close();
});

/** Starts the CLI; resolves with the gRPC port from its ready line, and a stop() that sends SIGTERM and resolves with the exit code and stderr. */
function serve(args: string[]): Promise<{ grpcPort: number; httpPort: number; stop(): Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, [MAIN, 'serve', 'picker', ...args], { cwd: ROOT });
  let stderr = '';
  const exited = new Promise<{ code: number | null; stderr: string }>((res) => child.on('exit', (code) => res({ code, stderr })));
  return new Promise((res, rej) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /ext_proc on [^:]+:(\d+) .* on http:\/\/[^:]+:(\d+),/.exec(stderr);
      if (m) res({ grpcPort: Number(m[1]), httpPort: Number(m[2]), stop: () => (child.kill('SIGTERM'), exited) });
    });
    void exited.then((e) => rej(new Error(`exited ${e.code}: ${e.stderr}`)));
  });
}

const body = JSON.stringify({ model: 'm', prompt: 'hello' });
const headers = { ':method': 'POST', ':path': '/v1/completions' };

describe('routesim serve picker (built CLI)', () => {
  it('serves a user plugin config (plaintext) and /health; SIGTERM stops it (exit 0)', async () => {
    // least-kv-scorer scores 1 − KV: pod-a (KV 0.7) 0.3, pod-b (KV 0.2) 0.8 → pod-b.
    const a = await startFakeMetrics(vllmText({ waiting: 0, running: 0, kv: 0.7 }), '127.0.0.2');
    const b = await startFakeMetrics(vllmText({ waiting: 0, running: 0, kv: 0.2 }), '127.0.0.3');
    fakes.push(a, b);
    const s = await serve(['--insecure', '--port', '0', '--http-port', '0', '--endpoint', `pod-a=${a.address}`, '--endpoint', `pod-b=${b.address}`, '--plugin-module', 'examples/plugins/least-kv-scorer.js', '--config', 'examples/plugins/least-kv.yaml', '--refresh-metrics-interval', '20ms']);
    await new Promise((r) => setTimeout(r, 200));
    const c = new ExtProcClient(`127.0.0.1:${s.grpcPort}`, { insecure: true });
    const r = await c.route({ headers, body });
    expect(r.kind === 'routed' && r.destination).toBe(b.address);
    if (r.kind === 'routed') r.session.close();
    c.close();
    const health = await fetch(`http://127.0.0.1:${s.httpPort}/health`);
    expect(health.status).toBe(200);
    const end = await s.stop();
    expect(end.code).toBe(0);
    expect(end.stderr).toMatch(/plaintext.*2 endpoint\(s\), gaie-v1.5 config, scrape every 20 ms\n(.|\n)*stopped\n$/);
  });

  it('serves a given certificate (--cert/--key): a client trusting it is routed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-tls-'));
    const pem = await selfSignedPem();
    writeFileSync(join(dir, 'c.pem'), pem.cert);
    writeFileSync(join(dir, 'k.pem'), pem.key);
    const a = await startFakeMetrics(vllmText({ waiting: 0, running: 0, kv: 0.1 }), '127.0.0.4');
    fakes.push(a);
    const s = await serve(['--port', '0', '--http-port', '0', '--endpoint', `pod-a=${a.address}`, '--cert', join(dir, 'c.pem'), '--key', join(dir, 'k.pem')]);
    const c = new ExtProcClient(`127.0.0.1:${s.grpcPort}`, { caPem: pem.cert });
    const r = await c.route({ headers, body });
    expect(r.kind === 'routed' && r.destination).toBe(a.address);
    if (r.kind === 'routed') r.session.close();
    c.close();
    expect((await s.stop()).code).toBe(0);
  });

  it.each([
    [['--endpoint', 'nohostport'], /^routesim: --endpoint: nohostport: expected name=host:port with a port 1–65535 \(fix: e\.g\. --endpoint pod-a=127\.0\.0\.1:8000\)\n$/],
    [['--cert', 'x.pem'], /^routesim: --cert and --key: give both/],
    [['--refresh-metrics-interval', 'soon'], /^routesim: --refresh-metrics-interval: soon: not a duration from 1ms to 1h/],
    [['--config', 'no/such.yaml'], /^routesim: no\/such\.yaml: cannot read the config \(ENOENT\)/],
    [['--endpoints-file', 'no/such.yaml'], /^routesim: no\/such\.yaml: cannot read the endpoints file/],
  ])('%j → one line, exit 2', (args, msg) => {
    const r = routesim(['serve', 'picker', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });
});
