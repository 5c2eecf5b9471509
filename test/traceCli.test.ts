/**
 * `routesim trace inspect|convert|synth` and `routesim run` with a trace (replay flags, --trace-out,
 * the trace statistics in the results), end to end through the built CLI (npm test builds first).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { ROOT, routesim } from './cliHelpers.js';

const dir = mkdtempSync(join(tmpdir(), 'routesim-trace-cli-'));
const MOONCAKE = join(dir, 'mc.jsonl');
writeFileSync(
  MOONCAKE,
  Array.from({ length: 40 }, (_, i) => JSON.stringify({ timestamp: Math.floor(i / 4) * 3000, input_length: 600 + 10 * i, output_length: 5 + (i % 7), hash_ids: [0, i + 1] })).join('\n') + '\n',
);
const SCENARIO = join(dir, 'replay.yaml');
writeFileSync(
  SCENARIO,
  `name: replay
seed: 4
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
  trace: {path: mc.jsonl, jitter_s: 3}
policies: [round-robin, least-requests]
`,
);

describe('routesim trace', { timeout: 60_000 }, () => {
  it('inspect prints the statistics; --json gives them as data', () => {
    const r = routesim(['trace', 'inspect', MOONCAKE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rows\s+40\n/);
    expect(r.stdout).toMatch(/time span\s+27\.0 s/); // last grid slot 9 · 3 s
    expect(r.stdout).toMatch(/ideal prefix reuse\s+\d/);
    const j = JSON.parse(routesim(['trace', 'inspect', MOONCAKE, '--json', '--rate-scale', '3']).stdout);
    expect(j.format).toBe('mooncake');
    expect(j.rows).toBe(40);
    expect(j.span_s).toBe(9); // 27 s / 3
    // Every request after the first reuses hash block 0 (512 of its tokens): 39 of 80 blocks.
    expect(j.prefix_reuse.reused_blocks).toBe(39);
  });

  it('convert between formats; the routesim copy inspects the same as the original', () => {
    const out = join(dir, 'conv.jsonl.gz');
    const r = routesim(['trace', 'convert', MOONCAKE, out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote 40 requests to ${out}\n`);
    const a = JSON.parse(routesim(['trace', 'inspect', MOONCAKE, '--json']).stdout);
    const b = JSON.parse(routesim(['trace', 'inspect', out, '--json']).stdout);
    expect({ ...b, file: null, format: null }).toEqual({ ...a, file: null, format: null });
    const az = routesim(['trace', 'convert', MOONCAKE, join(dir, 'az.csv'), '--to-format', 'azure']);
    expect(az.code).toBe(0);
    expect(az.stderr).toMatch(/note: the output format cannot hold prompt structure/);
    expect(routesim(['trace', 'inspect', join(dir, 'az.csv'), '--json']).stdout).toMatch(/"rows": 40/);
    const blis = routesim(['trace', 'convert', MOONCAKE, join(dir, 'b.csv')]);
    expect(blis.code).toBe(0);
    expect(existsSync(join(dir, 'b.yaml'))).toBe(true);
  });

  it('synth writes a generated workload (scenario workload without a fleet, or an inference-perf config)', () => {
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, 'seed: 9\nrequests: 25\nworkload:\n  arrival: {process: poisson, rate: 5}\n  input: 100\n  output: 10\n');
    expect(routesim(['trace', 'synth', spec, join(dir, 's.jsonl')]).stdout).toBe(`wrote 25 requests to ${join(dir, 's.jsonl')}\n`);
    expect(readFileSync(join(dir, 's.jsonl'), 'utf8').trim().split('\n')).toHaveLength(25);
    const ip = join(dir, 'ip.yaml');
    writeFileSync(ip, 'load: {type: constant, stages: [{rate: 3, duration: 4}]}\ndata: {type: shared_prefix, shared_prefix: {num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 50, question_len: 5, output_len: 4}}\n');
    expect(routesim(['trace', 'synth', ip, join(dir, 'ip.jsonl')]).stdout).toMatch(/^wrote 12 requests/);
    // A pools scenario (issue 10) is a whole scenario too: its requests carry their model names.
    const pools = routesim(['trace', 'synth', join(ROOT, 'scenarios', 'multi-model.yaml'), join(dir, 'mm.jsonl'), '--requests', '30']);
    expect(pools.code).toBe(0);
    const models = new Set(readFileSync(join(dir, 'mm.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { model?: string }).model));
    expect(models).toEqual(new Set(['Llama-3.1-8B', 'Qwen3-14B']));
    const closed = join(dir, 'closed.yaml');
    writeFileSync(closed, 'requests: 5\nworkload:\n  input: 5\n  output: 5\n  sessions: {mode: closed, users: 2, turns: 2}\n');
    const r = routesim(['trace', 'synth', closed, join(dir, 'c.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^routesim: .*closed.yaml: workload.sessions.mode: closed-loop sessions depend on simulated response times/);
  });

  it('malformed rows: one line naming file, line and field, exit 2; --skip-bad-rows reports the count', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.97,10,2\n2023-11-16 18:17:04.00,ten,2\n2023-11-16 18:17:05.00,10,2\n');
    const r = routesim(['trace', 'inspect', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`routesim: ${bad}: line 3: ContextTokens: expected an integer ≥ 1, got "ten" (fix: give ContextTokens as an integer ≥ 1 (tokens), or pass --skip-bad-rows to skip such rows)\n`);
    const s = routesim(['trace', 'inspect', bad, '--skip-bad-rows', '--json']);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ rows: 2, skipped_rows: 1 });
    expect(s.stderr).toMatch(/skipped .*line 3: ContextTokens/);
    expect(routesim(['trace', 'inspect', join(dir, 'nope.jsonl')]).stderr).toMatch(/nope.jsonl: file not found/);
    expect(routesim(['trace', 'inspect', MOONCAKE, '--sample', '2']).stderr).toBe('routesim: --sample: must be > 0 and ≤ 1 (fraction of rows), got 2 (fix: pass a value > 0 and ≤ 1 (fraction of rows), e.g. --sample 0.25)\n');
  });
});

describe('routesim run with a trace', { timeout: 60_000 }, () => {
  it('prints the trace statistics beside the results and carries them in the JSON; byte-identical reruns', () => {
    const r = routesim(['run', SCENARIO, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.trace.rows).toBe(40);
    expect(doc.scenario.workload.source).toMatchObject({ kind: 'trace', format: 'mooncake', jitter_s: 3 });
    expect(doc.policies[0].summary.arrived).toBe(40);
    expect(routesim(['run', SCENARIO, '--json']).stdout).toBe(r.stdout);
    const table = routesim(['run', SCENARIO]).stdout;
    expect(table).toMatch(/^trace .*mc.jsonl \(mooncake\) as replayed:\n {2}rows\s+40/);
    expect(table).toMatch(/\nround-robin\s/);
  });

  it('replay flags override the scenario: --rate-scale 2 halves the span, --to cuts the window', () => {
    const a = JSON.parse(routesim(['run', SCENARIO, '--json', '--rate-scale', '2', '--to', '15']).stdout);
    expect(a.trace.rows).toBe(20); // slots 0, 3, …, 12 s: 5 slots × 4 rows
    expect(a.trace.span_s).toBeLessThanOrEqual(7.5); // (12 s + < 3 s jitter) / 2
    expect(a.scenario.workload.source).toMatchObject({ rate_scale: 2, to_s: 15 });
    const e = routesim(['run', join(ROOT, 'scenarios', 'quickstart.yaml'), '--from', '5']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^routesim: --from: applies to trace workloads/);
  });

  it('--trace-out writes one BLIS TraceV2 pair per policy with every request and its outcome', () => {
    const out = join(dir, 'rec', 'run.csv');
    const r = routesim(['run', SCENARIO, '--trace-out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'rec')).sort()).toEqual(['run.least-requests.csv', 'run.least-requests.yaml', 'run.round-robin.csv', 'run.round-robin.yaml']);
    const rows = readFileSync(join(dir, 'rec', 'run.round-robin.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('request_id,client_id,tenant_id,slo_class,session_id,round_index,prefix_group,prefix_length,streaming,input_tokens,output_tokens,model,deadline_us,arrival_time_us,send_time_us,first_chunk_time_us,last_chunk_time_us,num_chunks,status,error_message,finish_reason,adapter,think_time_us');
    expect(rows).toHaveLength(41);
    const head = readFileSync(join(dir, 'rec', 'run.round-robin.yaml'), 'utf8');
    expect(head).toMatch(/trace_version: 2/);
    expect(head).toMatch(/mode: replayed/);
    // The recorded run replays: same arrivals and lengths as the original trace's replay.
    const back = JSON.parse(routesim(['trace', 'inspect', join(dir, 'rec', 'run.round-robin.csv'), '--json']).stdout);
    const orig = JSON.parse(routesim(['run', SCENARIO, '--json']).stdout).trace;
    expect([back.rows, back.span_s, back.input_tokens, back.output_tokens]).toEqual([orig.rows, orig.span_s, orig.input_tokens, orig.output_tokens]);
    const cols = rows[1]!.split(',');
    expect(cols[18]).toBe('ok');
    expect(Number(cols[16])).toBeGreaterThan(Number(cols[15])); // last chunk after first
  });
});
