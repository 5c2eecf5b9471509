/**
 * The inference-perf workload catalog and GAIE's former benchmark configs (fixtures written from
 * formats.md §1.6 and §2): each loads and runs, and its request stream has the statistics the
 * config implies (stage counts, rates, lengths, prefix sharing, turns, concurrency). Also: the
 * scenarios in scenarios/inference-perf/ load.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { inferencePerfStream, readInferencePerfConfig, type InferencePerfConfig } from '../sim/workload/inferencePerf/index.js';
import type { SimRequest } from '../sim/workload/request.js';
import { drive } from './inferencePerfConfigDrive.js';
import { userErrorOf } from './helpers.js';

const DIR = fileURLToPath(new URL('./fixtures/inference-perf/', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../scenarios/inference-perf/', import.meta.url));
const catalog = (n: string) => readInferencePerfConfig(join(DIR, 'catalog', `${n}.yaml`));
const gaie = (n: string) => readInferencePerfConfig(join(DIR, 'gaie', `${n}.yaml`));

function open(c: InferencePerfConfig, seed = 3): SimRequest[] {
  const it = inferencePerfStream(c, { seed, limits: {}, defaultAdapterRank: 8, closedLoop: false }, null);
  const out: SimRequest[] = [];
  for (let n = it.next(); !n.done; n = it.next()) out.push(n.value);
  return out;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Maximum number of [arrival, end) intervals overlapping. */
function maxOverlap(rs: Array<{ arrivalUs: number; endUs: number }>): number {
  const ev = rs.flatMap((r) => [[r.arrivalUs, 1], [r.endUs, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let m = 0;
  for (const [, d] of ev) m = Math.max(m, (n += d));
  return m;
}

const CATALOG: Record<string, { N: number; ladder: Array<[number, number]> }> = {
  'interactive-chat': { N: 50, ladder: [10, 20, 30, 40, 50].map((c) => [c, 300]) },
  'code-generation': { N: 40, ladder: [[5, 100], [10, 200], [20, 400], [30, 600], [40, 800]] },
  'deep-research': { N: 5, ladder: [1, 2, 3, 4, 5].map((c) => [c, 50]) },
  reasoning: { N: 10, ladder: [2, 4, 6, 8, 10].map((c) => [c, 20]) },
  'batch-summarization-rag': { N: 30, ladder: [6, 12, 18, 24, 30].map((c) => [c, 450]) },
  'batch-synthetic-data-generation': { N: 40, ladder: [8, 16, 24, 32, 40].map((c) => [c, 160]) },
};

describe('inference-perf workload catalog', () => {
  it.for(Object.keys(CATALOG))('%s: concurrent ladder and conversation count as published', (name) => {
    const c = catalog(name);
    expect(c.load.stages.map((s) => (s.kind === 'concurrent' ? [s.concurrency, s.n] : null))).toEqual(CATALOG[name]!.ladder);
    expect(c.data).toMatchObject({ type: 'conversation_replay', seed: 42, conversations: CATALOG[name]!.N });
  });

  it.for(Object.keys(CATALOG))('%s: runs in the simulator with at most C in flight, reaching C', (name) => {
    const { ladder } = CATALOG[name]!;
    const [C, n] = ladder[0]!;
    const sc = parseScenario(`name: t\nseed: 5\nrequests: ${n}\nfleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: ${join(DIR, 'catalog', `${name}.yaml`)}, format: inference-perf}\npolicies: [round-robin]\n`, join(DIR, 't.yaml'));
    const run = runPolicy(sc, sc.policies[0]!);
    expect(run.records).toHaveLength(n);
    expect(run.records.every((r) => r.outcome !== undefined && r.endUs >= r.arrivalUs)).toBe(true);
    // Stage 0 schedules all n within 1 s, so the semaphore fills to C at once and never exceeds it
    // (a request the engine refuses, e.g. a prompt over the model's context, ends at once).
    const refused = run.records.some((r) => r.outcome !== 'completed');
    expect(maxOverlap(run.records)).toBeLessThanOrEqual(C);
    if (!refused) expect(maxOverlap(run.records)).toBe(C);
  });

  it('single-turn entries send only N distinct prompts per stage, each n/N times', () => {
    for (const name of ['reasoning', 'batch-summarization-rag', 'batch-synthetic-data-generation']) {
      const { N, ladder } = CATALOG[name]!;
      const n = ladder[0]![1];
      const rs = drive(catalog(name), 2e6, 1, n);
      const prompts = new Map<string, number>();
      for (const r of rs) {
        expect(r.turn).toBe(0);
        const k = r.segments.map((s) => `${s.content}:${s.tokens}`).join(',');
        prompts.set(k, (prompts.get(k) ?? 0) + 1);
      }
      expect(prompts.size).toBe(N);
      expect([...prompts.values()].every((x) => x === n / N)).toBe(true);
    }
  });

  it('interactive-chat: request i → conversation i mod 50, turn ⌊i/50⌋ mod T_k (T_k ≤ 15); turn 0 sends S + D_k + q with D_k ∈ [500, 15000]', () => {
    const rs = drive(catalog('interactive-chat'), 3e6, 1, 300);
    const turnsOf = new Map<number, number[]>();
    // Sent in id order; a turn parked behind its conversation's previous turn gets a later id.
    rs.forEach((r) => {
      turnsOf.set(r.session, [...(turnsOf.get(r.session) ?? []), r.turn]);
      if (r.turn === 0) expect(r.inputTokens).toBeGreaterThanOrEqual(1000 + 500 + 10);
      if (r.turn === 0) expect(r.inputTokens).toBeLessThanOrEqual(1000 + 15000 + 1000);
      expect(r.segments[0]!.tokens).toBe(1000); // the shared system text
      expect(r.outputTokens).toBeGreaterThanOrEqual(10);
      expect(r.outputTokens).toBeLessThanOrEqual(1000);
    });
    // 300 requests = 6 rounds of the 50 conversations; rounds 0…5 follow r mod T for one T in [1, 15].
    expect(turnsOf.size).toBe(50);
    for (const ts of turnsOf.values()) {
      expect(ts).toHaveLength(6);
      const T = ts.indexOf(0, 1) > 0 ? ts.indexOf(0, 1) : 15;
      expect(ts).toEqual(ts.map((_, r) => r % T));
    }
    // All 50 conversations share the 1000-token system text: one content id in the stage.
    expect(new Set(rs.map((r) => r.segments[0]!.content)).size).toBe(1);
  });

  it('code-generation: prompts are cut to max_model_len − max_tokens − 200 (262144)', () => {
    const rs = drive(catalog('code-generation'), 5e6, 1, 100);
    for (const r of rs) expect(r.inputTokens).toBeLessThanOrEqual(262144 - r.outputTokens - 200);
    // D ≈ lognormal 160k over [1e4, 9.9e5]: some conversations need cutting, so some prompts sit at the limit.
    expect(rs.some((r) => r.inputTokens === 262144 - r.outputTokens - 200)).toBe(true);
  });

  it('agentic-trace-replay: sessions of ≈ 21.9 calls, ≤ concurrent_sessions active, waits ≤ 15 s, growing context', () => {
    const c = catalog('agentic-trace-replay');
    expect(c.load.stages[0]).toEqual({ kind: 'sessions', concurrent: 5, session_rate: null, num_sessions: 50 });
    const rs = drive(c, 2e6, 1);
    const bySession = new Map<number, typeof rs>();
    for (const r of rs) bySession.set(r.session, [...(bySession.get(r.session) ?? []), r]);
    expect(bySession.size).toBe(50 + 100 + 200 + 300 + 400);
    const calls = [...bySession.values()].map((x) => x.length);
    // Geometric mean 21.9 (s.d. ≈ 21.4): the mean of 1050 sessions within 4·21.4/√1050 ≈ 2.6.
    expect(Math.abs(mean(calls) - 21.9)).toBeLessThan(2.7);
    for (const xs of bySession.values()) {
      for (let k = 1; k < xs.length; k++) {
        const wait = xs[k]!.arrivalUs - xs[k - 1]!.endUs;
        expect(wait).toBeGreaterThanOrEqual(0);
        expect(wait).toBeLessThanOrEqual(15e6);
        expect(xs[k]!.inputTokens).toBeGreaterThan(xs[k - 1]!.inputTokens + xs[k - 1]!.outputTokens);
      }
    }
    // Stage 0 (sessions 0–49): at most 5 sessions active at once.
    const spans = [...bySession.entries()].filter(([id]) => id < 50).map(([, xs]) => ({ arrivalUs: xs[0]!.arrivalUs, endUs: xs[xs.length - 1]!.endUs }));
    expect(maxOverlap(spans)).toBe(5);
  });
});

describe("GAIE's former benchmark configs", () => {
  const LADDER = [[15, 50], [10, 20], [15, 20], [20, 38], [25, 30], [30, 25], [35, 21], [40, 38], [45, 36], [50, 30], [55, 27], [60, 25]];

  it.for(['short-questions__many-system-prompts', 'long-questions__many-system-prompts'])('%s: the Poisson ladder sends ⌊rate·duration⌋ per stage; 150 prefixes shared by 5 prompts each', (name) => {
    const rs = open(gaie(name));
    const stages: SimRequest[][] = [[]];
    rs.forEach((r, i) => {
      if (i > 0 && r.arrivalUs - rs[i - 1]!.arrivalUs >= 2e6) stages.push([]);
      stages[stages.length - 1]!.push(r);
    });
    expect(stages.map((s) => s.length)).toEqual(LADDER.map(([r, d]) => r! * d!));
    stages.forEach((s, i) => {
      const span = (s[s.length - 1]!.arrivalUs - s[0]!.arrivalUs) / 1e6;
      expect(Math.abs((s.length - 1) / span / LADDER[i]![0]! - 1)).toBeLessThan(4 / Math.sqrt(s.length));
    });
    expect(rs.every((r) => r.inputTokens === 7200 && r.outputTokens === 1000)).toBe(true);
    expect(new Set(rs.map((r) => r.segments[0]!.content)).size).toBe(150);
    // After the warm-up every prompt is a repeat: every stage starts the same shuffled cycle.
    for (const s of stages) expect(s[0]!.segments).toEqual(stages[0]![0]!.segments);
  });

  it.for([
    ['short-questions__few-system-prompts__multi-chat', 30, [1, 3, 5, 7, 9, 11, 13, 15, 17]],
    ['long-questions__few-system-prompts__multi-chat', 3000, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
  ] as const)('%s: effectively single-turn (n < 6000 sessions); inputs 2S + q in stage 0, S + q after the stage clear', ([name, q, rates]) => {
    const rs = open(gaie(name));
    // Sessions i mod 6000 and every stage has n < 6000, so a stage starts where the session index returns to 0.
    const stages: SimRequest[][] = [];
    for (const r of rs) (r.session === 0 ? stages[stages.push([]) - 1]! : stages[stages.length - 1]!).push(r);
    expect(stages.map((s) => s.length)).toEqual(rates.map((r) => r * 100));
    expect(rs.every((r) => r.turn === 0)).toBe(true);
    const sd = (q / 10) * 3; // question sd: 9 for mean 30, 900 for mean 3000
    // Every stage replays prompts 0…n−1, so a mean over requests weights prompt j by its repeats w_j:
    // its s.d. is sd/√n_eff with n_eff = (Σw)²/Σw².
    const nEff = (xs: SimRequest[]): number => {
      const w = new Map<number, number>();
      for (const r of xs) w.set(r.session, (w.get(r.session) ?? 0) + 1);
      const ws = [...w.values()];
      return ws.reduce((a, b) => a + b, 0) ** 2 / ws.reduce((a, b) => a + b * b, 0);
    };
    const s0 = stages[0]!;
    expect(Math.abs(mean(s0.map((r) => r.inputTokens)) - (2000 + q))).toBeLessThan((4 * sd) / Math.sqrt(nEff(s0)));
    const later = stages.slice(1).flat();
    expect(Math.abs(mean(later.map((r) => r.inputTokens)) - (1000 + q))).toBeLessThan((4 * sd) / Math.sqrt(nEff(later)));
    expect(Math.abs(mean(rs.map((r) => r.outputTokens)) - 1000)).toBeLessThan((4 * 300) / Math.sqrt(nEff(rs)));
    expect(new Set(rs.map((r) => r.group)).size).toBe(6);
  });

  it.for(['prefill-heavy', 'decode-heavy', 'multilora', 'benchmark-values'])('%s (real-text dataset): without recorded lengths, one-line error naming data.type and the option', (name) => {
    expect(userErrorOf(() => gaie(name))).toMatch(new RegExp(`^${DIR.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}gaie/${name}\\.yaml: data\\.type: \\w+ replays real text whose length histogram routesim does not have \\(fix: .*workload\\.trace\\.dataset_lengths.+\\)$`));
  });

  it.for(['prefill-heavy', 'decode-heavy', 'multilora', 'benchmark-values'])('%s (real-text dataset): loads and generates requests with recorded lengths (more in test/inferencePerfDatasets.test.ts)', (name) => {
    const c = readInferencePerfConfig(join(DIR, 'gaie', `${name}.yaml`), join(DIR, 'datasets', 'lengths.jsonl'));
    expect(c.data.type).toBe('dataset');
    const rs = open(c).slice(0, 100);
    expect(rs).toHaveLength(100);
  });
});

describe('scenarios/inference-perf', () => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));
  it('has the seven catalog workloads', () => {
    expect(files.sort()).toEqual([...Object.keys(CATALOG), 'agentic-trace-replay'].map((n) => `${n}.yaml`).sort());
  });
  it.for(files)('%s loads: 8 replicas, GAIE default vs load-only vs round-robin', (f) => {
    const sc = loadScenarioFile(join(SCENARIOS, f));
    expect(sc.name).toBe(f.replace(/\.yaml$/, ''));
    expect(sc.fleet.replicas).toBe(8);
    expect(sc.policies.map((p) => p.name)).toEqual(['gaie-default', 'load-only', 'round-robin']);
    expect(sc.workload.source).toMatchObject({ kind: 'trace', format: 'inference-perf' });
  });
});
