/**
 * Issue 12's fidelity target, as a behaviour check on the measured run in ../shared/data
 * (README "routesim validate"): the committed calibration is what `routesim calibrate` fits today
 * (so it cannot silently go stale), and with it every one of TTFT, TPOT and E2E (mean and p99)
 * of the replayed RTX PRO 6000 run is within ±5 % of the measured value.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routesim } from './cliHelpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const RUN = resolve(ROOT, '../shared/data/validation/llmservingsim_vllm_bench');
const HAVE_DATA = existsSync(RUN) && existsSync(resolve(ROOT, '../shared/data/calibration/llmservingsim_rtxpro6000'));
if (!HAVE_DATA) console.log(`skipping the fidelity checks: ${RUN} is absent`);

describe.skipIf(!HAVE_DATA)('fidelity on the measured RTX PRO 6000 run', () => {
  it('the committed calibration is reproduced by routesim calibrate', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'routesim-fid-')), 'cal.yaml');
    const r = routesim(['calibrate', '--scenario', 'scenarios/fidelity-rtxpro6000.yaml', '--from-profile', '--design', 'workload', '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(ROOT, 'scenarios/calibrations/rtxpro6000_Llama-3.1-8B_tp1.physics.yaml'), 'utf8'));
  });

  it('calibrated from its own profile: TTFT, TPOT and E2E mean and p99 within ±5 %', () => {
    const r = routesim(['validate', RUN, '--scenario', 'scenarios/fidelity-rtxpro6000-calibrated.yaml', '--out', '-']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { figures: { figure: string; errorPct: number }[] };
    const latency = doc.figures.filter((f) => /^(TTFT|TPOT|E2E) (mean|p99)/.test(f.figure));
    expect(latency).toHaveLength(6);
    for (const f of latency) expect(Math.abs(f.errorPct), f.figure).toBeLessThan(5);
  });
});
