/**
 * The Vidur profile step (sim/engine/stepTime/profile/vidurStep.ts; calibration.md §3.3–3.6):
 * golden step times derived by hand from rows of the shared Vidur tables (skipped with a printed
 * reason when ../shared/data is absent), TP selection errors, the all-reduce table also under the
 * LLMServingSim format, monotonicity (fast-check), and a run of scenarios/profile-vidur-h100.yaml.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { createStepTimeModel } from '../sim/engine/stepTime/index.js';
import { VidurStepTime } from '../sim/engine/stepTime/profile/vidurStep.js';
import { ProfileStepTime } from '../sim/engine/stepTime/profile.js';
import { decodeKv, prefillFeatures, RooflineAttention, TableAttention } from '../sim/engine/stepTime/profile/attention.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { UserError } from '../sim/core/errors.js';
import type { VidurSource } from '../sim/scenario/types.js';
import { batchShape } from './batchShapes.js';

const CAL = resolve(import.meta.dirname, '../../shared/data/calibration');
const HAVE_DATA = existsSync(resolve(CAL, 'vidur'));
if (!HAVE_DATA) console.log(`skipping the Vidur profile data tests: ${CAL}/vidur is absent`);
const MLP_7B = `${CAL}/vidur/vidur_h100_Llama-2-7b-hf_mlp.csv.gz`;
const MLP_70B = `${CAL}/vidur/vidur_h100_Llama-2-70b-hf_mlp.csv.gz`;
const NET = `${CAL}/vidur/vidur_network_h100_dgx_all_reduce.csv.gz`;
const ATTN_70B = `${CAL}/llmservingsim_h100/h100_Llama-3.1-70B_tp4_attention.csv.gz`;
const L2_7B = getModel('Llama-2-7B');
const L2_70B = getModel('Llama-2-70B');
const H100 = getGpu('H100');
const SRC_7B: VidurSource = { format: 'vidur', mlp: MLP_7B };

const shape = batchShape;

describe('Vidur features (§3.3)', () => {
  it('one chunk: chunk = t, kv = s + t; several uncached chunks: chunk = sqrt(Σt²)', () => {
    expect(prefillFeatures(shape([{ t: 512, before: 100 }], []))).toEqual({ chunk: 512, kv: 612, n: 1 });
    // 2·Σ t(t−1)/2 + Σt = Σt² = 300² + 400² = 250000 → 500
    const f = prefillFeatures(shape([{ t: 300, before: 0 }, { t: 400, before: 0 }], [7]));
    expect(f.chunk).toBeCloseTo(500, 9);
    expect(f.n).toBe(2);
    // mean context (1000 + 1100)/2 = 1050 → rounded up to 1088 (17·64)
    expect(decodeKv(shape([], [1000, 1100]))).toBe(1088);
  });
});

describe.skipIf(!HAVE_DATA)('Vidur step, H100 Llama-2-7B (table rows)', () => {
  it('one decode at context 1000, TP1, roofline attention: hand-derived from the num_tokens ≤ 8 rows', () => {
    // vidur_h100_Llama-2-7b-hf_mlp.csv.gz, TP1, time_stats.<op>.median in ms:
    //   num_tokens  emb    in_ln  pre_proj rope  post_proj post_ln up_proj act   down_proj add
    //   1           0.002  0.004  0.038    0.004 0.016     0.004   0.064   0.006 0.038     0.001
    //   2           0.003  0.004  0.036    0.004 0.016     0.004   0.063   0.007 0.036     0.001
    //   4           0.004  0.004  0.036    0.004 0.016     0.004   0.064   0.007 0.036     0.001
    //   8           0.007  0.004  0.036    0.004 0.016     0.004   0.064   0.007 0.036     0.001
    // T = 1 → T₈ = 8; curves are running maxima, so pre_proj and down_proj at 8 are 38 µs (the 1-token row):
    //   layer ops = 4 + 38 + 4 + 16 + 4 + 64 + 7 + 38 + 1 = 176 µs
    //   attention = 20 + (1000 + 1)·(2·32·128·2 B) / (0.95·3.35e6 B/µs) = 20 + 16400384/3182500 = 25.15330 µs
    //   32 layers: 32·201.15330 = 6436.9056; + emb 7 + final norm 4 = 6447.9056
    //   LM head: max(2·32000·4096/989.5e6 = 0.2649, 32000·4096·2/3.35e6 = 78.25194) = 78.25194
    //   sampler: 32000·8/3.35e6 = 0.07642 → total 6526.2340 µs
    const m = new VidurStepTime(SRC_7B, L2_7B, H100, 1, null);
    const attn = 20 + (1001 * 16384) / 3182500;
    const want = 32 * (176 + attn) + 11 + (32000 * 4096 * 2) / 3.35e6 + (32000 * 8) / 3.35e6;
    expect(want).toBeCloseTo(6526.234, 2);
    expect(m.stepUs(shape([], [1000]))).toBeCloseTo(want, 6);
  });

  it('TP2 adds 2·L all-reduces from the NCCL table at num_workers = devices_per_node = 2, + 20 µs launch', () => {
    // T₈ = 8 → size 8·4096·2 = 65536 B, between the rows (num_workers 2, mean ms):
    //   size 59392: 0.036667, size 67584: 0.038, and the running maximum up to them is
    //   0.039333 (size 34816) → 39.333 µs per call; + 20 µs launch = 59.333; × 2·32 = 3797.33 µs.
    const withTable = new VidurStepTime({ ...SRC_7B, all_reduce: NET }, L2_7B, H100, 2, null);
    const free = new VidurStepTime(SRC_7B, L2_7B, H100, 2, { latency_us: 0, busbw_gbps: 1e12 });
    const b = shape([], [1000]);
    expect(withTable.stepUs(b) - free.stepUs(b)).toBeCloseTo(64 * (39.333333333333336 + 20), 3);
  });

  it('errors name the file and the fix: a TP the table lacks, TP>1 without all-reduce, a table of another model', () => {
    expect(() => new VidurStepTime(SRC_7B, L2_7B, H100, 3, null)).toThrow(UserError);
    expect(() => new VidurStepTime(SRC_7B, L2_7B, H100, 3, null)).toThrow(/vidur_h100_Llama-2-7b-hf_mlp\.csv\.gz: num_tensor_parallel_workers: no rows for TP3 .*TP 1, 2, 4, 8 \(fix: set the replicas' tp to one of 1, 2, 4, 8/);
    expect(() => new VidurStepTime(SRC_7B, L2_7B, H100, 2, null)).toThrow(/step_time\.profile\.all_reduce: TP2 needs the all-reduce cost.*fix:/);
    expect(() => new VidurStepTime(SRC_7B, getModel('Llama-3.1-70B'), H100, 1, null)).toThrow(/n_embd: the table is for hidden size 4096, model Llama-3.1-70B has 8192 \(fix:/);
    expect(() => new VidurStepTime({ ...SRC_7B, all_reduce: NET }, L2_7B, H100, 16, null)).toThrow(/no rows for TP16/);
  });

  it('is non-decreasing in prefill tokens, decode sequences (at a fixed mean context) and context (fast-check)', () => {
    const m = new VidurStepTime(SRC_7B, L2_7B, H100, 1, null);
    const tp2 = new VidurStepTime({ ...SRC_7B, all_reduce: NET }, L2_7B, H100, 2, null);
    const arb = fc.record({
      pre: fc.integer({ min: 0, max: 6000 }),
      before: fc.integer({ min: 0, max: 4000 }),
      nd: fc.integer({ min: 0, max: 300 }),
      ctx: fc.integer({ min: 1, max: 8000 }),
      dPre: fc.integer({ min: 1, max: 600 }),
      dNd: fc.integer({ min: 1, max: 40 }),
      dCtx: fc.integer({ min: 1, max: 3000 }),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const mk = (pre: number, nd: number, ctx: number) => shape(pre > 0 ? [{ t: pre, before: a.before }] : [], new Array<number>(nd).fill(ctx));
        for (const s of [m, tp2]) {
          const base = s.stepUs(mk(a.pre, a.nd, a.ctx));
          expect(s.stepUs(mk(a.pre + a.dPre, a.nd, a.ctx))).toBeGreaterThanOrEqual(base);
          expect(s.stepUs(mk(a.pre, a.nd + a.dNd, a.ctx))).toBeGreaterThanOrEqual(base);
          expect(s.stepUs(mk(a.pre, a.nd, a.ctx + a.dCtx))).toBeGreaterThanOrEqual(base);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe.skipIf(!HAVE_DATA)('Vidur-style attention table (H100 Llama-3.1-70B TP4)', () => {
  it('decode: (batch, kv↑64) rows, × 1.1 when shared; prefill (chunk, kv) rows', () => {
    const a = new TableAttention(ATTN_70B, L2_70B, 4);
    // decode rows batch_size 1, kv_cache_size 1024 (two rows): median 0.030976, 0.0309765 ms → 30.97625 µs;
    // context 1000 → kv 1024 (rounded up to 64); every smaller kv row of batch 1 is below it (monotone).
    expect(a.layerUs(shape([], [1000]))).toBeCloseTo(30.97625, 6);
    // batch 2 rows are cheaper (17.664 µs at kv 1024), so the grid's running max along batch keeps 30.97625; × 1.1 shared
    expect(a.layerUs(shape([], [1000, 1000]))).toBeCloseTo(30.97625 * 1.1, 6);
    // One uncached 512-token chunk → (chunk 512, kv 512). Prefill rows (chunk, kv, median ms):
    //   (480, 480, 0.018256) (480, 960, 0.0301915) (512, 512, 0.018303) (512, 1024, 0.031903)
    // chunk 480 at kv 512 interpolates to 18.256 + (32/480)·(30.1915 − 18.256) = 19.0517 µs, above the
    // 512-row's 18.303, and the grid is non-decreasing in chunk (running max), so (512, 512) = 19.0517.
    expect(a.layerUs(shape([{ t: 512, before: 0 }], []))).toBeCloseTo(18.256 + (32 / 480) * (30.1915 - 18.256), 6);
    expect(() => new TableAttention(ATTN_70B, L2_70B, 2)).toThrow(/num_tensor_parallel_workers: the table is TP4, the replicas run TP2 \(fix:/);
    expect(() => new TableAttention(ATTN_70B, L2_7B, 4)).toThrow(/n_embd: the table is for hidden size 8192/);
  });

  it('a TP4 step with the attention table is non-decreasing in context (fast-check)', () => {
    const m = new VidurStepTime({ format: 'vidur', mlp: MLP_70B, all_reduce: NET, attention: ATTN_70B }, L2_70B, H100, 4, null);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 70000 }), fc.integer({ min: 1, max: 5000 }), (nd, ctx, d) => {
        const s = (c: number) => shape([], new Array<number>(nd).fill(c));
        expect(m.stepUs(s(ctx + d))).toBeGreaterThanOrEqual(m.stepUs(s(ctx)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('roofline attention (no table)', () => {
  it('decode 20 µs + KV read at 0.95·BW; prefill causal FLOPs at 0.5·peak', () => {
    const a = new RooflineAttention(getModel('Llama-3.1-8B'), H100, 1);
    // 8 KV heads·128·2·2 B = 4096 B per token per layer; (1000 + 1)·4096/3182.5 = 1288.55 µs… per 1e3: 3.1825e6 B/µs
    expect(a.layerUs(shape([], [1000]))).toBeCloseTo(20 + (1001 * 4096) / 3.1825e6, 9);
    // one 2048-token chunk: work 2048·1023.5; FLOPs 4·32·128·work / (0.5·989.5e6 FLOP/µs)
    expect(a.layerUs(shape([{ t: 2048, before: 0 }], []))).toBeCloseTo((4 * 32 * 128 * 2048 * 1023.5) / 494.75e6, 6);
  });
});

describe.skipIf(!HAVE_DATA)('scenario: step_time.profile.format vidur', () => {
  it('scenarios/profile-vidur-h100.yaml loads and runs (paths relative to the file)', () => {
    const cfg = loadScenarioFile(resolve(import.meta.dirname, '../scenarios/profile-vidur-h100.yaml'));
    expect(cfg.step_time.model).toBe('profile');
    const m = createStepTimeModel(cfg.step_time, getModel(cfg.fleet.model), getGpu(cfg.fleet.gpu), cfg.fleet.tp);
    expect(m).toBeInstanceOf(VidurStepTime);
    const run = runPolicy({ ...cfg, requests: 60 }, cfg.policies[1]!);
    const done = run.records.filter((r) => r.reason === '' && r.outputTokens > 1);
    expect(done.length).toBe(60);
    // decode-heavy steps of Llama-2-7B on H100: one decode alone is ≈ 6.5 ms (golden above)
    const tpot = done.map((r) => (r.lastTokenUs - r.firstTokenUs) / (r.outputTokens - 1)).sort((a, b) => a - b);
    const med = tpot[tpot.length >> 1]!;
    expect(med).toBeGreaterThan(6_500);
    expect(med).toBeLessThan(12_000);
  });

  it.skipIf(!existsSync(`${CAL}/llmservingsim_rtx4090`))('the LLMServingSim format takes all_reduce: {table}: 2·L calls of (launch + table at T·d·B)', () => {
    // The RTX 4090 TP1 tables under a prefix without _tp1 (symlinks in a temp dir), so TP2 is accepted.
    const lss = `${CAL}/llmservingsim_rtx4090`;
    const dir = mkdtempSync(`${tmpdir()}/lss-`);
    for (const k of ['dense', 'per_sequence', 'attention']) symlinkSync(`${lss}/rtx4090_Llama-3.1-8B_tp1_${k}.csv.gz`, `${dir}/x_${k}.csv.gz`);
    const src = { format: 'llmservingsim' as const, dir, prefix: 'x' };
    const llama = getModel('Llama-3.1-8B');
    const table = new ProfileStepTime(src, llama, 2, { table: NET, launch_us: 20 });
    const free = new ProfileStepTime(src, llama, 2, { latency_us: 0, busbw_gbps: 1e12 });
    // T = 8 decodes → 8·4096·2 = 65536 B → 39.333 µs (see the Vidur TP2 test) + 20 launch, × 2·32 calls
    const b = shape([], new Array<number>(8).fill(500));
    expect(table.stepUs(b) - free.stepUs(b)).toBeCloseTo(64 * (39.333333333333336 + 20), 3);
  });

  it('all_reduce: {table} parses (launch_us 20 by default), and a bad path is one line', () => {
    const dir = `${CAL}/vidur`;
    const y = (ar: string) =>
      `name: t\nrequests: 5\nfleet: {replicas: 1, gpu: H100, model: Llama-2-7B, tp: 2}\nworkload: {arrival: {process: poisson, rate: 1}, input: 100, output: 10}\npolicies: [round-robin]\nstep_time: {model: profile, profile: {format: vidur, mlp: ${MLP_7B}}, all_reduce: ${ar}}\n`;
    const cfg = parseScenario(y(`{table: ${dir}/vidur_network_h100_dgx_all_reduce.csv.gz}`), '/tmp/x.yaml');
    expect(cfg.step_time.model === 'profile' && cfg.step_time.all_reduce).toEqual({ table: `${dir}/vidur_network_h100_dgx_all_reduce.csv.gz`, launch_us: 20 });
    expect(() => parseScenario(y('{table: nope.csv.gz}'), '/tmp/x.yaml')).toThrow(/nope\.csv\.gz: file not found \(fix:/);
  });
});
