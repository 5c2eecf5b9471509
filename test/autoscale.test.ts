/**
 * Autoscaling (sim/autoscale; gateway.md §5.1 HPA, §5.3 WVA V1, §5.5 start-up): the HPA's
 * desired-replica sequence for given metric series, derived by hand from the Kubernetes formula
 * (stabilization and policies included); WVA V1's up/down decisions; start-up phase arithmetic;
 * GPU-hours and cost.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Hpa, DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP, HPA_DEFAULTS } from '../sim/autoscale/hpa.js';
import { WvaV1 } from '../sim/autoscale/wva.js';
import { DEFAULT_STARTUP, startupPhasesUs } from '../sim/autoscale/startup.js';
import { costUsd, gpuHours, gpuPrices, GPU_PRICES_SOURCE } from '../sim/autoscale/cost.js';
import { getGpu, getModel, gpuNames } from '../sim/hardware/catalog.js';
import type { AutoscalingConfig, HpaScalingRules } from '../sim/scenario/types.js';

const S = 1_000_000;

function cfg(more: Partial<Omit<AutoscalingConfig, 'behavior'>> & { up?: Partial<HpaScalingRules>; down?: Partial<HpaScalingRules> } = {}): AutoscalingConfig {
  const { up, down, ...rest } = more;
  return {
    metric: 'queue',
    target: 3,
    max_replicas: 20,
    group: 0,
    ...HPA_DEFAULTS,
    ...rest,
    behavior: { scale_up: { ...DEFAULT_SCALE_UP, ...up }, scale_down: { ...DEFAULT_SCALE_DOWN, ...down } },
  };
}

const pods = (n: number, v: number): number[] => Array.from({ length: n }, () => v);

describe('HPA: the §5.1 example', () => {
  it('target queue 3/pod, 4 pods at 7 ⇒ 10 desired; policies give 8 now and 10 one period later', () => {
    const hpa = new Hpa(cfg());
    // t = 15 s: avg 28000 m / 4 = 7000 m; ratio 7000 / 3000 = 2.333 > 1.1 ⇒ ceil(2.333 · 4) = ceil(9.33) = 10.
    // Up window 0 s ⇒ stabilized 10. Policies from 4 replicas (no events): Pods 4 + 4 = 8,
    // Percent ceil(4 · 2) = 8, Max ⇒ 8.
    const first = hpa.sync(15 * S, 4, pods(4, 7), 0);
    expect(first.ratio).toBeCloseTo(7 / 3, 12);
    expect(first).toMatchObject({ metricDesired: 10, stabilized: 10, desired: 8 });
    // t = 30 s: 8 replicas, the 4 new ones still starting (no metric). Missing pods count 0 on a
    // scale-up: avg 28000 / 8 = 3500 m, ratio 1.1667 ⇒ ceil(1.1667 · 8) = ceil(9.33) = 10.
    // The +4 event at 15 s is not strictly inside (30 − 15, 30] ⇒ period start 8:
    // Pods 12, Percent 16 ⇒ Max 16 ⇒ 10.
    const second = hpa.sync(30 * S, 8, pods(4, 7), 4);
    expect(second).toMatchObject({ metricDesired: 10, stabilized: 10, desired: 10 });
  });

  it('a sync inside the period sees the earlier scale-up: the start of the period is 4, so 8 stays the limit', () => {
    const hpa = new Hpa(cfg({ sync_period_s: 5 }));
    expect(hpa.recommend(15 * S, 4, pods(4, 7), 0)).toBe(8);
    // t = 20 s: event +4 at 15 s is within (5, 20] ⇒ start 8 − 4 = 4 ⇒ limit max(4 + 4, ceil(4 · 2)) = 8.
    expect(hpa.recommend(20 * S, 8, pods(4, 7), 4)).toBe(8);
    // t = 30 s: the event has left (15, 30] ⇒ start 8 ⇒ limit 16 ⇒ the metric's 10.
    expect(hpa.recommend(30 * S, 8, pods(4, 7), 4)).toBe(10);
  });

  it('without the missing-pod correction the same 8 pods would look under target and not scale', () => {
    // Only 4 ready pods reported and pending 0: avg 7000 m ⇒ ratio 2.333 ⇒ ceil(2.333 · 4) = 10
    // from the 4 measured pods (Kubernetes multiplies by the pods with a metric, not by current).
    const hpa = new Hpa(cfg({ up: { policies: [{ type: 'Pods', value: 100, period_s: 15 }] } }));
    expect(hpa.sync(15 * S, 8, pods(4, 7), 0).metricDesired).toBe(10);
  });
});

describe('HPA: tolerance (Kubernetes ≥ 1.33 form: 1 − tol ≤ ratio ≤ 1 + tol)', () => {
  const up = { policies: [{ type: 'Pods' as const, value: 100, period_s: 15 }] };

  it('ratio 1.08 ⇒ no change', () => {
    // 10 pods at 3.24: 3240 m / 3000 m = 1.08 ≤ 1.1 ⇒ keep 10.
    const d = new Hpa(cfg({ up })).sync(15 * S, 10, pods(10, 3.24), 0);
    expect(d.ratio).toBeCloseTo(1.08, 12);
    expect(d.desired).toBe(10);
  });

  it('ratio exactly 1.1 is inside (swallowed); 1.2 is outside', () => {
    // target 10: 11000 m / 10000 m = 1.1 and 1 + 0.1 = 1.1 in float64 ⇒ within ⇒ keep 10.
    expect(new Hpa(cfg({ target: 10, up })).recommend(15 * S, 10, pods(10, 11), 0)).toBe(10);
    // 12000 / 10000 = 1.2 ⇒ ceil(1.2 · 10) = 12.
    expect(new Hpa(cfg({ target: 10, up })).recommend(15 * S, 10, pods(10, 12), 0)).toBe(12);
  });

  it('ratio exactly 0.9 is inside too (no scale-down recommendation)', () => {
    // 9000 / 10000 = 0.9 ≥ 1 − 0.1 = 0.9 ⇒ the recommendation is the current 10.
    expect(new Hpa(cfg({ target: 10, down: { stabilization_window_s: 0 } })).sync(15 * S, 10, pods(10, 9), 0).metricDesired).toBe(10);
    // 8000 / 10000 = 0.8 ⇒ ceil(0.8 · 10) = 8.
    expect(new Hpa(cfg({ target: 10, down: { stabilization_window_s: 0 } })).recommend(15 * S, 10, pods(10, 8), 0)).toBe(8);
  });

  it('tolerance 0 follows every change', () => {
    // 3100 / 3000 = 1.0333 ⇒ ceil(1.0333 · 10) = ceil(10.33) = 11.
    expect(new Hpa(cfg({ tolerance: 0, up })).recommend(15 * S, 10, pods(10, 3.1), 0)).toBe(11);
  });
});

describe('HPA: scale-down stabilization (300 s window, max of the recommendations in it)', () => {
  it('a drop in load takes effect only once the higher recommendations have left the window', () => {
    const hpa = new Hpa(cfg());
    const seq: [number, number, number][] = []; // [t s, recommendation, desired]
    let current = 10;
    // The total queue is spread over the current replicas (per pod = total / current).
    const step = (t: number, total: number): void => {
      const d = hpa.sync(t * S, current, pods(current, total / current), 0);
      seq.push([t, d.metricDesired!, d.desired]);
      current = d.desired;
    };
    // t = 15: total 30 over 10 = 3 = target (3000 / 3000 = 1) ⇒ rec 10 (the first sync also seeds {15 s: 10}).
    step(15, 30);
    // t = 30: total 24 ⇒ 2.4 each ⇒ 2400 / 3000 = 0.8 ⇒ ceil(0.8 · 10) = 8.
    step(30, 24);
    // t = 45 … 330: total 15 ⇒ over 10: 1500 / 3000 = 0.5 ⇒ ceil(0.5 · 10) = 5;
    // over 8 (from t = 315 on): 1875 / 3000 = 0.625 ⇒ ceil(0.625 · 8) = 5.
    for (let t = 45; t <= 330; t += 15) step(t, 15);
    // Window at t is (t − 300, t]:
    //   t = 30 … 300: holds the 10s of t = 15 ⇒ max 10 ⇒ desired 10.
    //   t = 315: (15, 315] holds the 8 of t = 30 and 5s ⇒ max 8 ⇒ 8 (Percent 100 allows down to trunc(10 · 0) = 0).
    //   t = 330: (30, 330] holds only 5s ⇒ 5.
    expect(seq.map(([, r]) => r)).toEqual([10, 8, ...pods(20, 5)]);
    const desired = new Map(seq.map(([t, , d]) => [t, d]));
    for (let t = 30; t <= 300; t += 15) expect(desired.get(t), `t=${t}`).toBe(10);
    expect(desired.get(315)).toBe(8);
    expect(desired.get(330)).toBe(5);
    expect(seq.find(([t]) => t === 30)![1]).toBe(8);
    expect(seq.find(([t]) => t === 330)![1]).toBe(5);
  });

  it('a new HPA does not scale down during its first window (Kubernetes seeds it with the current count)', () => {
    const hpa = new Hpa(cfg());
    // t = 15: idle ⇒ rec ceil(0) = 0, but the seed {15 s: 10} keeps 10; t = 315: (15, 315] ⇒ max of 0s ⇒ clamp to min 1.
    let current = 10;
    for (let t = 15; t <= 300; t += 15) {
      current = hpa.recommend(t * S, current, pods(current, 0), 0);
      expect(current).toBe(10);
    }
    expect(hpa.recommend(315 * S, current, pods(current, 0), 0)).toBe(1);
  });

  it('scale-up ignores the down window, and a policy of 1 pod per 60 s paces a scale-down', () => {
    const hpa = new Hpa(cfg({ down: { stabilization_window_s: 0, policies: [{ type: 'Pods', value: 1, period_s: 60 }] } }));
    // Idle, 4 pods ⇒ rec 0 ⇒ at most 1 pod per 60 s: 15 s → 3; 30, 45, 60 s: the −1 at 15 s is in the
    // period ⇒ start 4 ⇒ limit 3 ⇒ 3; 75 s: (15, 75] excludes it ⇒ start 3 ⇒ 2.
    const seq: number[] = [];
    let current = 4;
    for (let t = 15; t <= 75; t += 15) seq.push((current = hpa.recommend(t * S, current, pods(current, 0), 0)));
    expect(seq).toEqual([3, 3, 3, 3, 2]);
  });
});

describe('HPA: clamp and select policies', () => {
  it('clamps to max_replicas and to min_replicas', () => {
    // 4 pods at 7 ⇒ 10 ⇒ policies 8 ⇒ max 6.
    expect(new Hpa(cfg({ max_replicas: 6 })).recommend(15 * S, 4, pods(4, 7), 0)).toBe(6);
    // Idle ⇒ rec 0 ⇒ min 3 (down window 0).
    expect(new Hpa(cfg({ min_replicas: 3, down: { stabilization_window_s: 0 } })).recommend(15 * S, 5, pods(5, 0), 0)).toBe(3);
  });

  it('a current count outside [min, max] goes straight to the bound, whatever the metric', () => {
    expect(new Hpa(cfg({ max_replicas: 6 })).sync(15 * S, 9, pods(9, 100), 0)).toMatchObject({ metricDesired: null, desired: 6 });
    expect(new Hpa(cfg({ min_replicas: 3 })).recommend(15 * S, 2, pods(2, 0), 0)).toBe(3);
  });

  it('select_policy Max takes the most permissive policy, Min the least', () => {
    // 2 pods at 30 ⇒ ratio 10 ⇒ 20. From 2: Pods 2 + 4 = 6, Percent ceil(2 · 2) = 4.
    expect(new Hpa(cfg()).recommend(15 * S, 2, pods(2, 30), 0)).toBe(6);
    expect(new Hpa(cfg({ up: { select_policy: 'Min' } })).recommend(15 * S, 2, pods(2, 30), 0)).toBe(4);
  });

  it('select_policy Disabled stops that direction only', () => {
    const noDown = cfg({ down: { stabilization_window_s: 0, select_policy: 'Disabled' } });
    expect(new Hpa(noDown).recommend(15 * S, 8, pods(8, 0), 0)).toBe(8);
    expect(new Hpa(noDown).recommend(15 * S, 4, pods(4, 7), 0)).toBe(8);
    const noUp = cfg({ up: { select_policy: 'Disabled' }, down: { stabilization_window_s: 0 } });
    expect(new Hpa(noUp).recommend(15 * S, 4, pods(4, 7), 0)).toBe(4);
    expect(new Hpa(noUp).recommend(15 * S, 4, pods(4, 0), 0)).toBe(1);
  });

  it('missing pods count as the target on a scale-down', () => {
    // 2 ready at 0, 2 pending: ratio 0 < 1 ⇒ the 2 count 3000 m ⇒ 6000 / 4 = 1500 m ⇒ 0.5 ⇒ ceil(0.5 · 4) = 2.
    expect(new Hpa(cfg({ down: { stabilization_window_s: 0 } })).sync(15 * S, 4, [0, 0], 2).metricDesired).toBe(2);
    // 2 ready at 2.9, 2 pending: ratio 0.967 (in tolerance) ⇒ keep 4, no missing-pod correction needed.
    expect(new Hpa(cfg()).sync(15 * S, 4, [2.9, 2.9], 2).metricDesired).toBe(4);
    // No metric at all (nothing Ready yet) ⇒ no decision, nothing recorded.
    expect(new Hpa(cfg()).sync(15 * S, 4, [], 4)).toMatchObject({ metricDesired: null, desired: 4 });
  });

  it('sync times and metric age', () => {
    const hpa = new Hpa(cfg());
    expect([hpa.nextSyncUs(0), hpa.nextSyncUs(15 * S - 1), hpa.nextSyncUs(15 * S)]).toEqual([15 * S, 15 * S, 30 * S]);
    expect([hpa.metricTimeUs(10 * S), hpa.metricTimeUs(40 * S)]).toEqual([0, 25 * S]);
  });
});

describe('HPA: properties', () => {
  const rulesArb = fc.record({
    stabilization_window_s: fc.integer({ min: 0, max: 600 }),
    policies: fc.array(fc.record({ type: fc.constantFrom('Pods' as const, 'Percent' as const), value: fc.integer({ min: 1, max: 200 }), period_s: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 3 }),
    select_policy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const),
  });
  const cfgArb = fc
    .record({ min: fc.integer({ min: 1, max: 10 }), span: fc.integer({ min: 0, max: 30 }), target: fc.integer({ min: 1, max: 50 }), tolerance: fc.double({ min: 0, max: 0.5, noNaN: true }), up: rulesArb, down: rulesArb })
    .map(({ min, span, target, tolerance, up, down }) => cfg({ min_replicas: min, max_replicas: min + span, target, tolerance, up, down }));

  it('the desired count stays within [min, max] and the history stays bounded', () => {
    fc.assert(
      fc.property(cfgArb, fc.nat(), fc.array(fc.record({ v: fc.double({ min: 0, max: 500, noNaN: true }), pending: fc.integer({ min: 0, max: 5 }) }), { minLength: 1, maxLength: 60 }), (c, start, steps) => {
        const hpa = new Hpa(c);
        let current = c.min_replicas + (start % (c.max_replicas - c.min_replicas + 1));
        const maxWin = Math.max(c.behavior.scale_up.stabilization_window_s, c.behavior.scale_down.stabilization_window_s);
        const maxPeriod = Math.max(...c.behavior.scale_up.policies.map((p) => p.period_s), ...c.behavior.scale_down.policies.map((p) => p.period_s));
        steps.forEach(({ v, pending }, i) => {
          const ready = Math.max(1, current - pending);
          current = hpa.recommend((i + 1) * 15 * S, current, pods(ready, v), Math.min(pending, current - ready));
          expect(current).toBeGreaterThanOrEqual(c.min_replicas);
          expect(current).toBeLessThanOrEqual(c.max_replicas);
          expect(hpa.historySize()).toBeLessThanOrEqual(maxWin / 15 + 2 + maxPeriod / 15 + 1);
        });
      }),
    );
  });

  it('a metric constantly at target never changes the count', () => {
    fc.assert(
      fc.property(cfgArb, fc.nat(), fc.integer({ min: 1, max: 100 }), (c, start, n) => {
        const hpa = new Hpa(c);
        const current = c.min_replicas + (start % (c.max_replicas - c.min_replicas + 1));
        for (let i = 1; i <= n; i++) expect(hpa.recommend(i * 15 * S, current, pods(current, c.target), 0)).toBe(current);
      }),
    );
  });
});

describe('WVA V1 (saturation metric)', () => {
  it('scales up +1 when the average spare KV is under 0.10, unless pods are pending', () => {
    // Non-saturated (kv < 0.8, queue < 5): both. Spare KV 0.8 − (0.75 + 0.70) / 2 = 0.075 < 0.10 ⇒ +1.
    const p = [{ kv: 0.75, queue: 1 }, { kv: 0.7, queue: 0 }];
    expect(new WvaV1().analyze(2, p, 0)).toMatchObject({ nonSaturated: 2, action: 'up', desired: 3 });
    expect(new WvaV1().recommend(2, p, 1)).toBe(2);
  });

  it('scales up when the average spare queue is under 3, or when every replica is saturated', () => {
    // Spare queue 5 − (3 + 2) / 2 = 2.5 < 3 ⇒ +1.
    expect(new WvaV1().recommend(2, [{ kv: 0.2, queue: 3 }, { kv: 0.2, queue: 2 }], 0)).toBe(3);
    // kv 0.9 ≥ 0.8 and queue 7 ≥ 5 ⇒ no non-saturated replica ⇒ spare 0 ⇒ +1.
    expect(new WvaV1().analyze(2, [{ kv: 0.9, queue: 0 }, { kv: 0.1, queue: 7 }], 0)).toMatchObject({ nonSaturated: 0, desired: 3 });
  });

  it('scales down −1 only when N − 1 replicas keep both spares', () => {
    // 3 × kv 0.2, queue 0: spares 0.6 / 5 (no up). Over 2: kv 0.6 / 2 = 0.3 ⇒ spare 0.5 ≥ 0.1; queue 5 ≥ 3 ⇒ −1.
    expect(new WvaV1().analyze(3, [{ kv: 0.2, queue: 0 }, { kv: 0.2, queue: 0 }, { kv: 0.2, queue: 0 }], 0)).toMatchObject({ action: 'down', desired: 2 });
    // 2 × kv 0.4, queue 1: spares 0.4 / 4 (no up). Over 1: kv 0.8 ⇒ spare 0 < 0.1 ⇒ hold.
    expect(new WvaV1().recommend(2, [{ kv: 0.4, queue: 1 }, { kv: 0.4, queue: 1 }], 0)).toBe(2);
    // 2 × kv 0.1, queue 1.5: over 1: kv spare 0.6, queue 5 − 3 = 2 < 3 ⇒ hold.
    expect(new WvaV1().recommend(2, [{ kv: 0.1, queue: 1.5 }, { kv: 0.1, queue: 1.5 }], 0)).toBe(2);
    // N = 1 never scales down.
    expect(new WvaV1().recommend(1, [{ kv: 0, queue: 0 }], 0)).toBe(1);
  });

  it('keeps a previous desired count until the deployment reaches it, and respects [min, max]', () => {
    const wva = new WvaV1(1, 3);
    expect(wva.recommend(2, [{ kv: 0.79, queue: 0 }, { kv: 0.79, queue: 0 }], 0)).toBe(3);
    // Still 2 replicas (the new one not counted yet), load gone: WVA keeps 3.
    expect(wva.analyze(2, [{ kv: 0, queue: 0 }, { kv: 0, queue: 0 }], 0)).toMatchObject({ action: 'keep-previous', desired: 3 });
    // At 3 = max, saturated: +1 would be 4 > max ⇒ hold 3.
    expect(wva.recommend(3, [{ kv: 0.79, queue: 0 }, { kv: 0.79, queue: 0 }, { kv: 0.79, queue: 0 }], 0)).toBe(3);
  });

  it('reaches the pool through the HPA as External AverageValue 1: a ±1 step at 10 replicas is swallowed', () => {
    const c = cfg({ metric: 'saturation', target: 1, down: { stabilization_window_s: 0 } });
    // 11 / (1 · 10) = 1.1 ⇒ within tolerance ⇒ 10. 5 / (1 · 4) = 1.25 ⇒ ceil(5 / 1) = 5.
    expect(new Hpa(c).desiredFromWva(15 * S, 10, 11)).toBe(10);
    expect(new Hpa(c).desiredFromWva(15 * S, 4, 5)).toBe(5);
    // 3 / 4 = 0.75 ⇒ 3.
    expect(new Hpa(c).desiredFromWva(15 * S, 4, 3)).toBe(3);
    expect(() => new Hpa(c).recommend(15 * S, 4, [1], 0)).toThrow(/desiredFromWva/);
    expect(() => new Hpa(cfg()).desiredFromWva(15 * S, 4, 5)).toThrow(/recommend/);
  });
});

describe('start-up phases (§5.5)', () => {
  it('Llama-3.1-8B on H100, TP 1: weights / 2 GB/s', () => {
    // Parameters: per layer 2·4096² + 2·4096·1024 + 3·4096·14336 = 218,103,808; × 32 = 6,979,321,856;
    // embeddings + LM head 128,256 · 4096 · 2 = 1,050,673,152; total 8,029,995,008 ⇒ bf16 16,059,990,016 B.
    // Load 16,059,990,016 / 2e9 = 8.029995008 s ⇒ 8,029,995 µs. Ready 30 + 20 + 8.03 + 20 = 78.03 s.
    const ph = startupPhasesUs(getModel('Llama-3.1-8B'), getGpu('H100'), 1, DEFAULT_STARTUP);
    expect(ph).toEqual({
      schedulingUs: 30_000_000,
      containerUs: 20_000_000,
      loadUs: 8_029_995,
      initUs: 20_000_000,
      readyUs: 78_029_995,
      warmupUs: 60_000_000,
      warmupFactor: 2,
    });
  });

  it('the pod reads all of its weights: Llama-3.1-70B TP 4 at 2 GB/s; load_s overrides', () => {
    // Per layer 2·8192² + 2·8192·1024 + 3·8192·28672 = 855,638,016; × 80 = 68,451,041,280;
    // + 128,256 · 8192 · 2 = 2,101,346,304 ⇒ 70,552,387,584 params ⇒ 141,104,775,168 B / 2e9 = 70.552387584 s.
    expect(startupPhasesUs(getModel('Llama-3.1-70B'), getGpu('H100'), 4).loadUs).toBe(70_552_388);
    const ph = startupPhasesUs(getModel('Llama-3.1-8B'), getGpu('H100'), 1, { ...DEFAULT_STARTUP, load_s: 45, scheduling_s: 120 });
    expect([ph.loadUs, ph.readyUs]).toEqual([45_000_000, 205_000_000]);
  });
});

describe('GPU-hours and cost', () => {
  it('prices every catalog GPU, with a source note', () => {
    expect(Object.keys(gpuPrices()).sort()).toEqual([...gpuNames()].sort());
    expect(GPU_PRICES_SOURCE).toMatch(/indicative/i);
  });

  it('GPU-seconds ⇒ hours ⇒ $ with the table and with overrides', () => {
    // H100: 7200 s = 2 h × $4.0 = $8.0; L4: 1800 s = 0.5 h × $0.8 = $0.4 ⇒ 2.5 h, $8.4.
    const secs = { H100: 7200, L4: 1800 };
    expect(gpuHours(secs)).toEqual({ byType: { H100: 2, L4: 0.5 }, total: 2.5 });
    const c = costUsd(secs);
    expect(c.totalUsd).toBeCloseTo(8.4, 12);
    expect(c.unpriced).toEqual([]);
    // Override H100 at $2.5 ⇒ 2 × 2.5 + 0.4 = $5.4.
    expect(costUsd(secs, gpuPrices({ H100: 2.5 })).totalUsd).toBeCloseTo(5.4, 12);
    // A type without a price is reported, not priced at 0 silently.
    const odd = costUsd({ TPU: 3600, L4: 3600 }, gpuPrices());
    expect([odd.totalUsd, odd.unpriced]).toEqual([0.8, ['TPU']]);
  });
});
