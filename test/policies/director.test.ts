/**
 * The request lifecycle (`epp.md` §1.1, framework/director.ts): outcomes and their HTTP statuses,
 * the order of the hooks, per-request state, model rewrites and flow control, with stub plugins
 * whose behaviour each test sets.
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { loadPickerConfig } from '../../policies/config/loader.js';
import { EndpointPicker, PLUGIN_STATE_TTL_US, TtlPluginState, type Decision, type DispatchDecision, type PoolEndpoint } from '../../policies/framework/director.js';
import type { LLMRequest } from '../../policies/framework/types.js';
import type { EndpointMetrics } from '../../policies/types.js';
import { Denier, HEAD, Recorder, SettableDetector, testCatalog } from './frameworkStubs.js';

import { metrics as baseMetrics } from './loadFixtures.js';

const catalog = testCatalog();

function metrics(waiting = 0, kv = 0): EndpointMetrics {
  return baseMetrics({ waitingQueueSize: waiting, kvCacheUsagePercent: kv });
}

const POOL: PoolEndpoint[] = ['a', 'b', 'c'].map((name, index) => ({ name, index, labels: {}, metrics: metrics(), address: `10.0.0.${index + 1}` }));

let nextId = 0;
function request(headers: Record<string, string> = {}, over: Partial<LLMRequest> = {}): LLMRequest {
  return {
    id: `r${nextId++}`,
    model: 'llama',
    targetModel: 'llama',
    headers,
    prompt: { kind: 'completion', text: 'hello world' },
    priority: 0,
    fairnessId: '',
    requestSizeBytes: 100,
    ...over,
  };
}

function picker(pluginsYaml: string, opts: { objectives?: Record<string, number>; rewrites?: { model: string; targets: { model: string; weight: number }[] }[]; seed?: number } = {}) {
  const config = loadPickerConfig({ text: HEAD + pluginsYaml }, { catalog });
  return new EndpointPicker(config, {
    rng: seedrandom.alea(String(opts.seed ?? 1)),
    objectives: new Map(Object.entries(opts.objectives ?? {})),
    modelRewrites: opts.rewrites ?? [],
  });
}

const dispatched = (d: Decision): DispatchDecision => {
  if (d.kind !== 'dispatch') throw new Error(`expected a dispatch, got ${JSON.stringify({ kind: d.kind, ...(d.kind === 'reject' ? { status: d.status, reason: d.reason } : {}) })}`);
  return d;
};

describe('scheduling through the director', () => {
  it('the §1.4 combination: Σ weight × clamped score without normalisation; max-score picks A (4.45 > 3.40 > 3.20)', () => {
    const p = picker(`
plugins:
- {name: queue, type: test-scorer, parameters: {scores: {a: 0.6, b: 1.0, c: 0.0}}}
- {name: kv, type: test-scorer, parameters: {scores: {a: 0.5, b: 0.7, c: 0.1}}}
- {name: prefix, type: test-scorer, parameters: {scores: {a: 0.75, b: 0.0, c: 1.0}}}
schedulingProfiles:
- {name: default, plugins: [{pluginRef: queue, weight: 2}, {pluginRef: kv, weight: 2}, {pluginRef: prefix, weight: 3}]}
`);
    const d = dispatched(p.handleRequest(request(), POOL, 0, { trace: true }));
    // a: 2·0.6 + 2·0.5 + 3·0.75 = 4.45; b: 2·1 + 2·0.7 + 0 = 3.40; c: 0 + 2·0.1 + 3·1 = 3.20
    const totals = d.trace!.profiles[0]!.totals;
    expect(totals.a).toBeCloseTo(4.45, 12);
    expect(totals.b).toBeCloseTo(3.4, 12);
    expect(totals.c).toBeCloseTo(3.2, 12);
    expect(d.target).toBe('a');
    expect(d.index).toBe(0);
  });

  it('scores are clamped to [0, 1]; an endpoint a scorer leaves out contributes 0', () => {
    const p = picker(`plugins: [{type: test-scorer, parameters: {scores: {a: 1.7, b: -0.2}}}]\n`);
    const d = dispatched(p.handleRequest(request(), POOL, 0, { trace: true }));
    expect(d.trace!.profiles[0]!.totals).toEqual({ a: 1, b: 0, c: 0 });
  });

  it('maxNumOfEndpoints > 1 gives fallbacks, best first', () => {
    const p = picker(`plugins: [{type: test-scorer, parameters: {scores: {a: 0.1, b: 0.9, c: 0.5}}}, {type: max-score-picker, parameters: {maxNumOfEndpoints: 2}}]\n`);
    const d = dispatched(p.handleRequest(request(), POOL, 0));
    expect([d.target, ...d.fallbacks]).toEqual(['b', 'c']);
  });

  it('429 when the filters leave no endpoint', () => {
    const p = picker(`plugins: [{type: test-filter, parameters: {keep: [zzz]}}, {type: test-scorer}]\n`);
    const d = p.handleRequest(request(), POOL, 0);
    expect(d).toMatchObject({ kind: 'reject', status: 429 });
    expect(d.kind === 'reject' && d.reason).toMatch(/failed to find target endpoint/);
  });

  it('500 when an Admission plugin denies', () => {
    const p = picker(`plugins: [{type: test-scorer}, {name: gate, type: test-admission, parameters: {deny: "quota exceeded"}}]\n`);
    const d = p.handleRequest(request(), POOL, 0);
    expect(d).toMatchObject({ kind: 'reject', status: 500 });
    expect(d.kind === 'reject' && d.reason).toContain('quota exceeded');
    (p.config.plugins.get('gate') as Denier).deny = null;
    expect(p.handleRequest(request(), POOL, 0).kind).toBe('dispatch');
  });

  it('PrepareData errors are ignored; producers write onto a fresh per-request snapshot of each candidate', () => {
    const p = picker(`plugins: [{type: test-scorer}, {name: bad, type: test-producer, parameters: {throws: true}}, {name: good, type: test-producer}]\n`);
    const d1 = dispatched(p.handleRequest(request(), POOL, 0));
    const t1 = d1.result.profileResults.get(d1.result.primaryProfileName)!.targetEndpoints[0]!;
    expect(t1.attributes.get('good')).toBe(true);
    const d2 = dispatched(p.handleRequest(request(), POOL, 0));
    const t2 = d2.result.profileResults.get(d2.result.primaryProfileName)!.targetEndpoints[0]!;
    expect(t2.attributes).not.toBe(t1.attributes);
    expect(POOL.every((e) => !('attributes' in e))).toBe(true);
  });
});

describe('admission: shedding sheddable requests when saturated (legacy controller)', () => {
  const yaml = `plugins: [{type: test-scorer}, {name: d, type: test-detector}]\nsaturationDetector: {pluginRef: d}\n`;

  it('property: 429 iff priority < 0 and saturation ≥ 1.0; priority ≥ 0 is never shed', () => {
    const p = picker(yaml);
    const det = p.config.saturationDetector as SettableDetector;
    fc.assert(
      fc.property(fc.integer({ min: -3, max: 3 }), fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), fc.constantFrom(0.999999, 1, 1.000001)), (priority, sat) => {
        det.value = sat;
        const d = p.handleRequest(request({}, { priority }), POOL, 0);
        if (priority < 0 && sat >= 1) expect(d).toMatchObject({ kind: 'reject', status: 429 });
        else expect(d.kind).toBe('dispatch');
      }),
      { numRuns: 300 },
    );
  });

  it('the detector is consulted only for sheddable requests (untraced)', () => {
    const p = picker(yaml);
    const det = p.config.saturationDetector as SettableDetector;
    det.value = 5;
    p.handleRequest(request({}, { priority: 0 }), POOL, 0);
    p.handleRequest(request({}, { priority: 3 }), POOL, 0);
    expect(det.calls).toBe(0);
    p.handleRequest(request({}, { priority: -1 }), POOL, 0);
    expect(det.calls).toBe(1);
  });

  it('the objective header sets the priority (unknown objective → 0); without it the caller\'s priority stands', () => {
    const p = picker(yaml, { objectives: { premium: 10, batch: -1 } });
    (p.config.saturationDetector as SettableDetector).value = 1;
    expect(p.handleRequest(request({ 'x-gateway-inference-objective': 'batch' }), POOL, 0)).toMatchObject({ kind: 'reject', status: 429 });
    const prem = dispatched(p.handleRequest(request({ 'x-gateway-inference-objective': 'premium' }), POOL, 0));
    expect(prem.request.priority).toBe(10);
    const unknown = dispatched(p.handleRequest(request({ 'x-gateway-inference-objective': 'nope' }, { priority: -5 }), POOL, 0));
    expect(unknown.request.priority).toBe(0);
    expect(p.handleRequest(request({}, { priority: -1 }), POOL, 0)).toMatchObject({ kind: 'reject', status: 429 });
  });

  it('with the real utilization-detector: a sheddable request is shed only when the mean of max(q/5, kv/0.8) ≥ 1', () => {
    const p = picker(`plugins: [{type: test-scorer}]\n`, { objectives: { batch: -1 } });
    const hdr = { 'x-gateway-inference-objective': 'batch' };
    // q = 5 on every endpoint: max(5/5, 0) = 1 each → mean 1.0 → shed.
    const full = POOL.map((e) => ({ ...e, metrics: metrics(5, 0) }));
    expect(p.handleRequest(request(hdr), full, 0)).toMatchObject({ kind: 'reject', status: 429 });
    // a and b at q = 5 (1.0), c idle (0): mean 2/3 < 1 → admitted.
    const partly = POOL.map((e, i) => ({ ...e, metrics: i < 2 ? metrics(5, 0) : metrics(0, 0) }));
    expect(p.handleRequest(request(hdr), partly, 0).kind).toBe('dispatch');
  });
});

describe('candidates: the destination-endpoint-subset header', () => {
  const p = () => picker(`plugins: [{type: test-scorer, parameters: {scores: {a: 1, b: 0.5, c: 0.2}}}]\n`);
  const subset = (v: string) => ({ 'x-gateway-destination-endpoint-subset': v });

  it('restricts the candidates to the named endpoints (names, or IPs with the port stripped)', () => {
    const d = dispatched(p().handleRequest(request(subset('b, c')), POOL, 0, { trace: true }));
    expect(Object.keys(d.trace!.profiles[0]!.totals).sort()).toEqual(['b', 'c']);
    expect(d.target).toBe('b');
    expect(dispatched(p().handleRequest(request(subset('10.0.0.3:8000')), POOL, 0)).target).toBe('c');
  });

  it('503 for an explicitly empty subset or one naming no endpoint of the pool', () => {
    for (const v of ['', ' , ', 'nope', '10.9.9.9:80']) expect(p().handleRequest(request(subset(v)), POOL, 0)).toMatchObject({ kind: 'reject', status: 503 });
  });

  it('503 for an empty pool', () => {
    expect(p().handleRequest(request(), [], 0)).toMatchObject({ kind: 'reject', status: 503 });
  });
});

describe('hooks after scheduling', () => {
  it('PreRequest once per dispatch; ResponseComplete returns the headers plugins set and frees the plugin state', () => {
    const p = picker(`plugins: [{type: test-scorer, parameters: {scores: {b: 1}}}, {name: rec, type: test-recorder}]\n`);
    const rec = p.config.plugins.get('rec') as Recorder;
    const req = request();
    const d = dispatched(p.handleRequest(req, POOL, 0));
    expect(rec.calls).toEqual([{ hook: 'preRequest', id: req.id, detail: 'default' }]);
    expect(p.pluginState.size).toBe(1);
    expect(p.inFlightCount).toBe(1);
    const headers = p.responseComplete(req.id, d.target, 1000);
    expect(Object.fromEntries(headers)).toEqual({ 'x-test-served-by': 'b' });
    // The state written at PreRequest was still there when the response completed.
    expect(rec.calls[1]).toEqual({ hook: 'responseComplete', id: req.id, detail: ['b', 'seen'] });
    expect(p.pluginState.size).toBe(0);
    expect(p.inFlightCount).toBe(0);
    // Unknown or already-completed ids are ignored.
    expect(p.responseComplete(req.id, 'b', 2000).size).toBe(0);
    expect(rec.calls).toHaveLength(2);
  });

  it('a rejected request runs no PreRequest', () => {
    const p = picker(`plugins: [{type: test-filter, parameters: {keep: []}}, {type: test-scorer}, {name: rec, type: test-recorder}]\n`);
    p.handleRequest(request(), POOL, 0);
    expect((p.config.plugins.get('rec') as Recorder).calls).toEqual([]);
  });

  it('KV events reach KvEventListener plugins', () => {
    const p = picker(`plugins: [{type: test-scorer}, {name: rec, type: test-recorder}]\n`);
    expect(p.wantsKvEvents).toBe(true);
    p.kvEvent(5, 'c', { kind: 'stored', index: 2, keys: [1, 2] });
    expect((p.config.plugins.get('rec') as Recorder).calls).toEqual([{ hook: 'kvEvent', id: 'c', detail: 'stored' }]);
    expect(picker(`plugins: [{type: test-scorer}]\n`).wantsKvEvents).toBe(false);
  });
});

describe('PluginState (§1.8): entries untouched for 5 minutes are garbage-collected', () => {
  it('drops stale entries at the next sweep and keeps recently touched ones', () => {
    const s = new TtlPluginState();
    s.advance(0);
    s.write('old', 'k', 1);
    s.write('kept', 'k', 2);
    s.advance(4 * 60e6);
    expect(s.read('kept', 'k')).toBe(2); // touched at 4 min
    s.advance(PLUGIN_STATE_TTL_US + 60e6); // 6 min: 'old' untouched for 6 min, 'kept' for 2
    expect(s.read('old', 'k')).toBeUndefined();
    expect(s.read('kept', 'k')).toBe(2);
    expect(s.size).toBe(1);
  });

  it('property: an entry touched within 5 minutes is never dropped; none survives 6 minutes untouched', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 200e6 }), id: fc.integer({ min: 0, max: 5 }), write: fc.boolean() }), { maxLength: 60 }),
        (ops) => {
          const s = new TtlPluginState();
          const touched = new Map<string, number>();
          let now = 0;
          for (const op of ops) {
            now += op.dt;
            s.advance(now);
            for (const [id, t] of touched) {
              if (now - t > PLUGIN_STATE_TTL_US + 60e6) touched.delete(id); // swept at the latest now
            }
            const id = `r${op.id}`;
            if (op.write) {
              s.write(id, 'k', now);
              touched.set(id, now);
            } else if (touched.has(id) && now - touched.get(id)! <= PLUGIN_STATE_TTL_US) {
              expect(s.read(id, 'k')).not.toBeUndefined();
              touched.set(id, now);
            }
          }
          s.advance(now + PLUGIN_STATE_TTL_US + 60e6 + 1);
          expect(s.size).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('an entry exactly 5 minutes old survives (strictly older is collected)', () => {
    const s = new TtlPluginState();
    s.advance(0);
    s.write('x', 'k', 1);
    s.advance(PLUGIN_STATE_TTL_US);
    expect(s.size).toBe(1);
  });
});

describe('InferenceModelRewrite: weighted random target by integer weight', () => {
  it('picks targets in proportion to their weights; weight 0 never; other models untouched', () => {
    const p = picker(`plugins: [{type: test-scorer}]\n`, {
      rewrites: [{ model: 'llama', targets: [{ model: 'lora-a', weight: 3 }, { model: 'lora-b', weight: 1 }, { model: 'lora-z', weight: 0 }] }],
      seed: 7,
    });
    const n = 4000;
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const d = dispatched(p.handleRequest(request(), POOL, 0));
      counts[d.request.targetModel] = (counts[d.request.targetModel] ?? 0) + 1;
      p.responseComplete(d.requestId, d.target, 0);
    }
    expect(counts['lora-z']).toBeUndefined();
    // P(a) = 3/4; σ = √(0.75·0.25/4000) ≈ 0.0068; allow 4σ.
    expect(Math.abs(counts['lora-a']! / n - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / n));
    const other = dispatched(p.handleRequest(request({}, { model: 'mistral', targetModel: 'mistral' }), POOL, 0));
    expect(other.request.targetModel).toBe('mistral');
  });

  it('property: the target is always one of the rule\'s targets, never a weight-0 one while another has weight > 0', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 1e6 }), (weights, seed) => {
        const targets = weights.map((weight, i) => ({ model: `t${i}`, weight }));
        const p = picker(`plugins: [{type: test-scorer}]\n`, { rewrites: [{ model: 'llama', targets }], seed });
        const anyPositive = weights.some((w) => w > 0);
        for (let i = 0; i < 20; i++) {
          const t = dispatched(p.handleRequest(request(), POOL, 0)).request.targetModel;
          const k = Number(t.slice(1));
          expect(t).toBe(`t${k}`);
          expect(k).toBeLessThan(weights.length);
          if (anyPositive) expect(weights[k]).toBeGreaterThan(0);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('all-zero weights → uniform', () => {
    const p = picker(`plugins: [{type: test-scorer}]\n`, { rewrites: [{ model: 'llama', targets: [{ model: 'x', weight: 0 }, { model: 'y', weight: 0 }] }], seed: 3 });
    const n = 2000;
    let x = 0;
    for (let i = 0; i < n; i++) if (dispatched(p.handleRequest(request(), POOL, 0)).request.targetModel === 'x') x++;
    expect(Math.abs(x / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
  });
});

describe('flow control (featureGates: [flowControl])', () => {
  const yaml = (extra = '') => `featureGates: [flowControl]
plugins: [{type: test-scorer, parameters: {scores: {a: 1, b: 0.5, c: 0.2}}}, {name: d, type: test-detector}]
saturationDetector: {pluginRef: d}
${extra}`;

  it('requests queue, are held while saturated, and are released in FCFS order against the pool at dispatch time', () => {
    const p = picker(yaml());
    expect(p.flowControlEnabled).toBe(true);
    const det = p.config.saturationDetector as SettableDetector;
    det.value = 1.5;
    const r1 = request();
    const r2 = request();
    expect(p.handleRequest(r1, POOL, 0)).toMatchObject({ kind: 'queued', requestId: r1.id });
    expect(p.handleRequest(r2, POOL, 10)).toMatchObject({ kind: 'queued', requestId: r2.id });
    expect(p.dispatchQueued(POOL, 20)).toEqual([]);
    expect(p.queuedCount).toBe(2);
    det.value = 0.5;
    // Late binding: the pool at dispatch time has only b and c.
    const out = p.dispatchQueued(POOL.slice(1), 30);
    expect(out.map((d) => [d.requestId, d.kind === 'dispatch' ? d.target : d.status])).toEqual([
      [r1.id, 'b'],
      [r2.id, 'b'],
    ]);
    expect(p.queuedCount).toBe(0);
  });

  it('capacity: over maxRequests → 429 at enqueue', () => {
    const p = picker(yaml('flowControl: {maxRequests: 1}\n'));
    (p.config.saturationDetector as SettableDetector).value = 2;
    expect(p.handleRequest(request(), POOL, 0).kind).toBe('queued');
    expect(p.handleRequest(request(), POOL, 0)).toMatchObject({ kind: 'reject', status: 429 });
  });

  it('TTL: queued requests past defaultRequestTTL expire with 503', () => {
    const p = picker(yaml('flowControl: {defaultRequestTTL: 1s}\n'));
    (p.config.saturationDetector as SettableDetector).value = 2;
    const r = request();
    p.handleRequest(r, POOL, 0);
    expect(p.expireQueued(999_999)).toEqual([]);
    expect(p.expireQueued(1_000_000)).toEqual([{ requestId: r.id, request: r, status: 503, code: 'flow-control-ttl', reason: 'request timed out in queue' }]);
    expect(p.queuedCount).toBe(0);
  });

  it('a released request whose candidates are gone gets 503', () => {
    const p = picker(yaml());
    const r = request();
    expect(p.handleRequest(r, POOL, 0).kind).toBe('queued');
    // The stub detector reports 0, so the request is released, but the pool is empty by then.
    const out = p.dispatchQueued([], 0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'reject', status: 503, requestId: r.id });
    expect(p.queuedCount).toBe(0);
  });
});
