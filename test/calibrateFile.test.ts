/**
 * The calibration file (sim/calibration/calibrationFile.ts) and `step_time: {calibration: FILE}`:
 * round trip (written → referenced by a scenario → the scenario's step time is the file's
 * coefficients), bad files as one line and exit 2, the fleet check (model/TP/linear GPU mismatch
 * = error, physics on another GPU = warning), and `routesim calibrate` end to end on the shared
 * data (skipped without ../shared/data).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { routesim } from './cliHelpers.js';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { createStepTimeModel } from '../sim/engine/stepTime/index.js';
import { renderCalibration, type CalibrationDoc } from '../sim/calibration/calibrationFile.js';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { PHYSICS_DEFAULTS } from '../sim/scenario/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'routesim-calib-'));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const COEFFS = { beta1a: 1.2, beta1b: 6.4, beta2a: 1.19, beta2b: 1.45, beta3: 0.886, beta4: 0.75, beta5_us_per_layer: 32, beta6_us_per_request: 0, beta7_us_per_step: 126, beta8_us_per_moe_layer: 481 };
const doc = (over: Partial<CalibrationDoc> = {}): CalibrationDoc => ({
  kind: 'routesim-calibration',
  version: 1,
  step_time_model: 'physics',
  fitted_for: { gpu: 'H100', model: 'Llama-3.1-8B', tp: 1 },
  source: { kind: 'test' },
  coefficients: COEFFS,
  ...over,
});
const scenario = (cal: string, fleet = '{replicas: 1, gpu: H100, model: Llama-3.1-8B}'): string => `
name: cal
seed: 1
requests: 5
fleet: ${fleet}
step_time: {calibration: ${cal}, overheads: false}
workload:
  arrival: {process: poisson, rate: 5}
  input: 100
  output: 10
policies: [round-robin]
`;

describe('calibration file round trip', () => {
  it('a scenario referencing the file runs physics with exactly its coefficients', () => {
    write('good.yaml', renderCalibration(doc()));
    const s = loadScenarioFile(write('s-good.yaml', scenario('good.yaml')));
    expect(s.step_time.model).toBe('physics');
    expect(s.step_time.coefficients).toEqual(COEFFS);
    expect(s.step_time.overheads).toEqual({ alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 });
    // Same step time as the physics model built from the coefficients directly.
    const b = { prefillTokens: 700, prefillAttnWork: 700 * 349.5, prefillPromptWork: 700 * 1050, prefillKvTokens: 700, decodeSeqs: 40, decodeContext: 40 * 900, decodeContextMin: 900, decodeContextMax: 900, batchSize: 41, adapters: 0 };
    const viaFile = createStepTimeModel(s.step_time, getModel('Llama-3.1-8B'), getGpu('H100'), 1).stepUs(b);
    const direct = createStepTimeModel({ model: 'physics', coefficients: COEFFS, overheads: s.step_time.overheads }, getModel('Llama-3.1-8B'), getGpu('H100'), 1).stepUs(b);
    expect(viaFile).toBe(direct);
    expect(viaFile).not.toBe(createStepTimeModel({ model: 'physics', coefficients: PHYSICS_DEFAULTS, overheads: s.step_time.overheads }, getModel('Llama-3.1-8B'), getGpu('H100'), 1).stepUs(b));
  });

  it('a linear calibration loads as the linear model', () => {
    write('lin.yaml', renderCalibration(doc({ step_time_model: 'linear', coefficients: { beta0_us: 5000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100 } })));
    const s = loadScenarioFile(write('s-lin.yaml', scenario('lin.yaml')));
    expect(s.step_time).toMatchObject({ model: 'linear', coefficients: { beta0_us: 5000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100 } });
  });
});

describe('bad calibration files: one line, exit 2', () => {
  const cases: [string, string | null, RegExp][] = [
    ['a missing file', null, /nope\.yaml: file not found/],
    ['a file that is not YAML', 'kind: [unclosed', /notyaml\.yaml/],
    ['the wrong kind', renderCalibration(doc()).replace('routesim-calibration', 'something-else'), /wrongkind\.yaml: kind: expected routesim-calibration, got "something-else"/],
    ['a negative coefficient', renderCalibration(doc({ coefficients: { ...COEFFS, beta3: -0.5 } })), /negative\.yaml: coefficients\.beta3: negative \(-0\.5\).*\(fix: /],
    ['a missing coefficient', renderCalibration(doc({ coefficients: { beta1a: 1 } })), /partial\.yaml: coefficients\.beta1b: missing/],
    ['another model', renderCalibration(doc({ fitted_for: { gpu: 'H100', model: 'Qwen3-32B', tp: 1 } })), /othermodel\.yaml: fitted_for\.model: fitted for Qwen3-32B but .* serves Llama-3\.1-8B \(fix: refit/],
    ['another TP', renderCalibration(doc({ fitted_for: { gpu: 'H100', model: 'Llama-3.1-8B', tp: 2 } })), /othertp\.yaml: fitted_for\.tp: fitted at TP2 but .* runs TP1/],
    ['linear coefficients of another GPU', renderCalibration(doc({ step_time_model: 'linear', fitted_for: { gpu: 'L40S', model: 'Llama-3.1-8B', tp: 1 }, coefficients: { beta0_us: 1, beta1_us_per_prefill_token: 1, beta2_us_per_decode_token: 1 } })), /othergpu\.yaml: fitted_for\.gpu: linear coefficients fitted on L40S but .* runs H100/],
  ];
  const names = ['nope', 'notyaml', 'wrongkind', 'negative', 'partial', 'othermodel', 'othertp', 'othergpu'];
  it.each(cases.map((c, i) => [...c, names[i]!] as const))('%s', (_what, content, pattern, name) => {
    if (content !== null) write(`${name}.yaml`, content);
    const r = routesim(['run', write(`s-${name}.yaml`, scenario(`${name}.yaml`))]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  it('physics coefficients of another GPU: a warning, and the run goes on', () => {
    write('pro.yaml', renderCalibration(doc({ fitted_for: { gpu: 'RTXPRO6000', model: 'Llama-3.1-8B', tp: 1 } })));
    const r = routesim(['run', write('s-pro.yaml', scenario('pro.yaml')), '--out', join(dir, 'out.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*pro\.yaml: fitted_for\.gpu: physics coefficients fitted on RTXPRO6000 applied to H100/);
  });
});

const ROOT = resolve(import.meta.dirname, '..');
const RUN = resolve(ROOT, '../shared/data/validation/llmservingsim_vllm_bench');
const PROFILE = resolve(ROOT, '../shared/data/calibration/llmservingsim_rtxpro6000');
const HAVE_DATA = existsSync(RUN) && existsSync(PROFILE);
if (!HAVE_DATA) console.log(`skipping routesim calibrate on the shared data: ${RUN} or ${PROFILE} is absent`);

describe.skipIf(!HAVE_DATA)('routesim calibrate on the shared RTX PRO 6000 data', () => {
  it('--from-profile writes a calibration file the scenario can reference; stdout has residuals by regime', () => {
    const out = join(dir, 'fitted.yaml');
    const r = routesim(['calibrate', '--scenario', 'scenarios/fidelity-rtxpro6000.yaml', '--from-profile', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/decode-only .*\n.*prefill-only .*\n.*mixed /);
    expect(r.stdout).toMatch(/beta4 .*held: not excited/);
    const d = parse(readFileSync(out, 'utf8'));
    expect(d).toMatchObject({ kind: 'routesim-calibration', version: 1, step_time_model: 'physics', fitted_for: { gpu: 'RTXPRO6000', model: 'Llama-3.1-8B', tp: 1 } });
    const s = loadScenarioFile(write('s-fitted.yaml', scenario('fitted.yaml', '{replicas: 1, gpu: RTXPRO6000, model: Llama-3.1-8B}')));
    expect(s.step_time.coefficients).toEqual(d.coefficients);
  });

  it('--from-run (decode rows) reproduces the measured per-request decode times within 1 % at the median', () => {
    // Measured: per-request TPOT error p50 0.37 %, E2E 0.37 % (in-sample: fitted and replayed on the same run).
    const r = routesim(['calibrate', '--scenario', 'scenarios/fidelity-rtxpro6000.yaml', '--from-run', RUN, '--targets', 'decode', '--rounds', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(parse(r.stdout)).toMatchObject({ kind: 'routesim-calibration', source: { kind: 'run', format: 'requests-log' } });
    const tpot = /^\s+TPOT\s+(\d+)\s+([\d.]+)/m.exec(r.stderr);
    expect(tpot, r.stderr).not.toBeNull();
    expect(Number(tpot![1])).toBe(300);
    expect(Number(tpot![2])).toBeLessThan(1);
  });

  it('asks for exactly one source', () => {
    const r = routesim(['calibrate', '--scenario', 'scenarios/fidelity-rtxpro6000.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/exactly one source \(fix: --from-profile, or --from-run PATH\)$/);
  });
});

describe('routesim calibrate --from-run on aggregate sources (synthetic files)', () => {
  // A small H100 fleet; the "measured" means below are invented: the test checks the plumbing
  // (reader, aggregate rows, notes, the calibration file), and that two aggregates are met.
  const sc = write('agg.yaml', `
name: agg
seed: 3
requests: 120
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B, engine: {max_num_seqs: 32}}
step_time: {model: physics, overheads: false}
workload:
  arrival: {process: poisson, rate: 4}
  input: {dist: uniform, min: 200, max: 1200}
  output: {dist: uniform, min: 50, max: 300}
policies: [round-robin]
`);

  it('a directory of /metrics scrapes: mean prefill and decode time, last − first scrape', () => {
    const prom = join(dir, 'prom');
    const lines = (pf: number, dc: number, n: number) => [
      `vllm:request_prefill_time_seconds_sum{model_name="m"} ${pf}`, `vllm:request_prefill_time_seconds_count{model_name="m"} ${n}`,
      `vllm:request_decode_time_seconds_sum{model_name="m"} ${dc}`, `vllm:request_decode_time_seconds_count{model_name="m"} ${n}`,
      'vllm:cache_config_info{num_gpu_blocks="20000"} 1',
    ].join('\n');
    mkdirSync(prom, { recursive: true });
    writeFileSync(join(prom, '001.txt'), lines(10, 100, 50));
    // 100 more requests: mean prefill (40 − 10)/100 = 0.3 s, mean decode (1100 − 100)/100 = 10 s.
    writeFileSync(join(prom, '002.txt'), lines(40, 1100, 150));
    const out = join(dir, 'prom-cal.yaml');
    const r = routesim(['calibrate', '--scenario', sc, '--from-run', prom, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/vLLM \/metrics \(2 scrapes, last − first\): fitted on 2 aggregates.* over 100 requests/);
    expect(r.stdout).toMatch(/KV capacity held at the server's 20000 blocks/);
    const d = parse(readFileSync(out, 'utf8'));
    expect(d.source).toMatchObject({ kind: 'run', format: 'vllm-metrics', targets: 'both', kv_blocks: 20000 });
    // Two rows, two free terms (β3 weight streaming, β1a prefill GEMM): both means met after the rounds.
    expect(d.residuals.replay_rel_error['mean decode'].max_pct).toBeLessThan(5);
  });

  it('an inference-perf summary: mean TPOT only (client TTFT is not a stable prefill target)', () => {
    const ip = join(dir, 'ipsum');
    mkdirSync(ip, { recursive: true });
    writeFileSync(join(ip, 'summary_lifecycle_metrics.json'), JSON.stringify({ successes: { count: 120, latency: { time_to_first_token: { mean: 0.4 }, time_per_output_token: { mean: 0.02 } } } }));
    const r = routesim(['calibrate', '--scenario', sc, '--from-run', ip]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rows: decode only \(auto: the source has no scheduled time/);
    expect(r.stderr).toMatch(/inference-perf summary only/);
    expect(parse(r.stdout).source).toMatchObject({ format: 'inference-perf', targets: 'decode' });
  });
});
