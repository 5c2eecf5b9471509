/**
 * llm-d-benchmark Benchmark Reports v0.2.1 out of a simulation (`routesim run --benchmark-report`,
 * reports/benchmarkReport/): the hand-written JSON Schema accepts the reference's example and
 * rejects what the reference says is invalid; every written report passes it (checked here with a
 * validator compiled independently of the writer's), and its figures follow from the requests CSV
 * of a 1-replica run; ids are deterministic, shared and distinct as the reference says.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { benchmarkReport, uuid5 } from '../reports/benchmarkReport/build.js';
import { simStages } from '../reports/inferencePerf/stages.js';
import { parseScenario } from '../sim/scenario/load.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import { reportProblems } from '../reports/benchmarkReport/validate.js';
import { ROOT, routesim } from './cliHelpers.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schema = JSON.parse(readFileSync(join(ROOT, 'reports', 'benchmarkReport', 'schema-v0.2.1.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

type Obj = Record<string, any>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** The example of ../shared/reference/formats.md §4 ("passes the JSON schema and the pydantic model"). */
const EXAMPLE: Obj = {
  version: '0.2.1',
  run: { uid: '3f1c2a9e-7b4d-4e0a-9c61-2d8f5b0e4a17', eid: '9a0d6c1e-52b3-5f7e-8c14-6e2b7d9f0a35', time: { start: '2026-12-05T00:00:00Z', duration: 'PT38S' }, description: 'SIMULATED (routesim 0.1.0): gaie short-questions__many-system-prompts, stage 3' },
  scenario: {
    stack: [
      {
        metadata: { label: 'vllm-sim-0', cfg_id: '5d1e' },
        standardized: { kind: 'inference_engine', tool: 'vllm', tool_version: 'simulated', role: 'replica', replicas: 8, model: { name: 'Qwen/Qwen3-32B' }, accelerator: { model: 'NVIDIA-H100-80GB-HBM3', count: 1, parallelism: { tp: 1 } } },
        native: { args: { 'max-num-seqs': 256 } },
      },
    ],
    load: {
      metadata: { cfg_id: 'c0ff' },
      standardized: { tool: 'routesim', tool_version: '0.1.0', source: 'random', stage: 3, rate_qps: 20, input_seq_len: { distribution: 'fixed', value: 7200 }, prefix: { prefix_len: { distribution: 'fixed', value: 6000 }, num_groups: 150, num_users_per_group: 5, num_prefixes: 1 } },
      native: { config: { load: { type: 'poisson', stages: [{ rate: 20, duration: 38 }] } } },
    },
  },
  results: {
    request_performance: {
      aggregate: {
        requests: { total: 760, failures: 0 },
        latency: { time_to_first_token: { units: 's', mean: 0.41, p50: 0.29, p99: 1.62 }, time_per_output_token: { units: 's/token', mean: 0.0281, p99: 0.0342 } },
        throughput: { request_rate: { units: 'queries/s', mean: 18.54 } },
      },
    },
    observability: { components: [{ component_label: 'vllm-sim-0', aggregate: { kv_cache_usage: { units: 'percent', mean: 61.3, max: 91.2 } } }] },
  },
};

describe('the v0.2.1 JSON Schema (written from formats.md §4)', () => {
  it('accepts the reference example, with both validators', () => {
    expect(validate(EXAMPLE)).toBe(true);
    expect(reportProblems(EXAMPLE)).toEqual([]);
  });

  const broken: [string, (r: Obj) => void][] = [
    ['an unknown top-level key', (r) => (r.extra = 1)],
    ['an unknown key in run', (r) => (r.run.owner = 'me')],
    ['a missing run.uid', (r) => delete r.run.uid],
    ['a null (nulls are omitted)', (r) => (r.run.description = null)],
    ['another version', (r) => (r.version = '0.2')],
    ['an unknown unit', (r) => (r.results.request_performance.aggregate.latency.time_to_first_token.units = 'seconds')],
    ['a TTFT in s/token', (r) => (r.results.request_performance.aggregate.latency.time_to_first_token.units = 's/token')],
    ['a Statistics without mean', (r) => delete r.results.request_performance.aggregate.throughput.request_rate.mean],
    ['a non-integer concurrency (no +inf in JSON)', (r) => (r.scenario.load.standardized.concurrency = 'inf')],
    ['rate_qps 0', (r) => (r.scenario.load.standardized.rate_qps = 0)],
    ['an engine role other than replica / prefill / decode', (r) => (r.scenario.stack[0].standardized.role = 'router')],
    ['zero replicas', (r) => (r.scenario.stack[0].standardized.replicas = 0)],
    ['an unknown key in an engine', (r) => (r.scenario.stack[0].standardized.gpus = 8)],
    ['a bad load source', (r) => (r.scenario.load.standardized.source = 'synthetic')],
    ['a uid that is no UUID', (r) => (r.run.uid = 'run-1')],
    ['a duration that is no ISO 8601 duration', (r) => (r.run.time.duration = '38s')],
  ];
  for (const [what, edit] of broken) {
    it(`rejects ${what}`, () => {
      const r = clone(EXAMPLE);
      edit(r);
      expect(validate(r)).toBe(false);
      expect(reportProblems(r).length).toBeGreaterThan(0);
    });
  }

  it('allows free keys where the reference does: observability, generic components, inside Statistics', () => {
    const r = clone(EXAMPLE);
    r.results.observability.anything = { x: 1 };
    r.results.request_performance.aggregate.latency.time_to_first_token.note = 'dropped by pydantic';
    r.scenario.stack.push({ metadata: { label: 'Inference Scheduler (EPP)', cfg_id: 'ab' }, standardized: { kind: 'generic', tool: 'epp', tool_version: 'simulated', scorer: 'prefix' }, native: { config: {} } });
    expect(validate(r)).toBe(true);
  });

  it('uuid5 is RFC 4122 version 5 in the URL namespace (value from Python: uuid.uuid5(uuid.NAMESPACE_URL, "http://python.org"))', () => {
    expect(uuid5('http://python.org')).toBe('50960143-e2b7-5b7a-9ca7-05375f51d5c1');
  });
});

const TINY = `
name: tiny
seed: 1
requests: 4
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B, tp: 1}
workload:
  arrival: {process: constant, rate: 1}
  input: {dist: constant, value: 100}
  output: {dist: constant, value: 10}
report: {warmup_s: 0}
policies: [round-robin, {name: gaie, epp: default}]
`;

const LADDER = `
name: ladder
seed: 1
duration_s: 8
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B, tp: 1}
workload:
  arrival: {process: constant, stages: [{rate: 1, duration_s: 4}, {rate: 0, duration_s: 1}, {rate: 2, duration_s: 3}]}
  shared_prefix: {num_groups: 2, num_prompts_per_group: 3, system_prompt_len: 300, question_len: 40}
  output: {dist: uniform, min: 5, max: 30}
policies: [round-robin, least-requests]
`;

const tmp = mkdtempSync(join(tmpdir(), 'routesim-br-'));
const readJson = (f: string): Obj => JSON.parse(readFileSync(f, 'utf8')) as Obj;

/** Every key path of a JSON value (to find nulls and forbidden fields). */
function walk(v: unknown, path: string, out: [string, unknown][]): [string, unknown][] {
  out.push([path, v]);
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, out);
  return out;
}

describe('routesim run --benchmark-report', () => {
  writeFileSync(join(tmp, 'tiny.yaml'), TINY);
  writeFileSync(join(tmp, 'ladder.yaml'), LADDER);

  it('a 1-replica run: one valid report per policy whose figures follow from the requests CSV', () => {
    const r = routesim(['run', 'tiny.yaml', '--benchmark-report', 'br', '--requests-csv', 'req.csv'], tmp);
    expect(r.code).toBe(0);
    expect(readdirSync(join(tmp, 'br')).sort()).toEqual(['gaie', 'round-robin']);
    const rep = readJson(join(tmp, 'br', 'round-robin', 'stage_0_benchmark_report.json'));
    expect(validate(rep), JSON.stringify(validate.errors)).toBe(true);
    const [head, first] = readFileSync(join(tmp, 'req.csv'), 'utf8').split('\n');
    const row = Object.fromEntries(first!.split(',').map((v, i) => [head!.split(',')[i], v]));
    const ttft = Number(row.ttft_ms) / 1000;
    const e2e = Number(row.e2e_ms) / 1000;
    const agg = rep.results.request_performance.aggregate;
    expect(agg.requests).toMatchObject({ total: 4, failures: 0, input_length: { units: 'count', mean: 100 }, output_length: { units: 'count', mean: 10 } });
    // Four identical, non-overlapping requests: every statistic of TTFT is the one value, stddev 0.
    expect(agg.latency.time_to_first_token).toMatchObject({ units: 's', stddev: 0 });
    for (const k of ['mean', 'min', 'p0p1', 'p50', 'p99p9', 'max']) expect(agg.latency.time_to_first_token[k]).toBeCloseTo(ttft, 9);
    expect(agg.latency.request_latency.p99).toBeCloseTo(e2e, 9);
    expect(agg.latency.time_per_output_token.units).toBe('s/token');
    expect(agg.latency.normalized_time_per_output_token.mean).toBeCloseTo(e2e / 10, 9);
    expect(agg.latency.inter_token_latency.units).toBe('s/token');
    // Rates over the span from the first send (0 s) to the last response (3 s + E2E).
    expect(agg.throughput.request_rate).toEqual({ units: 'queries/s', mean: expect.closeTo(4 / (3 + e2e), 9) });
    expect(agg.throughput.output_token_rate.mean).toBeCloseTo(40 / (3 + e2e), 9);
    expect(agg.throughput.total_token_rate.mean).toBeCloseTo(440 / (3 + e2e), 9);
    expect(rep.run.time).toEqual({ start: '1970-01-01T00:00:00Z', duration: 'PT3S' });
    expect(rep.run.description).toMatch(/^SIMULATED \(routesim [^)]+\): tiny, policy round-robin, stage 0$/);
    expect(rep.scenario.load.standardized).toMatchObject({ tool: 'routesim', source: 'random', stage: 0, rate_qps: 1, input_seq_len: { distribution: 'fixed', value: 100 }, output_seq_len: { distribution: 'fixed', value: 10 } });
    expect(rep.scenario.load.standardized.concurrency).toBeUndefined();
    const engine = rep.scenario.stack[0];
    expect(engine.standardized).toEqual({ kind: 'inference_engine', tool: 'vllm', tool_version: 'simulated', role: 'replica', replicas: 1, model: { name: 'Llama-3.1-8B' }, accelerator: { model: 'H100', count: 1, parallelism: { tp: 1, dp: 1, dp_local: 1, pp: 1 } } });
    expect(engine.metadata.cfg_id).toMatch(/^[0-9a-f]{64}$/);
    expect(rep.scenario.stack[1].metadata.label).toBe('Router (round-robin)');
    const gaie = readJson(join(tmp, 'br', 'gaie', 'stage_0_benchmark_report.json'));
    expect(gaie.scenario.stack[1].metadata.label).toBe('Inference Scheduler (EPP)');
    expect(gaie.run.eid).not.toBe(rep.run.eid);
    expect(rep.results.observability.components.map((c: Obj) => [c.component_label, c.replica_id])).toEqual([[engine.metadata.label, 'replica-0']]);
  });

  it('marks what a simulation cannot know by omitting it: no nulls, none of the n/a fields', () => {
    const rep = readJson(join(tmp, 'br', 'round-robin', 'stage_0_benchmark_report.json'));
    const paths = walk(rep, '', []);
    expect(paths.filter(([, v]) => v === null)).toEqual([]);
    const keys = new Set(paths.map(([p]) => p.slice(p.lastIndexOf('.') + 1)));
    for (const k of ['cid', 'pid', 'user', 'keywords', 'gpu_memory_usage', 'gpu_utilization', 'power_consumption', 'swapped_requests', 'component_health', 'profiling', 'request_size', 'session_performance', 'pod_startup_times', 'replica_status']) expect(keys.has(k), k).toBe(false);
  });

  it('a ladder: one report per policy and stage, the eid shared by a policy\'s stages, uids distinct, byte-identical on a re-run', () => {
    const a = routesim(['run', 'ladder.yaml', '--benchmark-report', 'lbr', '--out', 'lad.json'], tmp);
    expect(a.code).toBe(0);
    routesim(['run', 'ladder.yaml', '--benchmark-report', 'lbr2'], tmp);
    const stages = readJson(join(tmp, 'lad.json')).policies[0].summary.stages as Obj[];
    const reps: Obj[] = [];
    for (const policy of ['round-robin', 'least-requests']) {
      expect(readdirSync(join(tmp, 'lbr', policy)).sort()).toEqual(['stage_0_benchmark_report.json', 'stage_1_benchmark_report.json']);
      for (const f of ['stage_0_benchmark_report.json', 'stage_1_benchmark_report.json']) {
        const text = readFileSync(join(tmp, 'lbr', policy, f), 'utf8');
        expect(readFileSync(join(tmp, 'lbr2', policy, f), 'utf8')).toBe(text);
        const rep = JSON.parse(text) as Obj;
        expect(validate(rep), JSON.stringify(validate.errors)).toBe(true);
        reps.push(rep);
      }
    }
    const [rr0, rr1, lr0] = reps;
    expect(rr0!.run.eid).toBe(rr1!.run.eid);
    expect(rr0!.run.uid).not.toBe(rr1!.run.uid);
    expect(lr0!.run.eid).not.toBe(rr0!.run.eid);
    expect(new Set(reps.map((r) => r.run.uid)).size).toBe(4);
    // Stage 1 starts after 4 s of 1 req/s and a 1-s pause: at 5 s, 2 req/s, the 6 requests sent then.
    expect(rr1!.scenario.load.standardized).toMatchObject({ stage: 1, rate_qps: 2, prefix: { prefix_len: { value: 300 }, num_groups: 2, num_users_per_group: 3, num_prefixes: 1 } });
    expect(rr1!.run.time.start).toBe('1970-01-01T00:00:05Z');
    expect(rr1!.results.request_performance.aggregate.requests.total).toBe(stages[1]!.arrived);
    expect(rr1!.results.request_performance.aggregate.latency.time_to_first_token.p99 * 1000).toBeCloseTo(stages[1]!.ttft_ms.p99, 3);
    // Each stage's pooled ITL (its requests' token gaps; test/stageItl.test.ts derives them by hand).
    expect(rr1!.results.request_performance.aggregate.latency.inter_token_latency.units).toBe('s/token');
    // Two replicas, one observability component each, labelled with the engine's stack label.
    expect(rr1!.results.observability.components.map((c: Obj) => c.replica_id)).toEqual(['replica-0', 'replica-1']);
  });

  it('a stage nobody arrived in still gives a valid report: zero requests, no statistics, no rate', () => {
    const sc = parseScenario(LADDER, 'ladder.yaml');
    const run: PolicyRun = { policy: 'round-robin', policyType: 'round-robin', records: [], replicas: [], itl: new Map(), endUs: 0 };
    const stages = simStages(sc, []);
    expect(stages.map((st) => st.records.length)).toEqual([0, 0]);
    const rep = benchmarkReport({ scenario: sc, policy: sc.policies[0]!, run, version: '0', workHash: 'h', stageCount: 2 }, stages[1]!);
    expect(validate(rep), JSON.stringify(validate.errors)).toBe(true);
    expect((rep as Obj).results.request_performance.aggregate).toEqual({ requests: { total: 0, failures: 0 }, latency: {}, throughput: {} });
    expect((rep as Obj).run.time.duration).toBe('PT0S');
  });

  it('writes nothing when another output cannot be written (all or nothing)', () => {
    writeFileSync(join(tmp, 'afile'), 'x');
    const r = routesim(['run', 'tiny.yaml', '--benchmark-report', 'none', '--out', 'afile/res.json'], tmp);
    expect(r.code).toBe(2);
    expect(readdirSync(tmp)).not.toContain('none');
  });
});
