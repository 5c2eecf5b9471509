/**
 * Legacy (pre-scorer) filter chains, epp.md §2.11: the v0.5 plugins (low-queue, lora-affinity,
 * least-queue, least-kv-cache, decision-tree) and the v0.3 hard-coded tree as one filter. Expected
 * survivors are derived by hand from the formulas (comments next to them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParamError } from '../../policies/framework/registry.js';
import type { Filter, Plugin } from '../../policies/framework/types.js';
import { leastQueue } from '../../policies/plugins/legacy/common.js';
import { decisionTreeFilter } from '../../policies/plugins/legacy/decisionTree.js';
import { leastKvCacheFilter } from '../../policies/plugins/legacy/leastKvCache.js';
import { leastQueueFilter } from '../../policies/plugins/legacy/leastQueue.js';
import { loraAffinityFilter } from '../../policies/plugins/legacy/loraAffinityFilter.js';
import { lowQueueFilter } from '../../policies/plugins/legacy/lowQueue.js';
import { legacyV03Filter } from '../../policies/plugins/legacy/v03.js';
import { queueScorer } from '../../policies/plugins/scorer/queue.js';
import { build, byQueue, ctx, ep, names, req, scripted } from './loadFixtures.js';

const run = (f: Filter, eps = byQueue([]), opts: { rng?: () => number; r?: ReturnType<typeof req> } = {}) =>
  names(f.filter(ctx({ rng: opts.rng ?? scripted() }), opts.r ?? req(), eps));

describe('v0.5 filters', () => {
  it('low-queue-filter keeps q ≤ threshold (≤, not v0.3’s <)', () => {
    expect(run(build(lowQueueFilter), byQueue([127, 128, 129]))).toEqual(['e0', 'e1']);
    expect(run(build(lowQueueFilter, { threshold: 2 }), byQueue([3, 2, 0]))).toEqual(['e1', 'e2']);
  });

  it('least-queue-filter keeps min ≤ q ≤ min + ⌊(max − min)/n⌋', () => {
    // q [2, 7, 4, 3]: min 2, max 7, n 4 → ⌊5/4⌋ = 1 → keep q ∈ [2, 3]
    expect(run(build(leastQueueFilter), byQueue([2, 7, 4, 3]))).toEqual(['e0', 'e3']);
    // q [0, 10]: ⌊10/2⌋ = 5 → keep q ∈ [0, 5]
    expect(run(build(leastQueueFilter), byQueue([0, 10]))).toEqual(['e0']);
    // q [1, 10, 2]: min 1, max 10, n 3 → ⌊9/3⌋ = 3 → keep q ∈ [1, 4]
    expect(run(build(leastQueueFilter), byQueue([1, 10, 2]))).toEqual(['e0', 'e2']);
    // q [0, 4, 4, 4, 4, 9]: ⌊9/6⌋ = 1 (the float bound 1.5 would keep the same integers) → only 0
    expect(run(build(leastQueueFilter), byQueue([0, 4, 4, 4, 4, 9]))).toEqual(['e0']);
    expect(run(build(leastQueueFilter), byQueue([3, 3]))).toEqual(['e0', 'e1']);
  });

  it('least-kv-cache-filter keeps min ≤ kv ≤ min + (max − min)/n (float)', () => {
    // kv [0.1, 0.5, 0.15, 0.3]: min 0.1, max 0.5, n 4 → bound 0.1 + 0.1 = 0.2 → 0.1 and 0.15
    const eps = [0.1, 0.5, 0.15, 0.3].map((kv, i) => ep(`e${i}`, { kvCacheUsagePercent: kv }));
    expect(run(build(leastKvCacheFilter), eps)).toEqual(['e0', 'e2']);
  });

  describe('lora-affinity-filter', () => {
    const r = req({ targetModel: 'lora-a' });
    const hasRunning = ep('running', { activeModels: ['lora-a'], maxActiveModels: 2 });
    const hasWaiting = ep('waiting', { activeModels: ['x'], waitingModels: ['lora-a'], maxActiveModels: 2 });
    const free = ep('free', { activeModels: ['x'], maxActiveModels: 2 }); // 1 + 0 < 2
    const full = ep('full', { activeModels: ['x'], waitingModels: ['y'], maxActiveModels: 2 }); // 1 + 1 = 2: no slot
    const f = build<Filter>(loraAffinityFilter);
    it('affinity (running OR waiting) with probability 0.999 when both groups exist', () => {
      expect(run(f, [hasRunning, hasWaiting, free, full], { rng: scripted(0.998), r })).toEqual(['running', 'waiting']);
      expect(run(f, [hasRunning, hasWaiting, free, full], { rng: scripted(0.999), r })).toEqual(['free']); // 0.999 < 0.999 false
    });
    it('whichever group is non-empty otherwise (no draw); neither → empty', () => {
      expect(run(f, [hasWaiting, full], { r })).toEqual(['waiting']);
      expect(run(f, [free, full], { r })).toEqual(['free']);
      expect(run(f, [full], { r })).toEqual([]);
    });
    it('threshold is a parameter', () => {
      const g = build<Filter>(loraAffinityFilter, { threshold: 0.5 });
      expect(run(g, [hasRunning, free], { rng: scripted(0.6), r })).toEqual(['free']);
    });
  });
});

describe('decision-tree-filter', () => {
  // A: q 1, kv 0.9; B: q 2, kv 0.1; C: q 10, kv 0.0
  const A = ep('A', { waitingQueueSize: 1, kvCacheUsagePercent: 0.9 });
  const B = ep('B', { waitingQueueSize: 2, kvCacheUsagePercent: 0.1 });
  const C = ep('C', { waitingQueueSize: 10, kvCacheUsagePercent: 0.0 });
  const plugins = (lowQueueThreshold: number): Record<string, Plugin> => ({
    'low-queue': build(lowQueueFilter, { threshold: lowQueueThreshold }, {}, 'low-queue'),
    'least-queue': build(leastQueueFilter, {}, {}, 'least-queue'),
    'least-kv': build(leastKvCacheFilter, {}, {}, 'least-kv'),
    'lora-affinity': build(loraAffinityFilter, {}, {}, 'lora-affinity'),
    'queue-scorer': build(queueScorer),
  });
  const tree = { current: { pluginRef: 'low-queue' }, nextOnSuccess: { pluginRef: 'least-kv' }, nextOnFailure: { pluginRef: 'least-queue' } };

  it('success: nextOnSuccess runs on the FILTERED list', () => {
    // low-queue(3) keeps A, B; least-kv on [A, B]: min 0.1, max 0.9, n 2 → bound 0.5 → B.
    // (On the original list C, kv 0, would have won.)
    expect(run(build(decisionTreeFilter, tree, plugins(3)), [A, B, C])).toEqual(['B']);
  });
  it('failure: nextOnFailure runs on the ORIGINAL list', () => {
    // low-queue(0) keeps none; least-queue on [A, B, C]: min 1, max 10, n 3 → ⌊9/3⌋ = 3 → q ∈ [1, 4] → A, B
    expect(run(build(decisionTreeFilter, tree, plugins(0)), [A, B, C])).toEqual(['A', 'B']);
  });
  it('nextOnSuccessOrFailure runs in both cases unless the specific successor is given', () => {
    const t = { current: { pluginRef: 'low-queue' }, nextOnSuccessOrFailure: { pluginRef: 'least-kv' } };
    // success: least-kv on [A, B] → B; failure: least-kv on [A, B, C]: min 0, max 0.9, n 3 → bound 0.3 → B, C
    expect(run(build(decisionTreeFilter, t, plugins(3)), [A, B, C])).toEqual(['B']);
    expect(run(build(decisionTreeFilter, t, plugins(0)), [A, B, C])).toEqual(['B', 'C']);
    // nextOnSuccess takes precedence over nextOnSuccessOrFailure
    const t2 = { ...t, nextOnSuccess: { pluginRef: 'least-queue' } };
    // low-queue(3) → [A, B]; least-queue: min 1, max 2, n 2 → ⌊1/2⌋ = 0 → A
    expect(run(build(decisionTreeFilter, t2, plugins(3)), [A, B, C])).toEqual(['A']);
  });
  it('no successor: the current result, even empty', () => {
    expect(run(build(decisionTreeFilter, { current: { pluginRef: 'low-queue' } }, plugins(0)), [A, B, C])).toEqual([]);
    expect(run(build(decisionTreeFilter, { current: { pluginRef: 'low-queue' }, nextOnSuccess: { pluginRef: 'least-kv' } }, plugins(0)), [A, B])).toEqual([]);
  });
  it('a nested tree as current acts as one filter; a nested successor brings its own successors', () => {
    const t = {
      current: { decisionTree: { current: { pluginRef: 'low-queue' } } }, // empty with threshold 0 → failure
      nextOnFailure: { decisionTree: { current: { pluginRef: 'least-queue' }, nextOnSuccessOrFailure: { pluginRef: 'least-kv' } } },
    };
    // failure → least-queue on [A, B, C] → [A, B] → least-kv on [A, B] → B
    expect(run(build(decisionTreeFilter, t, plugins(0)), [A, B, C])).toEqual(['B']);
  });
  it('the v0.5 helm default tree (epp.md §3.2)', () => {
    const helm = {
      current: { pluginRef: 'low-queue' },
      nextOnSuccess: {
        decisionTree: {
          current: { pluginRef: 'lora-affinity' },
          nextOnSuccessOrFailure: {
            decisionTree: { current: { pluginRef: 'least-queue' }, nextOnSuccessOrFailure: { decisionTree: { current: { pluginRef: 'least-kv' } } } },
          },
        },
      },
      nextOnFailure: {
        decisionTree: {
          current: { pluginRef: 'least-queue' },
          nextOnSuccessOrFailure: {
            decisionTree: { current: { pluginRef: 'lora-affinity' }, nextOnSuccessOrFailure: { decisionTree: { current: { pluginRef: 'least-kv' } } } },
          },
        },
      },
    };
    const r = req({ targetModel: 'lora-a' });
    // X: q 3, running lora-a; Y: q 0, free slot; Z: q 200
    const X = ep('X', { waitingQueueSize: 3, activeModels: ['lora-a'], maxActiveModels: 1, kvCacheUsagePercent: 0.5 });
    const Y = ep('Y', { waitingQueueSize: 0, maxActiveModels: 1, kvCacheUsagePercent: 0.2 });
    const Z = ep('Z', { waitingQueueSize: 200, maxActiveModels: 1 });
    const f = build<Filter>(decisionTreeFilter, helm, plugins(128));
    // success branch: low-queue(128) → [X, Y]; lora: affinity [X], available [Y]; draw 0.5 < 0.999 → [X];
    // least-queue [X] → [X]; least-kv [X] → [X]
    expect(run(f, [X, Y, Z], { rng: scripted(0.5), r })).toEqual(['X']);
    // draw 0.9995 → available [Y] → Y
    expect(run(f, [X, Y, Z], { rng: scripted(0.9995), r })).toEqual(['Y']);
    // failure branch (all queues > 128): least-queue on the original [Z1, Z2]: q 200, 300 → ⌊100/2⌋ = 50 → [Z1];
    // lora: no affinity, Z1 has a free slot → [Z1]; least-kv → [Z1]
    const Z1 = ep('Z1', { waitingQueueSize: 200, maxActiveModels: 1 });
    const Z2 = ep('Z2', { waitingQueueSize: 300, activeModels: ['lora-a'], maxActiveModels: 1 });
    expect(run(f, [Z1, Z2], { r })).toEqual(['Z1']);
  });
  it('configuration errors name the entry', () => {
    const cases: [unknown, string][] = [
      [{}, 'current'],
      [{ current: { pluginRef: 'nope' } }, 'current.pluginRef'],
      [{ current: { pluginRef: 'queue-scorer' } }, 'current.pluginRef'], // not a filter
      [{ current: { pluginRef: 'low-queue', decisionTree: { current: { pluginRef: 'least-kv' } } } }, 'current'],
      [{ current: {} }, 'current'],
      [{ current: { pluginRef: 'low-queue' }, nextOnFailure: { decisionTree: {} } }, 'nextOnFailure.decisionTree.current'],
      [{ current: { pluginRef: 'low-queue' }, nextOnSuccess: { decisionTree: { current: { pluginRef: 'x' } } } }, 'nextOnSuccess.decisionTree.current.pluginRef'],
    ];
    for (const [params, param] of cases) {
      let err: unknown;
      try {
        build(decisionTreeFilter, params, plugins(1));
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(params)).toBeInstanceOf(ParamError);
      expect((err as ParamError).param, JSON.stringify(params)).toBe(param);
    }
    expect(() => build(decisionTreeFilter, { current: { pluginRef: 'low-queue', extra: 1 } }, plugins(1))).toThrow(); // strict
  });
});

describe('legacy-v0.3-filter', () => {
  const f = build<Filter>(legacyV03Filter);
  const critical = req({ priority: 1, targetModel: 'lora-a' });
  const standard = req({ priority: 0, targetModel: 'lora-a' });
  const sheddable = req({ priority: -1, targetModel: 'lora-a' });

  it('critical, some queue < 128: LoRA affinity first (running adapters only), then least queue, least KV', () => {
    const A = ep('A', { waitingQueueSize: 4, activeModels: ['lora-a'], maxActiveModels: 4 });
    const B = ep('B', { waitingQueueSize: 0, maxActiveModels: 4 });
    const W = ep('W', { waitingQueueSize: 0, waitingModels: ['lora-a'], maxActiveModels: 4 }); // waiting ≠ affinity in v0.3
    const C = ep('C', { waitingQueueSize: 500 });
    // q < 128 → [A, B, W]; lora v0.3: affinity [A], available [B, W] (|active| 0 < 4); draw 0.5 → [A] → A
    expect(run(f, [A, B, W, C], { rng: scripted(0.5), r: critical })).toEqual(['A']);
    // draw 0.9999 → available [B, W]; least queue: min 0, max 0, → both; least KV: both 0 → both
    expect(run(f, [A, B, W, C], { rng: scripted(0.9999), r: critical })).toEqual(['B', 'W']);
  });
  it('critical, every queue ≥ 128: least queue on all, then LoRA, then least KV', () => {
    // q [128, 140, 400]: min 128, max 400, n 3 → ⌊272/3⌋ = 90 → q ≤ 218 → [P, Q]; lora: Q runs lora-a,
    // P has a free slot → draw 0.1 → [Q]
    const P = ep('P', { waitingQueueSize: 128, maxActiveModels: 1 });
    const Q = ep('Q', { waitingQueueSize: 140, activeModels: ['lora-a'], maxActiveModels: 1 });
    const R = ep('R', { waitingQueueSize: 400, activeModels: ['lora-a'], maxActiveModels: 1 });
    expect(run(f, [P, Q, R], { rng: scripted(0.1), r: critical })).toEqual(['Q']);
  });
  it('non-critical (priority ≤ 0): needs an endpoint with q ≤ 5 and kv ≤ 0.8, else dropped (empty)', () => {
    const A = ep('A', { waitingQueueSize: 3, kvCacheUsagePercent: 0.5 });
    const B = ep('B', { waitingQueueSize: 0, kvCacheUsagePercent: 0.9 }); // kv > 0.8
    const C = ep('C', { waitingQueueSize: 1, kvCacheUsagePercent: 0.2 });
    const D = ep('D', { waitingQueueSize: 6, kvCacheUsagePercent: 0.0 }); // q > 5
    // capacity → [A, C]; least queue: min 1, max 3, n 2 → ⌊2/2⌋ = 1 → q ≤ 2 → [C]; lora: no adapters anywhere
    // (max 0) → empty → least KV on [C] → C
    for (const r of [standard, sheddable]) expect(run(f, [A, B, C, D], { r })).toEqual(['C']);
    expect(run(f, [B, D], { r: standard })).toEqual([]);
    // the same endpoints serve a critical request: q < 128 keeps all four; lora finds no adapter slot anywhere
    // → empty → least queue on its input [A, B, C, D]: min 0, max 6, n 4 → ⌊6/4⌋ = 1 → q ≤ 1 → [B, C];
    // least KV on [B, C]: min 0.2, max 0.9, n 2 → bound 0.2 + 0.35 = 0.55 → C
    expect(run(f, [A, B, C, D], { r: critical })).toEqual(['C']);
  });
  it('thresholds are parameters', () => {
    const g = build<Filter>(legacyV03Filter, { queueThresholdCritical: 6, kvCacheThreshold: 0.95 });
    const B = ep('B', { waitingQueueSize: 0, kvCacheUsagePercent: 0.9 });
    const D = ep('D', { waitingQueueSize: 6, kvCacheUsagePercent: 0.0 });
    // both have capacity now; least queue: min 0, max 6, n 2 → ⌊3⌋ → [B]; lora empty → least KV [B]
    expect(run(g, [B, D], { r: standard })).toEqual(['B']);
  });
});

describe('legacy properties', () => {
  it('least-queue and least-kv keep a non-empty subset containing the minimum', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300), { minLength: 1, maxLength: 20 }), (qs) => {
        const kept = leastQueue(byQueue(qs));
        expect(kept.length).toBeGreaterThan(0);
        const min = Math.min(...qs);
        expect(kept.some((e) => e.metrics!.waitingQueueSize === min)).toBe(true);
        const bound = min + Math.floor((Math.max(...qs) - min) / qs.length);
        for (const e of kept) expect(e.metrics!.waitingQueueSize).toBeLessThanOrEqual(bound);
      }),
    );
  });
  it('the v0.3 filter returns a subset of its input; critical requests always get an endpoint', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ q: fc.nat(300), kv: fc.double({ min: 0, max: 1, noNaN: true }), lora: fc.boolean(), max: fc.nat(2) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: -1, max: 1 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (xs, priority, u) => {
          const eps = xs.map((x, i) =>
            ep(`e${i}`, { waitingQueueSize: x.q, kvCacheUsagePercent: x.kv, activeModels: x.lora ? ['lora-a'] : [], maxActiveModels: x.max }),
          );
          const kept = build<Filter>(legacyV03Filter).filter(ctx({ rng: () => u }), req({ priority, targetModel: 'lora-a' }), eps);
          for (const e of kept) expect(eps).toContain(e);
          if (priority > 0) expect(kept.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
