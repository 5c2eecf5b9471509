/**
 * `routesim calibrate` internals (sim/calibration/, ../shared/reference/calibration.md §4.2–4.4):
 * NNLS against hand-solved systems, recovery of known physics coefficients from targets the
 * physics model itself generates, non-negativity, identifiability (held columns), the /metrics
 * parser, and the profile fit on the shared RTX PRO 6000 tables (skipped without ../shared/data).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { leastSquares, nnlsPlain, solveNnls, unidentifiable } from '../sim/calibration/nnls.js';
import { fitLinear } from '../sim/calibration/fit.js';
import { basisModel, priorOf } from '../sim/calibration/basisModel.js';
import { batchDesign } from '../sim/calibration/design.js';
import { fitFromProfile } from '../sim/calibration/fromProfile.js';
import { parsePrometheusText } from '../sim/calibration/runSources/vllmMetrics.js';
import { summariseRelErrors } from '../sim/calibration/residuals.js';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { PHYSICS_DEFAULTS } from '../sim/scenario/schema.js';

const LLAMA = getModel('Llama-3.1-8B');
const LIMITS = { maxNumSeqs: 128, maxBatchedTokens: 2048, maxModelLen: 131072, kvTokens: 500_000 };

describe('NNLS', () => {
  it('solves a square 2×2 system exactly', () => {
    // 2x + y = 3, x + 3y = 5 → x = (9 − 5)/5 = 0.8, y = (10 − 3)/5 = 1.4.
    const z = nnlsPlain([[2, 1], [1, 3]], [3, 5]);
    expect(z[0]).toBeCloseTo(0.8, 12);
    expect(z[1]).toBeCloseTo(1.4, 12);
  });

  it('solves an overdetermined 3×2 system by least squares', () => {
    // Rows (1,0),(0,1),(1,1), b = (1,2,4): normal equations [[2,1],[1,2]]z = (5,6) → z = (4/3, 7/3).
    const z = leastSquares([[1, 0], [0, 1], [1, 1]], [1, 2, 4]);
    expect(z[0]).toBeCloseTo(4 / 3, 12);
    expect(z[1]).toBeCloseTo(7 / 3, 12);
    expect(nnlsPlain([[1, 0], [0, 1], [1, 1]], [1, 2, 4])).toEqual(z.map((v) => expect.closeTo(v, 12)));
  });

  it('clamps at zero where the unconstrained solution is negative (3×2, KKT checked by hand)', () => {
    // b = 4 − x on x = 1,2,3 has slope −1; with slope ≥ 0 the optimum is slope 0, intercept mean(b) = 2:
    // residuals (1, 0, −1), gradient on the slope Σ x·r = 1 − 3 = −2 < 0, so slope 0 is optimal.
    const z = nnlsPlain([[1, 1], [1, 2], [1, 3]], [3, 2, 1]);
    expect(z[0]).toBeCloseTo(2, 12);
    expect(z[1]).toBe(0);
  });

  it('ridge toward the prior: one column, β = (y + λ·p)/(1 + λ)', () => {
    // x = 1, y = 2, prior 0.5, λ = 1; column RMS s = 1: min (2 − β)² + (β − 0.5)² → β = 1.25.
    const beta = solveNnls({ rows: [Float64Array.of(1)], y: [2], prior: [0.5], ridge: 1 });
    expect(beta[0]).toBeCloseTo(1.25, 12);
  });

  it('held columns stay at the prior and their contribution leaves the target', () => {
    // y = 3·x0 + 2·x1 with x1 held at 2: x0 is fitted on y − 2·x1 → exactly 3.
    const rows = [Float64Array.of(1, 1), Float64Array.of(2, 1), Float64Array.of(3, 1)];
    const beta = solveNnls({ rows, y: [5, 8, 11], prior: [0, 2], held: new Set([1]) });
    expect(beta).toEqual([expect.closeTo(3, 12), 2]);
  });

  it('never returns a negative coefficient (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 4, maxLength: 12 }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 12, maxLength: 12 }),
        (a, b) => {
          const beta = solveNnls({ rows: a.map((r) => Float64Array.from(r)), y: b.slice(0, a.length), ridge: 1e-4 });
          return beta.every((v) => v >= 0 && Number.isFinite(v));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('flags unexcited and collinear columns (§4.4)', () => {
    // Column 1 is zero; column 2 = 2·column 0.
    const rows = [Float64Array.of(1, 0, 2, 1), Float64Array.of(2, 0, 4, 0), Float64Array.of(3, 0, 6, 5)];
    const why = unidentifiable(rows, [1, 1, 1]);
    expect([...why.entries()]).toEqual([[1, 'not excited'], [2, 0]]);
  });
});

describe('fitting the physics model', () => {
  const gpu = getGpu('H100');
  const design = batchDesign(LIMITS);
  const rowsFor = (truth: Record<string, number>) => {
    const m = basisModel('physics', LLAMA, gpu, 1, truth);
    const x = design.map((d) => {
      const v = new Float64Array(m.terms.length);
      m.basis(d.shape, v);
      return v;
    });
    return { m, rows: { x, y: design.map((d) => m.stepUs(d.shape)), fixed: design.map((d) => m.fixedUs(d.shape)) } };
  };

  it('recovers known coefficients from targets the model generates (1e-6 relative)', () => {
    // The identifiable terms get values unlike the prior; the ones §4.4 says one model/GPU/TP1 cannot
    // separate (β4 unexcited, β8 dense, β5 and β7 constants collinear with β3·T_weight) keep the prior.
    const truth = { ...PHYSICS_DEFAULTS, beta1a: 0.61, beta1b: 2.5, beta2a: 0.9, beta2b: 1.3, beta3: 1.07, beta6_us_per_request: 12.5 };
    const { m, rows } = rowsFor(truth);
    const fit = fitLinear(m.terms, priorOf('physics'), rows, { ridge: 0 });
    for (const t of m.terms) expect(Math.abs(fit.coefficients[t]! - truth[t as keyof typeof truth]) / truth[t as keyof typeof truth]).toBeLessThan(1e-6);
    expect(fit.held.map((h) => h.term)).toEqual(['beta4', 'beta5_us_per_layer', 'beta7_us_per_step', 'beta8_us_per_moe_layer']);
  });

  it('recovers random positive coefficients (property)', () => {
    const pos = fc.double({ min: 0.05, max: 5, noNaN: true });
    fc.assert(
      fc.property(pos, pos, pos, pos, pos, fc.double({ min: 0.5, max: 50, noNaN: true }), (a, b, c, d, e, f) => {
        const truth = { ...PHYSICS_DEFAULTS, beta1a: a, beta1b: b, beta2a: c, beta2b: d, beta3: e, beta6_us_per_request: f };
        const { m, rows } = rowsFor(truth);
        const fit = fitLinear(m.terms, priorOf('physics'), rows, { ridge: 0 });
        return m.terms.every((t) => Math.abs(fit.coefficients[t]! - truth[t as keyof typeof truth]) <= 1e-6 * truth[t as keyof typeof truth]);
      }),
      { numRuns: 15 },
    );
  });
});

describe('residual summaries and the /metrics parser', () => {
  it('percentiles of |relative error| interpolate at rank p/100·(N−1)', () => {
    // |e| sorted = 0.01, 0.02, 0.03, 0.04 → p50 at rank 1.5 = 0.025; bias = mean(+0.01, −0.02, 0.03, −0.04) = −0.005.
    const s = summariseRelErrors([0.01, -0.02, 0.03, -0.04]);
    expect(s).toMatchObject({ n: 4, p50_pct: 2.5, max_pct: 4, bias_pct: -0.5 });
  });

  it('sums histogram samples over label sets and keeps labels', () => {
    const text = [
      '# HELP vllm:request_prefill_time_seconds x',
      'vllm:request_prefill_time_seconds_sum{model_name="a"} 1.5',
      'vllm:request_prefill_time_seconds_sum{model_name="b"} 0.5',
      'vllm:request_prefill_time_seconds_count{model_name="a"} 4',
      'vllm:cache_config_info{block_size="16",num_gpu_blocks="1234"} 1.0',
    ].join('\n');
    const p = parsePrometheusText(text);
    expect(p.sums.get('vllm:request_prefill_time_seconds_sum')).toBe(2);
    expect(p.sums.get('vllm:request_prefill_time_seconds_count')).toBe(4);
    expect(p.labels.get('vllm:cache_config_info.num_gpu_blocks')).toBe('1234');
  });
});

const DATA = resolve(import.meta.dirname, '../../shared/data/calibration/llmservingsim_rtxpro6000');
const HAVE_DATA = existsSync(DATA);
if (!HAVE_DATA) console.log(`skipping the RTX PRO 6000 profile fit: ${DATA} is absent`);

describe.skipIf(!HAVE_DATA)('profile fit on the shared RTX PRO 6000 tables (../shared/data)', () => {
  it('fits the grid design with residual p50 below 8 %', () => {
    // Measured on 2026-12-05: p50 6.2 % over the 255 grid batches (decode 9.3, prefill 6.7, mixed 5.8).
    // The physics basis adds roofline times where the tables behave like max(weight, compute) and
    // where mixed attention calls cost more than decode + prefill, so a few % remain; 8 % leaves
    // room for small basis changes without letting a broken fit (the prior alone is > 30 % off) pass.
    const src = { format: 'llmservingsim' as const, dir: DATA, prefix: 'rtxpro6000_Llama-3.1-8B_tp1' };
    const fit = fitFromProfile('physics', src, null, LLAMA, getGpu('RTXPRO6000'), 1, batchDesign(LIMITS));
    expect(fit.residuals.all.p50_pct).toBeLessThan(8);
    expect(Object.values(fit.coefficients).every((v) => v >= 0)).toBe(true);
    // The fit moved away from the H100 prior where the data speaks: prefill GEMM efficiency.
    expect(fit.coefficients.beta1a).toBeGreaterThan(PHYSICS_DEFAULTS.beta1a * 2);
  });
});
