/**
 * The end-to-end proof of issue 16 ("the same code"), on loopback: a mock vLLM fleet (`serve
 * engine`, 4 replicas at speed-up 5), the live picker (`serve picker`, GAIE default config,
 * endpoints from a file, scrape every 20 ms, `--decisions` log) pointed at it, and the test playing
 * the gateway — the ext_proc client sends each request's headers and body, an HTTP forwarder sends
 * the body to the picked pod (`x-gateway-destination-endpoint`) and streams the SSE response back
 * through the picker's response path (so response-complete hooks run), 8 requests at a time.
 * 60 requests: 4 families sharing a long prompt prefix (prefix affinity matters), unique prompts,
 * chat and completions, each asking for its own token count (ignore_eos).
 *
 * Asserted: EVERY live pick equals what the pick harness (`routesim pick --from-decision`, in
 * process) decides for the same request and the same scraped metrics (from the decision log), and
 * what it decides for the whole run replayed as one pick case with nothing pinned (prompts in
 * decision order, each with its scraped metrics: the prefix index rebuilt by the same hooks); the
 * log's view is really live (queues differ between pods, later family members see prefix hits);
 * every forwarded response is well-formed SSE with exactly the requested token count; every
 * request completed in the picker (nothing left in flight).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPickerConfig } from '../policies/config/loader.js';
import type { LiveDecisionLine } from '../policies/harness/decisionLine.js';
import { parseDecisionLine, pickCaseFromDecision } from '../policies/harness/fromDecision.js';
import { runPickCase } from '../policies/harness/pickCase.js';
import { parseScenario } from '../sim/scenario/load.js';
import { startEngineService, type EngineService } from '../live/engine/engineService.js';
import { ExtProcClient, headerMap, type Session } from '../live/picker/client.js';
import { loadEndpointsFile } from '../live/picker/endpoints.js';
import { startPickerServer, type PickerServer } from '../live/picker/server.js';
import { long } from './helpers/longPrompt.js';

const MODEL = 'Llama-3.1-8B';
const SCENARIO = `name: e2e
seed: 7
requests: 1
fleet:
  replicas: 4
  gpu: H100
  model: ${MODEL}
  tp: 1
  engine: {max_num_seqs: 2, max_num_batched_tokens: 2048, enable_prefix_caching: true, num_gpu_blocks: 1000}
step_time:
  model: linear
  coefficients: {beta0_us: 20000, beta1_us_per_prefill_token: 100, beta2_us_per_decode_token: 1000}
  overheads: {alpha0_us: 10000, alpha1_us: 10000, alpha2_us: 5000}
workload:
  arrival: {process: poisson, rate: 1}
  input: {dist: normal, mean: 256, std: 100, min: 2, max: 800}
  output: {dist: normal, mean: 16, std: 4, min: 1, max: 64}
policies: [round-robin]
`;

const FAMILIES = ['alpha', 'bravo', 'charlie', 'delta'].map((f) => long(f, 30));

interface Req {
  readonly id: string;
  readonly family: number | null;
  readonly chat: boolean;
  readonly tokens: number;
  readonly body: string;
}

/** 60 requests: i % 5 < 4 → family i % 4 with its own tail, else a unique prompt; every 6th is chat; tokens 4 + i % 13. */
function requests(): Req[] {
  return Array.from({ length: 60 }, (_, i) => {
    const family = i % 5 < 4 ? i % 4 : null;
    const text = family === null ? `a unique question number ${i} about something else entirely` : `${FAMILIES[family]} Question ${i}: what follows?`;
    const chat = i % 6 === 5;
    const tokens = 4 + (i % 13);
    const common = { model: MODEL, max_tokens: tokens, ignore_eos: true, stream: true, stream_options: { include_usage: true } };
    const body = JSON.stringify(chat ? { ...common, messages: [{ role: 'user', content: text }] } : { ...common, prompt: text });
    return { id: `e2e-${i}`, family, chat, tokens, body };
  });
}

let engine: EngineService | null = null;
let picker: PickerServer | null = null;
afterAll(async () => {
  await picker?.close();
  await engine?.stop();
});

/** Plays the response path of `s` with the pod's streamed answer; returns what the client receives (the picker's echo). */
async function forward(s: Session, destination: string, path: string, body: Buffer): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://${destination}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const echoed: Buffer[] = [];
  const answer = async (): Promise<void> => {
    const e = await s.next();
    if ('end' in e) throw new Error(`the picker ended the stream early (${e.code} ${e.details})`);
    const sr = e.msg.response_body?.response?.body_mutation?.streamed_response;
    if (sr?.body) echoed.push(Buffer.from(sr.body));
  };
  s.send({ response_headers: { headers: headerMap({ ':status': String(res.status), 'content-type': res.headers.get('content-type') ?? '' }), end_of_stream: false } });
  await answer();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    s.send({ response_body: { body: Buffer.from(chunk), end_of_stream: false } });
    await answer();
  }
  s.send({ response_body: { body: Buffer.alloc(0), end_of_stream: true } });
  await answer();
  s.call.end();
  return { status: res.status, text: Buffer.concat(echoed).toString('utf8') };
}

/** Checks an OpenAI SSE stream: `data: <json>` events, one blank line after each, `[DONE]` last; returns the text and the usage. */
function parseSse(text: string, chat: boolean): { content: string; completionTokens: number; finish: string | null } {
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  const events = text.split('\n\n');
  expect(events.pop()).toBe('');
  let content = '';
  let usage: { completion_tokens: number } | null = null;
  let finish: string | null = null;
  for (const [k, ev] of events.entries()) {
    expect(ev.startsWith('data: ')).toBe(true);
    const data = ev.slice(6);
    if (k === events.length - 1) {
      expect(data).toBe('[DONE]');
      continue;
    }
    const doc = JSON.parse(data) as { object: string; choices: { text?: string; delta?: { content?: string }; finish_reason: string | null }[]; usage?: { completion_tokens: number } };
    expect(doc.object).toBe(chat ? 'chat.completion.chunk' : 'text_completion');
    for (const c of doc.choices) {
      content += chat ? (c.delta?.content ?? '') : (c.text ?? '');
      if (c.finish_reason !== null) finish = c.finish_reason;
    }
    if (doc.usage) usage = doc.usage;
  }
  return { content, completionTokens: usage?.completion_tokens ?? -1, finish };
}

describe('end to end on loopback: mock vLLM fleet, live picker, gateway played by the test', () => {
  it('every live pick equals the pick harness on the logged request and scraped metrics; responses are whole SSE', async () => {
    engine = await startEngineService(parseScenario(SCENARIO, 'e2e.yaml'), { speedup: 5, seed: 7, errorRate: 0, slowFactors: new Map(), loraModules: [], naturalTokensMax: 256, host: '127.0.0.1', basePort: 0, enableAdmin: false });
    expect(engine.endpoints).toHaveLength(4);
    const dir = mkdtempSync(join(tmpdir(), 'routesim-e2e-'));
    const file = join(dir, 'endpoints.yaml');
    writeFileSync(file, `endpoints:\n${engine.endpoints.map((e) => `- {name: ${e.name}, address: ${e.host}, port: "${e.port}"}`).join('\n')}\n`);
    const eps = loadEndpointsFile(file);
    expect(eps.problems).toEqual([]);
    const lines: string[] = [];
    picker = await startPickerServer({
      config: loadPickerConfig(null),
      endpoints: eps.endpoints,
      endpointsFile: file,
      grpcPort: 0,
      httpPort: null,
      refreshMetricsMs: 20,
      insecure: true,
      decisions: { policy: 'gaie-default', sample: 1, write: (l) => lines.push(l) },
    });
    await picker.scraper.scrapeAll();
    const nameOf = new Map(eps.endpoints.map((e) => [e.address, e.name]));
    const client = new ExtProcClient(`127.0.0.1:${picker.grpcPort}`, { insecure: true });

    const reqs = requests();
    const livePick = new Map<string, string>();
    const answers = new Map<string, { status: number; text: string }>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < reqs.length) {
        const q = reqs[next++]!;
        const path = q.chat ? '/v1/chat/completions' : '/v1/completions';
        const r = await client.route({ headers: { ':method': 'POST', ':path': path, 'content-type': 'application/json', 'x-request-id': q.id }, body: q.body, chunkBytes: 512 });
        if (r.kind !== 'routed') throw new Error(`${q.id} not routed: ${JSON.stringify(r)}`);
        expect(r.metadataDestination).toBe(r.destination);
        expect(r.body.toString('utf8')).toBe(q.body);
        livePick.set(q.id, nameOf.get(r.destination)!);
        answers.set(q.id, await forward(r.session, r.destination, path, r.body));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    client.close();

    // every forwarded response: 200, well-formed SSE, exactly the requested tokens (4-character filler words)
    for (const q of reqs) {
      const a = answers.get(q.id)!;
      expect(a.status).toBe(200);
      const sse = parseSse(a.text, q.chat);
      expect(sse.completionTokens).toBe(q.tokens);
      expect(sse.content.length).toBe(4 * q.tokens);
      expect(sse.finish).toBe('length');
    }
    // the response path ran for every request: all completed in the picker, none in flight
    expect(picker.core.counters.completed).toBe(60);
    expect(picker.core.inFlight).toBe(0);

    // one decision line per request, with the live pick
    expect(lines).toHaveLength(60);
    const logged = lines.map((l) => parseDecisionLine(l) as LiveDecisionLine);
    expect(new Set(logged.map((l) => l.request.id))).toEqual(new Set(reqs.map((q) => q.id)));
    for (const l of logged) expect(l.pick).toBe(livePick.get(l.request.id));

    // THE check: the pick harness, fed the logged request and scraped metrics, picks what the live picker picked
    const replayed = logged.map((l) => runPickCase(pickCaseFromDecision(l, undefined)));
    expect(replayed.map((r) => r.results[0]!.target ?? null)).toEqual(logged.map((l) => l.pick));
    expect(replayed.flatMap((r) => r.mismatches)).toEqual([]);

    // Stronger still, nothing pinned: the whole run as ONE pick case — the 60 requests in decision order with
    // their prompts, body sizes and headers, each with the metrics the picker had scraped (and their age) —
    // rebuilds the prefix index through the same PreRequest hooks and picks what the live picker picked.
    const byId = new Map(reqs.map((q) => [q.id, q]));
    const sequence = {
      endpoints: eps.endpoints.map((e) => ({ name: e.name })),
      requests: logged.map((l) => {
        const q = byId.get(l.request.id)!;
        const doc = JSON.parse(q.body) as { prompt?: string; messages?: { role: string; content: string }[] };
        return {
          id: l.request.id,
          model: l.request.targetModel,
          ...(q.chat ? { messages: doc.messages } : { prompt: doc.prompt }),
          headers: l.request.headers,
          bytes: Buffer.byteLength(q.body),
          timeMs: l.timeUs / 1000,
          metrics: Object.fromEntries(l.candidates.filter((c) => c.scraped !== null).map((c) => [c.name, c.scraped])),
          ...(l.draws.length > 0 ? { rngDraws: l.draws } : {}),
          expect: { pick: l.pick },
        };
      }),
    };
    const whole = runPickCase(sequence);
    expect(whole.mismatches).toEqual([]);
    expect(whole.results.map((r) => r.target)).toEqual(logged.map((l) => l.pick));
    // and it can fail: the same sequence with prompts that share nothing loses the prefix affinity the live picks followed
    const unshared = runPickCase({ ...sequence, requests: sequence.requests.map((r) => ({ ...r, ...('messages' in r ? { messages: [{ role: 'user', content: `nothing shared ${r.id}` }] } : { prompt: `nothing shared ${r.id}` }) })) });
    expect(unshared.mismatches.length).toBeGreaterThan(0);

    // the inputs were live and varied: pods' scraped load differed at some decision, more than one pod was picked,
    // and every completions request of a family after the family's first one saw a prefix hit somewhere
    // (PreRequest indexed the first one's blocks on its pod before any later decision; chat prompts are
    // rendered with their role markup, so they share no prefix with the completions of their family)
    const load = (l: LiveDecisionLine): number[] => l.candidates.map((c) => (c.scraped === null ? 0 : c.scraped.waiting + c.scraped.running));
    expect(logged.some((l) => new Set(load(l)).size > 1)).toBe(true);
    expect(logged.some((l) => l.candidates.some((c) => (c.scraped?.waiting ?? 0) > 0))).toBe(true);
    expect(new Set(logged.map((l) => l.pick)).size).toBeGreaterThan(1);
    const prefixMax = (l: LiveDecisionLine): number => Math.max(...Object.values(l.profiles[0]!.scorers.find((s) => s.type === 'prefix-cache-scorer')!.scores));
    for (let f = 0; f < 4; f++) {
      // chat is i ≡ 5 (mod 6), odd i, so families 1 and 3 (i mod 4 odd) have 4 chat members each:
      // 1 → i 5, 17, 41, 53; 3 → i 11, 23, 35, 47 (29 and 59 are unique prompts)
      for (const chat of [false, true]) {
        const members = logged.filter((l) => byId.get(l.request.id)!.family === f && byId.get(l.request.id)!.chat === chat);
        expect(members.length).toBe(chat ? (f % 2 === 1 ? 4 : 0) : f % 2 === 1 ? 8 : 12);
        if (members.length === 0) continue;
        expect(prefixMax(members[0]!)).toBe(0);
        for (const m of members.slice(1)) expect(prefixMax(m)).toBeGreaterThan(0);
      }
    }
    for (const l of logged.filter((x) => byId.get(x.request.id)!.family === null)) expect(prefixMax(l)).toBe(0);
  }, 30_000);
});
