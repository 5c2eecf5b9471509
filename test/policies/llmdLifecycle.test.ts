/**
 * The llm-d-router v0.10.0 request lifecycle in the director (`llm-d-router.md` §3, §3.1): parser
 * choice by path (no match, no fallback → 400), request-header processors (typed errors keep their
 * code, others 500; agent-identity as fairness id), screeners (intersection; empty → 503),
 * admitters (any denial → 500), PreRequest errors (one typed error keeps its code, else 500) and the
 * flow-control outcome table with drop reasons. Stub plugins come from llmdStubs.ts.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { loadPickerConfig } from '../../policies/config/loader.js';
import { EndpointPicker, type Decision, type PoolEndpoint } from '../../policies/framework/director.js';
import type { LLMRequest } from '../../policies/framework/types.js';
import { metrics } from './loadFixtures.js';
import { LLMD_HEAD, llmdCatalog } from './llmdStubs.js';

const catalog = llmdCatalog();
const POOL: PoolEndpoint[] = ['a', 'b', 'c'].map((name, index) => ({ name, index, labels: {}, metrics: metrics({}) }));
// a scores highest, then b, then c: the pick is the best survivor.
const SCORER = '{type: test-scorer, parameters: {scores: {a: 1, b: 0.5, c: 0.2}}}';

let nextId = 0;
function request(headers: Record<string, string> = {}, over: Partial<LLMRequest> = {}): LLMRequest {
  return { id: `q${nextId++}`, model: 'm', targetModel: 'm', headers, prompt: { kind: 'completion', text: 'hi' }, priority: 0, fairnessId: '', requestSizeBytes: 10, ...over };
}
function picker(body: string): EndpointPicker {
  return new EndpointPicker(loadPickerConfig({ text: LLMD_HEAD + body }, { catalog }), { rng: seedrandom.alea('1') });
}
const outcome = (d: Decision): string | number => (d.kind === 'dispatch' ? d.target : d.kind === 'reject' ? d.status : 'queued');

describe('parser selection by path (§2.3)', () => {
  const p = picker(`plugins: [${SCORER}]\n`);
  it.each([
    ['/v1/chat/completions', 'a'], // openai claims chat/completions
    ['/v1/completions?stream=true', 'a'], // query stripped
    ['/v1/messages', 'a'], // anthropic
    ['/inference/v1/generate', 'a'], // vllmhttp
    ['/v1/models', 400], // no claim, no fallback in the v0.10.0 defaults
    ['/generate', 400],
  ])('%s → %s', (path, want) => {
    expect(outcome(p.handleRequest(request({ ':path': path }), POOL, 0))).toBe(want);
  });

  it('no path header → /v1/completions; x-original-path then x-forwarded-path are read when :path is absent', () => {
    expect(outcome(p.handleRequest(request(), POOL, 0))).toBe('a');
    expect(outcome(p.handleRequest(request({ 'x-original-path': '/v1/models', 'x-forwarded-path': '/v1/completions' }), POOL, 0))).toBe(400);
    expect(outcome(p.handleRequest(request({ 'x-forwarded-path': '/v1/models' }), POOL, 0))).toBe(400);
    const d = p.handleRequest(request({ ':path': '/v1/models' }), POOL, 0);
    expect(d).toMatchObject({ kind: 'reject', status: 400, code: 'bad-request' });
  });

  it('a fallback parser takes unclaimed paths; the first claiming parser wins', () => {
    const q = picker(`plugins: [${SCORER}, {name: mine, type: test-parser, parameters: {paths: [models]}}]\nrequestHandler: {parsers: [{pluginRef: openai-parser}, {pluginRef: passthrough-parser}]}\n`);
    expect(outcome(q.handleRequest(request({ ':path': '/v1/models' }), POOL, 0))).toBe('a');
    const r = picker(`plugins: [${SCORER}, {name: mine, type: test-parser, parameters: {paths: [models]}}]\nrequestHandler: {parsers: [{pluginRef: mine}]}\n`);
    expect(r.config.parsers!.map((x) => x.claims)).toEqual([['models']]);
    expect(outcome(r.handleRequest(request({ ':path': '/v1/models' }), POOL, 0))).toBe('a');
    expect(outcome(r.handleRequest(request({ ':path': '/v1/completions' }), POOL, 0))).toBe(400);
  });
});

describe('screeners, admitters, header processors, PreRequest (§3 steps 5, 9, 11, 15)', () => {
  it('screeners are intersected: {a,b} ∩ {b,c} = {b} → b; disjoint → 503 screened-out', () => {
    const p = picker(`plugins: [${SCORER}, {name: s1, type: test-screener, parameters: {keep: [a, b]}}, {name: s2, type: test-screener, parameters: {keep: [b, c]}}]\n`);
    expect(outcome(p.handleRequest(request(), POOL, 0))).toBe('b');
    const q = picker(`plugins: [${SCORER}, {name: s1, type: test-screener, parameters: {keep: [a]}}, {name: s2, type: test-screener, parameters: {keep: [c]}}]\n`);
    expect(q.handleRequest(request(), POOL, 0)).toMatchObject({ kind: 'reject', status: 503, code: 'screened-out' });
  });

  it('an admitter denial is always 500', () => {
    const p = picker(`plugins: [${SCORER}, {type: test-admission, parameters: {deny: busy}}]\n`);
    expect(p.handleRequest(request(), POOL, 0)).toMatchObject({ kind: 'reject', status: 500, code: 'admission-rejected' });
  });

  it('request-header processors: a typed error keeps its code (403), an untyped one is 500; agent-identity becomes the fairness id', () => {
    expect(picker(`plugins: [${SCORER}, {type: test-header, parameters: {fail: 403}}]\n`).handleRequest(request(), POOL, 0)).toMatchObject({ status: 403, code: 'request-header-error', dropReason: 'test-reason' });
    expect(picker(`plugins: [${SCORER}, {type: test-header, parameters: {fail: -1}}]\n`).handleRequest(request(), POOL, 0)).toMatchObject({ status: 500, code: 'request-header-error' });
    const p = picker(`plugins: [${SCORER}, {type: test-header, parameters: {identity: agent-7}}]\n`);
    const r1 = request();
    p.handleRequest(r1, POOL, 0);
    expect(r1.fairnessId).toBe('agent-7');
    const r2 = request({ 'x-llm-d-inference-fairness-id': 'tenant', 'x-gateway-inference-fairness-id': 'old' });
    p.handleRequest(r2, POOL, 0);
    expect(r2.fairnessId).toBe('tenant');
    const r3 = request();
    picker(`plugins: [${SCORER}]\n`).handleRequest(r3, POOL, 0);
    expect(r3.fairnessId).toBe('default-flow');
  });

  it('objective header: x-llm-d-inference-objective wins over the GAIE alias', () => {
    const p = new EndpointPicker(loadPickerConfig({ text: `${LLMD_HEAD}plugins: [${SCORER}]\n` }, { catalog }), { rng: seedrandom.alea('1'), objectives: new Map([['hi', 5], ['lo', -1]]) });
    const r = request({ 'x-llm-d-inference-objective': 'hi', 'x-gateway-inference-objective': 'lo' });
    p.handleRequest(r, POOL, 0);
    expect(r.priority).toBe(5);
  });

  it('PreRequest: one typed error keeps its code (412); untyped or several → 500', () => {
    expect(picker(`plugins: [${SCORER}, {type: test-prerequest, parameters: {status: 412}}]\n`).handleRequest(request(), POOL, 0)).toMatchObject({ status: 412, code: 'pre-request-error' });
    expect(picker(`plugins: [${SCORER}, {type: test-prerequest}]\n`).handleRequest(request(), POOL, 0)).toMatchObject({ status: 500 });
    const two = picker(`plugins: [${SCORER}, {name: p1, type: test-prerequest, parameters: {status: 412}}, {name: p2, type: test-prerequest, parameters: {status: 404}}]\n`);
    expect(two.handleRequest(request(), POOL, 0)).toMatchObject({ status: 500 });
    expect(two.inFlightCount).toBe(0);
  });
});

describe('flow-control outcomes (§3.1)', () => {
  const fc = (extra: string) => picker(`featureGates: [flowControl]\nplugins: [${SCORER}, {name: d, type: utilization-detector, parameters: {queueDepthThreshold: 1}}]\nflowControl: {saturationDetector: {pluginRef: d}, ${extra}}\n`);
  const busy = POOL.map((e) => ({ ...e, metrics: metrics({ waitingQueueSize: 10 }) }));

  it('capacity: 429 rejected-saturated with endpoints, 503 rejected-no-endpoints with an empty pool', () => {
    const p = fc('maxRequests: 1');
    expect(p.handleRequest(request(), busy, 0).kind).toBe('queued');
    expect(p.handleRequest(request(), busy, 0)).toMatchObject({ status: 429, code: 'flow-control-capacity', dropReason: 'rejected-saturated' });
    expect(p.handleRequest(request(), [], 0)).toMatchObject({ status: 503, dropReason: 'rejected-no-endpoints' });
  });

  it('TTL expiry: 429 rejected-ttl-expired while the pool has endpoints (GAIE: 503); default TTL 60 s', () => {
    const p = fc('maxRequests: 10');
    const r = request();
    p.handleRequest(r, busy, 0);
    expect(p.dispatchQueued(busy, 1)).toEqual([]);
    expect(p.expireQueued(59_999_999)).toEqual([]);
    expect(p.expireQueued(60_000_001)).toMatchObject([{ requestId: r.id, status: 429, code: 'flow-control-ttl', dropReason: 'rejected-ttl-expired' }]);
    const q = fc('defaultRequestTTL: 1s');
    q.handleRequest(request(), busy, 0);
    q.dispatchQueued([], 1); // the pool is now empty
    expect(q.expireQueued(2_000_000)).toMatchObject([{ status: 503, dropReason: 'rejected-no-endpoints' }]);
  });

  it('gate off: sheddable requests on a saturated pool get a plain 429 with no drop reason', () => {
    const p = picker(`plugins: [${SCORER}, {name: d, type: utilization-detector, parameters: {queueDepthThreshold: 1}}]\nflowControl: {saturationDetector: {pluginRef: d}}\n`);
    const d = p.handleRequest(request({}, { priority: -1 }), busy, 0);
    expect(d).toMatchObject({ kind: 'reject', status: 429, code: 'shed-saturated' });
    expect(d.kind === 'reject' && d.dropReason).toBe(undefined);
  });
});

describe('properties of the parser list (§2.3)', () => {
  it('effective list: unique types, nothing after a fallback; the selected parser claims a suffix of the path or is the fallback', async () => {
    const fc = (await import('fast-check')).default;
    const { effectiveParsers, selectParser, PARSER_CLAIMS } = await import('../../policies/config/llmd/requestHandler.js');
    const types = Object.keys(PARSER_CLAIMS);
    const paths = ['/v1/chat/completions', '/v1/completions', '/v1/messages', '/v1/models', '/inference/v1/generate', '/x', '/'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...types), { maxLength: 8 }), fc.constantFrom(...paths), (listed, path) => {
        const { parsers, skipped } = effectiveParsers(listed.map((t, i) => ({ name: `p${i}`, type: t })));
        expect(parsers.length + skipped.length).toBe(listed.length);
        expect(new Set(parsers.map((p) => p.type)).size).toBe(parsers.length);
        const fb = parsers.findIndex((p) => p.claims.length === 0);
        if (fb >= 0) expect(fb).toBe(parsers.length - 1);
        const chosen = selectParser(parsers, path);
        const trimmed = path.replace(/^\/+|\/+$/g, '');
        if (chosen) expect(chosen.claims.length === 0 || chosen.claims.some((c) => trimmed.endsWith(c))).toBe(true);
        else expect(parsers.every((p) => p.claims.length > 0 && !p.claims.some((c) => trimmed.endsWith(c)))).toBe(true);
      }),
    );
  });
});
