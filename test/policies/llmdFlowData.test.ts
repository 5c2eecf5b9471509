/**
 * llm-d-router v0.10.0 flow-control policies, concurrency-detector hybrid mode, eviction helpers,
 * data-layer types and parsers (`llm-d-router.md` §2.7, §4.8–§4.10). Vectors from the reference
 * verbatim; the rest derived by hand in comments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFlowController, flowControlConfig } from '../../policies/flowcontrol/controller.js';
import { chooseVictims, evictionCount, EvictionGate, evictionOrder } from '../../policies/flowcontrol/eviction.js';
import { ParamError, pluginDefinition } from '../../policies/framework/registry.js';
import type { FlowQueueView, LLMRequest, Plugin, QueueItem } from '../../policies/framework/types.js';
import { gpuUtilization } from '../../policies/plugins/datalayer/dcgmExtractor.js';
import { TopologyExtractor } from '../../policies/plugins/datalayer/topologyExtractor.js';
import type { ParserPlugin } from '../../policies/plugins/datalayer/v010Common.js';
import { intervalTicks } from '../../policies/plugins/datalayer/v010Common.js';
import { holdbackCeilings, priorityHoldbackPolicy, type PriorityHoldbackPolicy } from '../../policies/plugins/flowcontrol/priorityHoldback.js';
import { programAwareFairness, type ProgramAwareFairness } from '../../policies/plugins/flowcontrol/programAwareFairness.js';
import { softReflectiveCeilingPolicy, type SoftReflectiveCeilingPolicy } from '../../policies/plugins/flowcontrol/softReflectiveCeiling.js';
import { registerCatalog } from '../../policies/plugins/index.js';
import { llmdFlowDataPlugins } from '../../policies/plugins/llmdFlowData.js';
import { concurrencyDetectorV010, type ConcurrencyDetectorV010 } from '../../policies/plugins/saturation/concurrencyDetector.v010.js';
import { build, ctx, ep, names, req, schedResult } from './loadFixtures.js';

const def = (type: string) => llmdFlowDataPlugins.find((d) => d.type === type && d.dialects?.includes('llm-d-v0.10'))!;
const round4 = (xs: number[]) => xs.map((x) => Math.round(x * 1e4) / 1e4);

describe('priority-holdback-policy (§4.8 vectors)', () => {
  const hb = (p: Record<string, unknown>) => build<PriorityHoldbackPolicy>(priorityHoldbackPolicy, p);
  it('rank [100,50,10], 0.5–1 → 1, 0.75, 0.5; four bands → 1, 0.833, 0.667, 0.5', () => {
    expect(hb({ minCeiling: 0.5 }).ceilings(0, [100, 50, 10])).toEqual([1, 0.75, 0.5]);
    expect(round4(hb({ minCeiling: 0.5 }).ceilings(0, [4, 3, 2, 1]))).toEqual([1, 0.8333, 0.6667, 0.5]);
  });
  it('value [100,50,10] → 1, 0.7222, 0.5; [90,50,10] → 1, 0.75, 0.5; all equal → max; one level → max', () => {
    const v = hb({ minCeiling: 0.5, domain: 'value' });
    expect(round4(v.ceilings(0, [100, 50, 10]))).toEqual([1, 0.7222, 0.5]); // 0.5 + 40/90·0.5
    expect(v.ceilings(0, [90, 50, 10])).toEqual([1, 0.75, 0.5]); // 0.5 + 40/80·0.5
    expect(holdbackCeilings({ minCeiling: 0.2, maxCeiling: 0.9, domain: 'rank' }, [7])).toEqual([0.9]);
    expect(holdbackCeilings({ minCeiling: 0.2, maxCeiling: 0.9, domain: 'rank' }, [])).toEqual([]);
  });
  it('parameters: minCeiling required in [0,1), maxCeiling in (0,1] and > min, strict', () => {
    expect(() => hb({})).toThrow(ParamError);
    expect(() => hb({ minCeiling: 1 })).toThrow(ParamError);
    expect(() => hb({ minCeiling: 0.5, maxCeiling: 0.5 })).toThrow(ParamError);
    expect(() => hb({ minCeiling: 0.5, maxCeiling: 1.2 })).toThrow(ParamError);
    expect(() => hb({ minCeiling: 0.5, shape: 'cubic' })).toThrow();
    expect(() => hb({ minCeiling: 0.5, ceiling: 1 })).toThrow(/ceiling/);
  });
  it('ceilings are non-increasing from the highest level (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 8 }), fc.double({ min: 0, max: 0.99, noNaN: true }), fc.boolean(), (ps, min, value) => {
        const levels = [...ps].sort((a, b) => b - a);
        const cs = holdbackCeilings({ minCeiling: min, maxCeiling: 1, domain: value ? 'value' : 'rank' }, levels);
        expect(cs[0]).toBe(1);
        for (let i = 1; i < cs.length; i++) expect(cs[i]!).toBeLessThanOrEqual(cs[i - 1]! + 1e-12);
        expect(cs[cs.length - 1]!).toBeCloseTo(levels.length === 1 ? 1 : min, 12);
      }),
    );
  });
});

function fcReq(id: string, priority: number, fairnessId = ''): LLMRequest {
  return req({ id, priority, fairnessId });
}

describe('flow controller with a band-aware usage limit', () => {
  it('holdback over configured bands 100, 50, 10 (band 100 empty still counts): HoL blocks at the first band whose ceiling s reaches', () => {
    const plugins = new Map<string, Plugin>([['hb', build(priorityHoldbackPolicy, { minCeiling: 0.5 }, {}, 'hb')]]);
    const band = (priority: number) => ({ priority, maxBytes: 1e9, maxRequests: 0, fairnessPolicyRef: 'global-strict-fairness-policy', orderingPolicyRef: 'fcfs-ordering-policy' });
    const ctl = createFlowController(flowControlConfig({ usageLimitPolicyRef: 'hb', priorityBands: [band(100), band(50), band(10)] }), plugins);
    ctl.enqueue(fcReq('low', 10), 1, 0);
    ctl.enqueue(fcReq('mid', 50), 1, 0);
    // ceilings 1, 0.75, 0.5. s 0.8 ≥ 0.75 at band 50 → nothing.
    expect(ctl.dispatchOne(0.8, 0)).toBeNull();
    // s 0.7 < 0.75 → mid; then band 10: 0.7 ≥ 0.5 → blocked.
    expect(ctl.dispatchOne(0.7, 0)?.id).toBe('mid');
    expect(ctl.dispatchOne(0.7, 0)).toBeNull();
    expect(ctl.dispatchOne(0.49, 0)?.id).toBe('low');
  });
  it('levels created on demand join the list: bands 5 and 1 alone → 1, 0.5; adding band 3 → 1, 0.75, 0.5', () => {
    const plugins = new Map<string, Plugin>([['hb', build(priorityHoldbackPolicy, { minCeiling: 0.5 }, {}, 'hb')]]);
    const ctl = createFlowController(flowControlConfig({ usageLimitPolicyRef: 'hb' }), plugins);
    ctl.enqueue(fcReq('a', 5), 1, 0);
    ctl.enqueue(fcReq('b', 1), 1, 0);
    expect(ctl.dispatchOne(0.6, 0)?.id).toBe('a');
    expect(ctl.dispatchOne(0.6, 0)).toBeNull(); // band 1 ceiling 0.5
    ctl.enqueue(fcReq('c', 3), 1, 0); // now 3 levels: band 1 still 0.5, band 3 0.75
    expect(ctl.dispatchOne(0.6, 0)?.id).toBe('c');
    expect(ctl.dispatchOne(0.6, 0)).toBeNull();
  });
});

describe('flow controller with priority-holdback (property)', () => {
  it('a dispatched request\'s band has a ceiling above s, and no higher band held anything', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: fc.integer({ min: -2, max: 2 }), s: fc.double({ min: 0, max: 1.2, noNaN: true }), dispatch: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        (ops) => {
          const plugins = new Map<string, Plugin>([['hb', build(priorityHoldbackPolicy, { minCeiling: 0.2 }, {}, 'hb')]]);
          const ctl = createFlowController(flowControlConfig({ usageLimitPolicyRef: 'hb' }), plugins);
          const queued = new Map<number, number>(); // priority → count
          const seen = new Set<number>();
          ops.forEach((o, i) => {
            if (!o.dispatch) {
              ctl.enqueue(fcReq(`r${i}`, o.p), 1, 0);
              queued.set(o.p, (queued.get(o.p) ?? 0) + 1);
              seen.add(o.p);
              return;
            }
            const r = ctl.dispatchOne(o.s, 0);
            const levels = [...seen].sort((a, b) => b - a);
            const ceil = holdbackCeilings({ minCeiling: 0.2, maxCeiling: 1, domain: 'rank' }, levels);
            const first = levels.findIndex((p) => (queued.get(p) ?? 0) > 0);
            if (first < 0 || o.s >= ceil[first]!) return expect(r).toBeNull();
            expect(r?.priority).toBe(levels[first]);
            queued.set(levels[first]!, queued.get(levels[first]!)! - 1);
          });
        },
      ),
    );
  });
});

describe('soft-reflective-ceiling-policy (§4.8 vectors)', () => {
  const make = () => build<SoftReflectiveCeilingPolicy>(softReflectiveCeilingPolicy);
  const seq = (p: SoftReflectiveCeilingPolicy, s: number, n: number, calls: number) => Array.from({ length: calls }, () => p.ceilings(s, Array.from({ length: n }, (_, i) => n - i)));
  it('n 2, s 0.7 → band 1 closed, open, closed, open (period round(0.7/0.3) = 2)', () => {
    expect(seq(make(), 0.7, 2, 4).map((c) => c[1])).toEqual([0, 1, 0, 1]);
  });
  it('n 2, s 0.75 → closed, closed, open (period 3)', () => {
    expect(seq(make(), 0.75, 2, 6).map((c) => c[1])).toEqual([0, 0, 1, 0, 0, 1]);
  });
  it('n 4, s 0.7 → band 1 open (r 0.767), bands 2–3 alternating; band 0 always 1', () => {
    // r1 = 1 − 0.7/3 = 0.7667 > 0.7; r2 = 0.5333, r3 = 0.3 ≤ 0.7
    expect(seq(make(), 0.7, 4, 4)).toEqual([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
      [1, 1, 0, 0],
      [1, 1, 1, 1],
    ]);
  });
  it('s ≥ 1 → lower bands 0; s < 0.5 → all open and the counter does not move', () => {
    const p = make();
    expect(p.ceilings(1.2, [3, 2, 1])).toEqual([1, 0, 0]);
    expect(p.ceilings(0.4, [2, 1])).toEqual([1, 1]); // r1 = 0.6 > 0.4
    expect(seq(p, 0.7, 2, 2).map((c) => c[1])).toEqual([0, 1]); // counter starts from 0 still
    expect(p.ceilings(0.9, [7])).toEqual([1]);
    expect(() => build(softReflectiveCeilingPolicy, { period: 2 })).toThrow(/period/);
  });
});

describe('soft-reflective-ceiling-policy (properties)', () => {
  it('band 0 is always 1; every ceiling is 0 or 1; s < 0.5 opens all; s ≥ 1 closes all but band 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 1, maxLength: 20 }), (n, ss) => {
        const p = build<SoftReflectiveCeilingPolicy>(softReflectiveCeilingPolicy);
        const levels = Array.from({ length: n }, (_, i) => n - i);
        for (const s of ss) {
          const c = p.ceilings(s, levels);
          expect(c[0]).toBe(1);
          for (const x of c) expect(x === 0 || x === 1).toBe(true);
          if (s < 0.5) expect(c.every((x) => x === 1)).toBe(true);
          if (s >= 1) expect(c.slice(1).every((x) => x === 0)).toBe(true);
        }
      }),
    );
  });
});

const view = (fairnessId: string, enqueueUs: number[]): FlowQueueView => {
  const items: QueueItem[] = enqueueUs.map((t, i) => ({ request: fcReq(`${fairnessId}${i}`, 0, fairnessId), enqueueUs: t, ttlUs: 0, bytes: 1, seq: i }));
  return { fairnessId, items, length: items.length, head: items[0] ?? null };
};
const MS = 1000;

describe('program-aware-fairness (§4.8)', () => {
  const make = (p: Record<string, unknown> = {}) => build<ProgramAwareFairness>(programAwareFairness, p);
  const serve = (pa: ProgramAwareFairness, program: string, prompt: number, completion: number, nowUs = 0) => {
    const r = fcReq(`${program}-${prompt}-${completion}`, 0, program);
    pa.preRequest(ctx({ nowUs }), r, schedResult({ default: [ep('e')] }));
    pa.responseComplete(ctx({ nowUs }), r, { endpoint: 'e', result: schedResult({ default: [ep('e')] }), headers: new Map(), usage: { promptTokens: prompt, completionTokens: completion } });
  };
  it('derived example: A {S 1000, W 100 ms}, B {S 0, W 50 ms} → A 0.2, B 0.8 → B', () => {
    const pa = make();
    serve(pa, 'A', 400, 300); // S += 400 + 2·300 = 1000
    expect(pa.service('A')).toBe(1000);
    pa.observeNow(100 * MS);
    expect(pa.selectQueue(0, [view('A', [0]), view('B', [50 * MS])])!.fairnessId).toBe('B');
  });
  it('head wait wins when service is equal; all equal → first flow', () => {
    const pa = make();
    pa.observeNow(100 * MS);
    // S equal → norm 0.5 both; W: A 10 ms, B 90 ms → A 0.4, B 0.6
    expect(pa.selectQueue(0, [view('A', [90 * MS]), view('B', [10 * MS])])!.fairnessId).toBe('B');
    expect(pa.selectQueue(0, [view('A', [10 * MS]), view('B', [10 * MS])])!.fairnessId).toBe('A');
    expect(pa.selectQueue(0, [view('A', []), view('B', [])])).toBeNull();
  });
  it('idle programs decay per pick by lasDecayFactor, or by half-life over time; busy ones do not', () => {
    const pa = make({ lasDecayFactor: 0.5 });
    serve(pa, 'C', 1000, 0);
    serve(pa, 'A', 1000, 0);
    pa.selectQueue(0, [view('A', [0])]); // C idle → 500; A queued → 1000
    expect([pa.service('C'), pa.service('A')]).toEqual([500, 1000]);
    const hl = make({ lasHalfLifeSeconds: 10 });
    serve(hl, 'C', 1000, 0, 0);
    hl.observeNow(20_000 * MS); // 20 s = two half-lives → 250
    hl.selectQueue(0, []);
    expect(hl.service('C')).toBe(250);
  });
  it('forgets programs idle longer than evictionTtlSeconds (swept every evictionSweepSeconds)', () => {
    const pa = make({ evictionTtlSeconds: 10, evictionSweepSeconds: 5, lasDecayFactor: 1 });
    serve(pa, 'A', 100, 0, 0);
    pa.observeNow(6_000_000);
    pa.selectQueue(0, []); // idle 6 s ≤ 10 s: kept
    expect(pa.service('A')).toBe(100);
    pa.observeNow(11_000_000);
    pa.selectQueue(0, []); // swept at 11 s: idle 11 s > 10 s
    expect(pa.programs.has('A')).toBe(false);
  });
  it('parameters validated strictly', () => {
    expect(() => make({ lasDecayFactor: 0 })).toThrow(ParamError);
    expect(() => make({ lasHalfLifeSeconds: -1 })).toThrow(ParamError);
    expect(() => make({ strategy: 'fifo' })).toThrow();
    expect(() => make({ weight: 1 })).toThrow(/weight/);
  });
  it('in the flow controller: the low-service program goes first despite arriving later', () => {
    const pa = build<ProgramAwareFairness>(programAwareFairness, {}, {}, 'pa');
    serve(pa, 'heavy', 5000, 0);
    const ctl = createFlowController(flowControlConfig({ defaultPriorityBand: { fairnessPolicyRef: 'pa' } }), new Map<string, Plugin>([['pa', pa]]));
    ctl.enqueue(fcReq('h1', 0, 'heavy'), 1, 0);
    ctl.enqueue(fcReq('l1', 0, 'light'), 1, 10 * MS);
    // at 20 ms: heavy S 5000 W 20 → 0.8·0 + 0.2·1 = 0.2; light S 0 W 10 → 0.8 → light
    expect(ctl.dispatchOne(0, 20 * MS)?.id).toBe('l1');
    expect(ctl.dispatchOne(0, 20 * MS)?.id).toBe('h1');
  });
});

describe('eviction (§4.8): sheddable victims, order, count, gate', () => {
  it('n = max(1, ⌈(s − ceiling − pending)/(s/inFlight)⌉) ≤ 2 and ≤ evictable', () => {
    expect(evictionCount(1.2, 1.0, 0, 10, 5)).toBe(2); // 0.2/0.12 = 1.67 → 2
    expect(evictionCount(1.05, 1.0, 0, 10, 5)).toBe(1); // 0.05/0.105 = 0.48 → 1
    expect(evictionCount(2.0, 0.5, 0, 10, 5)).toBe(2); // 1.5/0.2 = 7.5 → 8, capped 2
    expect(evictionCount(2.0, 0.5, 0, 10, 1)).toBe(1);
    expect(evictionCount(1.2, 1.0, 0.5, 10, 5)).toBe(1); // negative → max(1, …)
    expect(evictionCount(1.2, 1.0, 0, 10, 0)).toBe(0);
  });
  it('victims: priority < 0 and below the blocked band; lowest priority then most recent dispatch', () => {
    const inflight = [
      { id: 'a', priority: -1, dispatchUs: 5 },
      { id: 'b', priority: -2, dispatchUs: 1 },
      { id: 'c', priority: -1, dispatchUs: 9 },
      { id: 'd', priority: 0, dispatchUs: 9 },
    ];
    expect([...inflight].filter((r) => r.priority < 0).sort(evictionOrder).map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(chooseVictims(inflight, 0, 1.2, 1.0, 0).map((r) => r.id)).toEqual(['b']); // 0.2/(1.2/4) = 0.67 → 1
    expect(chooseVictims(inflight, -1, 2, 0.5, 0).map((r) => r.id)).toEqual(['b']); // only −2 is below −1
  });
  it('the gate waits for confirmations plus the grace, and times unconfirmed ones out after 10 s', () => {
    const g = new EvictionGate(10_000);
    expect(g.canFire(0)).toBe(true);
    g.issued('x', 0);
    expect(g.canFire(5_000_000)).toBe(false);
    g.confirmed('x', 6_000_000);
    expect(g.canFire(6_005_000)).toBe(false);
    expect(g.canFire(6_010_000)).toBe(true);
    g.issued('y', 7_000_000);
    expect(g.canFire(16_999_999)).toBe(false);
    expect(g.canFire(17_010_000)).toBe(true); // timed out at 17 s, + 10 ms grace
  });
});

describe('concurrency-detector v0.10 hybrid mode (§2.7)', () => {
  const dispatch = (d: ConcurrencyDetectorV010, id: string, target: string, prompt = 'x'.repeat(40)) =>
    d.preRequest(ctx(), req({ id, prompt }), schedResult({ default: [ep(target)] }));
  it('hybrid = mean over endpoints of max(requests/maxConcurrency, tokens/maxTokenConcurrency)', () => {
    const d = build<ConcurrencyDetectorV010>(concurrencyDetectorV010, { concurrencyMode: 'hybrid', maxConcurrency: 2, maxTokenConcurrency: 50 });
    dispatch(d, 'r1', 'A'); // 40 bytes → 10 + 15 = 25 tokens
    dispatch(d, 'r2', 'B', 'y'.repeat(8)); // 8 bytes → 2 + 3 = 5 tokens
    // A max(1/2, 25/50) = 0.5; B max(1/2, 5/50) = 0.5 → 0.5
    expect(d.saturation(ctx(), [ep('A'), ep('B')])).toBe(0.5);
    dispatch(d, 'r3', 'A', 'y'.repeat(8)); // A: 2 requests, 30 tokens → max(1, 0.6) = 1 → mean 0.75
    expect(d.saturation(ctx(), [ep('A'), ep('B')])).toBe(0.75);
    // filter on both: A 2 < 2 false → dropped; B 1 < 2 and 5 < 50 → kept
    expect(names(d.filter(ctx(), req(), [ep('A'), ep('B')]))).toEqual(['B']);
    const t = build<ConcurrencyDetectorV010>(concurrencyDetectorV010, { concurrencyMode: 'hybrid', maxConcurrency: 10, maxTokenConcurrency: 50 });
    dispatch(t, 'a', 'A');
    dispatch(t, 'b', 'A'); // 2 requests < 10 but 50 tokens, 50 < 50 false → dropped
    expect(names(t.filter(ctx(), req(), [ep('A'), ep('B')]))).toEqual(['B']);
    expect(t.saturation(ctx(), [ep('A'), ep('B')])).toBe(0.5); // A max(0.2, 1) = 1, B 0 → 0.5
  });
  it('requests and tokens modes unchanged; empty → 1.0; zero capacity → 1.0; new parameter accepted', () => {
    const d = build<ConcurrencyDetectorV010>(concurrencyDetectorV010, { maxConcurrency: 2, inFlightLoadProducerName: 'ifl' });
    dispatch(d, 'r1', 'A');
    expect(d.saturation(ctx(), [ep('A'), ep('B')])).toBe(0.25);
    expect(d.saturation(ctx(), [])).toBe(1);
    expect(build<ConcurrencyDetectorV010>(concurrencyDetectorV010, { concurrencyMode: 'hybrid', maxTokenConcurrency: 0 }).saturation(ctx(), [ep('A')])).toBe(1);
    expect(() => build(concurrencyDetectorV010, { headroom: -1 })).toThrow(ParamError);
  });
});

describe('data layer and parsers (§4.9, §4.10)', () => {
  it('topology-extractor sets Topology/<name> from the labels ("" when absent), once', () => {
    const t = build<TopologyExtractor>(def('topology-extractor'), {}, {}, 'topo');
    const a = ep('a', {}, { 'kubernetes.io/hostname': 'h1', 'topology.kubernetes.io/zone': 'z1' });
    t.prepareRequestData(ctx(), req(), [a]);
    expect(a.attributes.get('Topology/topo')).toEqual({ host: 'h1', rack: '', zone: 'z1', region: '' });
    expect(t.produces).toEqual(['Topology/topo']);
  });
  it('dcgm-extractor conversion: max over the pod\'s and unlabelled samples ÷ 100', () => {
    expect(gpuUtilization([{ pod: 'p', value: 40 }, { value: 70 }, { pod: 'q', value: 99 }], 'p')).toBe(0.7);
    expect(gpuUtilization([{ pod: 'q', value: 99 }], 'p')).toBeUndefined();
  });
  it('interval → base ticks, rounded to the nearest multiple, minimum 1', () => {
    expect([intervalTicks(0), intervalTicks(1_000_000), intervalTicks(70_000), intervalTicks(10_000)]).toEqual([1, 20, 1, 1]);
    expect(intervalTicks(80_000)).toBe(2);
  });
  it('parameters are strict and required ones are enforced', () => {
    expect(() => build(def('dcgm-data-source'), { prot: 1 })).toThrow(/prot/);
    expect(build(def('dcgm-data-source'), { port: 9401, interval: '1s', useNodeAddress: true }).type).toBe('dcgm-data-source');
    expect(() => build(def('file-discovery'))).toThrow(ParamError);
    expect(() => build(def('multicluster-file-discovery'), { watchFile: true })).toThrow(ParamError);
    expect(() => build(def('core-metrics-extractor'), { customMetrics: [{ attributeKey: 'k', metricSpec: 'm', extra: 1 }] })).toThrow();
    expect(build(def('core-metrics-extractor'), { customMetrics: [{ attributeKey: 'k', metricSpec: 'vllm:x' }], defaultEngine: 'triton' }).type).toBe('core-metrics-extractor');
    expect(() => build(def('metrics-data-source'), { interval: 'soon' })).toThrow();
    expect(() => build(def('multicluster-metrics-extractor'), { kvMetric: 'x' })).toThrow(/kvMetric/);
  });
  it('parsers claim their paths by suffix (§2.3)', () => {
    const p = (type: string) => build<ParserPlugin>(def(type));
    expect(p('openai-parser').claims('/v1/chat/completions?x=1')).toBe(true);
    expect(p('openai-parser').claims('/v1/models')).toBe(false);
    expect(p('anthropic-parser').claims('/v1/messages')).toBe(true);
    expect(p('anthropic-parser').claims('/v1/messages/count_tokens')).toBe(true);
    expect(p('anthropic-parser').claims('/v1/completions')).toBe(false);
    expect(p('vllmhttp-parser').claims('/inference/v1/generate')).toBe(true);
    expect(p('vllmhttp-parser').claims('/generate')).toBe(false);
    expect(p('vertexai-parser').claims('/google.cloud.aiplatform.v1.PredictionService/ChatCompletions')).toBe(true);
    expect(p('vertexai-parser').fallback).toBe(false);
  });
  it('dialects: v0.10 twins and v0.10-only types; Alpha types per §2.4', () => {
    registerCatalog();
    for (const t of ['concurrency-detector', 'metrics-data-source', 'core-metrics-extractor', 'openai-parser'])
      expect(pluginDefinition(t, 'llm-d-v0.10')).not.toBe(pluginDefinition(t, 'gaie-v1.5'));
    expect(pluginDefinition('priority-holdback-policy', 'gaie-v1.5')).toBeUndefined();
    expect(pluginDefinition('priority-holdback-policy', 'llm-d-v0.10')).toBeDefined();
    const alpha = llmdFlowDataPlugins.filter((d) => d.stability === 'alpha').map((d) => d.type).sort();
    expect(alpha).toEqual([
      'dcgm-data-source',
      'dcgm-extractor',
      'multicluster-file-discovery',
      'multicluster-metrics-data-source',
      'multicluster-metrics-extractor',
      'priority-holdback-policy',
      'priority-then-time-eviction-order-policy',
      'sheddable-eviction-filter',
      'soft-reflective-ceiling-policy',
      'topology-extractor',
    ]);
  });
});
