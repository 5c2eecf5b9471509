/**
 * GAIE v1.5.0 load scorers (epp.md §2.2–§2.6): queue, kv-cache-utilization, running-requests-size,
 * lora-affinity, token-load with inflight-load-producer and the SimpleTokenEstimator. Expected
 * numbers are derived by hand from the formulas in epp.md (derivations next to them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IN_FLIGHT_LOAD, inFlightLoad } from '../../policies/framework/attributes.js';
import { paramDocs } from '../../policies/framework/registry.js';
import type { Scorer } from '../../policies/framework/types.js';
import { loadPlugins } from '../../policies/plugins/load.js';
import { InFlightLoadProducer, inflightLoadProducer } from '../../policies/plugins/producer/inflightLoad.js';
import { estimateTokens, goRound, promptTextLength } from '../../policies/plugins/producer/tokenEstimator.js';
import { kvCacheUtilizationScorer } from '../../policies/plugins/scorer/kvCacheUtilization.js';
import { loraAffinityScorer } from '../../policies/plugins/scorer/loraAffinity.js';
import { queueScorer } from '../../policies/plugins/scorer/queue.js';
import { runningRequestsSizeScorer } from '../../policies/plugins/scorer/runningRequestsSize.js';
import { tokenLoadScorer, type TokenLoadScorer } from '../../policies/plugins/scorer/tokenLoad.js';
import { build, byQueue, ctx, ep, obj, pluginState, req, schedResult } from './loadFixtures.js';

const score = (s: Scorer, eps = byQueue([]), r = req()) => obj(s.score(ctx(), r, eps));

describe('queue-scorer (§2.2)', () => {
  const s = build<Scorer>(queueScorer);
  it('min–max over the candidates: q [2, 0, 5] → [0.6, 1, 0]', () => {
    // min 0, max 5: (5−2)/5 = 0.6, (5−0)/5 = 1, (5−5)/5 = 0
    expect(score(s, byQueue([2, 0, 5]))).toEqual({ e0: 0.6, e1: 1, e2: 0 });
  });
  it('is relative to the current set: removing the max rescales', () => {
    // q [2, 0]: min 0, max 2 → (2−2)/2 = 0 and (2−0)/2 = 1
    expect(score(s, byQueue([2, 0]))).toEqual({ e0: 0, e1: 1 });
  });
  it('all equal (or a single candidate) → 1.0 for all', () => {
    expect(score(s, byQueue([3, 3, 3]))).toEqual({ e0: 1, e1: 1, e2: 1 });
    expect(score(s, byQueue([7]))).toEqual({ e0: 1 });
  });
  it('a never-scraped endpoint counts as queue 0', () => {
    // q [null→0, 4]: (4−0)/4 = 1, (4−4)/4 = 0
    expect(score(s, [ep('a', null), ep('b', { waitingQueueSize: 4 })])).toEqual({ a: 1, b: 0 });
  });
});

describe('running-requests-size-scorer (§2.4)', () => {
  const s = build<Scorer>(runningRequestsSizeScorer);
  it('min–max on running requests: r [1, 2, 3] → [1, 0.5, 0]', () => {
    // min 1, max 3: (3−1)/2 = 1, (3−2)/2 = 0.5, 0
    const eps = [1, 2, 3].map((r, i) => ep(`e${i}`, { runningRequestsSize: r, waitingQueueSize: 9 - i }));
    expect(score(s, eps)).toEqual({ e0: 1, e1: 0.5, e2: 0 });
  });
  it('ignores the waiting queue; all equal → 1', () => {
    const eps = [ep('a', { runningRequestsSize: 4, waitingQueueSize: 0 }), ep('b', { runningRequestsSize: 4, waitingQueueSize: 50 })];
    expect(score(s, eps)).toEqual({ a: 1, b: 1 });
  });
});

describe('kv-cache-utilization-scorer (§2.3)', () => {
  const s = build<Scorer>(kvCacheUtilizationScorer);
  it('1 − kv, not relative to the others', () => {
    // the §1.4 worked example: kv 0.5 / 0.3 / 0.9 → 0.5 / 0.7 / 0.1
    const got = score(s, [ep('A', { kvCacheUsagePercent: 0.5 }), ep('B', { kvCacheUsagePercent: 0.3 }), ep('C', { kvCacheUsagePercent: 0.9 })]);
    expect(got.A).toBe(0.5);
    expect(got.B).toBeCloseTo(0.7, 15);
    expect(got.C).toBeCloseTo(0.1, 15);
    expect(score(s, [ep('only', { kvCacheUsagePercent: 0.25 })])).toEqual({ only: 0.75 });
  });
});

describe('lora-affinity-scorer (§2.5)', () => {
  const s = build<Scorer>(loraAffinityScorer);
  const r = req({ model: 'llama', targetModel: 'lora-a' });
  it('1.0 running, 0.8 free slot, 0.6 waiting without slot, 0 otherwise', () => {
    const eps = [
      ep('running', { activeModels: ['lora-a'], maxActiveModels: 1 }), // running → 1.0 even with no free slot
      ep('slot', { activeModels: ['x'], waitingModels: [], maxActiveModels: 2 }), // 1 + 0 < 2 → 0.8
      ep('waiting', { activeModels: ['x'], waitingModels: ['lora-a'], maxActiveModels: 2 }), // 1 + 1 = 2, not < 2; waiting → 0.6
      ep('full', { activeModels: ['x', 'y'], waitingModels: [], maxActiveModels: 2 }), // no slot, not waiting → 0
      ep('off', { maxActiveModels: 0 }), // LoRA off: 0 + 0 < 0 false → 0
    ];
    expect(score(s, eps, r)).toEqual({ running: 1, slot: 0.8, waiting: 0.6, full: 0, off: 0 });
  });
  it('capacity is checked before waiting: waiting adapter with a free slot scores 0.8', () => {
    // |A| + |W| = 0 + 1 < 3 → 0.8 (the 0.6 branch is never reached)
    expect(score(s, [ep('w', { waitingModels: ['lora-a'], maxActiveModels: 3 })], r)).toEqual({ w: 0.8 });
  });
  it('uses the target model (after rewrite), not the requested model', () => {
    const e = ep('e', { activeModels: ['llama'], maxActiveModels: 1 });
    expect(score(s, [e], r)).toEqual({ e: 0 }); // lora-a is not running; 1 + 0 < 1 false; not waiting
  });
});

describe('SimpleTokenEstimator (§2.6)', () => {
  it('Go math.Round is half away from zero', () => {
    expect([goRound(0.5), goRound(1.5), goRound(2.5), goRound(-2.5), goRound(2.4999), goRound(-0.4)]).toEqual([1, 2, 3, -3, 2, -0]);
  });
  it('body size known: input = max(⌊bytes/4⌋, 1), output = round(1.5 × input)', () => {
    // 1000 bytes → input 250, output 375 → 625
    expect(estimateTokens(req({ requestSizeBytes: 1000 }))).toBe(625);
    // 7 bytes → ⌊1.75⌋ = 1, output round(1.5) = 2 → 3
    expect(estimateTokens(req({ requestSizeBytes: 7 }))).toBe(3);
    // 0 bytes → max(0, 1) = 1 → 3
    expect(estimateTokens(req({ requestSizeBytes: 0, prompt: 'x'.repeat(400) }))).toBe(3);
  });
  it('body size unknown: input = max(1, round(len(prompt bytes)/4))', () => {
    // 6 bytes → round(1.5) = 2; output round(3) = 3 → 5
    expect(estimateTokens(req({ prompt: 'abcdef' }))).toBe(5);
    // 2 bytes → round(0.5) = 1 (half away from zero); output round(1.5) = 2 → 3
    expect(estimateTokens(req({ prompt: 'ab' }))).toBe(3);
    // 1 byte → round(0.25) = 0 → max 1 → 3
    expect(estimateTokens(req({ prompt: 'a' }))).toBe(3);
    // 10 bytes → round(2.5) = 3; output round(4.5) = 5 → 8
    expect(estimateTokens(req({ prompt: '0123456789' }))).toBe(8);
  });
  it('prompt length is in UTF-8 bytes (Go len)', () => {
    // "héllo": h, é (2 bytes), l, l, o → 6 bytes → input 2, output 3 → 5
    expect(promptTextLength({ kind: 'completion', text: 'héllo' })).toBe(6);
    expect(estimateTokens(req({ prompt: 'héllo' }))).toBe(5);
  });
  it('chat: the length of Go json.Marshal(messages)', () => {
    // [{"role":"user","content":"hi"}] = 32 bytes → input 8, output 12 → 20
    const p = { kind: 'chat' as const, messages: [{ role: 'user', content: 'hi' }] };
    expect(promptTextLength(p)).toBe('[{"role":"user","content":"hi"}]'.length);
    expect(estimateTokens(req({ prompt: p }))).toBe(20);
  });
  it('synthetic: Σ tokens × charsPerToken', () => {
    // (100 + 28) tokens × 4 chars = 512 bytes → input 128, output 192 → 320
    const p = { kind: 'synthetic' as const, spans: [{ content: 1, tokens: 100 }, { content: 2, tokens: 28 }], charsPerToken: 4 };
    expect(promptTextLength(p)).toBe(512);
    expect(estimateTokens(req({ prompt: p }))).toBe(320);
  });
});

describe('inflight-load-producer + token-load-scorer (§2.6)', () => {
  // A 40-byte prompt: input round(40/4) = 10, output round(15) = 15 → 25 tokens per request.
  const prompt = 'x'.repeat(40);

  it('PreRequest counts every primary target, PrepareData snapshots onto candidates, ResponseComplete reverses', () => {
    const producer = build<InFlightLoadProducer>(inflightLoadProducer);
    const state = pluginState();
    const c = ctx({ state });
    const [a, b, d] = [ep('a'), ep('b'), ep('d')];
    const r1 = req({ prompt });
    producer.prepareRequestData(c, r1, [a, b, d]);
    expect(inFlightLoad(a)).toEqual({ requests: 0, tokens: 0 });
    // primary "decode" returned two endpoints (maxNumOfEndpoints 2); the "prefill" profile's target is NOT counted
    producer.preRequest(c, r1, schedResult({ decode: [a, b], prefill: [d] }));
    const r2 = req({ prompt: 'y'.repeat(8) }); // 8 bytes → input 2, output 3 → 5 tokens
    producer.prepareRequestData(c, r2, [ep('a'), ep('b'), ep('d')]);
    producer.preRequest(c, r2, schedResult({ default: [a] }));
    expect(producer.tracker.get('a')).toEqual({ requests: 2, tokens: 30 });
    expect(producer.tracker.get('b')).toEqual({ requests: 1, tokens: 25 });
    expect(producer.tracker.get('d')).toEqual({ requests: 0, tokens: 0 });
    const fresh = [ep('a'), ep('b'), ep('d')];
    producer.prepareRequestData(c, req(), fresh);
    expect(fresh.map((e) => e.attributes.get(IN_FLIGHT_LOAD))).toEqual([
      { requests: 2, tokens: 30 },
      { requests: 1, tokens: 25 },
      { requests: 0, tokens: 0 },
    ]);
    const info = { endpoint: 'a', result: schedResult({ decode: [a, b] }), headers: new Map<string, string>() };
    producer.responseComplete(c, r1, info);
    expect(producer.tracker.get('a')).toEqual({ requests: 1, tokens: 5 });
    expect(producer.tracker.get('b')).toEqual({ requests: 0, tokens: 0 });
    producer.responseComplete(c, r1, info); // a second completion of the same request changes nothing
    expect(producer.tracker.get('a')).toEqual({ requests: 1, tokens: 5 });
  });

  it('the decrement uses the estimate kept in PluginState at dispatch', () => {
    const producer = build<InFlightLoadProducer>(inflightLoadProducer);
    const state = pluginState();
    const a = ep('a');
    const r = req({ prompt });
    producer.prepareRequestData(ctx({ state }), r, [a]);
    expect(state.read(r.id, 'SimpleTokenEstimator')).toBe(25);
    producer.preRequest(ctx({ state }), r, schedResult({ default: [a] }));
    expect(producer.tracker.get('a').tokens).toBe(25);
    producer.responseComplete(ctx({ state: pluginState() }), r, { endpoint: 'a', result: schedResult({ default: [a] }), headers: new Map() });
    expect(producer.tracker.get('a')).toEqual({ requests: 0, tokens: 0 });
  });

  it('token-load: 1 − min(tokens, T)/T; 1 when idle or without the producer', () => {
    const producer = build<InFlightLoadProducer>(inflightLoadProducer);
    const scorer = build<TokenLoadScorer>(tokenLoadScorer, { queueThresholdTokens: 100 });
    const c = ctx();
    const a = ep('a');
    for (let i = 0; i < 5; i++) producer.preRequest(c, req({ prompt }), schedResult({ default: [a] })); // 5 × 25 = 125 tokens
    const eps = [ep('a'), ep('b')];
    // without PrepareData there is no InFlightLoad attribute → tokens 0 → 1.0 for all (not auto-wired)
    expect(obj(scorer.score(c, req(), eps))).toEqual({ a: 1, b: 1 });
    producer.prepareRequestData(c, req(), eps);
    // a: min(125, 100)/100 = 1 → 0; b: idle → 1
    expect(obj(scorer.score(c, req(), eps))).toEqual({ a: 0, b: 1 });
    const two = [ep('a')];
    const p2 = build<InFlightLoadProducer>(inflightLoadProducer);
    p2.preRequest(c, req({ prompt }), schedResult({ default: two }));
    p2.prepareRequestData(c, req(), two);
    expect(obj(scorer.score(c, req(), two))).toEqual({ a: 0.75 }); // 1 − 25/100
  });

  it('queueThresholdTokens defaults to 4194304 and ≤ 0 falls back to it', () => {
    expect(build<TokenLoadScorer>(tokenLoadScorer).threshold).toBe(4194304);
    expect(build<TokenLoadScorer>(tokenLoadScorer, { queueThresholdTokens: 0 }).threshold).toBe(4194304);
    expect(build<TokenLoadScorer>(tokenLoadScorer, { queueThresholdTokens: -5 }).threshold).toBe(4194304);
  });

  it('property: counters always equal the sum over outstanding dispatches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(9), fc.subarray(['a', 'b', 'c'], { minLength: 1 })), { maxLength: 60 }),
        (ops) => {
          const producer = build<InFlightLoadProducer>(inflightLoadProducer);
          const c = ctx();
          const outstanding = new Map<string, { targets: string[]; tokens: number }>();
          for (const [dispatch, id, targets] of ops) {
            const r = req({ id: `q${id}`, requestSizeBytes: 37 * id }); // a request id always has the same body
            if (dispatch) {
              producer.preRequest(c, r, schedResult({ default: targets.map((t) => ep(t)) }));
              outstanding.set(r.id, { targets, tokens: estimateTokens(r) });
            } else {
              producer.responseComplete(c, r, { endpoint: 'a', result: schedResult({ default: [] }), headers: new Map() });
              outstanding.delete(r.id);
            }
          }
          for (const name of ['a', 'b', 'c']) {
            let requests = 0;
            let tokens = 0;
            for (const o of outstanding.values()) if (o.targets.includes(name)) (requests++, (tokens += o.tokens));
            expect(producer.tracker.get(name)).toEqual({ requests, tokens });
          }
        },
      ),
    );
  });
});

describe('properties of the load scorers', () => {
  const metricsArb = fc.record({
    waitingQueueSize: fc.nat(500),
    runningRequestsSize: fc.nat(300),
    kvCacheUsagePercent: fc.double({ min: 0, max: 1, noNaN: true }),
    activeModels: fc.subarray(['a', 'b', 'c', 'd']),
    waitingModels: fc.subarray(['a', 'b', 'c', 'd']),
    maxActiveModels: fc.nat(4),
  });
  const fleet = fc.array(fc.option(metricsArb, { nil: null }), { minLength: 1, maxLength: 16 });
  const scorers = [queueScorer, runningRequestsSizeScorer, kvCacheUtilizationScorer, loraAffinityScorer, tokenLoadScorer].map((d) =>
    build<Scorer>(d),
  );

  it('every scorer returns one score in [0, 1] per candidate', () => {
    fc.assert(
      fc.property(fleet, fc.constantFrom('a', 'b', 'z'), (ms, target) => {
        const eps = ms.map((m, i) => ep(`e${i}`, m));
        for (const s of scorers) {
          const out = s.score(ctx(), req({ targetModel: target }), eps);
          expect(out.size).toBe(eps.length);
          for (const v of out.values()) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  it('min–max scorers: the lowest value scores exactly 1 and the highest exactly 0 unless all are equal', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 20 }), (qs) => {
        const out = [...scorers[0]!.score(ctx(), req(), byQueue(qs)).values()];
        if (Math.min(...qs) === Math.max(...qs)) expect(out.every((v) => v === 1)).toBe(true);
        else {
          qs.forEach((q, i) => {
            if (q === Math.min(...qs)) expect(out[i]).toBe(1);
            if (q === Math.max(...qs)) expect(out[i]).toBe(0);
          });
        }
        // order-reversing: a smaller queue never scores lower
        qs.forEach((q, i) => qs.forEach((q2, j) => q < q2 && expect(out[i]!).toBeGreaterThanOrEqual(out[j]!)));
      }),
    );
  });
});

describe('the group', () => {
  it('every definition documents its parameters and rejects unknown ones', () => {
    for (const d of loadPlugins) {
      expect(d.description.length).toBeGreaterThan(20);
      for (const p of paramDocs(d)) expect(p.description, `${d.type}.${p.name}`).not.toBe('');
      expect(() => d.params.parse({ noSuchParameter: 1 }), d.type).toThrow();
    }
  });
  it('types are unique', () => {
    const types = loadPlugins.map((d) => d.type);
    expect(new Set(types).size).toBe(types.length);
  });
});
