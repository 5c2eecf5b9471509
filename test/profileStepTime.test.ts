/**
 * The profile-table step-time model (sim/engine/stepTime/profile.ts; calibration.md §3.2–3.4):
 * hand-derived step times from rows of the RTX 4090 LLMServingSim profile in ../shared/data
 * (skipped with a printed reason when that directory is absent), the interpolation and
 * extrapolation rules on synthetic grids and tables, monotonicity in tokens (fast-check), a run of
 * scenarios/profile-rtx4090.yaml, and one-line errors for missing or garbled tables.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { createStepTimeModel } from '../sim/engine/stepTime/index.js';
import { ProfileStepTime } from '../sim/engine/stepTime/profile.js';
import { curve, curveAt, lookup, makeGrid, makeMonotone } from '../sim/engine/stepTime/profile/grid.js';
import { loadLlmServingSim } from '../sim/engine/stepTime/profile/llmservingsim.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { UserError } from '../sim/core/errors.js';
import { batchShape } from './batchShapes.js';

const DATA = resolve(import.meta.dirname, '../../shared/data/calibration/llmservingsim_rtx4090');
const HAVE_DATA = existsSync(DATA);
if (!HAVE_DATA) console.log(`skipping the RTX 4090 profile tests: ${DATA} is absent`);
const PREFIX = 'rtx4090_Llama-3.1-8B_tp1';
const LLAMA = getModel('Llama-3.1-8B');
const SRC = { format: 'llmservingsim' as const, dir: DATA, prefix: PREFIX };

const shape = batchShape;

describe('grid lookups (calibration.md §3.4)', () => {
  const g = curve([1, 2, 4], [10, 20, 24]);
  it('interpolates linearly in the value between samples', () => {
    // between 2 (20) and 4 (24): 20 + (3−2)/(4−2)·(24−20) = 22
    expect(curveAt(g, 3)).toBe(22);
  });
  it('clamps below the smallest sample', () => {
    expect(curveAt(g, 0)).toBe(10);
    expect(curveAt(g, 0.5)).toBe(10);
  });
  it('extrapolates linearly from the top two samples above the largest', () => {
    // slope (24−20)/(4−2) = 2 per unit: 24 + 2·(10−4) = 36
    expect(curveAt(g, 10)).toBe(36);
  });
  it('clips negative slopes: a noisy lower sample is raised to the running maximum', () => {
    const n = curve([1, 2, 3, 4], [10, 12, 11, 14]);
    expect(curveAt(n, 3)).toBe(12);
    expect(curveAt(n, 2.5)).toBe(12);
    // above the top: slope 14−12 = 2 ⇒ at 5: 16
    expect(curveAt(n, 5)).toBe(16);
  });
  it('2-D: bilinear inside, monotone in each axis after makeMonotone', () => {
    // axes x {0, 10}, y {0, 100}; values v(x,y): (0,0)=1 (0,100)=3 (10,0)=5 (10,100)=2 → (10,100) raised to 5
    const m = makeGrid([Float64Array.from([0, 10]), Float64Array.from([0, 100])], Float64Array.from([1, 3, 5, 2]));
    makeMonotone(m);
    expect([...m.values]).toEqual([1, 3, 5, 5]);
    // (5, 50): ¼·(1 + 3 + 5 + 5) = 3.5
    expect(lookup(m, [5, 50])).toBe(3.5);
  });
  it('above the box: per-axis top slopes, not multilinear cross terms (which would decrease here)', () => {
    // x {0,1}, y {0,1}: v(0,0)=0 v(0,1)=10 v(1,0)=10 v(1,1)=10. At y = 3 multilinear gives f(0,3) = 30 but
    // f(1,3) = −2·10 + 3·10 = 10. Here: inside value 10 + (3−1)·slope_y, slope_y(x) = [10, 0] raised to [10, 10]:
    // f(0,3) = f(1,3) = 10 + 2·10 = 30.
    const g = makeGrid([Float64Array.of(0, 1), Float64Array.of(0, 1)], Float64Array.of(0, 10, 10, 10));
    makeMonotone(g);
    expect(lookup(g, [0, 3])).toBe(30);
    expect(lookup(g, [1, 3])).toBe(30);
    // one axis above: exactly the top-two extrapolation, 10 + (3−1)·(10 − 0) = 30 at x = 0
    expect(lookup(g, [3, 0])).toBe(30);
  });
  it('property: a 3-D grid stays non-decreasing in each coordinate inside and above the sampled box', () => {
    // Plain multilinear extrapolation fails this (cross terms); lookup() adds per-axis top slopes instead.
    const axis = fc.constantFrom(Float64Array.of(0, 16), Float64Array.of(0, 16, 64), Float64Array.of(1, 2, 4, 8));
    const coord = fc.double({ min: 0, max: 200, noNaN: true });
    fc.assert(
      fc.property(fc.tuple(axis, axis, axis), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 64, maxLength: 64 }), fc.tuple(coord, coord, coord), fc.nat(2), fc.double({ min: 0, max: 100, noNaN: true }), (axes, vals, x, k, dx) => {
        const n = axes[0].length * axes[1].length * axes[2].length;
        const g = makeGrid(axes, Float64Array.from(vals.slice(0, n)));
        makeMonotone(g);
        const y = [...x];
        y[k] = y[k]! + dx;
        expect(lookup(g, y)).toBeGreaterThanOrEqual(lookup(g, x) - 1e-9);
      }),
      { numRuns: 500 },
    );
  });
  it('property: a monotone 1-D curve is non-decreasing everywhere, also when extrapolated', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 2, maxLength: 12 }), fc.double({ min: 0, max: 5e4, noNaN: true }), fc.double({ min: 0, max: 5e4, noNaN: true }), (ys, a, b) => {
        const c = curve(ys.map((_, i) => 16 * (i + 1)), ys);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(curveAt(c, hi)).toBeGreaterThanOrEqual(curveAt(c, lo) - 1e-9);
      }),
    );
  });
});

/** A tiny synthetic profile in a temp directory; `over` replaces whole files. */
function tinyProfile(over: Record<string, string | Buffer> = {}, gz = false, prefix = 'tiny_tp1'): string {
  const dir = mkdtempSync(join(tmpdir(), 'routesim-profile-'));
  const ops = ['embedding', 'layernorm', 'qkv_proj', 'rotary_emb', 'o_proj', 'gate_up_proj', 'act_fn', 'down_proj', 'final_layernorm'];
  const files: Record<string, string | Buffer> = {
    dense: `layer,tokens,time_us\n${ops.map((o) => `${o},1,1\n${o},100,2`).join('\n')}\n`,
    per_sequence: 'layer,sequences,time_us\nlm_head,1,100\nlm_head,10,110\nsampler,1,10\nsampler,10,10\n',
    // (pc, kp, nd, kv): no row for (16,0,2,16), none at kv 0 with decodes, none for the empty call.
    attention: 'prefill_chunk,kv_prefill,n_decode,kv_decode,time_us\n0,0,1,16,1\n0,0,2,16,3\n16,0,0,0,5\n16,0,1,16,6\n',
    ...over,
  };
  for (const [k, text] of Object.entries(files)) {
    const name = join(dir, `${prefix}_${k}.csv${gz ? '.gz' : ''}`);
    writeFileSync(name, gz && typeof text === 'string' ? gzipSync(text) : text);
  }
  return dir;
}

describe('attention grid holes (llmservingsim.ts fill rules)', () => {
  const t = loadLlmServingSim(tinyProfile({}, true), 'tiny_tp1');
  it('a missing n_decode above the profiled ones: previous n_decode + the decode-only increment', () => {
    // (16,0,2,16) = (16,0,1,16) + [(0,0,2,16) − (0,0,1,16)] = 6 + (3 − 1) = 8
    expect(lookup(t.attention, [16, 0, 2, 16])).toBe(8);
  });
  it('kv_decode below the smallest profiled value is clamped; no decodes ignore kv; the empty call is 0', () => {
    expect(lookup(t.attention, [0, 0, 1, 0])).toBe(1);
    expect(lookup(t.attention, [16, 0, 0, 16])).toBe(5);
    expect(lookup(t.attention, [0, 0, 0, 0])).toBe(0);
  });
  it('whole step of the tiny profile (L = 32, one decode at kv 16 with T = 1, R = 1)', () => {
    const m = new ProfileStepTime({ format: 'llmservingsim', dir: tinyProfile(), prefix: 'tiny_tp1' }, LLAMA, 1, null);
    // embedding 1 + final_layernorm 1 + 32·(2·layernorm 1 + 6 other ops at 1 + attention(0,0,1,16) 1) + lm_head 100 + sampler 10
    // = 2 + 32·9 + 110 = 400
    expect(m.stepUs(shape([], [16]))).toBe(400);
  });
  it('TP2: two all-reduces per layer, latency + bytes·2(TP−1)/TP / busbw (calibration.md §3.6)', () => {
    const m = new ProfileStepTime({ format: 'llmservingsim', dir: tinyProfile({}, false, 'tiny_tp2'), prefix: 'tiny_tp2' }, LLAMA, 2, { latency_us: 20, busbw_gbps: 16 });
    // tables as above: 400 µs; all-reduce: 2·32 calls × (20 µs + 1 token·4096·2 B·2·½ / 16 000 B/µs)
    // = 64 × (20 + 0.512) = 1312.768 µs
    expect(m.stepUs(shape([], [16]))).toBeCloseTo(400 + 1312.768, 9);
  });
});

describe('decode-length skew blend (profile/skew.ts, calibration.md §3.3)', () => {
  // Decode-only attention rows at n_decode 2: kv 16 → 3 µs, kv 48 → 11 µs (linear in between).
  const att = 'prefill_chunk,kv_prefill,n_decode,kv_decode,time_us\n0,0,1,16,1\n0,0,1,48,5\n0,0,2,16,3\n0,0,2,48,11\n16,0,0,0,5\n16,0,1,16,6\n16,0,1,48,8\n';
  const meta = (alpha: unknown, enabled = true): string => JSON.stringify({ skew_fit: { enabled, per_tp: { '1': { alpha_default: alpha } } } });
  const withMeta = (text: string | null): ProfileStepTime => {
    const dir = tinyProfile({ attention: att });
    if (text !== null) writeFileSync(join(dir, 'tiny_profile_meta.json'), text);
    return new ProfileStepTime({ format: 'llmservingsim', dir, prefix: 'tiny_tp1' }, LLAMA, 1, null);
  };
  // Two decodes at contexts 16 and 48: kv_mean = 32 → t(32) = 7 µs per layer; kv_max = 48 → 11 µs.
  // Step without the blend: embedding 1 + final 1 + 32·(8 ops at 1 + 7) + lm_head(R 2) 100 + 10/9 + sampler 10.
  const base = (m: ProfileStepTime): number => m.stepUs(shape([], [32, 32]));
  it('α from the meta: each layer adds α·(t(kv_max) − t(kv_mean)) = 0.25·(11 − 7) = 1 µs, × 32 layers', () => {
    const m = withMeta(meta(0.25));
    expect(m.skewAlpha).toBe(0.25);
    expect(m.stepUs(shape([], [16, 48])) - base(m)).toBeCloseTo(32, 9);
  });
  it('no blend without a meta, with the skew fit disabled, for equal lengths or a single decode', () => {
    expect(withMeta(null).skewAlpha).toBe(0);
    expect(withMeta(meta(0.25, false)).skewAlpha).toBe(0);
    const dir = tinyProfile({ attention: att });
    writeFileSync(join(dir, 'tiny_profile_meta.json'), meta(0.25));
    expect(new ProfileStepTime({ format: 'llmservingsim', dir, prefix: 'tiny_tp1', skew: false }, LLAMA, 1, null).skewAlpha).toBe(0);
    const m = withMeta(meta(0.25));
    expect(m.stepUs(shape([], [32, 32]))).toBe(base(m));
    expect(m.stepUs(shape([], [48]))).toBe(withMeta(null).stepUs(shape([], [48])));
  });
  it('a garbled meta is one line naming the file', () => {
    expect(() => withMeta('{not json')).toThrow(/tiny_profile_meta\.json: not JSON/);
    expect(() => withMeta(meta('x'))).toThrow(/alpha_default: is "x", not a number/);
  });
});

describe('missing or garbled tables: one line naming the file', () => {
  const oneLine = (f: () => unknown, file: RegExp): void => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(file);
  };
  it('missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-profile-empty-'));
    oneLine(() => loadLlmServingSim(dir, 'x_tp1'), /x_tp1_dense\.csv\.gz: file not found/);
  });
  it('wrong header, a non-number, an unknown layer, a missing layer, a corrupt gzip', () => {
    oneLine(() => loadLlmServingSim(tinyProfile({ dense: 'layer,tok,time_us\nembedding,1,1\n' }), 'tiny_tp1'), /tiny_tp1_dense\.csv: line 1: header/);
    oneLine(() => loadLlmServingSim(tinyProfile({ per_sequence: 'layer,sequences,time_us\nlm_head,1,abc\nsampler,1,1\n' }), 'tiny_tp1'), /tiny_tp1_per_sequence\.csv: line 2: time_us "abc"/);
    oneLine(() => loadLlmServingSim(tinyProfile({ per_sequence: 'layer,sequences,time_us\nlm_head,1,1\nsampler,1,1\nfoo,1,1\n' }), 'tiny_tp1'), /per_sequence\.csv: line 4: unknown layer "foo"/);
    oneLine(() => loadLlmServingSim(tinyProfile({ per_sequence: 'layer,sequences,time_us\nlm_head,1,1\n' }), 'tiny_tp1'), /per_sequence\.csv: no rows for layer "sampler"/);
    oneLine(() => loadLlmServingSim(tinyProfile({ attention: Buffer.from('not gzip') }, true), 'tiny_tp1'), /tiny_tp1_attention\.csv\.gz: not a readable gzip file/);
  });
  it('through a scenario: the error names the table file', () => {
    const yaml = `name: t\nrequests: 1\nfleet: {replicas: 1, gpu: RTX4090, model: Llama-3.1-8B}\npolicies: [round-robin]\nworkload: {arrival: {rate: 1}, input: 10, output: 10}\nstep_time: {model: profile, profile: {format: llmservingsim, dir: nowhere, prefix: p_tp1}}\n`;
    oneLine(() => parseScenario(yaml, join(tmpdir(), 's.yaml')), /nowhere\/p_tp1_dense\.csv\.gz: file not found/);
  });
  it('TP mismatch and TP > 1 without all_reduce are one-line errors', () => {
    const dir = tinyProfile();
    oneLine(() => new ProfileStepTime({ format: 'llmservingsim', dir, prefix: 'tiny_tp1' }, LLAMA, 2, null), /TP1 profile but the replicas run TP2/);
    oneLine(() => new ProfileStepTime({ format: 'llmservingsim', dir, prefix: 'tiny_tp2' }, LLAMA, 2, null), /step_time\.all_reduce: TP2 needs the all-reduce cost/);
  });
});

describe.skipIf(!HAVE_DATA)('RTX 4090 profile (../shared/data)', () => {
  // Built lazily: a skipped describe still runs its body when tests are collected, and the tables
  // may be absent then.
  let built: ReturnType<typeof createStepTimeModel> | undefined;
  const model = () => (built ??= createStepTimeModel({ model: 'profile', profile: SRC, all_reduce: null, overheads: { alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 } }, LLAMA, getGpu('RTX4090'), 1));
  const m = { stepUs: (b: Parameters<ReturnType<typeof createStepTimeModel>['stepUs']>[0]) => model().stepUs(b) };

  it('one decode at context 96: hand-composed from the table rows', () => {
    // dense rows at tokens = 1 (first samples, untouched by the monotone clip):
    //   embedding 2.837, final_layernorm 1.94167, layernorm 1.85083, qkv_proj 54.898, rotary_emb 2.17567,
    //   o_proj 38.1313, gate_up_proj 247.292, act_fn 2.592, down_proj 126.766
    // attention (pc 0, kp 0, nd 1): kv 64 → 9.42867, kv 128 → 12.98; at kv 96: 9.42867 + ½·(12.98 − 9.42867) = 11.204335
    // per sequence at R = 1: lm_head 1096.93, sampler 25.001
    const block = 2 * 1.85083 + 54.898 + 2.17567 + 38.1313 + 247.292 + 2.592 + 126.766 + 11.204335; // 486.760965
    const expected = 2.837 + 1.94167 + 32 * block + 1096.93 + 25.001; // 16703.06 µs
    expect(m.stepUs(shape([], [96]))).toBeCloseTo(expected, 6);
    expect(expected).toBeCloseTo(16703.06055, 4);
  });

  it('attention interpolates between grid points and extrapolates above the sweep', () => {
    const t = loadLlmServingSim(DATA, PREFIX);
    // prefill chunk 96 alone, between rows (64,0,0,0) = 10.1863 and (128,0,0,0) = 10.4843: 10.3353
    expect(lookup(t.attention, [96, 0, 0, 0])).toBeCloseTo(10.3353, 6);
    // lm_head above R = 256: rows 240 → 1663.6, 256 → 1671.15; at 300: 1671.15 + 44·(7.55/16) = 1691.9125
    expect(curveAt(t.perSequence.get('lm_head')!, 300)).toBeCloseTo(1691.9125, 6);
    // decode kv 32768 (above kv 16384): linear from kv 8192 and 16384, so > the value at 16384
    expect(lookup(t.attention, [0, 0, 1, 32768])).toBeGreaterThan(lookup(t.attention, [0, 0, 1, 16384]));
  });

  it('magnitudes (calibration.md §3.2): a decode-only step ≈ 16–17 ms, a 2048-token prefill costs more', () => {
    expect(m.stepUs(shape([], [1000]))).toBeGreaterThan(16_000);
    expect(m.stepUs(shape([], [1000]))).toBeLessThan(18_000);
    expect(m.stepUs(shape([{ t: 2048, before: 0 }], []))).toBeGreaterThan(m.stepUs(shape([], Array(64).fill(1000))));
  });

  it('property: more tokens never make a step cheaper (a longer chunk, one more decode at ≥ mean context, a longer context)', () => {
    const prefill = fc.record({ t: fc.integer({ min: 1, max: 1024 }), before: fc.integer({ min: 0, max: 8192 }) });
    fc.assert(
      fc.property(
        fc.array(prefill, { maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 20_000 }), { maxLength: 200 }),
        fc.nat(),
        (pf, dc, pick) => {
          fc.pre(pf.length + dc.length > 0);
          const base = m.stepUs(shape(pf, dc));
          if (pf.length > 0) {
            const i = pick % pf.length;
            const longer = pf.map((p, j) => (j === i ? { ...p, t: p.t + 1 } : p));
            expect(m.stepUs(shape(longer, dc))).toBeGreaterThanOrEqual(base - 1e-9);
          }
          const mean = dc.length > 0 ? Math.ceil(dc.reduce((s, x) => s + x, 0) / dc.length) : 1;
          expect(m.stepUs(shape(pf, [...dc, mean + (pick % 100)]))).toBeGreaterThanOrEqual(base - 1e-9);
          if (dc.length > 0) {
            const i = pick % dc.length;
            expect(m.stepUs(shape(pf, dc.map((c, j) => (j === i ? c + 1 : c))))).toBeGreaterThanOrEqual(base - 1e-9);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('scenarios/profile-rtx4090.yaml runs to completion with decode steps of ≈ 16–25 ms', () => {
    const s = loadScenarioFile(resolve(import.meta.dirname, '../scenarios/profile-rtx4090.yaml'));
    expect(s.step_time.model).toBe('profile');
    const run = runPolicy(s, s.policies[1]!);
    expect(run.records.length).toBe(600);
    const done = run.records.filter((r) => r.reason === '' && r.outputTokens > 1);
    expect(done.length).toBe(600);
    const tpot = done.map((r) => (r.lastTokenUs - r.firstTokenUs) / (r.outputTokens - 1)).sort((a, b) => a - b);
    const med = tpot[tpot.length >> 1]!;
    expect(med).toBeGreaterThan(16_000);
    expect(med).toBeLessThan(25_000);
  });
});
