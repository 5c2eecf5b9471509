import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../sim/core/rng.js';
import { createArrivalProcess } from '../sim/workload/arrivals.js';
import { meanOfLength, sampleLength } from '../sim/workload/distributions.js';
import { createRequestStream } from '../sim/workload/generator.js';
import { outputContentOf, questionContentOf, systemContentOf } from '../sim/workload/prompts.js';
import type { SimRequest } from '../sim/workload/request.js';
import type { ArrivalSpec, LengthDist, SharedPrefixSpec, StreamLimits, WorkloadSpec } from '../sim/workload/spec.js';

/** Drain an iterator into an array. */
function collect(it: Iterator<SimRequest>): SimRequest[] {
  const out: SimRequest[] = [];
  for (let r = it.next(); !r.done; r = it.next()) out.push(r.value);
  return out;
}

function workload(over: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return {
    arrival: { process: 'poisson', rate: 10, cv: 1 },
    input: { kind: 'uniform', min: 50, max: 500 },
    output: { kind: 'normal', mean: 200, std: 50, min: 1, max: 1000 },
    adapters: [],
    base_model_weight: 0,
    priorities: [],
    ...over,
  };
}

function stream(spec: WorkloadSpec, limits: StreamLimits, seed = 7): SimRequest[] {
  return collect(createRequestStream(spec, { seed, limits, defaultAdapterRank: 16 }));
}

/** Mean and coefficient of variation of the gaps between successive arrival times (seconds). */
function gapStats(times: number[]): { mean: number; cv: number } {
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  const variance = gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / (gaps.length - 1);
  return { mean, cv: Math.sqrt(variance) / mean };
}

function arrivals(spec: ArrivalSpec, n: number, seed = 1): number[] {
  const next = createArrivalProcess(spec, createRng(seed, 'arrivals'));
  return Array.from({ length: n }, () => next());
}

const sharedPrefix = (over: Partial<SharedPrefixSpec> = {}): SharedPrefixSpec => ({
  num_groups: 4,
  num_prompts_per_group: 3,
  system_prompt_len: 10,
  question_len: 5,
  enable_multi_turn_chat: false,
  max_turns: 0,
  ...over,
});

describe('arrival processes', () => {
  // 20,000 gaps: the sample mean has relative s.e. 0.7 % (tolerance 3 % ≈ 4 s.e.); the sample CV of
  // exponential gaps has s.e. ≈ 1 % (tolerance 5 %).
  it('poisson: mean rate and inter-arrival CV ≈ 1', () => {
    const t = arrivals({ process: 'poisson', rate: 20, cv: 1 }, 20_001);
    const { mean, cv } = gapStats(t);
    expect(Math.abs(1 / mean / 20 - 1)).toBeLessThan(0.03);
    expect(Math.abs(cv - 1)).toBeLessThan(0.05);
    expect(t[0]).toBeGreaterThan(0); // first arrival at the first gap
  });

  // Gamma with cv 2 (shape 0.25): the sample CV has s.e. ≈ 2 % over 50,000 gaps; tolerance 10 %.
  it('gamma cv 2: mean rate and CV ≈ 2', () => {
    const t = arrivals({ process: 'gamma', rate: 5, cv: 2 }, 50_001);
    const { mean, cv } = gapStats(t);
    expect(Math.abs(1 / mean / 5 - 1)).toBeLessThan(0.05);
    expect(Math.abs(cv / 2 - 1)).toBeLessThan(0.1);
  });

  it('constant: exact gaps, first arrival at 0, no µs drift', () => {
    const t4 = arrivals({ process: 'constant', rate: 4, cv: 0 }, 1000);
    expect(t4[0]).toBe(0);
    t4.forEach((t, i) => expect(Math.round(t * 1e6)).toBe(i * 250_000));
    const reqs = stream(workload({ arrival: { process: 'constant', rate: 3, cv: 0 } }), { requests: 3001 });
    reqs.forEach((r, i) => expect(r.arrivalUs).toBe(Math.round((i * 1e6) / 3)));
    expect(reqs[3000]!.arrivalUs).toBe(1_000_000_000);
  });
});

describe('length distributions', () => {
  // 20,000 samples; the sample mean must lie within 4 standard errors (4·s/√n, s = sample std) of
  // the analytic mean (relative s.e.: uniform 0.4 %, normal 0.3 %, lognormal 0.2 %, empirical 0.85 %;
  // constant must be exact).
  const cases: [string, LengthDist][] = [
    ['constant', { kind: 'constant', value: 128 }],
    ['uniform', { kind: 'uniform', min: 10, max: 2000 }],
    ['normal', { kind: 'normal', mean: 256, std: 100, min: 1, max: 2000 }],
    ['lognormal', { kind: 'lognormal', mean: 1024, std: 300, min: 1, max: 100_000 }],
    ['empirical', { kind: 'empirical', values: [100, 500, 2000], weights: [5, 3, 2] }],
  ];
  for (const [name, dist] of cases) {
    it(`${name}: sample mean ≈ analytic mean, integers within bounds`, () => {
      const rng = createRng(3, name);
      const n = 20_000;
      const xs = Array.from({ length: n }, () => sampleLength(dist, rng));
      const mean = xs.reduce((s, x) => s + x, 0) / n;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
      expect(Math.abs(mean - meanOfLength(dist))).toBeLessThanOrEqual((4 * sd) / Math.sqrt(n));
      const [lo, hi] = 'min' in dist ? [dist.min, dist.max] : [1, Infinity];
      expect(xs.every((x) => Number.isInteger(x) && x >= Math.max(1, lo) && x <= hi)).toBe(true);
      if (dist.kind === 'empirical') expect(xs.every((x) => dist.values.includes(x))).toBe(true);
    });
  }

  it('normal and lognormal clip to [min, max]', () => {
    const rng = createRng(4, 'clip');
    const n: LengthDist = { kind: 'normal', mean: 100, std: 100, min: 80, max: 120 };
    const l: LengthDist = { kind: 'lognormal', mean: 100, std: 200, min: 20, max: 150 };
    const xs = Array.from({ length: 5000 }, () => [sampleLength(n, rng), sampleLength(l, rng)]);
    expect(xs.every(([a, b]) => a! >= 80 && a! <= 120 && b! >= 20 && b! <= 150)).toBe(true);
    expect(xs.some(([a]) => a === 80) && xs.some(([a]) => a === 120)).toBe(true);
  });

  it('lognormal matches the requested std (±5 %)', () => {
    const rng = createRng(5, 'lognormal-std');
    const xs = Array.from({ length: 50_000 }, () =>
      sampleLength({ kind: 'lognormal', mean: 1000, std: 400, min: 1, max: 1e9 }, rng),
    );
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    expect(Math.abs(std / 400 - 1)).toBeLessThan(0.05);
  });
});

describe('request stream', () => {
  it('is deterministic: two streams with equal arguments are equal', () => {
    const spec = workload({
      shared_prefix: sharedPrefix({ enable_multi_turn_chat: true, max_turns: 3 }),
      adapters: [{ name: 'a', weight: 1 }, { name: 'b', weight: 2, rank: 8 }],
      base_model_weight: 1,
      priorities: [{ priority: 1, weight: 1 }, { priority: -1, weight: 1 }],
    });
    const a = stream(spec, { requests: 2000 });
    const b = stream(spec, { requests: 2000 });
    expect(b).toEqual(a);
    expect(stream(spec, { requests: 2000 }, 8)).not.toEqual(a);
  });

  it('adding adapters or priorities leaves arrivals and lengths unchanged', () => {
    const plain = stream(workload(), { requests: 500 });
    const mixed = stream(
      workload({ adapters: [{ name: 'x', weight: 1 }], base_model_weight: 1, priorities: [{ priority: 2, weight: 1 }] }),
      { requests: 500 },
    );
    expect(mixed.map((r) => [r.arrivalUs, r.inputTokens, r.outputTokens])).toEqual(
      plain.map((r) => [r.arrivalUs, r.inputTokens, r.outputTokens]),
    );
  });

  it('without shared prefix: one unique segment per request', () => {
    const reqs = stream(workload(), { requests: 1000 });
    const ids = new Set(reqs.map((r) => r.segments[0]!.content));
    expect(ids.size).toBe(1000);
    for (const r of reqs) {
      expect(r.segments).toHaveLength(1);
      expect(r.inputTokens).toBe(r.segments[0]!.tokens);
      expect([r.group, r.session, r.turn]).toEqual([-1, -1, 0]);
      expect(r.outputContent).toBe(outputContentOf(r.id));
      expect([r.adapter, r.adapterRank, r.priority]).toEqual([null, 0, 0]);
    }
  });

  it('shared prefix: same group ⇒ same system content; same (g, u) ⇒ identical segments', () => {
    const sp = sharedPrefix();
    const reqs = stream(workload({ shared_prefix: sp }), { requests: 2000 });
    const byUser = new Map<number, SimRequest>();
    const picks = new Map<number, number>();
    for (const r of reqs) {
      const u = r.session - r.group * sp.num_prompts_per_group;
      expect(r.group).toBe(Math.floor(r.session / sp.num_prompts_per_group));
      expect(r.segments).toEqual([
        { content: systemContentOf(r.group), tokens: 10 },
        { content: questionContentOf(r.group, u), tokens: 5 },
      ]);
      expect(r.inputTokens).toBe(15);
      expect(r.turn).toBe(0);
      const prev = byUser.get(r.session);
      if (prev) expect(r.segments).toEqual(prev.segments);
      byUser.set(r.session, r);
      picks.set(r.session, (picks.get(r.session) ?? 0) + 1);
    }
    // Uniform over 12 users: each expects 2000/12 ≈ 167 picks (s.d. ≈ 12); allow ±30 %.
    expect(picks.size).toBe(12);
    for (const n of picks.values()) expect(Math.abs(n / (2000 / 12) - 1)).toBeLessThan(0.3);
    const systems = new Set(reqs.map((r) => r.segments[0]!.content));
    expect(systems.size).toBe(4);
  });

  it('multi-turn: each turn carries the previous answer (content and length) and grows as hand-computed', () => {
    const spec = workload({
      shared_prefix: sharedPrefix({ num_groups: 2, num_prompts_per_group: 2, enable_multi_turn_chat: true }),
      output: { kind: 'constant', value: 3 },
    });
    const reqs = stream(spec, { requests: 400 });
    const last = new Map<number, SimRequest>();
    for (const r of reqs) {
      const prev = last.get(r.session);
      expect(r.turn).toBe(prev ? prev.turn + 1 : 0);
      // sys 10, q 5, out 3: turn 0 = 15, turn 1 = 15 + 3 + 5 = 23, turn k = 15 + 8k.
      expect(r.inputTokens).toBe(15 + 8 * r.turn);
      expect(r.segments).toHaveLength(2 + 2 * r.turn);
      expect(r.segments[0]!.content).toBe(systemContentOf(r.group));
      if (prev) {
        // The prompt extends the previous prompt by the previous answer and a new question.
        expect(r.segments.slice(0, prev.segments.length)).toEqual(prev.segments);
        expect(r.segments[prev.segments.length]).toEqual({ content: outputContentOf(prev.id), tokens: prev.outputTokens });
        expect(r.segments.at(-1)!.content).not.toBe(prev.segments.at(-1)!.content);
      }
      last.set(r.session, r);
    }
  });

  it('multi-turn with variable output: the answer segment has the earlier request’s output length', () => {
    const spec = workload({
      shared_prefix: sharedPrefix({ num_groups: 1, num_prompts_per_group: 1, enable_multi_turn_chat: true }),
      output: { kind: 'uniform', min: 1, max: 50 },
    });
    const [a, b, c] = stream(spec, { requests: 3 });
    expect(b!.segments[2]).toEqual({ content: outputContentOf(a!.id), tokens: a!.outputTokens });
    expect(c!.inputTokens).toBe(15 + a!.outputTokens + 5 + b!.outputTokens + 5);
  });

  it('multi-turn max_turns: the conversation restarts from turn 0 with fresh questions', () => {
    const spec = workload({
      shared_prefix: sharedPrefix({ num_groups: 1, num_prompts_per_group: 1, enable_multi_turn_chat: true, max_turns: 3 }),
      output: { kind: 'constant', value: 3 },
    });
    const reqs = stream(spec, { requests: 7 });
    expect(reqs.map((r) => r.turn)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(reqs.map((r) => r.inputTokens)).toEqual([15, 23, 31, 15, 23, 31, 15]);
    expect(reqs[3]!.segments[0]).toEqual(reqs[0]!.segments[0]); // same system prompt
    expect(reqs[3]!.segments[1]!.content).not.toBe(reqs[0]!.segments[1]!.content); // new question
  });

  it('adapter mix 60/30/10 within ±1.5 points over 20,000 requests; ranks resolved', () => {
    // Largest binomial s.d. is √(0.6·0.4/20000) ≈ 0.35 points; ±1.5 points ≈ 4 s.d.
    const spec = workload({
      adapters: [{ name: 'hot', weight: 60 }, { name: 'warm', weight: 30, rank: 8 }],
      base_model_weight: 10,
    });
    const reqs = stream(spec, { requests: 20_000 });
    const share = (a: string | null) => reqs.filter((r) => r.adapter === a).length / reqs.length;
    expect(Math.abs(share('hot') - 0.6)).toBeLessThan(0.015);
    expect(Math.abs(share('warm') - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(share(null) - 0.1)).toBeLessThan(0.015);
    const rankOf = (a: string | null) => (a === 'hot' ? 16 : a === 'warm' ? 8 : 0);
    expect(reqs.every((r) => r.adapterRank === rankOf(r.adapter))).toBe(true);
  });

  it('priority mix within ±1.5 points', () => {
    const spec = workload({ priorities: [{ priority: 2, weight: 1 }, { priority: 0, weight: 2 }, { priority: -1, weight: 1 }] });
    const reqs = stream(spec, { requests: 20_000 });
    const share = (p: number) => reqs.filter((r) => r.priority === p).length / reqs.length;
    expect(Math.abs(share(2) - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(share(0) - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(share(-1) - 0.25)).toBeLessThan(0.015);
  });

  it('respects limits: request count, duration, whichever comes first', () => {
    expect(stream(workload(), { requests: 123 })).toHaveLength(123);
    const byTime = stream(workload(), { durationUs: 60_000_000 });
    expect(byTime.at(-1)!.arrivalUs).toBeLessThanOrEqual(60_000_000);
    // rate 10/s for 60 s: ~600 arrivals (s.d. ≈ 24); allow ±15 %.
    expect(Math.abs(byTime.length / 600 - 1)).toBeLessThan(0.15);
    // The request after the last one would have been past the duration.
    const longer = stream(workload(), { requests: byTime.length + 1 });
    expect(longer.at(-1)!.arrivalUs).toBeGreaterThan(60_000_000);
    expect(stream(workload(), { requests: 10, durationUs: 60_000_000 })).toHaveLength(10);
    const constant = workload({ arrival: { process: 'constant', rate: 2, cv: 0 } });
    expect(stream(constant, { durationUs: 10_000_000 })).toHaveLength(21); // 0, 0.5, …, 10 s inclusive
    expect(() => createRequestStream(workload(), { seed: 1, limits: {}, defaultAdapterRank: 8 })).toThrow();
  });
});

describe('properties', () => {
  const lengthDist: fc.Arbitrary<LengthDist> = fc.oneof(
    fc.integer({ min: 1, max: 4000 }).map((value): LengthDist => ({ kind: 'constant', value })),
    fc
      .tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 2000 }))
      .map(([min, span]): LengthDist => ({ kind: 'uniform', min, max: min + span })),
    fc
      .tuple(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 3000 }))
      .chain(([mean, std, min, span]) =>
        fc.constantFrom<LengthDist>(
          { kind: 'normal', mean, std, min, max: min + span },
          { kind: 'lognormal', mean, std, min, max: min + span },
        ),
      ),
    fc
      .array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 5 })
      .map((vw): LengthDist => ({ kind: 'empirical', values: vw.map((x) => x[0]), weights: vw.map((x) => x[1]) })),
  );

  const arrival: fc.Arbitrary<ArrivalSpec> = fc.record({
    process: fc.constantFrom<ArrivalSpec['process']>('poisson', 'gamma', 'constant'),
    rate: fc.double({ min: 0.01, max: 1000, noNaN: true }),
    cv: fc.double({ min: 0.1, max: 8, noNaN: true }),
  });

  const shared: fc.Arbitrary<SharedPrefixSpec | undefined> = fc.option(
    fc.record({
      num_groups: fc.integer({ min: 1, max: 20 }),
      num_prompts_per_group: fc.integer({ min: 1, max: 10 }),
      system_prompt_len: fc.integer({ min: 0, max: 3000 }),
      question_len: fc.integer({ min: 1, max: 500 }),
      enable_multi_turn_chat: fc.boolean(),
      max_turns: fc.integer({ min: 0, max: 5 }),
    }),
    { nil: undefined },
  );

  const bounds = (d: LengthDist): [number, number] =>
    d.kind === 'constant' ? [d.value, d.value] : d.kind === 'empirical' ? [Math.min(...d.values), Math.max(...d.values)] : [d.min, d.max];

  it('any valid spec and seed: integer non-decreasing arrivals, Σ segments = inputTokens, lengths within bounds', () => {
    fc.assert(
      fc.property(arrival, lengthDist, lengthDist, shared, fc.integer(), fc.integer({ min: 1, max: 300 }), (arr, input, output, sp, seed, n) => {
        const spec = workload({ arrival: arr, input, output, ...(sp ? { shared_prefix: sp } : {}) });
        const reqs = stream(spec, { requests: n }, seed);
        expect(reqs).toHaveLength(n);
        const [olo, ohi] = bounds(output);
        const [ilo, ihi] = bounds(input);
        let prev = 0;
        const bad = reqs.filter((r, i) => {
          const ok =
            r.id === i &&
            Number.isInteger(r.arrivalUs) &&
            r.arrivalUs >= prev &&
            r.segments.every((x) => Number.isInteger(x.tokens) && x.tokens > 0) &&
            r.inputTokens === r.segments.reduce((a, x) => a + x.tokens, 0) &&
            r.outputTokens >= Math.max(1, olo) &&
            r.outputTokens <= ohi &&
            (sp !== undefined || (r.inputTokens >= Math.max(1, ilo) && r.inputTokens <= ihi));
          prev = r.arrivalUs;
          return !ok;
        });
        expect(bad).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
