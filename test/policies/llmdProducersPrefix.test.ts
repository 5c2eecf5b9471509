/** llm-d-router v0.10.0 burst and precise prefix producers, the precise scorer wrapper, and properties of the v0.10 producers. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ParamError } from '../../policies/framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, SchedulingResult } from '../../policies/framework/types.js';
import { dataKey, type PrefixCacheMatchInfoV010 } from '../../policies/framework/dataKeys.js';
import { sealBurstBatch } from '../../policies/prefix/burstSeal.js';
import { ApproxPrefixCacheProducerV010, approxPrefixCacheProducerV010 } from '../../policies/plugins/producer/approxPrefixCache.v010.js';
import { inflightLoadProducerV010, type InFlightLoadProducerV010 } from '../../policies/plugins/producer/inflightLoad.v010.js';
import { burstPrefixCacheProducer } from '../../policies/plugins/producer/burstPrefixCache.js';
import { precisePrefixCacheProducer, type PrecisePrefixCacheProducer } from '../../policies/plugins/producer/precisePrefixCache.js';
import { PrefixInfoScorer, precisePrefixCacheScorerV010, type PrecisePrefixCacheScorerV010 } from '../../policies/plugins/scorer/precisePrefixCache.v010.js';
import { cycle, ep, picked, request } from './prefixHelpers.js';
import { chat, info, make, ps } from './llmdProducerHelpers.js';

describe('burst-prefix-cache-producer seal (shipped vectors)', () => {
  const reps = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `pod${i + 1}`, runningRequests: 0 }));
  const same = (n: number, h = [1, 2, 3]) => Array.from({ length: n }, () => h);
  const hist = (a: number[], n: number) => Array.from({ length: n }, (_, r) => a.filter((x) => x === r).length);
  const o = { maxPerReplica: -1, minColocateBlocks: 0, balanceBy: 'requests' as const };
  test('8 identical on 4 replicas: k −1 → all pod1; k 2 → 2 each; k 4 → pods 1, 2 get 4', () => {
    expect(hist(sealBurstBatch(same(8), reps(4), o), 4)).toEqual([8, 0, 0, 0]);
    expect(hist(sealBurstBatch(same(8), reps(4), { ...o, maxPerReplica: 2 }), 4)).toEqual([2, 2, 2, 2]);
    expect(hist(sealBurstBatch(same(8), reps(4), { ...o, maxPerReplica: 4 }), 4)).toEqual([4, 4, 0, 0]);
  });
  test('8 with k 2 on 2 replicas → 4/4; singleton or empty → none', () => {
    expect(hist(sealBurstBatch(same(8), reps(2), { ...o, maxPerReplica: 2 }), 2)).toEqual([4, 4]);
    expect(sealBurstBatch([[1, 2], [3], []], reps(2), o)).toEqual([-1, -1, -1]);
  });
  test('tokens: a 4-block unit is kept apart from two 1-block units', () => {
    // fair share ⌈(4 + 1 + 1)/2⌉ = 3: the 4-block unit loads pod1 to 4 ≥ 3, so both small units go to pod2
    const a = sealBurstBatch([[1, 2, 3, 4], [1, 2, 3, 4], [7], [7], [8], [8]], reps(2), { ...o, balanceBy: 'tokens' });
    expect(a).toEqual([0, 0, 1, 1, 1, 1]);
  });
  test('three units sharing 9 of 10 blocks (minColocate 9) stay together', () => {
    const base = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    // singles (one request each) co-located: fair ⌈30/2⌉ = 15; pod1 load 10 → 11 → 12, each < 15
    const a = sealBurstBatch([[...base, 10], [...base, 11], [...base, 12]], reps(2), { ...o, minColocateBlocks: 9, balanceBy: 'tokens' });
    expect(a).toEqual([0, 0, 0]);
  });
  test('plugin: requests in one window sealed together; total on the assigned replica, 0 elsewhere', () => {
    const p = make<{ prepareRequestData: (c: CycleContext, r: LLMRequest, e: SchedEndpoint[]) => void }>(burstPrefixCacheProducer);
    const key = dataKey('PrefixCacheMatchInfoDataKey', 'burst-prefix-cache-producer');
    const first = [ep('a'), ep('b')];
    p.prepareRequestData(cycle(ps, 0), request(chat('Hello')), first);
    expect((first[0]!.attributes.get(key) as PrefixCacheMatchInfoV010).match).toBe(0); // singleton so far
    const second = [ep('a'), ep('b')];
    p.prepareRequestData(cycle(ps, 50_000), request(chat('Hello')), second);
    expect(second.map((e) => (e.attributes.get(key) as PrefixCacheMatchInfoV010).match)).toEqual([1, 0]);
    const third = [ep('a'), ep('b')];
    p.prepareRequestData(cycle(ps, 100_000), request(chat('Hello')), third); // new window: singleton
    expect(third.map((e) => (e.attributes.get(key) as PrefixCacheMatchInfoV010).match)).toEqual([0, 0]);
  });
  test('parameter bounds', () => {
    expect(() => make(burstPrefixCacheProducer, { maxPerReplica: 0 })).toThrow(ParamError);
    expect(() => make(burstPrefixCacheProducer, { maxPrefixTokensToMatch: 10 })).toThrow(ParamError);
    expect(() => make(burstPrefixCacheProducer, { windowDurationMs: 0 })).toThrow();
  });
});

describe('precise-prefix-cache-producer and the v0.10 scorer wrapper', () => {
  const key = dataKey('PrefixCacheMatchInfoDataKey', 'precise-prefix-cache-producer');
  const keyed = (keys: number[]) => request('x', { tokenBlockKeys: () => keys });
  test('match = ⌊tier-weighted⌋ (cpu 0.8), total = #keys, unweighted count; AllBlocksCleared clears the pod', () => {
    const p = make<PrecisePrefixCacheProducer>(precisePrefixCacheProducer);
    p.kvEvent(0, 'a', { kind: 'stored', index: 0, keys: [1, 2, 3] });
    p.kvEvent(0, 'b', { kind: 'stored', index: 1, keys: [1, 2], medium: 'cpu' } as never);
    const [a, b] = [ep('a'), ep('b')];
    p.prepareRequestData(cycle(ps), keyed([1, 2, 3, 4]), [a, b]);
    expect(info(a, key)).toEqual({ match: 3, total: 4, blockSize: 16, unweightedBlocks: 3 });
    expect(info(b, key)).toEqual({ match: 1, total: 4, blockSize: 16, unweightedBlocks: 2 }); // ⌊1.6⌋
    p.kvEvent(1, 'a', { kind: 'cleared', index: 0 });
    const a2 = ep('a');
    p.prepareRequestData(cycle(ps, 1), keyed([1, 2, 3, 4]), [a2]);
    expect(info(a2, key).match).toBe(0);
  });
  test('scorer wrapper: score = match/total; degenerates to a prefix scorer with a configured producer', () => {
    const s = make<PrecisePrefixCacheScorerV010>(precisePrefixCacheScorerV010);
    s.kvEvent(0, 'a', { kind: 'stored', index: 0, keys: [1, 2, 3] });
    const [a, b] = [ep('a'), ep('b')];
    const ctx = cycle(ps);
    const r = keyed([1, 2, 3, 4]);
    s.prepareRequestData(ctx, r, [a, b]);
    expect(s.score(ctx, r, [a, b])).toEqual(new Map([['a', 0.75], ['b', 0]]));
    const producer = make<PrecisePrefixCacheProducer>(precisePrefixCacheProducer);
    const d = make<PrefixInfoScorer>(precisePrefixCacheScorerV010, {}, 'precise-prefix-cache-scorer', { plugin: (n: string) => (n === 'precise-prefix-cache-producer' ? producer : undefined) } as never);
    expect(d).toBeInstanceOf(PrefixInfoScorer);
    expect(d.key).toBe(key);
  });
  test('speculative entries at dispatch, gone after the TTL', () => {
    const p = make<PrecisePrefixCacheProducer>(precisePrefixCacheProducer, { speculativeIndexing: true });
    const a = ep('a');
    const ctx = cycle(ps, 0);
    p.prepareRequestData(ctx, keyed([5, 6]), [a]);
    p.preRequest(ctx, keyed([5, 6]), picked(a));
    const a1 = ep('a');
    p.prepareRequestData(cycle(ps, 1_999_999), keyed([5, 6]), [a1]);
    expect(info(a1, key).match).toBe(2);
    const a2 = ep('a');
    p.prepareRequestData(cycle(ps, 2_000_000), keyed([5, 6]), [a2]);
    expect(info(a2, key).match).toBe(0);
  });
});

describe('properties', () => {
  test('approx v0.10 on synthetic prompts: match ≤ total; a recorded prompt matches fully on its pick', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.record({ content: fc.integer({ min: 0, max: 3 }), tokens: fc.integer({ min: 1, max: 200 }) }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        (prompts) => {
          const p = make<ApproxPrefixCacheProducerV010>(approxPrefixCacheProducerV010);
          prompts.forEach((spans, i) => {
            const r = request({ kind: 'synthetic', spans, charsPerToken: 4 });
            const es = [ep('a'), ep('b')];
            const ctx = cycle(ps, i);
            p.prepareRequestData(ctx, r, es);
            for (const e of es) expect(info(e).match).toBeLessThanOrEqual(info(e).total);
            p.preRequest(ctx, r, picked(es[i % 2]!));
            const again = [ep('a'), ep('b')];
            p.prepareRequestData(cycle(ps, i), request({ kind: 'synthetic', spans, charsPerToken: 4 }), again);
            const got = info(again[i % 2]!);
            expect(got.match).toBe(got.total);
          });
        },
      ),
    );
  });
  test('inflight v0.10: counters never negative and back to zero once every request completed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ target: fc.integer({ min: 0, max: 2 }), bytes: fc.integer({ min: 0, max: 2000 }), chunk: fc.boolean(), out: fc.boolean() }), { maxLength: 12 }),
        (reqs) => {
          const p = make<InFlightLoadProducerV010>(inflightLoadProducerV010);
          const names = ['a', 'b', 'c'];
          const live: { r: LLMRequest; res: SchedulingResult }[] = [];
          for (const q of reqs) {
            const r = request('z'.repeat(q.bytes));
            const es = names.map((n) => ep(n));
            const ctx = cycle(ps);
            p.prepareRequestData(ctx, r, es);
            const res = picked(es[q.target]!, q.out ? es[(q.target + 1) % 3] : undefined);
            p.preRequest(ctx, r, res);
            if (q.chunk) p.processResponseHeaders(cycle(ps), r, { endpoint: '', result: res, headers: new Map() });
            live.push({ r, res });
            for (const n of names) expect(p.get(n).tokens).toBeGreaterThanOrEqual(0);
          }
          const total = names.reduce((s, n) => s + p.get(n).requests, 0);
          expect(total).toBe(reqs.length + reqs.filter((q) => q.out && !q.chunk).length);
          for (const { r, res } of live) p.responseComplete(cycle(ps), r, { endpoint: '', result: res, headers: new Map() });
          for (const n of names) expect(p.get(n)).toEqual({ requests: 0, tokens: 0 });
        },
      ),
    );
  });
});
