/**
 * The live picker on the wire (live.md §1.7, §2): destination header + `envoy.lb` metadata that
 * agree, the body re-emitted in 62,000-byte streamed chunks, BUFFERED mode, body-less requests,
 * the production error answers (503 empty pool / subset, 400 bad bodies, 500 body-less with no
 * pods), malformed gRPC messages (a stream error, the server lives on), the response path
 * (usage, response-complete hooks, in-flight counters), TLS with the self-signed certificate,
 * endpoints-file reload, its own /metrics and /health, and bounded state over a sustained loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadPickerConfig } from '../policies/config/loader.js';
import { ExtProcClient } from '../live/picker/client.js';
import { loadProtos } from '../live/picker/proto.js';
import { startPickerServer, type PickerServer } from '../live/picker/server.js';
import { loadEndpointsFile } from '../live/picker/endpoints.js';
import { usageInJson, usageInSseChunk } from '../live/picker/responseUsage.js';
import { startFakeMetrics, vllmText, type FakeServer } from './helpers/fakeVllmMetrics.js';

const fakes: FakeServer[] = [];
const pickers: PickerServer[] = [];
const clients: ExtProcClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of pickers) await p.close();
  for (const f of fakes) await f.close();
});

async function picker(endpoints: FakeServer[], extra: Partial<Parameters<typeof startPickerServer>[0]> = {}): Promise<{ p: PickerServer; c: ExtProcClient }> {
  const p = await startPickerServer({
    config: loadPickerConfig(null),
    endpoints: endpoints.map((f, i) => ({ name: `pod-${i}`, address: f.address, labels: {} })),
    grpcPort: 0,
    httpPort: 0,
    refreshMetricsMs: 50,
    insecure: true,
    ...extra,
  });
  pickers.push(p);
  await p.scraper.scrapeAll();
  const c = new ExtProcClient(`127.0.0.1:${p.grpcPort}`, p.pem ? { caPem: p.pem.cert } : { insecure: true });
  clients.push(c);
  return { p, c };
}

const COMPLETIONS = { ':method': 'POST', ':path': '/v1/completions', 'content-type': 'application/json' };
let A: FakeServer;
let B: FakeServer;
beforeAll(async () => {
  // pod-0: waiting 0, KV 0.1; pod-1: waiting 5, KV 0.9 → the default config picks pod-0 (queue 1 vs 0, KV 0.9 vs 0.1).
  A = await startFakeMetrics(vllmText({ waiting: 0, running: 1, kv: 0.1 }), '127.0.0.2');
  B = await startFakeMetrics(vllmText({ waiting: 5, running: 4, kv: 0.9 }), '127.0.0.3');
  fakes.push(A, B);
});

describe('Endpoint Picker Protocol answers', () => {
  it('header and envoy.lb metadata agree; a 130,000-byte body comes back in 62,000-byte chunks (3), byte for byte', async () => {
    const { c } = await picker([A, B]);
    const body = JSON.stringify({ model: 'm', prompt: 'x'.repeat(130_000 - 25) });
    expect(body.length).toBe(130_000);
    const r = await c.route({ headers: COMPLETIONS, body, chunkBytes: 10_000 });
    expect(r.kind).toBe('routed');
    if (r.kind !== 'routed') return;
    expect(r.destination).toBe(A.address);
    expect(r.metadataDestination).toBe(A.address);
    expect(r.body.toString()).toBe(body);
    r.session.close();
  });

  it('BUFFERED request body: one body answer carrying the destination and the whole body', async () => {
    const { c } = await picker([A, B]);
    const body = JSON.stringify({ model: 'm', prompt: 'hello' });
    const r = await c.route({ headers: COMPLETIONS, body, bodyMode: 'BUFFERED' });
    expect(r.kind === 'routed' && [r.destination, r.metadataDestination, r.body.toString()]).toEqual([A.address, A.address, body]);
    if (r.kind === 'routed') r.session.close();
  });

  it('body-less request (GET): a pool endpoint at once; with no pods a 500', async () => {
    const { c } = await picker([A, B]);
    const r = await c.route({ headers: { ':method': 'GET', ':path': '/v1/models' } });
    expect(r.kind === 'routed' && [A.address, B.address].includes(r.destination)).toBe(true);
    if (r.kind === 'routed') r.session.close();
    const { c: empty } = await picker([]);
    const e = await empty.route({ headers: { ':method': 'GET', ':path': '/v1/models' } });
    expect(e.kind === 'immediate' && [e.status, e.body]).toEqual([500, 'inference error: Internal - no pods available in datastore']);
  });
});

describe('production error answers', () => {
  it('no endpoints → 503', async () => {
    const { c } = await picker([]);
    const r = await c.route({ headers: COMPLETIONS, body: JSON.stringify({ model: 'm', prompt: 'hi' }) });
    expect(r.kind === 'immediate' && [r.status, r.body]).toEqual([503, 'inference error: ServiceUnavailable - no endpoints available in the pool']);
  });

  it('a subset hint naming no pool endpoint → 503; naming pod-1 → pod-1 although pod-0 scores higher', async () => {
    const { c } = await picker([A, B]);
    const body = JSON.stringify({ model: 'm', prompt: 'hi' });
    const none = await c.route({ headers: COMPLETIONS, body, subset: ['10.9.9.9:8000'] });
    expect(none.kind === 'immediate' && [none.status, none.body]).toEqual([503, 'inference error: ServiceUnavailable - no endpoint of the requested subset is available']);
    const only = await c.route({ headers: COMPLETIONS, body, subset: [B.address] });
    expect(only.kind === 'routed' && only.destination).toBe(B.address);
    if (only.kind === 'routed') only.session.close();
  });

  it('a client-sent subset header is ignored (the subset comes from proxy metadata only)', async () => {
    const { c } = await picker([A, B]);
    const r = await c.route({ headers: { ...COMPLETIONS, 'x-gateway-destination-endpoint-subset': B.address }, body: JSON.stringify({ model: 'm', prompt: 'hi' }) });
    expect(r.kind === 'routed' && r.destination).toBe(A.address);
    if (r.kind === 'routed') r.session.close();
  });

  it.each([
    ['not JSON', COMPLETIONS, 'model=m&prompt=hi', /^inference error: BadRequest - error unmarshaling request body: /],
    ['a JSON array', COMPLETIONS, '[1,2]', /^inference error: BadRequest - request body is not a JSON object$/],
    ['no model', COMPLETIONS, '{"prompt":"hi"}', /^inference error: BadRequest - model not found in request body$/],
    ['empty prompt', COMPLETIONS, '{"model":"m","prompt":""}', /non-empty prompt/],
    ['chat without messages', { ...COMPLETIONS, ':path': '/v1/chat/completions' }, '{"model":"m","messages":[]}', /at least one message/],
  ])('%s → 400', async (_what, headers, body, text) => {
    const { c } = await picker([A, B]);
    const r = await c.route({ headers, body });
    expect(r.kind).toBe('immediate');
    if (r.kind === 'immediate') {
      expect(r.status).toBe(400);
      expect(r.body).toMatch(text);
    }
  });

  it('a malformed gRPC message ends that stream with a gRPC error; the picker answers the next request', async () => {
    const { p, c } = await picker([A, B]);
    const raw = new grpc.Client(`127.0.0.1:${p.grpcPort}`, grpc.credentials.createInsecure());
    const call = raw.makeBidiStreamRequest('/envoy.service.ext_proc.v3.ExternalProcessor/Process', (b: Buffer) => b, (b: Buffer) => b);
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      call.on('status', resolve);
      call.on('error', () => {});
      call.on('data', () => {});
      // field 2 (request_headers, length-delimited) claiming 100 bytes but carrying 3: not a ProcessingRequest
      call.write(Buffer.from([0x12, 0x64, 0x01, 0x02, 0x03]));
    });
    raw.close();
    expect(status.code).toBe(grpc.status.INTERNAL);
    const ok = await c.route({ headers: COMPLETIONS, body: JSON.stringify({ model: 'm', prompt: 'hi' }) });
    expect(ok.kind).toBe('routed');
    if (ok.kind === 'routed') ok.session.close();
  });

  it('a ProcessingRequest with no request member → INVALID_ARGUMENT', async () => {
    const { c } = await picker([A, B]);
    const s = c.open();
    s.send({ observability_mode: false });
    const e = await s.next();
    expect('end' in e && e.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe('response path', () => {
  it('usage: last SSE data line with usage wins, [DONE] skipped; JSON body; input/output token names', () => {
    expect(usageInSseChunk('data: {"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\ndata: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}}\n\ndata: [DONE]\n\n')).toEqual({ promptTokens: 12, completionTokens: 3 });
    expect(usageInJson('{"usage":{"input_tokens":4,"output_tokens":5}}')).toEqual({ promptTokens: 4, completionTokens: 5 });
    expect(usageInSseChunk('data: {"usage": {"prompt_tok')).toBeNull();
  });

  it('response chunks are echoed in order, the eos chunk completes the request (in-flight back to 0); a stream dropped after the pick completes too', async () => {
    const { p, c } = await picker([A, B]);
    const body = JSON.stringify({ model: 'm', prompt: 'hi', stream: true });
    const r = await c.route({ headers: COMPLETIONS, body });
    if (r.kind !== 'routed') throw new Error('not routed');
    expect(p.core.inFlight).toBe(1);
    const chunks = ['data: {"choices":[{"text":"a"}]}\n\n', 'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\n', 'data: [DONE]\n\n'];
    const answers = await r.session.respond({ headers: { ':status': '200', 'content-type': 'text/event-stream' }, chunks, trailers: { 'grpc-status': '0' } });
    expect(answers.length).toBe(1 + 3 + 1);
    expect(answers.slice(1, 4).map((a) => Buffer.from(a.response_body!.response!.body_mutation!.streamed_response!.body).toString())).toEqual(chunks);
    expect(answers.slice(1, 4).map((a) => a.response_body!.response!.body_mutation!.streamed_response!.end_of_stream)).toEqual([false, false, true]);
    expect(p.core.inFlight).toBe(0);

    const dropped = await c.route({ headers: COMPLETIONS, body });
    if (dropped.kind !== 'routed') throw new Error('not routed');
    expect(p.core.inFlight).toBe(1);
    dropped.session.close();
    for (let i = 0; i < 50 && p.core.inFlight > 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(p.core.inFlight).toBe(0);
  });
});

describe('response headers from plugins', () => {
  it('v0.10 session affinity: the response headers answer carries x-session-token = base64("default/<pick>"); sending it back pins the pod', async () => {
    const config = loadPickerConfig({ text: `apiVersion: llm-d.ai/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: session-affinity-scorer
- type: queue-scorer
schedulingProfiles: [{name: default, plugins: [{pluginRef: session-affinity-scorer, weight: 10}, {pluginRef: queue-scorer}]}]
` }, { allowExperimentalPlugins: true });
    const { c } = await picker([A, B], { config });
    const body = JSON.stringify({ model: 'm', prompt: 'hi' });
    // no token: session 0 everywhere; queue: pod-0 (waiting 0) 1, pod-1 (waiting 5) 0 → pod-0
    const r = await c.route({ headers: COMPLETIONS, body });
    if (r.kind !== 'routed') throw new Error('not routed');
    expect(r.destination).toBe(A.address);
    const answers = await r.session.respond({ headers: { ':status': '200' }, chunks: ['{}'] });
    const set = answers[0]!.response_headers!.response!.header_mutation!.set_headers!;
    expect(set.map((h) => [h.header.key, Buffer.from(h.header.raw_value!).toString()])).toEqual([['x-session-token', Buffer.from('default/pod-0').toString('base64')]]);
    // token of pod-1: session 10·1 + queue 0 = 10 > pod-0's 0 + 1 → pod-1
    const back = await c.route({ headers: { ...COMPLETIONS, 'x-session-token': Buffer.from('default/pod-1').toString('base64') }, body });
    expect(back.kind === 'routed' && back.destination).toBe(B.address);
    if (back.kind === 'routed') back.session.close();
  });
});

describe('serving', () => {
  it('TLS with the self-signed certificate: a client trusting it is answered; a plaintext client and a client trusting only the system CAs are not', async () => {
    const { p, c } = await picker([A, B], { insecure: false });
    expect(p.pem!.cert).toContain('BEGIN CERTIFICATE');
    const ok = await c.route({ headers: COMPLETIONS, body: JSON.stringify({ model: 'm', prompt: 'hi' }) });
    expect(ok.kind).toBe('routed');
    if (ok.kind === 'routed') ok.session.close();
    for (const opts of [{ insecure: true }, {}]) {
      const bad = new ExtProcClient(`127.0.0.1:${p.grpcPort}`, opts);
      clients.push(bad);
      const r = await bad.route({ headers: COMPLETIONS, body: '{}' });
      expect(r.kind === 'grpc-error' && r.code).toBe(grpc.status.UNAVAILABLE);
    }
  });

  it('grpc.health.v1.Health/Check answers SERVING (1) for the ext_proc service name', async () => {
    const { p } = await picker([A, B]);
    const Health = loadProtos().health;
    const h = new Health(`127.0.0.1:${p.grpcPort}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Check(req: object, cb: (err: Error | null, res: { status: number }) => void): void };
    const res = await new Promise<{ status: number }>((resolve, reject) => h.Check({ service: 'envoy.service.ext_proc.v3.ExternalProcessor' }, (err, r) => (err ? reject(err) : resolve(r))));
    h.close();
    expect(res.status).toBe(1);
  });

  it('/health and /metrics (picker counters) on the HTTP port', async () => {
    const { p, c } = await picker([A, B]);
    const r = await c.route({ headers: COMPLETIONS, body: JSON.stringify({ model: 'm', prompt: 'hi' }) });
    if (r.kind === 'routed') r.session.close();
    await c.route({ headers: COMPLETIONS, body: 'nope' });
    const base = `http://127.0.0.1:${p.httpPort}`;
    expect(await (await fetch(`${base}/health`)).text()).toBe('ok');
    const m = await (await fetch(`${base}/metrics`)).text();
    expect(m).toContain('routesim_picker_requests_total 1\n'); // the 400 never reached the director
    expect(m).toContain('routesim_picker_dispatched_total 1\n');
    expect(m).toContain('routesim_picker_endpoints 2\n');
  });

  it('endpoints file: read at start, re-read when replaced (atomic rename)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-eps-'));
    const file = join(dir, 'endpoints.yaml');
    const [ha, pa] = A.address.split(':');
    const [hb, pb] = B.address.split(':');
    writeFileSync(file, `endpoints:\n- {name: pod-b, address: ${hb}, port: "${pb}"}\n`);
    const { p, c } = await picker([], { endpoints: loadEndpointsFile(file).endpoints, endpointsFile: file });
    await p.scraper.scrapeAll();
    const first = await c.route({ headers: COMPLETIONS, body: JSON.stringify({ model: 'm', prompt: 'hi' }) });
    expect(first.kind === 'routed' && first.destination).toBe(B.address);
    if (first.kind === 'routed') first.session.close();
    writeFileSync(`${file}.tmp`, `endpoints:\n- {name: pod-a, address: ${ha}, port: "${pa}"}\n- {name: pod-b, address: ${hb}, port: "${pb}"}\n`);
    renameSync(`${file}.tmp`, file);
    for (let i = 0; i < 100 && p.scraper.pool.length < 2; i++) await new Promise((res) => setTimeout(res, 50));
    expect(p.scraper.pool.map((e) => e.name)).toEqual(['pod-a', 'pod-b']);
    await p.scraper.scrapeAll();
    const second = await c.route({ headers: COMPLETIONS, body: JSON.stringify({ model: 'm', prompt: 'hi' }) });
    expect(second.kind === 'routed' && second.destination).toBe(A.address);
    if (second.kind === 'routed') second.session.close();
  });

  it('endpoints file problems: one line naming the entry and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-eps-'));
    const file = join(dir, 'e.yaml');
    writeFileSync(file, 'endpoints:\n- {name: a, address: 10.0.0.1, port: "8000"}\n- {name: b, address: 10.0.0.2}\n');
    const r = loadEndpointsFile(file);
    expect(r.endpoints.map((e) => e.address)).toEqual(['10.0.0.1:8000']);
    expect(r.problems).toEqual([`${file}: endpoints[1].port: missing or not 1–65535 (fix: quote it: port: "8000")`]);
  });

  it('endpoints file: a name in two namespaces is one problem (the picker names endpoints by name)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-eps-'));
    const file = join(dir, 'e.yaml');
    writeFileSync(file, 'endpoints:\n- {name: a, namespace: x, address: 10.0.0.1, port: "8000"}\n- {name: a, namespace: y, address: 10.0.0.2, port: "8000"}\n- {name: a, namespace: x, address: 10.0.0.3, port: "8000"}\n');
    const r = loadEndpointsFile(file);
    expect(r.endpoints.map((e) => e.address)).toEqual(['10.0.0.1:8000']);
    expect(r.problems).toEqual([
      `${file}: endpoints[1].name: endpoint name "a" used in namespaces "x" and "y" (the picker names endpoints by name) (fix: give each endpoint its own name)`,
      `${file}: endpoints[2].name: endpoint "x/a" listed twice (fix: give each endpoint its own name)`,
    ]);
  });

  it('40 concurrent streams: every one answered, 40 in flight, 0 once they end', async () => {
    const { p, c } = await picker([A, B]);
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => c.route({ headers: { ...COMPLETIONS, 'x-request-id': `par-${i}` }, body: JSON.stringify({ model: 'm', prompt: `p${i}` }), chunkBytes: 5 })));
    expect(rs.every((r) => r.kind === 'routed')).toBe(true);
    expect(p.core.inFlight).toBe(40);
    for (const r of rs) if (r.kind === 'routed') r.session.close();
    for (let i = 0; i < 100 && p.core.inFlight > 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(p.core.inFlight).toBe(0);
  });

  it('bounded state over a sustained loop: 1,000 requests (completed, dropped, rejected) leave nothing in flight and no plugin state', async () => {
    const { p, c } = await picker([A, B]);
    const before = process.memoryUsage().heapUsed;
    const N = 1000;
    for (let i = 0; i < N; i++) {
      const body = i % 10 === 9 ? 'not json' : JSON.stringify({ model: 'm', prompt: `request ${i} ${'lorem ipsum '.repeat(i % 50)}` });
      const r = await c.route({ headers: { ...COMPLETIONS, 'x-request-id': `loop-${i}` }, body });
      if (r.kind !== 'routed') continue;
      if (i % 2 === 0) await r.session.respond({ headers: { ':status': '200', 'content-type': 'application/json' }, chunks: ['{"usage":{"prompt_tokens":3,"completion_tokens":1}}'] });
      else r.session.close();
    }
    for (let i = 0; i < 100 && p.core.inFlight > 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(p.core.inFlight).toBe(0);
    expect(p.core.queued).toBe(0);
    expect(p.core.picker.pluginState.size).toBe(0);
    expect(p.core.counters.requests).toBe(N - N / 10);
    // heap growth over the loop stays far below what keeping every request would cost
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 << 20);
  });
});
