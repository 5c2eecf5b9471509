/**
 * inference-perf's real-text datasets (shareGPT, billsum_conversations, infinity_instruct) run from
 * the user's recorded lengths (sim/workload/inferencePerf/datasets.ts): the filter to
 * [min, max] of input_/output_distribution (min 10), max_tokens = the recorded completion, request
 * i of a stage = surviving record i mod K, each stage restarting at record 0. Numbers derived by
 * hand from test/fixtures/inference-perf/datasets/lengths.{jsonl,csv} (records a..h):
 *
 *   a 5/50  b 100/20  c 3000/100  d 500/200  e 2048/128  f 10/10  g 400/9  h 1000/64  (input/output)
 *
 * - prefill-heavy (in [10, 2048], out [10, 128]): b, e, f, h → K 4, mean in 3158/4, out 222/4.
 * - decode-heavy (in [10, 1024], out [10, 2048]): b, d, f, h → K 4, mean in 1610/4, out 294/4.
 * - benchmark-values (no distributions: [10, ∞) both): b, c, d, e, f, h → K 6, Σin 6658, Σout 522.
 *
 * Also the 300-request ShareGPT sample in ../shared/data (skipped with a printed reason when absent).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { inferencePerfStream, readInferencePerfConfig, type InferencePerfConfig } from '../sim/workload/inferencePerf/index.js';
import type { SimRequest } from '../sim/workload/request.js';
import { userErrorOf } from './helpers.js';

const DIR = fileURLToPath(new URL('./fixtures/inference-perf/', import.meta.url));
const JSONL = join(DIR, 'datasets', 'lengths.jsonl');
const CSV = join(DIR, 'datasets', 'lengths.csv');
const gaie = (n: string, lengths?: string) => readInferencePerfConfig(join(DIR, 'gaie', `${n}.yaml`), lengths);
const SAMPLE = fileURLToPath(new URL('../../shared/data/validation/llmservingsim_vllm_bench/RTXPRO6000_Llama-3.1-8B_requests.jsonl', import.meta.url));

function open(c: InferencePerfConfig, seed = 3): SimRequest[] {
  const it = inferencePerfStream(c, { seed, limits: {}, defaultAdapterRank: 8, closedLoop: false }, null);
  const out: SimRequest[] = [];
  for (let n = it.next(); !n.done; n = it.next()) out.push(n.value);
  return out;
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const tmp = () => mkdtempSync(join(tmpdir(), 'routesim-datasets-'));

describe('real-text datasets from recorded lengths', () => {
  it.for([
    ['prefill-heavy', [100, 2048, 10, 1000], [20, 128, 10, 64]],
    ['decode-heavy', [100, 500, 10, 1000], [20, 200, 10, 64]],
    ['benchmark-values', [100, 3000, 500, 2048, 10, 1000], [20, 100, 200, 128, 10, 64]],
    ['multilora', [100, 3000, 500, 2048, 10, 1000], [20, 100, 200, 128, 10, 64]],
  ] as const)('%s: the survivors of the filter, in file order (JSONL and CSV alike)', ([name, input, output]) => {
    for (const file of [JSONL, CSV]) {
      const c = gaie(name, file);
      expect(c.data).toMatchObject({ type: 'dataset', records: 8, input, output });
    }
  });

  it('prefill-heavy: means of one pass over the survivors are 3158/4 and 222/4; max_tokens = the recorded completion', () => {
    const rs = open(gaie('prefill-heavy', JSONL)).slice(0, 4);
    expect(sum(rs.map((r) => r.inputTokens)) / 4).toBe(789.5);
    expect(sum(rs.map((r) => r.outputTokens)) / 4).toBe(55.5);
    expect(rs.map((r) => [r.inputTokens, r.outputTokens])).toEqual([[100, 20], [2048, 128], [10, 10], [1000, 64]]);
  });

  it('benchmark-values: 200 / 400 / 600 requests, request i = survivor i mod 6, each stage restarting at survivor 0', () => {
    const rs = open(gaie('benchmark-values', JSONL));
    expect(rs).toHaveLength(1200);
    const ins = [100, 3000, 500, 2048, 10, 1000];
    const stageStart = [0, 200, 600];
    stageStart.forEach((s, k) => {
      const n = [200, 400, 600][k]!;
      const stage = rs.slice(s, s + n);
      // 200 = 33·6 + 2: 33 passes (Σ 6658 each) + b + c.
      const expected = Math.floor(n / 6) * 6658 + sum(ins.slice(0, n % 6));
      expect(sum(stage.map((r) => r.inputTokens))).toBe(expected);
      expect(stage[0]!.inputTokens).toBe(100);
    });
    expect(sum(rs.slice(0, 200).map((r) => r.inputTokens))).toBe(222814);
    // Output 522 per pass of 6: stage 2 (600 = 100 passes) sums to 52200.
    expect(sum(rs.slice(600).map((r) => r.outputTokens))).toBe(52200);
    // A repeated record resends the same prompt content (prefix-cacheable), distinct records differ.
    expect(rs[6]!.segments).toEqual(rs[0]!.segments);
    expect(rs[1]!.segments[0]!.content).not.toBe(rs[0]!.segments[0]!.content);
  });

  it('explicit bounds: min and max are inclusive; the Distribution defaults (min 10, max 1024) apply to a given one', () => {
    const d = join(tmp(), 'ip.yaml');
    writeFileSync(d, 'load: {stages: [{rate: 1, duration: 8}]}\ndata: {type: shareGPT, input_distribution: {min: 100}, output_distribution: {max: 100}}\n');
    // in [100, 1024]: b, d, h (c 3000 and e 2048 > 1024); out [10, 100]: b 20, h 64 (d 200 > 100).
    expect(readInferencePerfConfig(d, JSONL).data).toMatchObject({ input: [100, 1000], output: [20, 64] });
  });

  it('without the lengths: one line naming data.type and the option', () => {
    const msg = userErrorOf(() => gaie('benchmark-values'));
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/gaie\/benchmark-values\.yaml: data\.type: shareGPT replays real text whose length histogram routesim does not have \(fix: .*workload\.trace\.dataset_lengths.*--dataset-lengths/);
  });

  it('a bad record, or none surviving, is a one-line error naming the file and line', () => {
    const d = tmp();
    const bad = join(d, 'bad.jsonl');
    writeFileSync(bad, '{"input_tokens": 100, "output_tokens": 20}\n{"input_tokens": 100}\n');
    expect(userErrorOf(() => gaie('benchmark-values', bad))).toMatch(/bad\.jsonl: line 2: no output token count \(fix: name it one of output_tokens, output_toks, completion_tokens\)$/);
    const neg = join(d, 'neg.csv');
    writeFileSync(neg, 'input_tokens,output_tokens\n100,-3\n');
    expect(userErrorOf(() => gaie('benchmark-values', neg))).toMatch(/neg\.csv: line 2: output_tokens: expected an integer ≥ 0, got "-3" \(fix: /);
    const none = join(d, 'none.jsonl');
    writeFileSync(none, '{"input_tokens": 5, "output_tokens": 5}\n');
    expect(userErrorOf(() => gaie('prefill-heavy', none))).toMatch(/none\.jsonl: none of its 1 records has input tokens in \[10, 2048\] and output tokens in \[10, 128\]/);
  });

  it('a scenario runs prefill-heavy with workload.trace.dataset_lengths (relative to the scenario); other trace formats refuse the key', () => {
    const d = tmp();
    writeFileSync(join(d, 'lengths.jsonl'), readFileSync(JSONL));
    const sc = parseScenario(`name: t\nseed: 5\nrequests: 40\nfleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: ${join(DIR, 'gaie', 'prefill-heavy.yaml')}, format: inference-perf, dataset_lengths: lengths.jsonl}\npolicies: [round-robin]\n`, join(d, 's.yaml'));
    const run = runPolicy(sc, sc.policies[0]!);
    expect(run.records).toHaveLength(40);
    expect(run.records.every((r) => r.outcome === 'completed')).toBe(true);
    // 40 = 10 passes over b, e, f, h.
    expect(sum(run.records.map((r) => r.inputTokens))).toBe(31580);
    expect(sum(run.records.map((r) => r.outputTokens))).toBe(2220);
    const azure = join(d, 'a.csv');
    writeFileSync(azure, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00.0,10,10\n');
    expect(userErrorOf(() => parseScenario(`name: t\nfleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: a.csv, dataset_lengths: lengths.jsonl}\npolicies: [round-robin]\n`, join(d, 's.yaml')))).toMatch(/workload\.trace\.dataset_lengths: applies to inference-perf configs/);
  });

  it('multilora: the LoRA split applies to dataset requests', () => {
    const rs = open(gaie('multilora', JSONL));
    expect(rs.every((r) => r.adapter !== null && /^adapter-\d+$/.test(r.adapter))).toBe(true);
  });
});

describe('the 300-request ShareGPT sample (../shared/data)', () => {
  const present = existsSync(SAMPLE);
  if (!present) console.log(`skipping the ShareGPT sample tests: ${SAMPLE} is absent (../shared/data is not on this machine)`);
  it.skipIf(!present)('benchmark-values reads its input_toks / output_toks: every record survives [10, ∞), request i = record i mod 300', () => {
    // Independent of the reader: the sample's records as plain JSON.
    const recs = readFileSync(SAMPLE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { input_toks: number; output_toks: number });
    const kept = recs.filter((r) => r.input_toks >= 10 && r.output_toks >= 10);
    expect(kept).toHaveLength(300);
    const rs = open(gaie('benchmark-values', SAMPLE));
    expect(rs).toHaveLength(1200);
    const starts = [0, 200, 600];
    rs.forEach((r, id) => {
      const s = id >= 600 ? 2 : id >= 200 ? 1 : 0;
      const k = kept[(id - starts[s]!) % 300]!;
      expect([r.inputTokens, r.outputTokens]).toEqual([k.input_toks, k.output_toks]);
    });
    // Stage 2 = two whole passes: its means are the sample's (README: input mean 857, output 653).
    const st2 = rs.slice(600);
    expect(sum(st2.map((r) => r.inputTokens)) / 600).toBeCloseTo(sum(kept.map((r) => r.input_toks)) / 300, 9);
    expect(Math.round(sum(st2.map((r) => r.inputTokens)) / 600)).toBe(857);
    expect(Math.round(sum(st2.map((r) => r.outputTokens)) / 600)).toBe(653);
  });

  it.skipIf(!present)('benchmark-values runs on it in the simulator', () => {
    const sc = parseScenario(`name: t\nseed: 5\nfleet: {replicas: 4, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: ${join(DIR, 'gaie', 'benchmark-values.yaml')}, format: inference-perf, dataset_lengths: ${SAMPLE}}\npolicies: [round-robin]\n`, join(DIR, 't.yaml'));
    const run = runPolicy(sc, sc.policies[0]!);
    expect(run.records).toHaveLength(1200);
    expect(run.records.filter((r) => r.outcome === 'completed')).toHaveLength(1200);
  });
});
