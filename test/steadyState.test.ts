/**
 * The steady-state detector (sim/metrics/steadyState.ts): unit tests on synthetic backlog series,
 * then end to end on a clearly under-loaded run, a clearly over-loaded one and a burst that drains.
 */
import { describe, expect, it } from 'vitest';
import { backlogSeries, linearFit, steadyState, testBacklog, WINDOWS } from '../sim/metrics/steadyState.js';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { summarize } from '../sim/metrics/summary.js';
import { summaryOptionsFor } from '../sim/metrics/options.js';
import { completedRecord } from './fixtures.js';

/** 41 sample times 0 … 40 s, cumulative arrivals at `rate` req/s. */
const times = Array.from({ length: WINDOWS + 1 }, (_, k) => k);
const arrivedAt = (rate: number): number[] => times.map((t) => rate * t);

describe('linearFit', () => {
  it('recovers an exact line with zero residual', () => {
    const f = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(f.slope).toBe(2);
    expect(f.intercept).toBe(1);
    expect(f.residualStd).toBe(0);
  });
});

describe('testBacklog on synthetic series', () => {
  it('a flat noisy backlog is steady', () => {
    // Backlog alternating 20, 24 around 22: slope over the second half ≈ 0.
    const b = times.map((k) => (k % 2 === 0 ? 20 : 24));
    const v = testBacklog(times, b, arrivedAt(10));
    expect(v.reached).toBe(true);
    expect(v.diverged_at_s).toBeNull();
  });

  it('a backlog growing by 5 req/s against 10 req/s arrivals diverges from where it left its floor', () => {
    // Flat at 4 until 20 s, then +5 req/s: 4 + 5·(t − 20). Second half slope 5 > 5 % of 10 and the
    // growth over 20 s is 100 ≫ max(3σ, 10). Peak 104 at 40 s; a tenth of it is 10.4: the last
    // sample at or below it is t = 21 (backlog 9), t = 22 has 14.
    const b = times.map((t) => (t <= 20 ? 4 : 4 + 5 * (t - 20)));
    const v = testBacklog(times, b, arrivedAt(10));
    expect(v.reached).toBe(false);
    expect(v.diverged_at_s).toBe(21);
    expect(v.detail).toMatch(/^diverging: backlog slope 5 req\/s vs arrival rate 10 req\/s/);
  });

  it('growth below 5 % of the arrival rate is not divergence', () => {
    // +0.4 req/s against 10 req/s arrivals (4 %): 16 requests over the half, a clear trend but too slow.
    const b = times.map((t) => 0.4 * t);
    expect(testBacklog(times, b, arrivedAt(10)).reached).toBe(true);
  });

  it('a trend hidden in noise is not divergence', () => {
    // Slope 1 req/s (10 % of arrivals) but ±40 swings: growth 20 < 3σ.
    const b = times.map((t) => 100 + t + (t % 2 === 0 ? 40 : -40));
    const v = testBacklog(times, b, arrivedAt(10));
    expect(v.reached).toBe(true);
  });

  it('a small absolute growth (under 10 requests) is not divergence', () => {
    // Arrivals 1 req/s, backlog +0.4 req/s (40 %) but only 8 requests over the half, no noise.
    const b = times.map((t) => Math.round(0.4 * t));
    expect(testBacklog(times, b, arrivedAt(1)).reached).toBe(true);
  });
});

describe('backlogSeries', () => {
  it('counts arrived minus ended at each sample', () => {
    // Arrivals 0, 1, 2, 3 s; each ends 1.5 s later. At t = 0: 1 arrived, 0 ended → 1; t = 1.5: 2
    // arrived, 1 ended (1.5 ≤ 1.5) → 1; t = 3: 4 arrived, 2 ended (1.5, 2.5) → 2.
    const recs = [0, 1, 2, 3].map((i) => completedRecord({ id: i, arrivalUs: i * 1e6, lastTokenUs: i * 1e6 + 1_500_000 }));
    const s = backlogSeries(recs, 0, 3e6, 2);
    expect(s.timesUs).toEqual([0, 1.5e6, 3e6]);
    expect(s.backlog).toEqual([1, 1, 2]);
    expect(s.arrived).toEqual([1, 2, 4]);
  });

  it('too few arrivals are not tested; all at once is a burst', () => {
    const few = Array.from({ length: 5 }, (_, i) => completedRecord({ id: i, arrivalUs: i }));
    expect(steadyState(few).detail).toMatch(/^not tested: 5 arrivals/);
    const burst = Array.from({ length: 30 }, (_, i) => completedRecord({ id: i, arrivalUs: 0, lastTokenUs: i * 1000 }));
    expect(steadyState(burst)).toMatchObject({ reached: false, diverged_at_s: 0 });
  });
});

/** One H100 replica serving 512-in / 256-out requests completes roughly 40 req/s (measured: 40.1). */
function scenario(rate: number, requests: number): string {
  return `
name: load-${rate}
seed: 1
requests: ${requests}
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: ${rate}}
  input: 512
  output: 256
policies: [round-robin]
`;
}

function verdict(text: string) {
  const sc = parseScenario(text, 'steady.yaml');
  return summarize(runPolicy(sc, sc.policies[0]!), sc.slo, summaryOptionsFor(sc)).steady_state;
}

describe('end to end', () => {
  it('under-loaded (5 req/s on ≈ 40 req/s of capacity) reaches steady state', () => {
    const v = verdict(scenario(5, 300));
    expect(v.reached).toBe(true);
    expect(v.detail).toMatch(/^steady/);
  });

  it('over-loaded (80 req/s on ≈ 40 req/s of capacity) is flagged with the time it diverged', () => {
    const v = verdict(scenario(80, 800));
    expect(v.reached).toBe(false);
    // Arrivals span ≈ 10 s; the backlog leaves its floor within the first few seconds.
    expect(v.diverged_at_s).not.toBeNull();
    expect(v.diverged_at_s!).toBeLessThan(5);
  });

  it('a finite burst that drains after arrivals stop is flagged (its figures depend on its size)', () => {
    // 300 requests at 1000 req/s: arrivals last ≈ 0.3 s, the fleet needs ≈ 7 s to drain them.
    const v = verdict(scenario(1000, 300));
    expect(v.reached).toBe(false);
  });
});
