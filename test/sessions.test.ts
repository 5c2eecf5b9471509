/**
 * Sessions (open and closed loop) through the scenario loader and the simulation.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { createRequestStream } from '../sim/workload/generator.js';
import { outputContentOf } from '../sim/workload/prompts.js';
import type { SimRequest } from '../sim/workload/request.js';
import { UserError } from '../sim/core/errors.js';
import { planFor } from '../reports/collect.js';

function scenario(workload: string, extra = 'requests: 200'): ReturnType<typeof parseScenario> {
  return parseScenario(
    `
seed: 3
${extra}
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
${workload
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
policies: [least-requests]
`,
    'sessions.yaml',
  );
}

function collect(sc: ReturnType<typeof parseScenario>): SimRequest[] {
  const it = createRequestStream(sc.workload, { seed: sc.seed, limits: { requests: sc.requests ?? undefined }, defaultAdapterRank: 16 });
  const out: SimRequest[] = [];
  for (let n = it.next(); !n.done; n = it.next()) out.push(n.value);
  return out;
}

describe('open-loop sessions', () => {
  const sc = scenario(`
arrival: {process: poisson, rate: 2}
input: {dist: uniform, min: 20, max: 80}
output: {dist: uniform, min: 10, max: 40}
sessions: {mode: open, turns: {dist: uniform, min: 1, max: 5}, think_time_s: 4, system_prompt_len: 300, num_system_prompts: 3}
`);
  const reqs = collect(sc);

  it('turn k = turn k−1 prompt + its answer + a new question; think time after the previous turn was sent', () => {
    const last = new Map<number, SimRequest>();
    let followUps = 0;
    for (const r of reqs) {
      const prev = last.get(r.session);
      if (prev === undefined) {
        expect(r.turn).toBe(0);
        expect(r.segments).toHaveLength(2); // system prompt + first question
        expect(r.segments[0]!.tokens).toBe(300);
      } else {
        followUps++;
        expect(r.turn).toBe(prev.turn + 1);
        expect(r.segments.slice(0, prev.segments.length)).toEqual(prev.segments);
        expect(r.segments[prev.segments.length]).toEqual({ content: outputContentOf(prev.id), tokens: prev.outputTokens });
        expect(r.segments).toHaveLength(prev.segments.length + 2);
        expect(r.inputTokens).toBe(prev.inputTokens + prev.outputTokens + r.segments.at(-1)!.tokens);
        expect(r.arrivalUs - prev.arrivalUs).toBe(4_000_000);
      }
      last.set(r.session, r);
    }
    expect(followUps).toBeGreaterThan(50);
    for (let i = 1; i < reqs.length; i++) expect(reqs[i]!.arrivalUs).toBeGreaterThanOrEqual(reqs[i - 1]!.arrivalUs);
  });

  it('sessions share one of num_system_prompts system prompts; turns stay within the drawn count', () => {
    expect(new Set(reqs.map((r) => r.segments[0]!.content)).size).toBe(3);
    expect(Math.max(...reqs.map((r) => r.turn))).toBeLessThanOrEqual(4);
  });
});

describe('closed-loop sessions', () => {
  const users = 4;
  const sc = scenario(
    `
input: 50
output: {dist: uniform, min: 20, max: 60}
sessions: {mode: closed, users: ${users}, turns: 3, think_time_s: 0.5}
`,
    'requests: 120',
  );

  it('refuses a rate sweep, which a closed loop has no rate for', () => {
    expect(() => planFor(sc, 1, [10, 20])).toThrow(/closed-loop sessions workload has no arrival rate to sweep/);
    expect(planFor(sc, 2).seeds).toBe(2);
  });

  it('never more than `users` requests in flight; each next turn is sent exactly think time after the answer', () => {
    const byId = new Map<number, SimRequest>();
    const run = runPolicy(sc, sc.policies[0]!, { onArrival: (r) => byId.set(r.id, r) });
    expect(run.records).toHaveLength(120);
    expect(run.records.every((r) => r.outcome === 'completed')).toBe(true);
    // In-flight count over time from [arrival, response complete] intervals.
    const events = run.records.flatMap((r) => [
      [r.arrivalUs, 1],
      [r.endUs, -1],
    ]) as [number, number][];
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let inFlight = 0;
    let peak = 0;
    for (const [, d] of events) peak = Math.max(peak, (inFlight += d));
    expect(peak).toBeLessThanOrEqual(users);
    expect(peak).toBe(users);
    // Follow-up turns: arrival = the previous turn's response complete (endUs: last token + α1) + 0.5 s.
    const recById = new Map(run.records.map((r) => [r.id, r] as const));
    const lastOf = new Map<number, number>();
    let checked = 0;
    for (const rec of [...run.records].sort((a, b) => a.arrivalUs - b.arrivalUs)) {
      const req = byId.get(rec.id)!;
      const prev = lastOf.get(req.session);
      if (req.turn > 0) {
        expect(prev).toBeDefined();
        expect(rec.arrivalUs).toBe(recById.get(prev!)!.endUs + 500_000);
        checked++;
      }
      lastOf.set(req.session, rec.id);
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('the offered load adapts to the service: slower replicas ⇒ fewer requests per second', () => {
    const fast = runPolicy(sc, sc.policies[0]!);
    const slowSc = { ...sc, step_time: { ...sc.step_time, coefficients: { ...sc.step_time.coefficients, beta7_us_per_step: 20_000 } } } as typeof sc;
    const slow = runPolicy(slowSc, slowSc.policies[0]!);
    const rate = (r: typeof fast) => r.records.length / (r.records.at(-1)!.arrivalUs / 1e6);
    expect(rate(slow)).toBeLessThan(rate(fast) * 0.8);
  });

  it('needs users and a stop condition', () => {
    expect(() => scenario('input: 5\noutput: 5\nsessions: {mode: closed, turns: 2}')).toThrow(/workload.sessions.users: missing required key "users"/);
    expect(() => scenario('input: 5\noutput: 5\nsessions: {mode: closed, users: 2, turns: 2}', '')).toThrow(UserError);
    expect(() => scenario('input: 5\noutput: 5\nsessions: {mode: closed, users: 2, turns: 2}', '')).toThrow(/requests: neither requests nor duration_s is set/);
  });
});
