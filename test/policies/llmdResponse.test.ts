/**
 * The v0.10 response path (`llm-d-router.md` §3 step 17, §5 inflight-load-producer row, §4.8):
 * ResponseHeaderProcessor plugins run once per request when its response headers come back (the
 * director's `responseHeaders`; in `routesim run` the request's first token), and ResponseComplete
 * gets the token usage of a served response. Director-level cases drive the picker by hand; the
 * run-level cases spy on the real plugins during `runPolicy`. GAIE configs never take the hook.
 */
import seedrandom from 'seedrandom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadPickerConfig } from '../../policies/config/loader.js';
import { EndpointPicker, type PoolEndpoint } from '../../policies/framework/director.js';
import type { LLMRequest, ResponseInfo, SchedulingResult } from '../../policies/framework/types.js';
import { SessionAffinityScorerV010 } from '../../policies/plugins/scorer/sessionAffinity.v010.js';
import { InFlightLoadProducerV010 } from '../../policies/plugins/producer/inflightLoad.v010.js';
import type { ProgramAwareFairness } from '../../policies/plugins/flowcontrol/programAwareFairness.js';
import { runPolicy } from '../../sim/simulation.js';
import type { PolicySpec } from '../../sim/scenario/types.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { linearScenario, req } from '../helpers.js';
import { build, ctx, ep } from './llmdHelpers.js';
import { metrics } from './loadFixtures.js';

const V010 = 'apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\n';
const POOL: PoolEndpoint[] = ['a', 'b'].map((name, index) => ({ name, index, labels: {}, metrics: metrics({}) }));
const INFLIGHT = `${V010}plugins:
- {name: ifl, type: inflight-load-producer}
- {type: queue-scorer}
- {type: max-score-picker}
schedulingProfiles:
- name: default
  plugins: [{pluginRef: queue-scorer}, {pluginRef: max-score-picker}]
`;

function picker(text: string): EndpointPicker {
  return new EndpointPicker(loadPickerConfig({ text }), { rng: seedrandom.alea('1') });
}
// 400 bytes, no token producer → the estimate: 400 / 4 = 100 input tokens.
function llm(id: string, headers: Record<string, string> = {}): LLMRequest {
  return { id, model: 'm', targetModel: 'm', headers, prompt: { kind: 'completion', text: 'x'.repeat(400) }, priority: 0, fairnessId: '', requestSizeBytes: 400 };
}
const TO_A = { 'x-gateway-destination-endpoint-subset': 'a' };

describe('director: inflight-load-producer released at the response headers (§5)', () => {
  it('tokens leave at the first chunk, the request at end of stream; the hook runs once', () => {
    const p = picker(INFLIGHT);
    expect(p.wantsResponseHeaders).toBe(true);
    const ifl = p.config.plugins.get('ifl') as InFlightLoadProducerV010;
    expect(p.handleRequest(llm('r1', TO_A), POOL, 0)).toMatchObject({ kind: 'dispatch', target: 'a' });
    expect(p.handleRequest(llm('r2', TO_A), POOL, 10)).toMatchObject({ kind: 'dispatch', target: 'a' });
    // t 10: a carries 2 requests, 100 + 100 uncached input tokens (no prefix match info → whole input).
    expect(ifl.get('a')).toEqual({ requests: 2, tokens: 200 });
    // t 500: r1's first token → its 100 tokens released, the request still counts.
    p.responseHeaders('r1', 'a', 500);
    expect(ifl.get('a')).toEqual({ requests: 2, tokens: 100 });
    // a second call for the same request does nothing (once per request).
    p.responseHeaders('r1', 'a', 600);
    expect(ifl.get('a')).toEqual({ requests: 2, tokens: 100 });
    // t 900: r1 ends → requests 2 − 1 = 1; r2 still holds 100 tokens.
    p.responseComplete('r1', 'a', 900, { promptTokens: 100, completionTokens: 5 });
    expect(ifl.get('a')).toEqual({ requests: 1, tokens: 100 });
    // after end of stream the header hook is void (the request is gone).
    p.responseHeaders('r1', 'a', 950);
    expect(ifl.get('a')).toEqual({ requests: 1, tokens: 100 });
    // r2 ends without ever streaming a token (engine refusal): everything goes at end of stream.
    p.responseComplete('r2', 'a', 1000);
    expect(ifl.get('a')).toEqual({ requests: 0, tokens: 0 });
  });

  it('P/D: the prefill entry goes entirely at the first chunk, the decode entry keeps its request', () => {
    const ifl = build<InFlightLoadProducerV010>('inflight-load-producer');
    const c = ctx();
    const r = { ...llm('pd'), id: 'pd' };
    const result: SchedulingResult = {
      primaryProfileName: 'decode',
      profileResults: new Map([
        ['prefill', { targetEndpoints: [ep('p')] }],
        ['decode', { targetEndpoints: [ep('d')] }],
      ]),
    };
    ifl.preRequest(c, r, result);
    // both entries: +1 request, 100 tokens.
    expect([ifl.get('p'), ifl.get('d')]).toEqual([{ requests: 1, tokens: 100 }, { requests: 1, tokens: 100 }]);
    const info: ResponseInfo = { endpoint: 'd', result, headers: new Map() };
    ifl.processResponseHeaders(c, r, info);
    expect([ifl.get('p'), ifl.get('d')]).toEqual([{ requests: 0, tokens: 0 }, { requests: 1, tokens: 0 }]);
    ifl.responseComplete(c, r, info);
    expect(ifl.get('d')).toEqual({ requests: 0, tokens: 0 });
  });

  it('GAIE v1.5.0 configs have no response-header plugins: the simulator is never asked for first tokens', () => {
    const g = picker('apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins: [{type: queue-scorer}, {type: prefix-cache-scorer}]\nschedulingProfiles: [{name: default, plugins: [{pluginRef: queue-scorer}, {pluginRef: prefix-cache-scorer}]}]\n');
    expect(g.wantsResponseHeaders).toBe(false);
  });
});

describe('director: program-aware-fairness accounts prompt + 2·completion (§4.8)', () => {
  it('service grows by the usage the response path reports', () => {
    const p = picker(`${V010}featureGates: [flowControl]
plugins:
- {name: pa, type: program-aware-fairness}
- {type: queue-scorer}
- {type: max-score-picker}
schedulingProfiles:
- name: default
  plugins: [{pluginRef: queue-scorer}, {pluginRef: max-score-picker}]
flowControl:
  defaultPriorityBand: {fairnessPolicyRef: pa}
`);
    const pa = p.config.plugins.get('pa') as ProgramAwareFairness;
    const fid = { 'x-llm-d-inference-fairness-id': 'prog' };
    expect(p.handleRequest(llm('f1', fid), POOL, 0).kind).toBe('queued');
    const out = p.dispatchQueued(POOL, 0);
    expect(out.map((d) => d.kind)).toEqual(['dispatch']);
    // 120 prompt + 2·30 completion = 180 (same instant: no decay).
    p.responseComplete('f1', out[0]!.kind === 'dispatch' ? out[0]!.target : '', 0, { promptTokens: 120, completionTokens: 30 });
    expect(pa.service('prog')).toBe(180);
  });
});

// ---------------------------------------------------------------------------------------------
// Run level: the real producer inside `routesim run`.

const ENGINE = `
max_num_seqs: 4
max_num_batched_tokens: 2048
num_gpu_blocks: 2000
max_model_len: 64
`;
const v010Policy: PolicySpec = {
  name: 'v010',
  type: 'epp',
  epp: {
    kind: 'inline',
    config: {
      apiVersion: 'llm-d.ai/v1alpha1',
      kind: 'EndpointPickerConfig',
      plugins: [{ name: 'ifl', type: 'inflight-load-producer' }, { type: 'queue-scorer' }, { type: 'max-score-picker' }],
      schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'queue-scorer' }, { pluginRef: 'max-score-picker' }] }],
    },
  },
};

describe('routesim run: first-token and end-of-stream hooks', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the header hook runs once per request at its first-token time, never for a refused request; usage = input, output', () => {
    const headerCalls: [string, number, string, { requests: number; tokens: number }][] = [];
    const usages: [string, ResponseInfo['usage']][] = [];
    const origHeaders = InFlightLoadProducerV010.prototype.processResponseHeaders;
    vi.spyOn(InFlightLoadProducerV010.prototype, 'processResponseHeaders').mockImplementation(function (this: InFlightLoadProducerV010, c, r, info) {
      origHeaders.call(this, c, r, info);
      headerCalls.push([r.id, c.nowUs, info.endpoint, this.get(info.endpoint)]);
    });
    const origComplete = InFlightLoadProducerV010.prototype.responseComplete;
    vi.spyOn(InFlightLoadProducerV010.prototype, 'responseComplete').mockImplementation(function (this: InFlightLoadProducerV010, c, r, info) {
      usages.push([r.id, info.usage]);
      origComplete.call(this, c, r, info);
    });
    const sc = linearScenario(ENGINE, '', 2);
    // r2's prompt (100 tokens) exceeds max_model_len 64: the engine refuses it, no token ever streams.
    const reqs = [req({ id: 0, at: 0, output: 3 }), req({ id: 1, at: 1000, output: 1 }), req({ id: 2, at: 2000, prompt: 100, output: 2 })];
    const run = runPolicy(sc, v010Policy, {}, reqs);
    const byId = new Map(run.records.map((r) => [r.id, r]));
    expect(byId.get(2)!.outcome).toBe('rejected');
    expect(run.records.filter((r) => r.outcome === 'completed').map((r) => r.id)).toEqual([0, 1]);
    // Linear steps without overheads: r0 alone on its pod, prefill step 1000 + 10·16 = 1160 µs → first
    // token at 1160; r1 (t 1000, the other pod: a's queue holds r0) → 1000 + 1160 = 2160.
    expect([byId.get(0)!.firstTokenUs, byId.get(1)!.firstTokenUs]).toEqual([1160, 2160]);
    const pod = (n: number) => `replica-${byId.get(n)!.replica}`;
    // exactly one call per streamed request, at its first-token time, from the serving pod; after the
    // call the pod still counts the request but none of its 16 uncached input tokens.
    expect(headerCalls).toEqual([
      ['0', 1160, pod(0), { requests: 1, tokens: 0 }],
      ['1', 2160, pod(1), { requests: 1, tokens: 0 }],
    ]);
    // end of stream: served responses carry {prompt 16, completion = output}; the refused one none.
    expect(new Map(usages)).toEqual(
      new Map<string, ResponseInfo['usage']>([
        ['0', { promptTokens: 16, completionTokens: 3 }],
        ['1', { promptTokens: 16, completionTokens: 1 }],
        ['2', undefined],
      ]),
    );
  });

  it('session-affinity v0.10 writes its token at the first token: a follow-up sent mid-stream already carries it', () => {
    const seen: (string | undefined)[] = [];
    const orig = SessionAffinityScorerV010.prototype.score;
    vi.spyOn(SessionAffinityScorerV010.prototype, 'score').mockImplementation(function (this: SessionAffinityScorerV010, c, r, e) {
      seen.push(r.headers['x-session-token']);
      return orig.call(this, c, r, e);
    });
    const policy: PolicySpec = {
      name: 'sa',
      type: 'epp',
      allow_experimental_plugins: true,
      epp: {
        kind: 'inline',
        config: {
          apiVersion: 'llm-d.ai/v1alpha1',
          kind: 'EndpointPickerConfig',
          plugins: [{ type: 'session-affinity-scorer' }, { type: 'queue-scorer' }, { type: 'max-score-picker' }],
          schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'session-affinity-scorer', weight: 10 }, { pluginRef: 'queue-scorer' }, { pluginRef: 'max-score-picker' }] }],
        },
      },
    };
    // s0: first token at 1160 µs, 40 tokens (16 + 40 ≤ max_model_len 64) → ends ≈ 1160 + 39·1100 µs ≈ 44 ms; s1 (same session) at 5 ms.
    const reqs = [{ ...req({ id: 0, at: 0, output: 40 }), session: 0 }, { ...req({ id: 1, at: 5000, output: 1 }), session: 0 }];
    const run = runPolicy(linearScenario(ENGINE, '', 2), policy, {}, reqs);
    expect(run.records[0]!.outcome).toBe("completed");
    expect(run.records[0]!.endUs).toBeGreaterThan(5000);
    const token = Buffer.from(`default/replica-${run.records[0]!.replica}`).toString('base64');
    expect(seen).toEqual([undefined, token]);
    expect(run.records[1]!.replica).toBe(run.records[0]!.replica);
  });
});

describe('routesim run, P/D: the first token comes from the decode pod', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a disaggregated request has its headers once, at its first-token time, from its decode pod', () => {
    const calls: [string, number, string][] = [];
    vi.spyOn(InFlightLoadProducerV010.prototype, 'processResponseHeaders').mockImplementation(function (this: InFlightLoadProducerV010, c, r, info) {
      calls.push([r.id, c.nowUs, info.endpoint]);
    });
    const text = `
name: pd-headers
seed: 3
requests: 12
pools:
  - name: llm
    model: Llama-3.1-8B
    replicas: [{gpu: H100, count: 1, labels: {llm-d.ai/role: prefill}}, {gpu: H100, count: 2, labels: {llm-d.ai/role: decode}}]
    engine: {max_num_seqs: 64, max_num_batched_tokens: 2048, enable_prefix_caching: true}
    kv_transfer: {transport: rdma, shared_by: prefill}
workload:
  arrival: {process: poisson, rate: 20}
  input: {dist: uniform, min: 2000, max: 3000}
  output: {dist: uniform, min: 5, max: 20}
policies:
  - name: v010-pd
    pool: llm
    epp:
      apiVersion: llm-d.ai/v1alpha1
      kind: EndpointPickerConfig
      plugins:
        - {type: approx-prefix-cache-producer}
        - {name: ifl, type: inflight-load-producer}
        - {type: prefill-filter}
        - {type: decode-filter}
        - {type: queue-scorer}
        - {type: max-score-picker}
        - {type: prefix-based-pd-decider, parameters: {nonCachedTokens: 16}}
        - {type: disagg-profile-handler, parameters: {deciders: {prefill: prefix-based-pd-decider}}}
      schedulingProfiles:
        - {name: prefill, plugins: [{pluginRef: prefill-filter}, {pluginRef: max-score-picker}, {pluginRef: queue-scorer}]}
        - {name: decode, plugins: [{pluginRef: decode-filter}, {pluginRef: max-score-picker}, {pluginRef: queue-scorer}]}
`;
    const sc = parseScenario(text, 'pd-headers.yaml');
    const run = runPolicy(sc, sc.policies[0]!);
    const done = run.records.filter((r) => r.outcome === 'completed');
    expect(done.length).toBe(12);
    // every prompt (≥ 2000 uncached tokens > 16) is disaggregated onto the one prefill pod.
    expect(done.every((r) => r.prefillReplica === 0 && r.replica > 0)).toBe(true);
    const want = done.map((r) => [String(r.id), r.firstTokenUs, run.replicas[r.replica]!.name] as const).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    const got = [...calls].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    expect(got).toEqual(want);
  });
});
