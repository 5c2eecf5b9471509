/**
 * The approximate prefix family (epp.md §2.1, §2.8, §2.12): approx-prefix-cache-producer,
 * prefix-cache-scorer, prefix-cache-affinity-filter, no-hit-lru-scorer, the P/D deciders, and their
 * parameter rules. Expected numbers are derived by hand in the comments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PREFIX_CACHE_MATCH_INFO, prefixMatchInfo } from '../../policies/framework/attributes.js';
import { ParamError, type PluginDefinition } from '../../policies/framework/registry.js';
import type { Plugin, SchedEndpoint } from '../../policies/framework/types.js';
import { AlwaysDisaggPdDecider, alwaysDisaggPdDecider } from '../../policies/plugins/decider/alwaysDisagg.js';
import { PrefixBasedPdDecider, prefixBasedPdDecider } from '../../policies/plugins/decider/prefixBasedPd.js';
import { PrefixCacheAffinityFilter, prefixCacheAffinityFilter } from '../../policies/plugins/filter/prefixCacheAffinity.js';
import { ApproxPrefixCacheProducer, approxPrefixCacheProducer } from '../../policies/plugins/producer/approxPrefixCache.js';
import { prefixPlugins } from '../../policies/plugins/prefix.js';
import { NoHitLruScorer, noHitLruScorer } from '../../policies/plugins/scorer/noHitLru.js';
import { PrefixCacheScorer, prefixCacheScorer } from '../../policies/plugins/scorer/prefixCache.js';
import { MapPluginState, blocks, cycle, ep, picked, request } from './prefixHelpers.js';

const noCtx = { plugin: () => undefined };

function create<T extends Plugin>(def: PluginDefinition, params: Record<string, unknown> = {}, name = def.type): T {
  return def.create(name, def.params.parse(params), noCtx) as T;
}

const producer = (params: Record<string, unknown> = {}) => create<ApproxPrefixCacheProducer>(approxPrefixCacheProducer as unknown as PluginDefinition, params);
const info = (e: SchedEndpoint) => prefixMatchInfo(e);

describe('approx-prefix-cache-producer + prefix-cache-scorer', () => {
  it('reproduces the worked example of epp.md §1.4 (prefix 6/8, 0/8, 8/8)', () => {
    const st = new MapPluginState();
    const p = producer();
    const scorer = create<PrefixCacheScorer>(prefixCacheScorer as unknown as PluginDefinition);
    const P8 = blocks(8); // 512 bytes; block size 16 tokens → C = 64 bytes → 8 blocks
    const P6 = P8.slice(0, 384); // the first 6 blocks of P8 (same bytes → same chained hashes)
    // r1 (P6) dispatched to A, r2 (P8) to C.
    let eps = [ep('A'), ep('B'), ep('C')];
    const r1 = request(P6);
    p.prepareRequestData(cycle(st), r1, eps);
    p.preRequest(cycle(st), r1, picked(eps[0]!));
    eps = [ep('A'), ep('B'), ep('C')];
    const r2 = request(P8);
    p.prepareRequestData(cycle(st), r2, eps);
    expect(info(eps[0]!)).toEqual({ matchBlocks: 6, totalBlocks: 8, blockSizeTokens: 16 });
    p.preRequest(cycle(st), r2, picked(eps[2]!));
    // r3 (P8): A holds blocks 0..5 → 6/8 = 0.75; B none → 0; C all → 8/8 = 1.
    eps = [ep('A'), ep('B'), ep('C')];
    const r3 = request(P8);
    p.prepareRequestData(cycle(st), r3, eps);
    const s = scorer.score(cycle(st), r3, eps);
    expect(Object.fromEntries(s)).toEqual({ A: 0.75, B: 0, C: 1 });
  });

  it('writes PrefixCacheMatchInfo on every candidate and stashes the hashes for PreRequest', () => {
    const st = new MapPluginState();
    const p = producer();
    const eps = [ep('A'), ep('B', null)];
    const r = request(blocks(3) + 'tail');
    p.prepareRequestData(cycle(st), r, eps);
    // 196 bytes / 64 → 3 full blocks; nothing indexed yet.
    for (const e of eps) expect(e.attributes.get(PREFIX_CACHE_MATCH_INFO)).toEqual({ matchBlocks: 0, totalBlocks: 3, blockSizeTokens: 16 });
    // PreRequest records them for the target and clears the request's state.
    p.preRequest(cycle(st), r, picked(eps[1]!));
    expect(p.indexer.size('B')).toBe(3);
    expect(p.indexer.size('A')).toBe(0);
  });

  it('auto-tunes the block size from the FIRST candidate only', () => {
    const p = producer();
    const text = 'z'.repeat(300);
    // First candidate reports block_size 32 → C = 128 bytes → ⌊300/128⌋ = 2 blocks.
    let eps = [ep('X', { cacheBlockSize: 32 }), ep('Y', { cacheBlockSize: 16 })];
    p.prepareRequestData(cycle(new MapPluginState()), request(text), eps);
    expect(info(eps[1]!)).toEqual({ matchBlocks: 0, totalBlocks: 2, blockSizeTokens: 32 });
    // Reversed: 16 → C = 64 → ⌊300/64⌋ = 4.
    eps = [ep('Y', { cacheBlockSize: 16 }), ep('X', { cacheBlockSize: 32 })];
    p.prepareRequestData(cycle(new MapPluginState()), request(text), eps);
    expect(info(eps[0]!)!.totalBlocks).toBe(4);
    // A first candidate without metrics (or block_size 0) → blockSizeTokens (16).
    eps = [ep('N', null), ep('X', { cacheBlockSize: 32 })];
    p.prepareRequestData(cycle(new MapPluginState()), request(text), eps);
    expect(info(eps[0]!)!.blockSizeTokens).toBe(16);
    // autoTune false → blockSizeTokens 8 → C = 32 → ⌊300/32⌋ = 9.
    const q = producer({ autoTune: false, blockSizeTokens: 8 });
    eps = [ep('X', { cacheBlockSize: 32 })];
    q.prepareRequestData(cycle(new MapPluginState()), request(text), eps);
    expect(info(eps[0]!)).toEqual({ matchBlocks: 0, totalBlocks: 9, blockSizeTokens: 8 });
  });

  it('caps blocks at maxPrefixBlocksToMatch, or ⌊maxPrefixTokensToMatch / block size⌋ when set', () => {
    const text = 'w'.repeat(1000);
    let eps = [ep('A')];
    producer({ maxPrefixBlocksToMatch: 3 }).prepareRequestData(cycle(new MapPluginState()), request(text), eps);
    expect(info(eps[0]!)!.totalBlocks).toBe(3);
    // 64 tokens / 16 → 4 blocks (overrides maxPrefixBlocksToMatch 3).
    eps = [ep('A')];
    producer({ maxPrefixBlocksToMatch: 3, maxPrefixTokensToMatch: 64 }).prepareRequestData(cycle(new MapPluginState()), request(text), eps);
    expect(info(eps[0]!)!.totalBlocks).toBe(4);
    // With an auto-tuned block size of 32: ⌊64/32⌋ = 2.
    eps = [ep('A', { cacheBlockSize: 32 })];
    producer({ maxPrefixTokensToMatch: 64 }).prepareRequestData(cycle(new MapPluginState()), request(text), eps);
    expect(info(eps[0]!)!.totalBlocks).toBe(2);
  });

  it('sizes each pod LRU from num_gpu_blocks if autoTune, else 31250 (lruCapacityPerServer ignored in v1.5.0)', () => {
    const run = (params: Record<string, unknown>, numGpuBlocks: number) => {
      const p = producer(params);
      const st = new MapPluginState();
      const e = ep('A', { cacheNumGpuBlocks: numGpuBlocks });
      const r = request(blocks(2));
      p.prepareRequestData(cycle(st), r, [e]);
      p.preRequest(cycle(st), r, picked(e));
      return p.indexer.capacity('A');
    };
    expect(run({}, 500)).toBe(500);
    expect(run({}, 0)).toBe(31250);
    expect(run({ lruCapacityPerServer: 7 }, 0)).toBe(31250); // the v1.5.0 bug, kept
    expect(run({ autoTune: false }, 500)).toBe(31250);
    expect(run({ hashBlockSize: 64, lruCapacityPerServer: 7 }, 500)).toBe(7); // v1.0 honours it
  });

  it('evicts by the pod LRU: capacity 2 and three 1-block requests forget the first', () => {
    const p = producer();
    const st = new MapPluginState();
    const send = (text: string) => {
      const e = ep('A', { cacheNumGpuBlocks: 2 });
      const r = request(text);
      p.prepareRequestData(cycle(st), r, [e]);
      p.preRequest(cycle(st), r, picked(e));
      return info(e)!.matchBlocks;
    };
    const [x, y, z] = [blocks(1, 'x'), blocks(1, 'y'), blocks(1, 'z')];
    send(x);
    send(y);
    expect(send(x)).toBe(1); // x still cached; now MRU (order y, x)
    send(z); // evicts y
    expect(send(x)).toBe(1);
    expect(send(y)).toBe(0);
  });

  it('fixes the LRU capacity at the first recorded request with hashes (empty hash lists are not recorded)', () => {
    const p = producer();
    const st = new MapPluginState();
    const send = (text: string, n: number) => {
      const e = ep('A', { cacheNumGpuBlocks: n });
      const r = request(text);
      p.prepareRequestData(cycle(st), r, [e]);
      p.preRequest(cycle(st), r, picked(e));
    };
    send('short', 5); // < 64 bytes: no hashes, indexer.Add returns early
    expect(p.indexer.capacity('A')).toBeUndefined();
    send(blocks(1), 9);
    send(blocks(1, 'q'), 100);
    expect(p.indexer.capacity('A')).toBe(9);
  });

  it('records the primary target and the `prefill` profile target, first target only', () => {
    const p = producer();
    const st = new MapPluginState();
    const [d, f, other] = [ep('D'), ep('F'), ep('O')];
    const r = request(blocks(2));
    p.prepareRequestData(cycle(st), r, [d, f, other]);
    p.preRequest(cycle(st), r, {
      profileResults: new Map([
        ['decode', { targetEndpoints: [d, other] }],
        ['prefill', { targetEndpoints: [f] }],
      ]),
      primaryProfileName: 'decode',
    });
    expect(p.indexer.size('D')).toBe(2);
    expect(p.indexer.size('F')).toBe(2);
    expect(p.indexer.size('O')).toBe(0); // a fallback endpoint is not recorded
  });

  it('scopes hashes by target model and by cache salt (header x-routesim-cache-salt)', () => {
    const p = producer();
    const st = new MapPluginState();
    const text = blocks(2);
    const e0 = ep('A');
    const r0 = request(text);
    p.prepareRequestData(cycle(st), r0, [e0]);
    p.preRequest(cycle(st), r0, picked(e0));
    const probe = (over: Parameters<typeof request>[1]) => {
      const e = ep('A');
      p.prepareRequestData(cycle(st), request(text, over), [e]);
      return info(e)!.matchBlocks;
    };
    expect(probe({})).toBe(2);
    expect(probe({ targetModel: 'lora-a' })).toBe(0);
    expect(probe({ headers: { 'x-routesim-cache-salt': 'tenant-1' } })).toBe(0);
    expect(probe({ headers: { 'x-routesim-cache-salt': '' } })).toBe(2); // empty salt = none
  });

  it('v1.0 mode (hashBlockSize): char blocks of hashBlockSize, no auto-tune', () => {
    const e = ep('A', { cacheBlockSize: 32 });
    producer({ hashBlockSize: 64, maxPrefixBlocksToMatch: 256, lruCapacityPerServer: 31250 }).prepareRequestData(
      cycle(new MapPluginState()),
      request('k'.repeat(130)),
      [e],
    );
    // 130 chars / 64 → 2 blocks; blockSizeTokens reported as 64/4 = 16.
    expect(info(e)).toEqual({ matchBlocks: 0, totalBlocks: 2, blockSizeTokens: 16 });
  });

  it('drops pods that left the pool at the first request after each 2-minute tick', () => {
    const p = producer();
    const st = new MapPluginState();
    const send = (t: number, pool: string[], to: string, headers: Record<string, string> = {}) => {
      const eps = pool.map((n) => ep(n));
      const r = request(blocks(1, to), { headers });
      p.prepareRequestData(cycle(st, t), r, eps);
      p.preRequest(cycle(st, t), r, picked(eps.find((e) => e.name === to)!));
    };
    send(0, ['A', 'B'], 'A'); // first request: next tick at 120 s
    send(1e6, ['A', 'B'], 'B');
    send(60e6, ['A'], 'A'); // B gone from the pool, but no tick yet
    expect(p.indexer.pods()).toEqual(['A', 'B']);
    send(130e6, ['A'], 'A', { 'x-gateway-destination-endpoint-subset': '10.0.0.1' }); // a subset request does not sweep
    expect(p.indexer.pods()).toEqual(['A', 'B']);
    send(131e6, ['A'], 'A'); // first request past the 120 s tick: B removed
    expect(p.indexer.pods()).toEqual(['A']);
    send(200e6, ['B'], 'B'); // next tick is 240 s: A kept until then
    expect(p.indexer.pods()).toEqual(['A', 'B']);
    send(250e6, ['B'], 'B');
    expect(p.indexer.pods()).toEqual(['B']);
  });

  it('scores match/total, 0 without info or blocks', () => {
    const s = new PrefixCacheScorer('p');
    const a = ep('A');
    a.attributes.set(PREFIX_CACHE_MATCH_INFO, { matchBlocks: 3, totalBlocks: 4, blockSizeTokens: 16 });
    const b = ep('B');
    b.attributes.set(PREFIX_CACHE_MATCH_INFO, { matchBlocks: 0, totalBlocks: 0, blockSizeTokens: 16 });
    const c = ep('C');
    expect(Object.fromEntries(s.score(cycle(new MapPluginState()), request('x'), [a, b, c]))).toEqual({ A: 0.75, B: 0, C: 0 });
  });

  it('property: match ≤ total and scores in [0, 1] over random request streams', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ blocks: fc.integer({ min: 0, max: 6 }), tag: fc.constantFrom('a', 'b'), to: fc.integer({ min: 0, max: 2 }) }), { maxLength: 20 }),
        (reqs) => {
          const p = producer();
          const st = new MapPluginState();
          const s = new PrefixCacheScorer('p');
          for (const q of reqs) {
            const eps = [ep('A', { cacheNumGpuBlocks: 4 }), ep('B'), ep('C')];
            const r = request(blocks(q.blocks, q.tag));
            p.prepareRequestData(cycle(st), r, eps);
            for (const e of eps) {
              const i = info(e)!;
              if (i.matchBlocks > i.totalBlocks || i.totalBlocks !== q.blocks) return false;
            }
            for (const v of s.score(cycle(st), r, eps).values()) if (!(v >= 0 && v <= 1)) return false;
            p.preRequest(cycle(st), r, picked(eps[q.to]!));
          }
          return true;
        },
      ),
    );
  });

  it('rejects the production error cases and unknown parameters', () => {
    const err = (params: Record<string, unknown>) => {
      try {
        approxPrefixCacheProducer.create('p', approxPrefixCacheProducer.params.parse(params), noCtx);
      } catch (e) {
        return e instanceof ParamError ? e.param : 'other';
      }
      return null;
    };
    expect(err({ blockSize: 64, blockSizeTokens: 0 })).toBe('blockSize');
    expect(err({ autoTune: false, blockSizeTokens: 0 })).toBe('blockSizeTokens');
    expect(err({ blockSize: 64 })).toBeNull(); // deprecated, ignored while blockSizeTokens > 0
    expect(err({ autoTune: true, blockSizeTokens: 0 })).toBeNull();
    expect(err({ hashBlockSize: 64, lruCapacityPerServer: 0 })).toBe('lruCapacityPerServer');
    expect(() => approxPrefixCacheProducer.params.parse({ blockSizeToken: 16 })).toThrow(); // typo: unknown name
    expect(() => approxPrefixCacheProducer.params.parse({ hashBlockSize: -1 })).toThrow();
    expect(() => prefixCacheScorer.create('s', prefixCacheScorer.params.parse({ blockSize: 8, blockSizeTokens: -1 }), noCtx)).toThrow(ParamError);
  });

  it('has the production defaults', () => {
    expect(approxPrefixCacheProducer.params.parse({})).toEqual({
      autoTune: true,
      blockSizeTokens: 16,
      blockSize: 0,
      maxPrefixBlocksToMatch: 256,
      maxPrefixTokensToMatch: 0,
      lruCapacityPerServer: 31250,
    });
    expect(prefixCacheAffinityFilter.params.parse({})).toEqual({ affinityThreshold: 0.8, explorationProbability: 0.01, maxTTFTPenaltyMs: 5000 });
    expect(noHitLruScorer.params.parse({})).toEqual({ prefixPluginType: 'prefix-cache-scorer', prefixPluginName: 'prefix-cache-scorer', lruSize: 1024 });
    expect(prefixBasedPdDecider.params.parse({})).toEqual({ nonCachedTokens: 0 });
    expect(prefixPlugins.map((d) => d.type).sort()).toEqual([
      'always-disagg-pd-decider',
      'approx-prefix-cache-producer',
      'no-hit-lru-scorer',
      'precise-prefix-cache-scorer',
      'prefix-based-pd-decider',
      'prefix-cache-affinity-filter',
      'prefix-cache-scorer',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

/** An endpoint whose PrefixCacheMatchInfo says match/total. */
function withMatch(name: string, match: number, total: number, blockSizeTokens = 16): SchedEndpoint {
  const e = ep(name);
  e.attributes.set(PREFIX_CACHE_MATCH_INFO, { matchBlocks: match, totalBlocks: total, blockSizeTokens });
  return e;
}

describe('prefix-cache-affinity-filter', () => {
  const throwingRng = () => {
    throw new Error('rng must not be drawn');
  };
  const f = (params: Record<string, unknown> = {}) => create<PrefixCacheAffinityFilter>(prefixCacheAffinityFilter as unknown as PluginDefinition, params);

  it('passes ≤ 1 endpoint and threshold ≤ 0 through without drawing', () => {
    const one = [withMatch('A', 0, 4)];
    expect(f().filter(cycle(new MapPluginState(), 0, throwingRng), request('x'), one)).toBe(one);
    const two = [withMatch('A', 4, 4), withMatch('B', 0, 4)];
    expect(f({ affinityThreshold: 0 }).filter(cycle(new MapPluginState(), 0, throwingRng), request('x'), two)).toBe(two);
  });

  it('keeps the sticky endpoints (score ≥ threshold), exploring with probability 0.01', () => {
    // A 4/5 = 0.8 (≥ 0.8, sticky), B 3/4 = 0.75 (not), C 5/5 = 1 (sticky).
    const eps = [withMatch('A', 4, 5), withMatch('B', 3, 4), withMatch('C', 5, 5)];
    expect(f().filter(cycle(new MapPluginState(), 0, () => 0.5), request('x'), eps).map((e) => e.name)).toEqual(['A', 'C']);
    // rng 0.005 < 0.01 → exploration: passthrough.
    expect(f().filter(cycle(new MapPluginState(), 0, () => 0.005), request('x'), eps)).toBe(eps);
    // rng exactly 0.01 is not < 0.01 → filters.
    expect(f().filter(cycle(new MapPluginState(), 0, () => 0.01), request('x'), eps)).toHaveLength(2);
  });

  it('fails open when nothing is sticky (including endpoints without prefix info)', () => {
    const eps = [withMatch('A', 1, 4), ep('B')];
    expect(f().filter(cycle(new MapPluginState()), request('x'), eps)).toBe(eps);
  });
});

// ---------------------------------------------------------------------------------------------

describe('no-hit-lru-scorer', () => {
  const make = (lruSize = 1024) => create<NoHitLruScorer>(noHitLruScorer as unknown as PluginDefinition, { lruSize });
  /** Runs the producer for the request (so the scorer sees its prefix state), then scores. */
  function score(s: NoHitLruScorer, p: ApproxPrefixCacheProducer, st: MapPluginState, text: string, names: string[]) {
    const eps = names.map((n) => ep(n));
    const r = request(text);
    p.prepareRequestData(cycle(st), r, eps);
    return { r, eps, scores: Object.fromEntries(s.score(cycle(st), r, eps)) };
  }

  it('cold requests with an empty LRU: never-used endpoints get 1 − i/(n−1) in candidate order', () => {
    // n = 4: 1 − 0/3, 1 − 1/3, 1 − 2/3, 1 − 3/3 = 1, 2/3, 1/3, 0.
    const { scores } = score(make(), producer(), new MapPluginState(), blocks(1), ['A', 'B', 'C', 'D']);
    expect(scores.A).toBe(1);
    expect(scores.B).toBeCloseTo(2 / 3, 12);
    expect(scores.C).toBeCloseTo(1 / 3, 12);
    expect(scores.D).toBe(0);
  });

  it('used endpoints rank after the never-used ones by LRU position; PreRequest marks cold picks MRU', () => {
    const s = make();
    const p = producer();
    const st = new MapPluginState();
    // Cold request 1 → dispatched to B (both s and p record).
    let x = score(s, p, st, blocks(1, 'x'), ['A', 'B', 'C', 'D']);
    s.preRequest(cycle(st), x.r, picked(x.eps[1]!));
    p.preRequest(cycle(st), x.r, picked(x.eps[1]!));
    expect(s.lruOrder()).toEqual(['B']);
    // Cold request 2 (different text): never-used A, C, D → 1, 2/3, 1/3; B rank 3 + 0 = 3 → 1 − 3/3 = 0.
    x = score(s, p, st, blocks(1, 'y'), ['A', 'B', 'C', 'D']);
    expect(x.scores.A).toBe(1);
    expect(x.scores.C).toBeCloseTo(2 / 3, 12);
    expect(x.scores.D).toBeCloseTo(1 / 3, 12);
    expect(x.scores.B).toBe(0);
    s.preRequest(cycle(st), x.r, picked(x.eps[0]!)); // → A; LRU order B, A
    p.preRequest(cycle(st), x.r, picked(x.eps[0]!));
    // Cold request 3 on [A, B, C] (n = 3): C never used → 1; B pos 0 → rank 1 → 1 − 1/2 = 0.5; A pos 1 → rank 2 → 0.
    x = score(s, p, st, blocks(1, 'z'), ['A', 'B', 'C']);
    expect(x.scores).toEqual({ C: 1, B: 0.5, A: 0 });
    // A warm request (x's text is cached on B) scores 0.5 everywhere and is not recorded.
    x = score(s, p, st, blocks(1, 'x'), ['A', 'B', 'C']);
    expect(x.scores).toEqual({ A: 0.5, B: 0.5, C: 0.5 });
    s.preRequest(cycle(st), x.r, picked(x.eps[2]!));
    expect(s.lruOrder()).toEqual(['B', 'A']);
  });

  it('LRU positions count every endpoint in the LRU, candidates or not; negative ranks clamp to 0', () => {
    const s = make();
    const st = new MapPluginState();
    for (const n of ['X', 'B', 'C']) {
      const r = request('cold');
      s.score(cycle(st), r, [ep(n)]); // no producer state → cold
      s.preRequest(cycle(st), r, picked(ep(n)));
    }
    expect(s.lruOrder()).toEqual(['X', 'B', 'C']);
    // Candidates A, B, C, D, E (n = 5): never-used A, D, E → 1, 0.75, 0.5; B at LRU position 1 → rank 3 + 1 = 4 → 0;
    // C at position 2 → rank 5 → 1 − 5/4 < 0 → 0.
    const scores = Object.fromEntries(s.score(cycle(st), request('cold'), ['A', 'B', 'C', 'D', 'E'].map((n) => ep(n))));
    expect(scores).toEqual({ A: 1, D: 0.75, E: 0.5, B: 0, C: 0 });
  });

  it('a single candidate scores 1; the LRU holds at most lruSize endpoints; prefill targets are marked too', () => {
    const s = make(2);
    const st = new MapPluginState();
    expect(Object.fromEntries(s.score(cycle(st), request('c'), [ep('A')]))).toEqual({ A: 1 });
    const r = request('c2');
    s.score(cycle(st), r, [ep('A'), ep('B'), ep('C')]);
    s.preRequest(cycle(st), r, picked(ep('A'), ep('P')));
    expect(s.lruOrder()).toEqual(['A', 'P']);
    const r2 = request('c3');
    s.score(cycle(st), r2, [ep('A'), ep('B')]);
    s.preRequest(cycle(st), r2, picked(ep('B')));
    expect(s.lruOrder()).toEqual(['P', 'B']);
    expect(() => noHitLruScorer.create('n', noHitLruScorer.params.parse({ lruSize: 0 }), noCtx)).toThrow(ParamError);
  });

  it('property: scores in [0, 1], and with an empty LRU the extremes are exactly 1 and 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 20 }), (n, picks) => {
        const s = make(5);
        const st = new MapPluginState();
        const names = Array.from({ length: n }, (_, i) => `e${i}`);
        const first = [...s.score(cycle(st), request('c'), names.map((x) => ep(x))).values()];
        if (Math.max(...first) !== 1 || Math.min(...first) !== 0) return false;
        for (const k of picks) {
          const r = request('c');
          const v = [...s.score(cycle(st), r, names.map((x) => ep(x))).values()];
          if (v.some((x) => !(x >= 0 && x <= 1))) return false;
          s.preRequest(cycle(st), r, picked(ep(names[k % n]!)));
        }
        return s.lruOrder().length <= 5;
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('P/D deciders', () => {
  const decider = (nonCachedTokens: number) => create<PrefixBasedPdDecider>(prefixBasedPdDecider as unknown as PluginDefinition, { nonCachedTokens });
  const c = cycle(new MapPluginState());

  it('prefix-based: disaggregates iff ⌊bytes/4⌋ − matched×blockSize ≥ nonCachedTokens', () => {
    const r = request('p'.repeat(400)); // inputTokens = ⌊400/4⌋ = 100
    // 4 matched blocks × 16 = 64 cached → 100 − 64 = 36 < 50 → no.
    expect(decider(50).disaggregate(c, r, withMatch('D', 4, 6))).toBe(false);
    // 3 × 16 = 48 → 100 − 48 = 52 ≥ 50 → yes.
    expect(decider(50).disaggregate(c, r, withMatch('D', 3, 6))).toBe(true);
    // No prefix info → hit 0 → 100 ≥ 50 → yes.
    expect(decider(50).disaggregate(c, r, ep('D'))).toBe(true);
    // Exactly at the threshold: 100 − 0 ≥ 100 → yes; input 100 < 101 → no.
    expect(decider(100).disaggregate(c, r, ep('D'))).toBe(true);
    expect(decider(101).disaggregate(c, r, ep('D'))).toBe(false);
    // nonCachedTokens 0 (default) never disaggregates.
    expect(decider(0).disaggregate(c, r, ep('D'))).toBe(false);
  });

  it('counts chat input as the bytes of Go json.Marshal(messages), synthetic as tokens × charsPerToken', () => {
    // `[{"role":"user","content":"` (27) + 53 + `"}]` (3) = 83 bytes → ⌊83/4⌋ = 20 tokens.
    const chat = request({ kind: 'chat', messages: [{ role: 'user', content: 'q'.repeat(53) }] });
    expect(decider(20).disaggregate(c, chat, ep('D'))).toBe(true);
    expect(decider(21).disaggregate(c, chat, ep('D'))).toBe(false);
    // 25 tokens × 4 chars = 100 → 25 tokens.
    const syn = request({ kind: 'synthetic', spans: [{ content: 1, tokens: 25 }], charsPerToken: 4 });
    expect(decider(25).disaggregate(c, syn, ep('D'))).toBe(true);
    expect(decider(26).disaggregate(c, syn, ep('D'))).toBe(false);
  });

  it('always-disagg always says yes; negative nonCachedTokens is refused', () => {
    expect(create<AlwaysDisaggPdDecider>(alwaysDisaggPdDecider as unknown as PluginDefinition).disaggregate()).toBe(true);
    expect(() => prefixBasedPdDecider.create('d', prefixBasedPdDecider.params.parse({ nonCachedTokens: -1 }), noCtx)).toThrow(ParamError);
  });
});
