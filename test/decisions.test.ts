/**
 * Issue 13, "why this pod?": the per-decision log (sim/decisions/) — engine truth next to the
 * scraped view, counterfactual picks with true metrics, the regret summary, sampling, byte-identical
 * runs with and without the log, and the replay of a logged decision as a pick case.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routesim, smallScenario } from './cliHelpers.js';
import { runPolicy } from '../sim/simulation.js';
import { parseScenario } from '../sim/scenario/load.js';
import type { PolicySpec } from '../sim/scenario/types.js';
import type { SimRequest } from '../sim/workload/request.js';
import { DecisionLog, sampled } from '../sim/decisions/log.js';
import { truePrefixHitTokens } from '../sim/decisions/truth.js';
import { KvCache } from '../sim/engine/kvCache.js';
import type { DecisionLine } from '../policies/harness/decisionLine.js';
import { pickCaseFromDecision, parseDecisionLine } from '../policies/harness/fromDecision.js';
import { runPickCase } from '../policies/harness/pickCase.js';
import { linearScenario, req } from './helpers.js';

const ENGINE = `
max_num_seqs: 1
max_num_batched_tokens: 2048
num_gpu_blocks: 2000
`;

/** Queue-scorer only (max-score picker): the pick follows the scraped waiting queues. */
const queueOnly: PolicySpec = {
  name: 'queue',
  type: 'epp',
  epp: { kind: 'inline', config: { apiVersion: 'inference.networking.x-k8s.io/v1alpha1', kind: 'EndpointPickerConfig', plugins: [{ type: 'queue-scorer' }], schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'queue-scorer' }] }] } },
};

const to = (pod: string) => ({ 'x-gateway-destination-endpoint-subset': pod });
const withHeaders = (r: SimRequest, headers?: Record<string, string>): SimRequest => (headers ? { ...r, headers } : r);

/** Runs `policy` with a log; returns the run, the lines and the summary. */
function logged(scenario: ReturnType<typeof linearScenario>, policy: PolicySpec, reqs: SimRequest[], sample = 1) {
  const lines: string[] = [];
  const log = new DecisionLog({ policy: policy.name, seed: scenario.seed, sample, write: (l) => lines.push(l) });
  const run = runPolicy(scenario, policy, {}, reqs, { decisions: log });
  return { run, lines, parsed: lines.map((l) => JSON.parse(l) as DecisionLine), summary: log.summary() };
}

describe('a stale scrape makes the picker choose a worse pod', () => {
  // Two replicas, max_num_seqs 1, linear steps (prefill 1000 + 10·16 = 1160 µs, decode 1100 µs),
  // scrapes every 1 s (t = 0, 1 s, 2 s, …).
  //  t = 0.999 s: r0 (5 tokens out) and r1 → replica-1 (subset header): r0 runs, r1 waits.
  //  t = 1 s scrape: replica-0 waiting 0; replica-1 waiting 1, running 1. r0 ends at
  //    0.999 s + 1160 + 4·1100 µs ≈ 1.0046 s, r1 at ≈ 1.0102 s: replica-1 is idle long before 1.2 s.
  //  t = 1.1 s: r2, r3 (2000 tokens out) → replica-0: r2 runs, r3 waits (until ≈ 3.3 s).
  //  t = 1.2 s: r4, no header. Scraped (age 200 ms): queue-scorer (max − q)/(max − min):
  //    replica-0 (0) → 1, replica-1 (1) → 0 ⇒ replica-0. True state: replica-0 waiting 1 running 1,
  //    replica-1 idle ⇒ with true metrics replica-0 → 0, replica-1 → 1 ⇒ replica-1: staleness changed it.
  const scenario = linearScenario(ENGINE, 'gateway: {refresh_metrics_ms: 1000}', 2);
  const reqs = [
    withHeaders(req({ id: 0, at: 999_000, prompt: 16, output: 5 }), to('replica-1')),
    withHeaders(req({ id: 1, at: 999_000, prompt: 16, output: 5 }), to('replica-1')),
    withHeaders(req({ id: 2, at: 1_100_000, prompt: 16, output: 2000 }), to('replica-0')),
    withHeaders(req({ id: 3, at: 1_100_000, prompt: 16, output: 2000 }), to('replica-0')),
    req({ id: 4, at: 1_200_000, prompt: 16, output: 5 }),
  ];

  it('logs the scraped view next to the truth, the pick and the counterfactual pick', () => {
    const { run, parsed } = logged(scenario, queueOnly, reqs);
    expect(run.records.find((r) => r.id === 4)!.replica).toBe(0);
    expect(parsed.map((l) => l.request.id)).toEqual(['0', '1', '2', '3', '4']);
    const l4 = parsed[4]!;
    expect(l4.timeUs).toBe(1_200_000);
    expect(l4.request).toMatchObject({ id: '4', priority: 0, inputTokens: 16, arrivalUs: 1_200_000 });
    const [c0, c1] = l4.candidates;
    expect(c0!.scraped).toMatchObject({ waiting: 0, running: 0, ageMs: 200 });
    expect(c0!.truth).toMatchObject({ waiting: 1, running: 1, prefixHitTokens: 0 });
    expect(c1!.scraped).toMatchObject({ waiting: 1, running: 1, ageMs: 200 });
    expect(c1!.truth).toMatchObject({ waiting: 0, running: 0 });
    expect(l4.profiles[0]!.scorers[0]).toEqual({ scorer: 'queue-scorer', type: 'queue-scorer', weight: 1, scores: { 'replica-0': 1, 'replica-1': 0 } });
    expect(l4.pick).toBe('replica-0');
    expect(l4.counterfactual).toEqual({ pick: 'replica-1', picks: { default: 'replica-1' }, changed: true });
    // True load (waiting + running): chosen 2, least 0.
    expect(l4.regret).toEqual({ bestPrefixHitTokens: 0, chosenPrefixHitTokens: 0, leastLoad: 0, chosenLoad: 2 });
  });

  it('the summary counts it', () => {
    const { summary } = logged(scenario, queueOnly, reqs);
    // Five cycles (r0–r3 have one candidate each: no regret, no change).
    expect(summary.decisions).toBe(5);
    expect(summary.picked).toBe(5);
    expect(summary.staleness.changed_picks).toBe(1);
    expect(summary.staleness.share_changed).toBe(0.2);
    // True load (waiting + running) of the only / least-loaded / chosen pod at each decision:
    // r0 0 (replica-1 empty); r1 1 (r0 enqueued there); r2 0; r3 1 (r2); r4 least 0, chosen 2.
    // Least (0 + 1 + 0 + 1 + 0)/5 = 0.4, chosen (0 + 1 + 0 + 1 + 2)/5 = 0.8, excess 2/5 = 0.4; one of five not least.
    expect(summary.load).toEqual({ mean_least: 0.4, mean_chosen: 0.8, mean_excess: 0.4, share_not_least: 0.2 });
    // Scrape ages per candidate: r0, r1 999 ms (scrape at 0); r2, r3 100 ms; r4 2 × 200 ms ⇒ 2598 / 6 = 433.
    expect(summary.staleness.mean_scrape_age_ms).toBe(433);
  });

  it('an oracle gateway (no staleness) changes no pick', () => {
    const { summary } = logged(linearScenario(ENGINE, 'gateway: {refresh_metrics_ms: 0}', 2), queueOnly, reqs);
    expect(summary.staleness.changed_picks).toBe(0);
    expect(summary.staleness.mean_scrape_age_ms).toBe(0);
  });
});

describe('prefix regret on a tiny case', () => {
  // Oracle scrapes. r0 (64 tokens of content A) → replica-1 and finishes: its 4 full blocks stay
  // cached (free, hash kept). r2, r3 (long) → replica-1 at 0.5 s: r2 runs, r3 waits. r1 at 0.6 s
  // has the same 64 tokens: queue-scorer sees replica-1 waiting 1 → 0, replica-0 → 1 ⇒ replica-0,
  // whose cache has nothing; replica-1 would hit ⌊(64 − 1)/16⌋ = 3 blocks = 48 tokens.
  const A = 0xa11ce;
  const scenario = linearScenario(ENGINE, 'gateway: {refresh_metrics_ms: 0}', 2);
  const reqs = [
    withHeaders(req({ id: 0, at: 0, segments: [[A, 64]], output: 1 }), to('replica-1')),
    withHeaders(req({ id: 2, at: 500_000, prompt: 16, output: 2000 }), to('replica-1')),
    withHeaders(req({ id: 3, at: 500_000, prompt: 16, output: 2000 }), to('replica-1')),
    req({ id: 1, at: 600_000, segments: [[A, 64]], output: 1 }),
  ];

  it('counts the tokens lost against the best true hit', () => {
    const { parsed, summary } = logged(scenario, queueOnly, reqs);
    const l1 = parsed.find((l) => l.request.id === '1')!;
    expect(l1.pick).toBe('replica-0');
    expect(l1.candidates.map((c) => c.truth.prefixHitTokens)).toEqual([0, 48]);
    expect(l1.regret).toEqual({ bestPrefixHitTokens: 48, chosenPrefixHitTokens: 0, leastLoad: 0, chosenLoad: 0 });
    expect(l1.counterfactual.changed).toBe(false);
    // 4 decisions, 48 tokens lost in one: mean 12, share 0.25.
    expect(summary.decisions).toBe(4);
    expect(summary.prefix).toEqual({ mean_best_tokens: 12, mean_chosen_tokens: 0, mean_tokens_lost: 12, share_not_best: 0.25 });
    expect(summary.load.share_not_least).toBe(0);
  });

  it('the truth lookup is vLLM’s: whole blocks, at most (prompt − 1) tokens, and reads nothing it changes', () => {
    const kv = new KvCache(8, 16, true);
    const blocks = [0, 1, 2, 3].map(() => kv.allocate());
    blocks.forEach((b, i) => kv.cacheBlock(b, 100 + i));
    kv.release(blocks);
    const before = kv.checkInvariants();
    expect(truePrefixHitTokens(kv, [100, 101, 102, 103], 64)).toBe(48); // ⌊63/16⌋ = 3 blocks
    expect(truePrefixHitTokens(kv, [100, 101, 102, 103], 65)).toBe(64);
    expect(truePrefixHitTokens(kv, [100, 999, 102, 103], 65)).toBe(16); // stops at the first miss
    expect(kv.freeBlocks).toBe(8);
    expect(kv.checkInvariants()).toBe(before);
  });
});

describe('recording changes nothing and is deterministic', () => {
  const scenario = parseScenario(
    `
name: dec
seed: 3
requests: 300
fleet: {replicas: 4, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 40}
  shared_prefix: {num_groups: 6, num_prompts_per_group: 4, system_prompt_len: 600, question_len: 80}
  output: 64
gateway: {refresh_metrics_ms: 50}
policies:
  - {name: gaie-default, epp: default}
`,
    'dec.yaml',
  );
  const policy = scenario.policies[0]!;

  it('results are byte-identical with and without the log', () => {
    const plain = runPolicy(scenario, policy);
    const { run, summary } = logged(scenario, policy, undefined as unknown as SimRequest[]);
    expect(JSON.stringify(run)).toBe(JSON.stringify(plain));
    expect(summary.decisions).toBe(300);
  });

  it('writes one JSON document per line; sampling is by request, deterministic, and leaves the summary alone', () => {
    const all = logged(scenario, policy, undefined as unknown as SimRequest[]);
    const some = logged(scenario, policy, undefined as unknown as SimRequest[], 0.1);
    const again = logged(scenario, policy, undefined as unknown as SimRequest[], 0.1);
    for (const l of some.lines) expect(l.includes('\n')).toBe(false);
    expect(some.lines).toEqual(again.lines);
    const ids = some.parsed.map((l) => Number(l.request.id));
    expect(ids).toEqual(all.parsed.map((l) => Number(l.request.id)).filter((id) => sampled(scenario.seed, id, 0.1)));
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.length).toBeLessThan(60);
    expect(some.summary).toEqual(all.summary);
    // The summary without any file is the same as well.
    const log = new DecisionLog({ policy: policy.name, seed: scenario.seed, sample: 1, write: null });
    runPolicy(scenario, policy, {}, undefined, { decisions: log });
    expect(log.summary()).toEqual(all.summary);
  });

  it('replaying a logged line as a pick case reproduces the logged pick and totals', () => {
    const { lines } = logged(scenario, policy, undefined as unknown as SimRequest[], 0.1);
    for (const text of lines) {
      const line = parseDecisionLine(text);
      // The default config's prefix-cache-scorer reads the EPP's prefix index: pinned to the logged scores.
      const doc = pickCaseFromDecision(line, undefined);
      expect((doc.requests as { pinScores?: object }[])[0]!.pinScores).toHaveProperty('prefix-cache-scorer');
      const out = runPickCase(doc);
      expect(out.mismatches).toEqual([]);
      expect(out.results[0]!.target).toBe(line.pick);
    }
  });

  it('random picks replay: the line carries the cycle’s draws and the case hands them back', () => {
    const random: PolicySpec = {
      name: 'random',
      type: 'epp',
      epp: { kind: 'inline', config: { apiVersion: 'inference.networking.x-k8s.io/v1alpha1', kind: 'EndpointPickerConfig', plugins: [{ type: 'queue-scorer' }, { type: 'random-picker' }], schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'queue-scorer' }, { pluginRef: 'random-picker' }] }] } },
    };
    const { parsed } = logged(scenario, random, undefined as unknown as SimRequest[], 0.2);
    const config = JSON.stringify((random.epp as { config: unknown }).config);
    let withoutDraws = 0;
    for (const line of parsed) {
      expect(line.draws.length).toBeGreaterThan(0);
      expect(runPickCase(pickCaseFromDecision(line, config)).mismatches).toEqual([]);
      // Without the draws the case's own seed decides: some picks differ (4 pods, ~3/4 each).
      if (runPickCase(pickCaseFromDecision({ ...line, draws: [] }, config)).mismatches.length > 0) withoutDraws++;
    }
    expect(withoutDraws).toBeGreaterThan(0);
  });

  it('a replay whose logged pick disagrees with the scores fails', () => {
    const { parsed } = logged(scenario, policy, undefined as unknown as SimRequest[], 0.1);
    const line = parsed.find((l) => new Set(Object.values(l.profiles[0]!.totals)).size > 1)!;
    const other = line.candidates.find((c) => c.name !== line.pick)!.name;
    const out = runPickCase(pickCaseFromDecision({ ...line, pick: other }, undefined));
    expect(out.mismatches.length).toBeGreaterThan(0);
  });
});

describe('routesim run --decisions / routesim pick --from-decision (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routesim-dec-'));
  const scenario = join(dir, 's.yaml');
  writeFileSync(scenario, smallScenario(2, '').replace('policies: [round-robin, least-requests]', 'policies: [round-robin, {name: gaie, epp: default}]'));
  const at = (f: string) => join(dir, f);

  it('writes the lines and the summary of EPP policies; the rest of the results is unchanged; a line replays', () => {
    const plain = routesim(['run', scenario, '-o', at('r0.json')]);
    expect(plain.code).toBe(0);
    const r = routesim(['run', scenario, '--decisions', at('d.jsonl'), '--decisions-sample', '0.5', '-o', at('r1.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = readFileSync(at('d.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as DecisionLine);
    expect(lines.length).toBeGreaterThan(10);
    expect(new Set(lines.map((l) => l.policy))).toEqual(new Set(['gaie']));
    const doc = JSON.parse(readFileSync(at('r1.json'), 'utf8')) as { policies: { name: string; decisions?: { decisions: number } }[] };
    expect(doc.policies.find((p) => p.name === 'round-robin')!.decisions).toBeUndefined();
    expect(doc.policies.find((p) => p.name === 'gaie')!.decisions!.decisions).toBe(60);
    for (const p of doc.policies) delete p.decisions;
    expect(doc).toEqual(JSON.parse(readFileSync(at('r0.json'), 'utf8')));
    // The summary alone is the same as with the file.
    const s = routesim(['run', scenario, '--decision-summary', '--json']);
    const alone = JSON.parse(s.stdout) as typeof doc;
    expect(alone.policies.find((p) => p.name === 'gaie')!.decisions).toEqual(JSON.parse(readFileSync(at('r1.json'), 'utf8')).policies[1].decisions);
    const replay = routesim(['pick', '--from-decision', `${at('d.jsonl')}:3`, '--scenario', scenario]);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    expect((JSON.parse(replay.stdout) as { results: { target: string }[] }).results[0]!.target).toBe(lines[2]!.pick);
  });

  it('bad flags are one line naming the flag and the fix', () => {
    const r = routesim(['run', scenario, '--decisions-sample', '0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^routesim: --decisions-sample: only meaningful with --decisions \(fix: .*\)\n$/);
    const z = routesim(['run', scenario, '--decisions', at('x.jsonl'), '--decisions-sample', '0']);
    expect(z.code).toBe(2);
    expect(z.stderr).toMatch(/--decisions-sample.*0 < share ≤ 1.*fix: pass e\.g\. --decisions-sample 0\.1/);
    const p = routesim(['pick', '--from-decision', `${at('d.jsonl')}:99999`]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/d\.jsonl: line 99999: the file has \d+ lines \(fix: give a line from 1 to \d+\)/);
  });
});
