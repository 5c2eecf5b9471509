/**
 * llm-d precise-prefix-cache-scorer (epp.md §2.12–§2.13): the KV-event index, LongestPrefix scoring
 * with tier weights, min–max normalisation, ignored AllBlocksCleared, speculative entries.
 * KV events are delivered by calling kvEvent() directly (a pick case cannot carry them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PluginDefinition } from '../../policies/framework/registry.js';
import type { LLMRequest } from '../../policies/framework/types.js';
import { PrecisePrefixCacheScorer, precisePrefixCacheScorer } from '../../policies/plugins/scorer/precisePrefixCache.js';
import { KvBlockIndex } from '../../policies/prefix/kvBlockIndex.js';
import type { KvEvent } from '../../policies/types.js';
import { MapPluginState, cycle, ep, picked, request } from './prefixHelpers.js';

const make = (params: Record<string, unknown> = {}) =>
  (precisePrefixCacheScorer as unknown as PluginDefinition).create('precise', precisePrefixCacheScorer.params.parse(params), {
    plugin: () => undefined,
  }) as PrecisePrefixCacheScorer;

const stored = (keys: number[], medium?: string): KvEvent => ({ kind: 'stored', index: 0, keys, ...(medium ? { medium } : {}) }) as KvEvent;
const withKeys = (keys: number[]): LLMRequest => request('x', { tokenBlockKeys: () => keys });
const scoresOf = (s: PrecisePrefixCacheScorer, r: LLMRequest, names: string[], nowUs = 0) =>
  Object.fromEntries(s.score(cycle(new MapPluginState(), nowUs), r, names.map((n) => ep(n))));

describe('precise-prefix-cache-scorer', () => {
  it('LongestPrefix counts then min–max over the pods present; absent pods 0', () => {
    const s = make();
    s.kvEvent(0, 'A', stored([1, 2, 3]));
    s.kvEvent(0, 'B', stored([1, 2]));
    s.kvEvent(0, 'C', stored([1]));
    s.kvEvent(0, 'D', stored([2, 3])); // no key 1: absent from the result
    // Raw A 3, B 2, C 1 (D absent); min 1, max 3 → A (3−1)/2 = 1, B 0.5, C 0, D 0.
    expect(scoresOf(s, withKeys([1, 2, 3, 4]), ['A', 'B', 'C', 'D'])).toEqual({ A: 1, B: 0.5, C: 0, D: 0 });
  });

  it('all present pods equal → 1.0; nothing present → 0 everywhere', () => {
    const s = make();
    s.kvEvent(0, 'A', stored([1, 2]));
    s.kvEvent(0, 'B', stored([1, 2]));
    expect(scoresOf(s, withKeys([1, 2]), ['A', 'B', 'C'])).toEqual({ A: 1, B: 1, C: 0 });
    expect(scoresOf(s, withKeys([9]), ['A', 'B'])).toEqual({ A: 0, B: 0 });
  });

  it('weights tiers gpu 1.0 / cpu 0.8 (max per pod and key)', () => {
    const s = make();
    s.kvEvent(0, 'A', stored([1, 2]));
    s.kvEvent(0, 'B', stored([1, 2], 'cpu'));
    s.kvEvent(0, 'B', stored([1])); // B holds key 1 on gpu too → max(1.0, 0.8) = 1.0 for key 1
    s.kvEvent(0, 'C', stored([1]));
    // Raw A 1 + 1 = 2; B 1.0 + 0.8 = 1.8; C 1 → min 1, max 2: A 1, B 0.8, C 0.
    const sc = scoresOf(s, withKeys([1, 2]), ['A', 'B', 'C']);
    expect(sc.A).toBe(1);
    expect(sc.B).toBeCloseTo(0.8, 12);
    expect(sc.C).toBe(0);
  });

  it('only candidates count: a non-candidate holding more does not move the normalisation', () => {
    const s = make();
    s.kvEvent(0, 'A', stored([1]));
    s.kvEvent(0, 'B', stored([1, 2]));
    s.kvEvent(0, 'Z', stored([1, 2, 3]));
    // Over candidates A, B: raw 1 and 2 → A 0, B 1 (Z is not a candidate).
    expect(scoresOf(s, withKeys([1, 2, 3]), ['A', 'B'])).toEqual({ A: 0, B: 1 });
  });

  it('BlockRemoved evicts; AllBlocksCleared is ignored', () => {
    const s = make();
    s.kvEvent(0, 'A', stored([1, 2, 3]));
    s.kvEvent(0, 'B', stored([1]));
    s.kvEvent(0, 'A', { kind: 'removed', index: 0, keys: [2] });
    // A's chain breaks at key 2: raw A 1, B 1 → equal → both 1.
    expect(scoresOf(s, withKeys([1, 2, 3]), ['A', 'B'])).toEqual({ A: 1, B: 1 });
    s.kvEvent(0, 'B', { kind: 'cleared', index: 0 });
    expect(scoresOf(s, withKeys([1]), ['A', 'B'])).toEqual({ A: 1, B: 1 });
    // Removing B's key 1 leaves A alone: raw A 1 only → 1; B absent → 0.
    s.kvEvent(0, 'B', { kind: 'removed', index: 0, keys: [1] });
    expect(scoresOf(s, withKeys([1]), ['A', 'B'])).toEqual({ A: 1, B: 0 });
  });

  it('no token block keys → 0 everywhere; a tokenizer block size different from the engines\' → 0', () => {
    const s = make();
    s.kvEvent(0, 'A', stored([1]));
    expect(scoresOf(s, request('no keys'), ['A'])).toEqual({ A: 0 });
    const r = withKeys([1]);
    expect(Object.fromEntries(s.score(cycle(new MapPluginState()), r, [ep('A', { cacheBlockSize: 64 })]))).toEqual({ A: 0 });
    const s64 = make({ tokenProcessorConfig: { blockSize: 64, hashSeed: '42' } });
    s64.kvEvent(0, 'A', stored([1]));
    expect(Object.fromEntries(s64.score(cycle(new MapPluginState()), r, [ep('A', { cacheBlockSize: 64 })]))).toEqual({ A: 1 });
  });

  it('speculative entries for the primary and prefill targets live speculativeTTL (2 s)', () => {
    const s = make({ speculativeIndexing: true });
    const r = withKeys([5, 6]);
    s.preRequest(cycle(new MapPluginState(), 1_000_000), r, picked(ep('A'), ep('P')));
    // At t = 2.999 s both are indexed (raw 2 each → 1).
    expect(scoresOf(s, withKeys([5, 6]), ['A', 'P', 'B'], 2_999_999)).toEqual({ A: 1, P: 1, B: 0 });
    // A real event for A arrives; at t = 3 s (1 s + 2 s) the speculative entries expire, A's real one stays.
    s.kvEvent(2_500_000, 'A', stored([5]));
    expect(scoresOf(s, withKeys([5, 6]), ['A', 'P'], 3_000_000)).toEqual({ A: 1, P: 0 });
    expect(s.index.entries(6)).toEqual([]);
    // Without speculativeIndexing PreRequest records nothing.
    const off = make();
    off.preRequest(cycle(new MapPluginState()), r, picked(ep('A')));
    expect(off.index.size).toBe(0);
  });

  it('a re-inserted speculative entry lives until its own expiry', () => {
    const s = make({ speculativeIndexing: true, speculativeTTL: '2s' });
    const r = withKeys([7]);
    s.preRequest(cycle(new MapPluginState(), 0), r, picked(ep('A')));
    s.preRequest(cycle(new MapPluginState(), 1_500_000), r, picked(ep('A')));
    // The first insertion's expiry (2 s) passes; the entry now expires at 3.5 s.
    expect(scoresOf(s, withKeys([7]), ['A'], 2_500_000)).toEqual({ A: 1 });
    expect(scoresOf(s, withKeys([7]), ['A'], 3_500_000)).toEqual({ A: 0 });
  });

  it('has the documented defaults', () => {
    expect(precisePrefixCacheScorer.params.parse({})).toEqual({
      tokenProcessorConfig: { blockSize: 16, hashSeed: '' },
      indexerConfig: {
        kvBlockIndexConfig: { inMemoryConfig: { size: 1e8, podCacheSize: 10 } },
        kvBlockScorerConfig: { backendConfigs: [{ name: 'gpu', weight: 1.0 }, { name: 'cpu', weight: 0.8 }] },
      },
      speculativeIndexing: false,
      speculativeTTL: 2_000_000,
    });
    expect(() => precisePrefixCacheScorer.params.parse({ tokenProcessorConfig: { blocksize: 16 } })).toThrow();
    expect(() => precisePrefixCacheScorer.params.parse({ kvEventsConfig: { zmqEndpoint: 'tcp://*:5557', topicFilter: 'kv@' } })).not.toThrow();
  });

  it('property: scores in [0, 1]; with ≥ 2 distinct raw values present the extremes are exactly 0 and 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pod: fc.constantFrom('A', 'B', 'C', 'D'), keys: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }), remove: fc.boolean() }), { maxLength: 25 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }),
        (events, query) => {
          const s = make();
          for (const e of events) s.kvEvent(0, e.pod, e.remove ? { kind: 'removed', index: 0, keys: e.keys } : stored(e.keys));
          const v = Object.values(scoresOf(s, withKeys(query), ['A', 'B', 'C', 'D']));
          if (v.some((x) => !(x >= 0 && x <= 1))) return false;
          const raw = [...s.index.longestPrefix(query, new Set(['A', 'B', 'C', 'D']), () => 1).values()];
          if (new Set(raw).size >= 2) return v.includes(0) && v.includes(1);
          return true;
        },
      ),
    );
  });
});

describe('KvBlockIndex bounds', () => {
  it('keeps at most podCacheSize pod entries per key (oldest dropped) and maxKeys keys (LRU)', () => {
    const ix = new KvBlockIndex(2, 3);
    for (const p of ['p1', 'p2', 'p3', 'p4']) ix.add([1], p, 'gpu');
    expect(ix.entries(1).map((e) => e.pod)).toEqual(['p2', 'p3', 'p4']);
    ix.add([1], 'p2', 'gpu'); // refresh p2 → p3, p4, p2
    ix.add([1], 'p5', 'gpu'); // drops p3
    expect(ix.entries(1).map((e) => e.pod)).toEqual(['p4', 'p2', 'p5']);
    ix.add([2], 'p1', 'gpu');
    ix.add([1], 'p1', 'gpu'); // key 1 refreshed: order 2, 1
    ix.add([3], 'p1', 'gpu'); // evicts key 2
    expect(ix.entries(2)).toEqual([]);
    expect(ix.entries(1)).toHaveLength(3);
    expect(ix.size).toBe(2);
  });
});
