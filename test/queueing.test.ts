/**
 * Queueing sanity against theory (engine.md §5: other simulators were optimistic above 50 %
 * utilisation). One replica serving one request at a time (max_num_seqs 1), identical requests
 * (100-token prompt, 1 output token, linear step 1000 + 10·100 = 2000 µs, so service is
 * deterministic D = 2 ms), Poisson arrivals at rate λ: an M/D/1 queue, whose mean wait is
 *   Wq = ρ·D / (2·(1 − ρ)),  ρ = λ·D.
 * ρ = 0.5 → Wq = 1.0 ms; ρ = 0.8 → Wq = 4.0 ms. Tolerance: ±8 % at 0.5 and ±12 % at 0.8 over
 * Measured: the mean wait of one 20,000-request run deviates from theory by up to 6 % (ρ = 0.5) and
 * 12 % (ρ = 0.8) across seeds 1–10 (busy periods are long and correlated), so the test pools five
 * seeds (100,000 requests); pooled errors over seeds 1–5 and 6–10 were −0.5 %/−1.5 % (ρ = 0.5) and
 * −1.4 %/−0.6 % (ρ = 0.8). Tolerance: ±5 % at ρ = 0.5, ±7 % at ρ = 0.8.
 */
import { describe, expect, it } from 'vitest';
import { mean } from 'simple-statistics';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';

const D_US = 2000;

function meanWaitUs(rho: number, seed: number): number {
  const s = parseScenario(
    `
seed: ${seed}
requests: 20000
fleet:
  replicas: 1
  gpu: H100
  model: Llama-3.1-8B
  engine: {num_gpu_blocks: 1000, max_num_seqs: 1, enable_prefix_caching: false}
step_time:
  model: linear
  coefficients: {beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100}
  overheads: false
workload:
  arrival: {process: poisson, rate: ${rho / (D_US / 1e6)}}
  input: 100
  output: 1
policies: [round-robin]
`,
    'mdl.yaml',
  );
  const run = runPolicy(s, s.policies[0]!);
  for (const r of run.records) expect(r.lastTokenUs - r.scheduledUs).toBe(D_US);
  return mean(run.records.map((r) => r.scheduledUs - r.enqueueUs));
}

describe('M/D/1 waiting time', () => {
  it.each([
    [0.5, 0.05],
    [0.8, 0.07],
  ])('at utilisation %f matches ρD/(2(1−ρ)) within ±%f', (rho, tol) => {
    const theory = (rho * D_US) / (2 * (1 - rho));
    const measured = mean([1, 2, 3, 4, 5].map((seed) => meanWaitUs(rho, seed)));
    expect(Math.abs(measured - theory) / theory).toBeLessThan(tol);
  });
});
