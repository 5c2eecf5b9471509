/**
 * `routesim serve picker --decisions` (issue 16): every live scheduling decision is one JSON line in
 * the format of `routesim run --decisions` (engine truth null: unknown live), written by the same
 * line builder (policies/harness/decisionRecord.ts); `routesim pick --from-decision FILE:LINE`
 * replays such a line and expects the logged pick — the stateful prefix scorer pinned to the logged
 * scores, so a line whose pick came from prefix affinity replays too, and a tampered line fails.
 * Sampling by request id is deterministic; flag mistakes are one line, exit 2.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPickerConfig } from '../policies/config/loader.js';
import type { LiveDecisionLine } from '../policies/harness/decisionLine.js';
import { sampledId } from '../policies/harness/decisionRecord.js';
import { parseDecisionLine, pickCaseFromDecision } from '../policies/harness/fromDecision.js';
import { runPickCase } from '../policies/harness/pickCase.js';
import { ExtProcClient } from '../live/picker/client.js';
import type { PickerServer } from '../live/picker/server.js';
import { MAIN, ROOT, routesim } from './cliHelpers.js';
import { startFakeMetrics, vllmText, type FakeMetrics, type FakeServer } from './helpers/fakeVllmMetrics.js';
import { long } from './helpers/longPrompt.js';
import { startLoopbackPicker } from './helpers/loopbackPicker.js';

const P1 = long('alpha', 60);

const opened: { picker: PickerServer; fakes: FakeServer[] }[] = [];
afterAll(async () => {
  for (const o of opened) {
    await o.picker.close();
    for (const f of o.fakes) await f.close();
  }
});

async function start(metrics: FakeMetrics[], sample: number, lines: string[]): Promise<{ picker: PickerServer; fakes: FakeServer[]; client: ExtProcClient }> {
  const fakes: FakeServer[] = [];
  for (const m of metrics) fakes.push(await startFakeMetrics(vllmText(m), `127.0.0.${2 + fakes.length}`));
  const pods = Object.fromEntries(fakes.map((f, i) => [`pod-${'abc'[i]}`, f]));
  const { picker, client } = await startLoopbackPicker(loadPickerConfig(null), pods, { decisions: { policy: 'gaie-default', sample, write: (l) => lines.push(l) } });
  await picker.scraper.scrapeAll();
  opened.push({ picker, fakes });
  return { picker, fakes, client };
}

async function send(c: ExtProcClient, id: string, prompt: string, complete: boolean): Promise<string> {
  const r = await c.route({ headers: { ':method': 'POST', ':path': '/v1/completions', 'x-request-id': id }, body: JSON.stringify({ model: 'sim-8b', prompt }) });
  if (r.kind !== 'routed') throw new Error(`not routed: ${JSON.stringify(r)}`);
  if (complete) await r.session.respond({ headers: { ':status': '200', 'content-type': 'text/event-stream' }, chunks: ['data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1}}\n\n', 'data: [DONE]\n\n'] });
  else r.session.close();
  return r.destination;
}

const replay = (line: LiveDecisionLine) => runPickCase(pickCaseFromDecision(line, undefined));

describe('routesim serve picker --decisions', () => {
  it('writes run --decisions lines (truth null) that routesim pick --from-decision replays to the logged pick', async () => {
    const lines: string[] = [];
    // GAIE default (queue 2, kv 2, prefix 3). queue scores over waiting 0,1,4: a 1, b 0.75, c 0; kv 1 − usage.
    //   r0 (new prompt): a 2 + 2·0.5 = 3.0, b 1.5 + 2·0.8 = 3.1, c 0 + 2·0.1 = 0.2 → pod-b.
    const { picker, fakes, client } = await start([{ waiting: 0, running: 2, kv: 0.5 }, { waiting: 1, running: 1, kv: 0.2 }, { waiting: 4, running: 3, kv: 0.9 }], 1, lines);
    const dest0 = await send(client, 'r0', P1, true);
    expect(dest0).toBe(fakes[1]!.address);
    // New scrape: a's KV 0.3, b's 0.5 → metrics alone: a 2 + 1.4 = 3.4, b 1.5 + 1.0 = 2.5 → pod-a; but r1 shares
    // P1 with r0, indexed on pod-b: b 2.5 + 3·prefix wins once prefix > 0.3 → pod-b (affinity beats load).
    fakes[0]!.text = vllmText({ waiting: 0, running: 2, kv: 0.3 });
    fakes[1]!.text = vllmText({ waiting: 1, running: 1, kv: 0.5 });
    await picker.scraper.scrapeAll();
    const dest1 = await send(client, 'r1', `${P1} and a different question at the end`, false);
    expect(dest1).toBe(fakes[1]!.address);
    client.close();

    expect(lines).toHaveLength(2);
    const [l0, l1] = lines.map((l) => parseDecisionLine(l) as LiveDecisionLine);
    for (const l of [l0!, l1!]) {
      expect(l.v).toBe(1);
      expect(l.policy).toBe('gaie-default');
      expect(l.pool).toBe(0);
      expect(l.request.inputTokens).toBeNull();
      expect(l.candidates.map((c) => c.truth)).toEqual([null, null, null]);
      expect('counterfactual' in l).toBe(false);
      expect('regret' in l).toBe(false);
      expect(l.request.arrivalUs).toBeLessThanOrEqual(l.timeUs);
      expect(l.primaryProfile).toBe('default');
      for (const c of l.candidates) expect(c.scraped!.ageMs).toBeGreaterThanOrEqual(0);
    }
    expect(l0!.request).toMatchObject({ id: 'r0', model: 'sim-8b', targetModel: 'sim-8b', priority: 0 });
    expect(l0!.request.headers).toMatchObject({ ':path': '/v1/completions', 'x-request-id': 'r0' });
    // the scraped view is what the fakes served
    expect(l0!.candidates.map((c) => [c.name, c.scraped!.waiting, c.scraped!.running, c.scraped!.kvUsage, c.scraped!.blockSize, c.scraped!.numGpuBlocks])).toEqual([
      ['pod-a', 0, 2, 0.5, 16, 2048],
      ['pod-b', 1, 1, 0.2, 16, 2048],
      ['pod-c', 4, 3, 0.9, 16, 2048],
    ]);
    expect(l0!.pick).toBe('pod-b');
    const t0 = l0!.profiles[0]!.totals;
    expect([t0['pod-a'], t0['pod-b'], t0['pod-c']].map((x) => Math.round(x! * 1000) / 1000)).toEqual([3, 3.1, 0.2]);
    expect(l1!.pick).toBe('pod-b');
    const prefix = l1!.profiles[0]!.scorers.find((s) => s.type === 'prefix-cache-scorer')!;
    expect(prefix.scores['pod-a']).toBe(0);
    expect(prefix.scores['pod-b']).toBeGreaterThan(0.3);

    // the pick harness replays both lines to the logged picks
    for (const l of [l0!, l1!]) {
      const out = replay(l);
      expect(out.mismatches).toEqual([]);
      expect(out.results[0]!.target).toBe(l.pick);
    }
    // and the check can fail: without pod-b's prefix hit, metrics alone pick pod-a
    const tampered = JSON.parse(lines[1]!) as LiveDecisionLine;
    tampered.profiles[0]!.scorers.find((s) => s.type === 'prefix-cache-scorer')!.scores['pod-b'] = 0;
    expect(replay(tampered).results[0]!.target).toBe('pod-a');
    expect(replay(tampered).mismatches.length).toBeGreaterThan(0);

    // the CLI: routesim pick --from-decision FILE:LINE exits 0 on the live lines, 1 on the tampered one
    const dir = mkdtempSync(join(tmpdir(), 'routesim-live-decisions-'));
    const file = join(dir, 'live.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n${JSON.stringify(tampered)}\n`);
    for (const n of [1, 2]) {
      const r = routesim(['pick', '--from-decision', `${file}:${n}`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).results[0].target).toBe('pod-b');
    }
    const bad = routesim(['pick', '--from-decision', `${file}:3`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/expect\.pick: expected "?pod-b"?, got "?pod-a"?/);
  });

  it('--decisions-sample writes the requests chosen by a hash of the seed and the id (deterministic)', async () => {
    const lines: string[] = [];
    const { client } = await start([{ waiting: 0, running: 0, kv: 0.1 }, { waiting: 0, running: 0, kv: 0.2 }], 0.5, lines);
    const ids = Array.from({ length: 40 }, (_, i) => `req-${i}`);
    for (const id of ids) await send(client, id, `question ${id}`, true);
    client.close();
    const written = lines.map((l) => (JSON.parse(l) as LiveDecisionLine).request.id);
    expect(written).toEqual(ids.filter((id) => sampledId(1, id, 0.5)));
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(40);
    // the share over many ids is the rate (10,000 draws: sd 0.005, bounds at 4 sd)
    const many = Array.from({ length: 10000 }, (_, i) => sampledId(1, `id-${i}`, 0.25)).filter(Boolean).length / 10000;
    expect(Math.abs(many - 0.25)).toBeLessThan(0.02);
    // another seed chooses other requests
    expect(ids.filter((id) => sampledId(2, id, 0.5))).not.toEqual(ids.filter((id) => sampledId(1, id, 0.5)));
  });

  it('flow control: a request queued at 0 and released by the scrape at 100 ms is logged once, at its release, and replays', async () => {
    const config = `apiVersion: inference.networking.x-k8s.io/v1alpha1
kind: EndpointPickerConfig
featureGates: [flowControl]
plugins:
- type: queue-scorer
flowControl:
  defaultRequestTTL: 1s
`;
    const a = await startFakeMetrics(vllmText({ waiting: 10, running: 0, kv: 0 }), '127.0.0.2');
    const b = await startFakeMetrics(vllmText({ waiting: 12, running: 0, kv: 0 }), '127.0.0.3');
    const lines: string[] = [];
    let now = 0;
    const { picker, client: c } = await startLoopbackPicker(loadPickerConfig({ text: config }), { a, b }, { nowUs: () => now, autoScrape: false, decisions: { policy: 'fc', sample: 1, write: (l) => lines.push(l) } });
    opened.push({ picker, fakes: [a, b] });
    await picker.scraper.scrapeAll();
    // saturation mean(10/5, 12/5) = 2.2 ≥ 1 → queued, no scheduling cycle yet
    const pending = c.route({ headers: { ':path': '/v1/completions', 'x-request-id': 'q1' }, body: JSON.stringify({ model: 'llama', prompt: 'hi' }) });
    for (let i = 0; i < 100 && picker.core.queued === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(picker.core.queued).toBe(1);
    expect(lines).toHaveLength(0);
    // at 100 ms a scrape shows a 1, b 3 (saturation 0.4): released, queue scores a 1, b 0 → a
    now = 100_000;
    a.text = vllmText({ waiting: 1, running: 0, kv: 0 });
    b.text = vllmText({ waiting: 3, running: 0, kv: 0 });
    await picker.scraper.scrapeAll();
    const r = await pending;
    expect(r.kind === 'routed' && r.destination).toBe(a.address);
    if (r.kind === 'routed') r.session.close();
    c.close();
    expect(lines).toHaveLength(1);
    const l = JSON.parse(lines[0]!) as LiveDecisionLine;
    expect([l.request.id, l.request.arrivalUs, l.timeUs, l.pick]).toEqual(['q1', 0, 100_000, 'a']);
    expect(l.candidates.map((x) => [x.name, x.scraped!.waiting, x.scraped!.ageMs])).toEqual([['a', 1, 0], ['b', 3, 0]]);
    expect(l.profiles[0]!.scorers[0]!.scores).toEqual({ a: 1, b: 0 });
    const out = runPickCase(pickCaseFromDecision(l, config));
    expect(out.mismatches).toEqual([]);
    expect(out.results[0]!.target).toBe('a');
  });

  it('the built CLI: serve picker --decisions FILE writes the line; pick --from-decision replays it', async () => {
    // GAIE default: equal queues score alike, kv-cache 1 − KV: pod-a 0.3, pod-b 0.8 (×2), new prompt → pod-b.
    const a = await startFakeMetrics(vllmText({ waiting: 0, running: 0, kv: 0.7 }), '127.0.0.2');
    const b = await startFakeMetrics(vllmText({ waiting: 0, running: 0, kv: 0.2 }), '127.0.0.3');
    const dir = mkdtempSync(join(tmpdir(), 'routesim-live-decisions-'));
    const file = join(dir, 'd.jsonl');
    const child = spawn(process.execPath, [MAIN, 'serve', 'picker', '--insecure', '--port', '0', '--http-port', '0', '--endpoint', `pod-a=${a.address}`, '--endpoint', `pod-b=${b.address}`, '--refresh-metrics-interval', '20ms', '--decisions', file], { cwd: ROOT });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    let stderr = '';
    const port = await new Promise<number>((res, rej) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /ext_proc on [^:]+:(\d+) /.exec(stderr);
        if (m) res(Number(m[1]));
      });
      void exited.then((code) => rej(new Error(`exited ${code}: ${stderr}`)));
    });
    await new Promise((r) => setTimeout(r, 200));
    const c = new ExtProcClient(`127.0.0.1:${port}`, { insecure: true });
    expect(await send(c, 'cli-1', 'hello', true)).toBe(b.address);
    c.close();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await a.close();
    await b.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(1);
    const l = JSON.parse(lines[0]!) as LiveDecisionLine;
    expect([l.policy, l.request.id, l.pick]).toEqual(['default', 'cli-1', 'pod-b']);
    const r = routesim(['pick', '--from-decision', `${file}:1`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0].target).toBe('pod-b');
  });

  it('flag mistakes are one line, exit 2', () => {
    const a = routesim(['serve', 'picker', '--insecure', '--decisions-sample', '0.5']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--decisions-sample: only meaningful with --decisions/);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    const b = routesim(['serve', 'picker', '--insecure', '--decisions', join(tmpdir(), 'x.jsonl'), '--decisions-sample', '2']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--decisions-sample.*not a share in \(0, 1\]/);
    const c = routesim(['serve', 'picker', '--insecure', '--decisions', '/no/such/dir/d.jsonl']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--decisions.*cannot write the file/);
  });
});
