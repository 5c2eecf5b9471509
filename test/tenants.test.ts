/**
 * Generators beyond Poisson: tenants, Weibull/gamma burstiness, rate ladders, spikes, diurnal
 * curves, and ServeGen-driven clients (inline sample; the real windows file when present).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../sim/core/rng.js';
import { parseScenario } from '../sim/scenario/load.js';
import { createArrivalProcess, weibullCv, weibullShapeForCv } from '../sim/workload/arrivals.js';
import { createRequestStream } from '../sim/workload/generator.js';
import type { SimRequest } from '../sim/workload/request.js';
import type { ArrivalSpec } from '../sim/workload/spec.js';

const DATA = resolve(import.meta.dirname, '../../shared/data/traces');
const HAVE_DATA = existsSync(DATA);
if (!HAVE_DATA) console.log(`skipping the ServeGen real-data test: ${DATA} is absent`);
const dir = mkdtempSync(join(tmpdir(), 'routesim-tenants-'));

function scenario(workload: string, extra = 'duration_s: 2000', fleet = '{replicas: 1, gpu: H100, model: Llama-3.1-8B}', file = join(dir, 'tenants.yaml')) {
  const text = `seed: 5\n${extra}\nfleet: ${fleet}\nworkload:\n${workload.trim().split('\n').map((l) => `  ${l}`).join('\n')}\npolicies: [round-robin]\n`;
  return parseScenario(text, file);
}

function requests(sc: ReturnType<typeof scenario>): SimRequest[] {
  const it = createRequestStream(sc.workload, {
    seed: sc.seed,
    limits: { ...(sc.requests !== null ? { requests: sc.requests } : {}), ...(sc.duration_s !== null ? { durationUs: sc.duration_s * 1e6 } : {}) },
    defaultAdapterRank: 16,
  });
  const out: SimRequest[] = [];
  for (let n = it.next(); !n.done; n = it.next()) out.push(n.value);
  return out;
}

function gapStats(times: number[]): { rate: number; cv: number } {
  const g = times.slice(1).map((t, i) => t - times[i]!);
  const m = g.reduce((a, b) => a + b, 0) / g.length;
  const v = g.reduce((a, b) => a + (b - m) ** 2, 0) / (g.length - 1);
  return { rate: 1 / m, cv: Math.sqrt(v) / m };
}

describe('Weibull and gamma burstiness', () => {
  it('the Weibull shape solver inverts CV(k) (k = 1 is exponential, CV 1)', () => {
    expect(weibullShapeForCv(1)).toBeCloseTo(1, 6);
    for (const cv of [0.3, 0.8, 2, 4, 9]) expect(weibullCv(weibullShapeForCv(cv))).toBeCloseTo(cv, 6);
  });

  it('sampled Weibull gaps have the requested mean and CV', () => {
    // 100,000 gaps at CV 2 (shape ≈ 0.543): relative s.e. of the mean 2/√1e5 ≈ 0.6 %; tolerance 4 %.
    const next = createArrivalProcess({ process: 'weibull', rate: 5, cv: 2 }, createRng(1, 'arrivals'));
    const t = Array.from({ length: 100_001 }, () => next());
    const s = gapStats(t);
    expect(Math.abs(s.rate / 5 - 1)).toBeLessThan(0.04);
    expect(Math.abs(s.cv / 2 - 1)).toBeLessThan(0.08);
  });
});

describe('rate profiles', () => {
  const times = (a: ArrivalSpec, seed = 1): number[] => {
    const next = createArrivalProcess(a, createRng(seed, 'arrivals'));
    const out: number[] = [];
    for (let t = next(); Number.isFinite(t) && out.length < 1e6; t = next()) out.push(t);
    return out;
  };

  it('a constant ladder sends exactly rate × duration per stage, then stops', () => {
    const stages = [{ rate: 10, duration_s: 30 }, { rate: 20, duration_s: 30 }, { rate: 0, duration_s: 10 }, { rate: 5, duration_s: 20 }];
    // `rate` is the stages' time-weighted mean (1000 requests / 90 s), as the scenario loader resolves it.
    const t = times({ process: 'constant', rate: 1000 / 90, cv: 1, profile: { stages, spikes: [], diurnal: null } });
    const count = (a: number, b: number) => t.filter((x) => x >= a - 1e-9 && x < b - 1e-9).length;
    expect([count(0, 30), count(30, 60), count(60, 70), count(70, 90)]).toEqual([300, 600, 0, 100]);
    expect(t).toHaveLength(1000);
    // A sweep that doubles the mean rate doubles every stage.
    const t2 = times({ process: 'constant', rate: 2000 / 90, cv: 1, profile: { stages, spikes: [], diurnal: null } });
    expect(t2.filter((x) => x < 30 - 1e-9)).toHaveLength(600);
    expect(t2).toHaveLength(2000);
  });

  it('a spike multiplies the rate in its window (Poisson counts, 4 s.d.)', () => {
    const t = times({ process: 'poisson', rate: 20, cv: 1, profile: { stages: [{ rate: 20, duration_s: 300 }], spikes: [{ at_s: 100, duration_s: 50, multiplier: 5 }], diurnal: null } });
    const inSpike = t.filter((x) => x >= 100 && x < 150).length; // expected 20·5·50 = 5000, s.d. 71
    const before = t.filter((x) => x < 100).length; // expected 2000, s.d. 45
    expect(Math.abs(inSpike - 5000)).toBeLessThan(4 * 71);
    expect(Math.abs(before - 2000)).toBeLessThan(4 * 45);
  });

  it('a diurnal curve: hourly counts follow rate · (1 + A cos(2π (t − peak)/period))', () => {
    const rate = 2;
    const t = times({ process: 'poisson', rate, cv: 1, profile: { stages: [{ rate, duration_s: 86400 }], spikes: [], diurnal: { amplitude: 0.6, period_s: 86400, peak_s: 43200 } } });
    for (let h = 0; h < 24; h++) {
      const a = h * 3600;
      const b = a + 3600;
      const w = (2 * Math.PI) / 86400;
      // ∫ over the hour of rate·(1 + 0.6 cos(w (t − 43200))) dt
      const expected = rate * (3600 + (0.6 / w) * (Math.sin(w * (b - 43200)) - Math.sin(w * (a - 43200))));
      const n = t.filter((x) => x >= a && x < b).length;
      expect(Math.abs(n - expected)).toBeLessThan(4 * Math.sqrt(expected));
    }
  });

  it('scenario: arrival stages need no requests/duration_s and give the mean rate', () => {
    const sc = scenario('arrival: {process: constant, stages: [{rate: 2, duration_s: 10}, {rate: 6, duration_s: 10}]}\ninput: 10\noutput: 5', '');
    expect(sc.workload.arrival.rate).toBe(4); // (2·10 + 6·10) / 20
    expect(requests(sc)).toHaveLength(80);
  });
});

describe('tenants', () => {
  const TENANTS = `
tenants:
  - {name: chat, arrival: {process: poisson, rate: 2}, input: 100, output: 20, priority: 1, system_prompt_len: 500}
  - {name: batch, arrival: {process: gamma, rate: 6, cv: 3}, input: {dist: uniform, min: 1000, max: 2000}, output: 5, priority: -1, adapter: batch-lora}
`;
  const fleet = '{replicas: 1, gpu: H100, model: Llama-3.1-8B, engine: {max_loras: 2}}';

  it('each tenant keeps its rate, burstiness, lengths, priority, adapter and shared system prompt', () => {
    const reqs = requests(scenario(TENANTS, 'duration_s: 4000', fleet));
    const chat = reqs.filter((r) => r.client === 0);
    const batch = reqs.filter((r) => r.client === 1);
    // Poisson 2/s over 4000 s: 8000 ± 4·89; gamma 6/s CV 3 over 4000 s: count s.d. ≈ 3·√24000 ≈ 465.
    expect(Math.abs(chat.length - 8000)).toBeLessThan(4 * 89);
    expect(Math.abs(batch.length - 24000)).toBeLessThan(4 * 465);
    expect(Math.abs(gapStats(batch.map((r) => r.arrivalUs / 1e6)).cv / 3 - 1)).toBeLessThan(0.15);
    expect(Math.abs(gapStats(chat.map((r) => r.arrivalUs / 1e6)).cv - 1)).toBeLessThan(0.05);
    expect(chat.every((r) => r.priority === 1 && r.adapter === null && r.inputTokens === 600 && r.segments[0]!.tokens === 500)).toBe(true);
    expect(new Set(chat.map((r) => r.segments[0]!.content)).size).toBe(1);
    expect(batch.every((r) => r.priority === -1 && r.adapter === 'batch-lora' && r.outputTokens === 5 && r.inputTokens >= 1000 && r.inputTokens <= 2000)).toBe(true);
    for (let i = 1; i < reqs.length; i++) expect(reqs[i]!.arrivalUs).toBeGreaterThanOrEqual(reqs[i - 1]!.arrivalUs);
  });

  it('adding a tenant leaves the others\' traffic unchanged (named RNG streams)', () => {
    const a = requests(scenario(TENANTS, 'duration_s: 300', fleet)).filter((r) => r.client === 0);
    const b = requests(scenario(`${TENANTS}  - {name: extra, arrival: {process: poisson, rate: 9}, input: 7, output: 7}`, 'duration_s: 300', fleet)).filter((r) => r.client === 0);
    expect(b.map((r) => [r.arrivalUs, r.inputTokens, r.outputTokens])).toEqual(a.map((r) => [r.arrivalUs, r.inputTokens, r.outputTokens]));
  });

  it('resolved arrival.rate is the sum of the tenants\' rates', () => {
    expect(scenario(TENANTS, 'duration_s: 10', fleet).workload.arrival).toEqual({ process: 'source', rate: 8, cv: 1 });
  });
});

describe('ServeGen clients (inline sample)', () => {
  const windows = join(dir, 'windows.csv');
  writeFileSync(
    windows,
    [
      'category,model,client_id,window_start_s,rate_rps,cv,iat_dist,shape,scale',
      'language,m-large,7,0,2,1,Gamma,1,0.5', // Gamma shape 1 = Poisson
      'language,m-large,7,600,8,2,Weibull,0.5,1',
      'language,m-large,7,1800,1,1,Gamma,1,1', // no window at 1200: no requests then
      'language,m-large,9,0,0.5,1,Gamma,1,2',
      'language,m-mid,1,0,100,1,Gamma,1,0.01',
    ].join('\n'),
  );
  const lengths = join(dir, 'lengths.csv');
  writeFileSync(
    lengths,
    ['category,model,client_id,window_start_s,field,mean,p10,p50,p90,p99,max', 'language,m-large,7,0,input_tokens,300,100,200,500,900,1000', 'language,m-large,7,0,output_tokens,50,10,40,90,120,150'].join('\n'),
  );

  const sg = (extra = '') =>
    scenario(`input: 64\noutput: 8\nservegen: {path: windows.csv, lengths_path: lengths.csv, pool: m-large, from_s: 0, to_s: 2400${extra}}`, '');

  it('per-window rates (rescaled to the window), gaps without windows, the pool and range selected', () => {
    const reqs = requests(sg());
    const c7 = reqs.filter((r) => r.client === 7).map((r) => r.arrivalUs / 1e6);
    const inWin = (a: number, b: number) => c7.filter((t) => t >= a && t < b).length;
    // Expected counts: 2·600 = 1200 (Poisson, s.d. 35); 8·600 = 4800 (Weibull CV 2: s.d. ≈ 2·√4800 ≈ 139); none; 600.
    expect(Math.abs(inWin(0, 600) - 1200)).toBeLessThan(4 * 35);
    expect(Math.abs(inWin(600, 1200) - 4800)).toBeLessThan(4 * 139);
    expect(inWin(1200, 1800)).toBe(0);
    expect(Math.abs(inWin(1800, 2400) - 600)).toBeLessThan(4 * 25);
    expect(reqs.some((r) => r.client === 1)).toBe(false); // m-mid's client is another pool
    expect(sg().workload.arrival.rate).toBeCloseTo((1200 + 4800 + 600 + 0.5 * 600) / 2400, 9);
  });

  it('top-N clients and per-client lengths from the quantiles; others fall back to the workload lengths', () => {
    const reqs = requests(sg(', clients: 1'));
    expect(new Set(reqs.map((r) => r.client))).toEqual(new Set([7]));
    const inputs = reqs.map((r) => r.inputTokens).sort((a, b) => a - b);
    const med = inputs[Math.floor(inputs.length / 2)]!;
    expect(Math.abs(med - 200)).toBeLessThan(15); // the published p50
    expect(inputs[0]!).toBeGreaterThanOrEqual(50); // (0, p10²/p50 = 50)
    expect(inputs.at(-1)!).toBeLessThanOrEqual(1000);
    expect(requests(sg()).filter((r) => r.client === 9).every((r) => r.inputTokens === 64 && r.outputTokens === 8)).toBe(true);
  });
});

describe.skipIf(!HAVE_DATA)('ServeGen (real windows)', () => {
  it('one hour of the top 10 m-large clients: the request count matches the windows\' rates', () => {
    const sc = scenario(`input: 200\noutput: 50\nservegen: {path: ${join(DATA, 'servegen_client_windows.csv.gz')}, pool: m-large, from_s: 36000, to_s: 39600, clients: 10}`, '');
    const reqs = requests(sc);
    const expected = sc.workload.arrival.rate * 3600;
    // Bursty clients (CV up to ~10): allow 15 %.
    expect(Math.abs(reqs.length / expected - 1)).toBeLessThan(0.15);
    expect(new Set(reqs.map((r) => r.client)).size).toBe(10);
  });
});
