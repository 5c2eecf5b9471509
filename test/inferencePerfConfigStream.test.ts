/**
 * inference-perf configs, generating (formats.md §1.3–1.4): stage request counts and arrival
 * times, prompt order within and across stages, multi-turn contexts, stage draining and start
 * offsets, the concurrency semaphore, session locks and tool waits. Closed-loop streams are driven
 * by a fake server with a fixed service time, so expected send times follow by hand.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/scenario/load.js';
import { createRequestStream } from '../sim/workload/generator.js';
import { userErrorOf } from './helpers.js';
import { parse as parseYaml } from 'yaml';
import { configOf, inferencePerfStream, parseInferencePerf, type InferencePerfConfig } from '../sim/workload/inferencePerf/index.js';
import type { SimRequest } from '../sim/workload/request.js';
import { drive } from './inferencePerfConfigDrive.js';
import { saturation, sweepStages } from '../sim/workload/inferencePerf/schedule.js';

const cfg = (yaml: string): InferencePerfConfig => parseInferencePerf(parseYaml(yaml), 'ip.yaml');

function open(c: InferencePerfConfig, seed = 1): SimRequest[] {
  const it = inferencePerfStream(c, { seed, limits: {}, defaultAdapterRank: 8, closedLoop: false }, null);
  const out: SimRequest[] = [];
  for (let n = it.next(); !n.done; n = it.next()) out.push(n.value);
  return out;
}

/** Splits an open-loop stream into stages at gaps ≥ 2 s (interval 1 s + the 1-s timer origin). */
function stagesOf(rs: SimRequest[]): SimRequest[][] {
  const out: SimRequest[][] = [[]];
  rs.forEach((r, i) => {
    if (i > 0 && r.arrivalUs - rs[i - 1]!.arrivalUs >= 2e6) out.push([]);
    out[out.length - 1]!.push(r);
  });
  return out;
}

const cv = (xs: number[]): number => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) / m;
};

describe('rate stages', () => {
  it('constant: exactly ⌊rate·duration⌋ requests, Poisson-like gaps, the last at origin + duration; stages start after interval + 1 s', () => {
    const c = cfg('load: {type: constant, interval: 3, stages: [{rate: 50, duration: 20}, {rate: 10.5, duration: 3}]}\ndata: {type: random, input_distribution: {mean: 100, std_dev: 10, min: 50, max: 150}, output_distribution: {mean: 20, std_dev: 1, min: 10, max: 30}}');
    const rs = open(c);
    expect(rs).toHaveLength(1000 + 31);
    const s0 = rs.slice(0, 1000);
    // Timer origin 1 s into the stage: all of stage 0 in (1 s, 21 s], the last exactly at 21 s.
    expect(s0[0]!.arrivalUs).toBeGreaterThan(1e6);
    expect(s0[999]!.arrivalUs).toBe(21e6);
    // Exp gaps rescaled: CV ≈ 1 (evenly spaced would be 0); s.d. of the estimate ≈ 1/√1000 ≈ 0.03.
    const gaps = s0.slice(1).map((r, i) => r.arrivalUs - s0[i]!.arrivalUs);
    expect(Math.abs(cv(gaps) - 1)).toBeLessThan(0.15);
    // Stage 1 starts interval 3 s after stage 0's last send (open loop: instant drain), origin 1 s later.
    expect(rs[1000]!.arrivalUs).toBeGreaterThan(25e6);
    expect(rs[1030]!.arrivalUs).toBe(28e6);
  });

  it('poisson: exact count per stage; the mean gap ≈ 1/rate (Gamma span: s.d. 1/√n)', () => {
    const c = cfg('load: {type: poisson, stages: [{rate: 15, duration: 50}, {rate: 60, duration: 25}]}\ndata: {type: shared_prefix, shared_prefix: {num_groups: 150, num_prompts_per_group: 5, system_prompt_len: 6000, question_len: 1200, output_len: 1000}}');
    const st = stagesOf(open(c));
    expect(st.map((s) => s.length)).toEqual([750, 1500]);
    st.forEach((s, i) => {
      const rate = [15, 60][i]!;
      const span = (s[s.length - 1]!.arrivalUs - s[0]!.arrivalUs) / 1e6;
      expect(Math.abs((s.length - 1) / span / rate - 1)).toBeLessThan(4 / Math.sqrt(s.length));
    });
  });
});

describe('prompt order', () => {
  const many = cfg('load: {type: poisson, stages: [{rate: 15, duration: 50}, {rate: 20, duration: 50}]}\ndata: {type: shared_prefix, shared_prefix: {num_groups: 150, num_prompts_per_group: 5, system_prompt_len: 6000, question_len: 1200, output_len: 1000}}');
  const st = stagesOf(open(many));

  it('shared_prefix: request i uses prompt i mod G·P — each of the 750 prompts once per cycle, 5 users per group', () => {
    const key = (r: SimRequest) => r.segments.map((s) => s.content).join(',');
    const first = st[0]!.slice(0, 750);
    expect(new Set(first.map(key)).size).toBe(750);
    const perGroup = new Map<number, number>();
    for (const r of first) perGroup.set(r.group, (perGroup.get(r.group) ?? 0) + 1);
    expect([...perGroup.values()].every((n) => n === 5) && perGroup.size === 150).toBe(true);
    // 150 distinct prefixes among 750 requests: 600 of them (80 %) reuse a prefix seen before.
    expect(new Set(first.map((r) => r.segments[0]!.content)).size).toBe(150);
    expect(first.every((r) => r.inputTokens === 7200 && r.outputTokens === 1000)).toBe(true);
    // Stage 1 (1000 requests) restarts the cycle at prompt 0: request j of stage 1 = request j mod 750 of stage 0.
    st[1]!.forEach((r, j) => expect(key(r)).toBe(key(st[0]![j % 750]!)));
  });

  it('random: request i of every stage uses pool entry i', () => {
    const c = cfg('load: {type: constant, stages: [{rate: 10, duration: 5}, {rate: 4, duration: 5}]}\ndata: {type: random, input_distribution: {mean: 300, std_dev: 100, min: 10, max: 1000}, output_distribution: {mean: 50, std_dev: 10, min: 10, max: 100}}');
    const [a, b] = stagesOf(open(c));
    expect([a!.length, b!.length]).toEqual([50, 20]);
    b!.forEach((r, i) => expect([r.segments, r.outputTokens]).toEqual([a![i]!.segments, a![i]!.outputTokens]));
    expect(new Set(a!.map((r) => r.segments[0]!.content)).size).toBe(50);
  });
});

describe('multi-turn shared_prefix', () => {
  it('turn r sends (r+2)·S + (r+1)·q + r·o in stage 0; contexts start empty after a stage clear', () => {
    const c = cfg('load: {type: constant, stages: [{rate: 12, duration: 1}, {rate: 4, duration: 1}]}\ndata: {type: shared_prefix, shared_prefix: {num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 100, question_len: 10, output_len: 5, enable_multi_turn_chat: true}}');
    const rs = open(c);
    expect(rs).toHaveLength(16);
    // 12 requests over 4 sessions: turns 0, 1, 2 → 210, 325, 440 tokens.
    expect(rs.slice(0, 12).map((r) => [r.turn, r.inputTokens])).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2].map((t) => [t, (t + 2) * 100 + (t + 1) * 10 + t * 5]));
    // Stage 1: fresh contexts without the prefix: S + q = 110.
    expect(rs.slice(12).map((r) => [r.turn, r.inputTokens])).toEqual([[0, 110], [0, 110], [0, 110], [0, 110]]);
    // Turn 1 re-reads turn 0's prompt and its answer (same content ids): a true prefix.
    const t0 = rs[0]!;
    const t1 = rs[4]!;
    expect(t1.session).toBe(t0.session);
    const ids = (r: SimRequest) => r.segments.map((x) => x.content);
    // Turn 0 = prefix (context) + prefix + question; turn 1 = turn 0's prompt + its reply + the same prompt again.
    expect(ids(t0)).toEqual([ids(t0)[0], ids(t0)[0], ids(t0)[2]]);
    expect(ids(t1)).toEqual([...ids(t0), t0.outputContent, ids(t0)[1], ids(t0)[2]]);
  });
});

describe('closed loop (simulated)', () => {
  it('concurrent: at most C in flight, each slot held for service + tool wait; the next stage starts after the drain + interval + 1 s', () => {
    // 4 conversations × 2 turns, C = 2, 1 s service, 3 s tool wait (fixed) → each slot sends every 4 s.
    const c = cfg('load: {type: concurrent, interval: 2, stages: [{num_requests: 8, concurrency_level: 2}, {num_requests: 2, concurrency_level: 2}]}\ndata: {type: conversation_replay, conversation_replay: {num_conversations: 4, shared_system_prompt_len: 100, turns_per_conversation: 2, input_tokens_per_turn: 10, output_tokens_per_turn: 5, tool_call_latency_sec: 3}}');
    const rs = drive(c, 1e6);
    expect(rs).toHaveLength(10);
    const [a, b] = [rs[0]!.arrivalUs, rs[1]!.arrivalUs];
    expect(a).toBeGreaterThan(1e6);
    expect(b).toBeLessThanOrEqual(2e6); // scheduled within the 1-s window after the origin
    // Slot of request 0 frees at a + 4 s, of request 1 at b + 4 s, and so on.
    expect(rs.slice(0, 8).map((r) => r.arrivalUs)).toEqual([a, b, a + 4e6, b + 4e6, a + 8e6, b + 8e6, a + 12e6, b + 12e6]);
    // Conversation k = i mod 4, turn ⌊i/4⌋ mod 2; turn 1 = system + q0 + reply0 + q1 = 100 + 10 + 5 + 10.
    expect(rs.slice(0, 8).map((r) => [r.session, r.turn, r.inputTokens])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i % 4, Math.floor(i / 4) % 2, i < 4 ? 110 : 125]));
    // Stage 0 ends when the last reply + tool wait is over (b + 16 s); interval 2 s; origin 1 s later.
    const end = b + 12e6 + 1e6 + 3e6;
    expect(rs[8]!.arrivalUs).toBeGreaterThan(end + 3e6);
    expect(rs[9]!.arrivalUs).toBeLessThanOrEqual(end + 4e6);
    // The shared system text is regenerated every stage: stage 1's differs from stage 0's.
    expect(rs[8]!.segments[0]!.content).not.toBe(rs[0]!.segments[0]!.content);
  });

  it('a conversation’s turns go one at a time: a free slot waits for the previous turn + tool wait', () => {
    // N = 2, C = 3: request 2 (conversation 0, turn 1) takes the third slot but waits for request 0.
    const c = cfg('load: {type: concurrent, stages: [{num_requests: 4, concurrency_level: 3}]}\ndata: {type: conversation_replay, conversation_replay: {num_conversations: 2, shared_system_prompt_len: 10, turns_per_conversation: 2, input_tokens_per_turn: 10, output_tokens_per_turn: 5, tool_call_latency_sec: 3}}');
    const rs = drive(c, 1e6);
    expect(rs[2]!.arrivalUs).toBe(rs[0]!.arrivalUs + 4e6);
    expect(rs[3]!.arrivalUs).toBe(rs[1]!.arrivalUs + 4e6);
  });

  it('rate types: num_workers × worker_max_concurrency caps requests in flight; excess waits on the client', () => {
    const c = cfg('load: {type: constant, num_workers: 1, worker_max_concurrency: 3, stages: [{rate: 100, duration: 1}]}\ndata: {type: random, input_distribution: {mean: 100, std_dev: 1, min: 90, max: 110}, output_distribution: {mean: 10, std_dev: 1, min: 5, max: 15}}');
    const rs = drive(c, 1e6);
    expect(rs).toHaveLength(100);
    // 3 slots, 1 s each: requests 3k..3k+2 leave at the k-th slot turn → the last batch starts ≈ 33 s after the first.
    for (const r of rs) {
      const inFlight = rs.filter((x) => x.arrivalUs <= r.arrivalUs && x.endUs > r.arrivalUs).length;
      expect(inFlight).toBeLessThanOrEqual(3);
    }
    expect(rs[99]!.arrivalUs - rs[0]!.arrivalUs).toBeGreaterThanOrEqual(32e6);
  });

  it('rate stages drain too: the next stage starts after the last reply + interval, its origin 1 s later', () => {
    // Stage 0: 5 requests, the last at exactly 1 + 1 = 2 s, done at 3 s; stage 1 starts at 3 + 1 (interval),
    // origin 5 s; its 4 requests end exactly at 5 + 2 = 7 s.
    const c = cfg('load: {type: constant, stages: [{rate: 5, duration: 1}, {rate: 2, duration: 2}]}\ndata: {type: random, input_distribution: {mean: 100, std_dev: 1, min: 90, max: 110}, output_distribution: {mean: 10, std_dev: 1, min: 5, max: 15}}');
    const rs = drive(c, 1e6);
    expect(rs.map((r) => r.arrivalUs).filter((_, i) => i === 4 || i === 8)).toEqual([2e6, 7e6]);
    expect(rs[5]!.arrivalUs).toBeGreaterThan(5e6);
  });

  it('a sweep probes saturation, then runs num_stages rate stages (linear: 1 … S)', () => {
    // 1 s service and no cap: the probe's 50 requests over 5 s finish 1 s after they start; the
    // in-flight count falls at ≈ the send rate (10 req/s), so S ≈ 10 and stage rates are 1 … ≈ 10.
    const c = cfg('load: {type: constant, interval: 0, sweep: {type: linear, num_requests: 50, num_stages: 3, stage_duration: 10, saturation_percentile: 50}}\ndata: {type: random, input_distribution: {mean: 100, std_dev: 1, min: 90, max: 110}, output_distribution: {mean: 10, std_dev: 1, min: 5, max: 15}}');
    const rs = drive(c, 1e6);
    const stageCounts = rs.length - 50;
    // Stages: 1·10 + ((1 + S)/2)·10 + S·10 requests with S in [4, 20].
    expect(stageCounts).toBeGreaterThanOrEqual(10 + 25 + 40);
    expect(stageCounts).toBeLessThanOrEqual(10 + 105 + 200);
  });
});

describe('LoRA traffic split', () => {
  it('each request draws its adapter by weight (GAIE multilora: 5 × 12 %, 5 × 6 %, 5 × 2 %)', () => {
    const split = [...Array.from({ length: 5 }, (_, i) => `{name: adapter-${i}, split: 0.12}`), ...Array.from({ length: 5 }, (_, i) => `{name: adapter-${i + 5}, split: 0.06}`), ...Array.from({ length: 5 }, (_, i) => `{name: adapter-${i + 10}, split: 0.02}`)];
    const c = cfg(`load: {type: poisson, stages: [{rate: 100, duration: 100}], lora_traffic_split: [${split.join(', ')}]}\ndata: {type: random, input_distribution: {mean: 100, std_dev: 1, min: 90, max: 110}, output_distribution: {mean: 10, std_dev: 1, min: 5, max: 15}}`);
    const rs = open(c);
    expect(rs).toHaveLength(10000);
    const n = rs.length;
    const share = (names: string[]) => rs.filter((r) => names.includes(r.adapter ?? '')).length / n;
    // Binomial s.d. √(p(1−p)/n): 0.6 → 0.0049, 0.12 → 0.0032, 0.02 → 0.0014; 4 s.d. tolerances.
    expect(Math.abs(share(['adapter-0', 'adapter-1', 'adapter-2', 'adapter-3', 'adapter-4']) - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(share(['adapter-0']) - 0.12)).toBeLessThan(0.013);
    expect(Math.abs(share(['adapter-14']) - 0.02)).toBeLessThan(0.006);
    expect(rs.every((r) => r.adapterRank === 8)).toBe(true);
  });
});

describe('trace_replay and scenario use', () => {
  it('trace_replay: one request per Azure row at its offset from the first row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipt-'));
    writeFileSync(join(dir, 'az.csv'), 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.50,10,2\n2023-11-16 18:17:04.00,20,3\n2023-11-16 18:17:06.25,30,4\n');
    const dists = 'input_distribution: {mean: 100, std_dev: 1, min: 90, max: 110}, output_distribution: {mean: 10, std_dev: 1, min: 5, max: 15}';
    const c = parseInferencePerf(parseYaml(`load: {type: trace_replay, trace: {file: az.csv, format: AzurePublicDataset}}\ndata: {type: random, ${dists}}`), join(dir, 'ip.yaml'));
    // Timer origin 1 s into the stage: offsets 0, 0.5, 2.75 s → 1, 1.5, 3.75 s; lengths from the distributions.
    expect(open(c).map((r) => r.arrivalUs)).toEqual([1_000_000, 1_500_000, 3_750_000]);
    expect(open(c).every((r) => r.inputTokens >= 90 && r.inputTokens <= 110)).toBe(true);
    // data.trace: request i's lengths are row i's ContextTokens / GeneratedTokens.
    const t = parseInferencePerf(parseYaml(`load: {type: trace_replay, trace: {file: az.csv}}\ndata: {type: random, trace: {file: az.csv}, ${dists}}`), join(dir, 'ip.yaml'));
    expect(open(t).map((r) => [r.inputTokens, r.outputTokens])).toEqual([[10, 2], [20, 3], [30, 4]]);
  });

  it('a scenario may not scale or window an inference-perf config; listing a concurrent load needs a run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipt-'));
    writeFileSync(join(dir, 'ip.yaml'), 'load: {type: concurrent, stages: [{num_requests: 4, concurrency_level: 2}]}\ndata: {type: conversation_replay, conversation_replay: {num_conversations: 2, shared_system_prompt_len: 10}}\n');
    const sc = (extra: string) => parseScenario(`name: t\nrequests: 4\nfleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: ip.yaml, format: inference-perf${extra}}\npolicies: [round-robin]\n`, join(dir, 's.yaml'));
    expect(sc('').workload.source).toMatchObject({ kind: 'trace', format: 'inference-perf' });
    // A rate sweep would replace the resolved arrival rate, which the config's stages ignore: an error, not a no-op.
    const w = sc('').workload;
    const swept = { ...w, arrival: { ...w.arrival, rate: 5 } };
    expect(userErrorOf(() => createRequestStream(swept, { seed: 1, limits: {}, defaultAdapterRank: 8, closedLoop: true }))).toMatch(/ip\.yaml: load\.stages: an inference-perf config sets its own rates; a rate sweep/);
    expect(userErrorOf(() => sc(', rate_scale: 2'))).toMatch(/s\.yaml: workload\.trace\.rate_scale: an inference-perf config sets its own stages, rates and order; rate_scale does not apply \(fix: remove rate_scale/);
    const c = parseInferencePerf(parseYaml('load: {type: concurrent, stages: [{num_requests: 4, concurrency_level: 2}]}\ndata: {type: conversation_replay}'), 'ip.yaml');
    expect(userErrorOf(() => open(c))).toMatch(/^ip\.yaml: load\.type: this load \(load\.type concurrent\) depends on simulated response times/);
  });
});

describe('one read of a scenario\'s config per run', () => {
  it('the resolved source keeps the config read while resolving; a copy of it reads the file again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipt-'));
    const write = (rate: number) => writeFileSync(join(dir, 'ip.yaml'), `load: {stages: [{rate: ${rate}, duration: 2}]}\ndata: {type: shared_prefix}\n`);
    write(3);
    const w = parseScenario('name: t\nfleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: ip.yaml, format: inference-perf}\npolicies: [round-robin]\n', join(dir, 's.yaml')).workload;
    const src = w.source;
    if (src?.kind !== 'trace') throw new Error('kind');
    write(5); // rewritten after resolving: the run's streams still see 3 req/s × 2 s = 6 requests
    expect(configOf(src).load.stages).toEqual([{ kind: 'rate', rate: 3, duration_s: 2, n: 6 }]);
    expect(configOf(src)).toBe(configOf(src));
    const it = createRequestStream(w, { seed: 1, limits: {}, defaultAdapterRank: 8 });
    let n = 0;
    while (!it.next().done) n++;
    expect(n).toBe(6);
    expect(configOf({ ...src }).load.stages).toEqual([{ kind: 'rate', rate: 5, duration_s: 2, n: 10 }]);
  });
});

describe('sweep arithmetic', () => {
  const sw = { type: 'linear' as const, num_requests: 4, timeout_s: 60, num_stages: 3, stage_duration_s: 10, saturation_percentile: 95 };
  it('saturation = percentile of the falling in-flight rates sampled every 0.5 s', () => {
    // 4 sent at the origin, ending at 0.4, 0.9, 1.4, 1.9 s: the count falls by 1 per 0.5 s → 2 req/s.
    expect(saturation([0, 0, 0, 0], [4e5, 9e5, 14e5, 19e5], 0, sw)).toBe(2);
  });
  it('linear = linspace(1, S, k); geometric = 1 + S − geomspace(S, 1, k), to 0.01', () => {
    expect(sweepStages(2, sw).map((s) => [s.rate, s.n])).toEqual([[1, 10], [1.5, 15], [2, 20]]);
    // 1 + 2 − 2·(1/2)^0.5 = 1.5858 → 1.59.
    expect(sweepStages(2, { ...sw, type: 'geometric' }).map((s) => s.rate)).toEqual([1, 1.59, 2]);
  });
});
