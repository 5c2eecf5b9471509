/**
 * Saturation detectors (epp.md §2.9): utilization-detector (Saturation and fail-open Filter) and
 * concurrency-detector (own in-flight counters; Filter without fail-open). Hand-derived numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParamError } from '../../policies/framework/registry.js';
import { concurrencyDetector, type ConcurrencyDetector } from '../../policies/plugins/saturation/concurrencyDetector.js';
import { utilizationDetector, type UtilizationDetector } from '../../policies/plugins/saturation/utilizationDetector.js';
import { build, ctx, ep, names, req, schedResult } from './loadFixtures.js';

const MS = 1000;

describe('utilization-detector', () => {
  const det = build<UtilizationDetector>(utilizationDetector);
  const now = 1000 * MS;
  // A: fresh, q 2, kv 0.4 → max(2/5, 0.4/0.8) = max(0.4, 0.5) = 0.5
  // B: fresh, q 10, kv 0.2 → max(2, 0.25) = 2 (not capped)
  // C: scraped 300 ms ago > 200 ms → 1.0 whatever its numbers
  // D: never scraped → 1.0
  const A = ep('A', { waitingQueueSize: 2, kvCacheUsagePercent: 0.4, updateTimeUs: now - 10 * MS });
  const B = ep('B', { waitingQueueSize: 10, kvCacheUsagePercent: 0.2, updateTimeUs: now });
  const C = ep('C', { waitingQueueSize: 0, kvCacheUsagePercent: 0, updateTimeUs: now - 300 * MS });
  const D = ep('D', null);

  it('Saturation = mean of max(q/5, kv/0.8), stale or missing metrics count 1.0', () => {
    expect(det.saturation(ctx({ nowUs: now }), [A])).toBe(0.5);
    expect(det.saturation(ctx({ nowUs: now }), [A, B])).toBe(1.25); // (0.5 + 2)/2
    expect(det.saturation(ctx({ nowUs: now }), [A, C])).toBe(0.75); // (0.5 + 1)/2: the idle but stale C counts as saturated
    expect(det.saturation(ctx({ nowUs: now }), [A, B, C, D])).toBe(1.125); // (0.5 + 2 + 1 + 1)/4
  });
  it('an empty pool is saturated (1.0)', () => {
    expect(det.saturation(ctx({ nowUs: now }), [])).toBe(1);
  });
  it('staleness is strict: exactly 200 ms old is still fresh', () => {
    const e = ep('e', { waitingQueueSize: 1, updateTimeUs: 0 }); // 1/5 = 0.2 when fresh
    expect(det.saturation(ctx({ nowUs: 200 * MS }), [e])).toBe(0.2);
    expect(det.saturation(ctx({ nowUs: 200 * MS + 1 }), [e])).toBe(1);
  });
  it('thresholds are parameters (Go durations)', () => {
    const d = build<UtilizationDetector>(utilizationDetector, { queueDepthThreshold: 10, kvCacheUtilThreshold: 0.5, metricsStalenessThreshold: '1s' });
    // A: max(2/10, 0.4/0.5) = 0.8; C is 300 ms old < 1 s → fresh, 0
    expect(d.saturation(ctx({ nowUs: now }), [A, C])).toBe(0.4);
  });
  it('Filter keeps fresh endpoints with q < Q(1+h) and kv < KV(1+h), strictly', () => {
    const c = ctx({ nowUs: now });
    expect(names(det.filter(c, req(), [A, B, C, D]))).toEqual(['A']);
    const edge = [
      ep('q5', { waitingQueueSize: 5, updateTimeUs: now }), // 5 < 5 false
      ep('q4', { waitingQueueSize: 4, kvCacheUsagePercent: 0.79, updateTimeUs: now }),
      ep('kv08', { waitingQueueSize: 0, kvCacheUsagePercent: 0.8, updateTimeUs: now }), // 0.8 < 0.8 false
    ];
    expect(names(det.filter(c, req(), edge))).toEqual(['q4']);
    // headroom 1: Q·2 = 10, KV·2 = 1.6 → q5 and kv08 pass, B (q 10) still fails
    const roomy = build<UtilizationDetector>(utilizationDetector, { headroom: 1 });
    expect(names(roomy.filter(c, req(), [...edge, B]))).toEqual(['q5', 'q4', 'kv08']);
  });
  it('Filter fails open: when nobody passes it returns its input', () => {
    const c = ctx({ nowUs: now });
    expect(names(det.filter(c, req(), [B, C, D]))).toEqual(['B', 'C', 'D']);
  });
  it('rejects out-of-range parameters naming them', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ queueDepthThreshold: 0 }, 'queueDepthThreshold'],
      [{ kvCacheUtilThreshold: 0 }, 'kvCacheUtilThreshold'],
      [{ kvCacheUtilThreshold: 1.01 }, 'kvCacheUtilThreshold'],
      [{ metricsStalenessThreshold: '0s' }, 'metricsStalenessThreshold'],
      [{ headroom: -0.1 }, 'headroom'],
    ];
    for (const [params, param] of bad) {
      let err: unknown;
      try {
        build(utilizationDetector, params);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(params)).toBeInstanceOf(ParamError);
      expect((err as ParamError).param).toBe(param);
    }
    expect(() => build(utilizationDetector, { kvCacheUtilThreshold: 1 })).not.toThrow();
    expect(() => build(utilizationDetector, { queueDepthThresold: 3 })).toThrow(); // unknown name (typo)
  });
  it('property: Saturation is the mean of per-endpoint values in [0, ∞), 1.0 for stale ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ q: fc.nat(50), kv: fc.double({ min: 0, max: 1, noNaN: true }), ageMs: fc.nat(400) }), { minLength: 1, maxLength: 10 }),
        (xs) => {
          const eps = xs.map((x, i) => ep(`e${i}`, { waitingQueueSize: x.q, kvCacheUsagePercent: x.kv, updateTimeUs: now - x.ageMs * MS }));
          const s = det.saturation(ctx({ nowUs: now }), eps);
          const want = xs.reduce((acc, x) => acc + (x.ageMs > 200 ? 1 : Math.max(x.q / 5, x.kv / 0.8)), 0) / xs.length;
          expect(s).toBeCloseTo(want, 12);
          const kept = det.filter(ctx({ nowUs: now }), req(), eps);
          const passing = eps.filter((_, i) => xs[i]!.ageMs <= 200 && xs[i]!.q < 5 && xs[i]!.kv < 0.8);
          expect(kept).toEqual(passing.length > 0 ? passing : eps);
        },
      ),
    );
  });
});

describe('concurrency-detector', () => {
  const dispatch = (d: ConcurrencyDetector, id: string, target: string, prompt = 'x'.repeat(40)) =>
    d.preRequest(ctx(), req({ id, prompt }), schedResult({ default: [ep(target)] }));
  const done = (d: ConcurrencyDetector, id: string) =>
    d.responseComplete(ctx(), req({ id }), { endpoint: '', result: schedResult({ default: [] }), headers: new Map() });

  it('requests mode: Saturation = Σ in-flight / (N × maxConcurrency)', () => {
    const d = build<ConcurrencyDetector>(concurrencyDetector, { maxConcurrency: 2 });
    dispatch(d, 'r1', 'A');
    dispatch(d, 'r2', 'A');
    dispatch(d, 'r3', 'B');
    // 3 in flight over 2 endpoints × 2 = 0.75; over A, B, C: 3/6 = 0.5
    expect(d.saturation(ctx(), [ep('A'), ep('B')])).toBe(0.75);
    expect(d.saturation(ctx(), [ep('A'), ep('B'), ep('C')])).toBe(0.5);
    done(d, 'r1');
    expect(d.saturation(ctx(), [ep('A'), ep('B')])).toBe(0.5); // 2/4
  });
  it('Filter keeps load < ⌊capacity × (1 + headroom)⌋ and does NOT fail open', () => {
    const d = build<ConcurrencyDetector>(concurrencyDetector, { maxConcurrency: 2 });
    dispatch(d, 'r1', 'A');
    dispatch(d, 'r2', 'A');
    dispatch(d, 'r3', 'B');
    const eps = [ep('A'), ep('B'), ep('C')];
    expect(names(d.filter(ctx(), req(), eps))).toEqual(['B', 'C']); // A: 2 < 2 false
    dispatch(d, 'r4', 'B');
    dispatch(d, 'r5', 'C');
    dispatch(d, 'r6', 'C');
    expect(d.filter(ctx(), req(), eps)).toEqual([]); // all at 2: nothing kept, no fail-open
    // headroom 0.5: ⌊2 × 1.5⌋ = 3 → 2 < 3 passes; headroom 0.4: ⌊2.8⌋ = 2 → fails
    const roomy = build<ConcurrencyDetector>(concurrencyDetector, { maxConcurrency: 2, headroom: 0.5 });
    const tight = build<ConcurrencyDetector>(concurrencyDetector, { maxConcurrency: 2, headroom: 0.4 });
    for (const x of [roomy, tight]) (dispatch(x, 'a', 'A'), dispatch(x, 'b', 'A'));
    expect(names(roomy.filter(ctx(), req(), [ep('A')]))).toEqual(['A']);
    expect(names(tight.filter(ctx(), req(), [ep('A')]))).toEqual([]);
  });
  it('tokens mode counts the SimpleTokenEstimator estimate', () => {
    // 40-byte prompt → 10 + 15 = 25 tokens; 8-byte prompt → 2 + 3 = 5 tokens
    const d = build<ConcurrencyDetector>(concurrencyDetector, { concurrencyMode: 'tokens', maxTokenConcurrency: 50 });
    dispatch(d, 'r1', 'A');
    dispatch(d, 'r2', 'B', 'y'.repeat(8));
    expect(d.load('A')).toBe(25);
    expect(d.saturation(ctx(), [ep('A'), ep('B')])).toBe(0.3); // 30 / (2 × 50)
    dispatch(d, 'r3', 'A'); // A at 50: 50 < 50 false
    expect(names(d.filter(ctx(), req(), [ep('A'), ep('B')]))).toEqual(['B']);
    done(d, 'r3');
    expect(d.load('A')).toBe(25);
  });
  it('capacity 0 → saturation 1.0; empty pool → 1.0', () => {
    expect(build<ConcurrencyDetector>(concurrencyDetector, { maxConcurrency: 0 }).saturation(ctx(), [ep('A')])).toBe(1);
    expect(build<ConcurrencyDetector>(concurrencyDetector).saturation(ctx(), [])).toBe(1);
  });
  it('counts every target of the primary profile only', () => {
    const d = build<ConcurrencyDetector>(concurrencyDetector);
    d.preRequest(ctx(), req({ id: 'x' }), schedResult({ decode: [ep('A'), ep('B')], prefill: [ep('P')] }));
    expect([d.load('A'), d.load('B'), d.load('P')]).toEqual([1, 1, 0]);
  });
  it('rejects a negative capacity or headroom and an unknown mode', () => {
    expect(() => build(concurrencyDetector, { maxConcurrency: -1 })).toThrow(ParamError);
    expect(() => build(concurrencyDetector, { headroom: -1 })).toThrow(ParamError);
    expect(() => build(concurrencyDetector, { concurrencyMode: 'bytes' })).toThrow();
  });
});
