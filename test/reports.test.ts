import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completedRecord } from './fixtures.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { summarize, type PolicySummary } from '../sim/metrics/summary.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { openAtomicStream, writeFileAtomic } from '../reports/atomicWrite.js';
import { REQUESTS_CSV_COLUMNS, requestsCsvHeader, requestsCsvRows } from '../reports/requestsCsv.js';
import { buildResultsDocument, serialiseResults } from '../reports/results.js';
import { renderComparisonTable } from '../reports/table.js';

const rec = completedRecord;

/*
 * Run with TTFTs 100/200/400 ms (p50 200, p99 396), TPOTs 100/400 ms (p50 250, p99 397),
 * E2Es 1100/200/2000 ms (p99 1982 ms = 1.98 s), 17 output tokens over 2.1 s (8.0952 tok/s → 8.1),
 * 3/2.1 = 1.4286 req/s (→ 1.43), cache hits 96/600 = 16.0 %, 3 preemptions, share counts 2,1,1 → CV 0.354.
 */
function run(): PolicyRun {
  return {
    policy: 'rr',
    policyType: 'round-robin',
    records: [
      rec({ id: 0, arrivalUs: 0, firstTokenUs: 100_000, lastTokenUs: 1_100_000, outputTokens: 11 }),
      rec({ id: 1, arrivalUs: 50_000, firstTokenUs: 250_000, lastTokenUs: 250_000, outputTokens: 1, replica: 1 }),
      rec({ id: 2, arrivalUs: 100_000, firstTokenUs: 500_000, lastTokenUs: 2_100_000, outputTokens: 5, replica: 2 }),
      rec({ id: 3, arrivalUs: 150_000, outcome: 'rejected', reason: 'prompt-too-long', replica: -1, dispatchUs: -1, enqueueUs: -1, scheduledUs: -1, firstTokenUs: -1, lastTokenUs: -1 }),
    ],
    replicas: [
      { name: 'r-0', pool: 0, gpu: 'H100', role: '', requests: 2, completed: 1, inputTokens: 100, outputTokens: 11, prefixQueryTokens: 400, prefixHitTokens: 96, preemptions: 3, loraLoads: 0, steps: 10, busyUs: 1_000_000, numGpuBlocks: 100 },
      { name: 'r-1', pool: 0, gpu: 'H100', role: '', requests: 1, completed: 1, inputTokens: 100, outputTokens: 1, prefixQueryTokens: 200, prefixHitTokens: 0, preemptions: 0, loraLoads: 0, steps: 1, busyUs: 200_000, numGpuBlocks: 100 },
      { name: 'r-2', pool: 0, gpu: 'H100', role: '', requests: 1, completed: 1, inputTokens: 100, outputTokens: 5, prefixQueryTokens: 0, prefixHitTokens: 0, preemptions: 0, loraLoads: 0, steps: 5, busyUs: 1_600_000, numGpuBlocks: 100 },
    ],
    itl: new Map([[100_000, 14]]),
    endUs: 2_100_000,
  };
}

const NO_SLO = { ttft_ms: null, tpot_ms: null } as const;

function goldenSummary(): PolicySummary {
  return summarize(run(), NO_SLO);
}

function emptySummary(): PolicySummary {
  return summarize({ policy: 'idle', policyType: 'random', records: [], replicas: [], itl: new Map(), endUs: 0 }, NO_SLO);
}

function scenario(): ScenarioConfig {
  return {
    name: 'unit',
    description: 'reports test',
    seed: 1,
    requests: 4,
    duration_s: null,
    fleet: {
      replicas: 3,
      gpu: 'H100',
      model: 'Llama-3.1-8B',
      tp: 1,
      engine: {
        max_num_seqs: 256,
        max_num_batched_tokens: 2048,
        long_prefill_token_threshold: 0,
        block_size: 16,
        gpu_memory_utilization: 0.9,
        num_gpu_blocks: 100,
        enable_prefix_caching: true,
        max_loras: 0,
        max_cpu_loras: 0,
        max_lora_rank: 16,
        scheduling: 'fcfs',
        max_model_len: null,
      },
    },
    step_time: {
      model: 'linear',
      coefficients: { beta0_us: 6472, beta1_us_per_prefill_token: 19.8, beta2_us_per_decode_token: 304.4 },
      overheads: { alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 },
    },
    lora_load: { base_us: 1500, host_gbps: 20, disk_gbps: 2 },
    gateway: { refresh_metrics_ms: 0, chars_per_token: 4, kv_events_delay_ms: 10, model_rewrites: [] },
    workload: {
      arrival: { process: 'poisson', rate: 10, cv: 1 },
      input: { kind: 'constant', value: 100 },
      output: { kind: 'constant', value: 10 },
      adapters: [],
      base_model_weight: 0,
      priorities: [],
    },
    policies: [
      { name: 'rr', type: 'round-robin' },
      { name: 'idle', type: 'random' },
    ],
    slo: { ttft_ms: 500, tpot_ms: null },
  };
}

describe('renderComparisonTable', () => {
  const rows = [
    { policy: 'rr', summary: goldenSummary() },
    { policy: 'idle-policy', summary: emptySummary() },
  ];
  const text = renderComparisonTable(rows);
  const lines = text.trimEnd().split('\n');

  it('has a header, a rule and one aligned line per policy', () => {
    expect(text.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(4);
    for (const h of ['policy', 'done', 'rej', 'TTFT p50 ms', 'TTFT p99 ms', 'TPOT p50 ms', 'TPOT p99 ms', 'E2E p99 s', 'out tok/s', 'goodput req/s', 'cache hit %', 'preempt', 'LoRA loads', 'share CV']) {
      expect(lines[0]).toContain(h);
    }
    expect(lines[1]).toMatch(/^[- ]+$/);
    // Last column is right-aligned, so every line has the same width.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[2]?.startsWith('rr ')).toBe(true);
    expect(lines[3]?.startsWith('idle-policy ')).toBe(true);
  });

  it('formats the golden row', () => {
    expect(lines[2]?.split(/\s+/)).toEqual(['rr', '3', '1', '0', '200.0', '396.0', '250.00', '397.00', '1.98', '8.1', '1.43', '16.0', '3', '0', '0.354']);
  });

  it('shows - for null latencies', () => {
    // Empty run: every latency null; counts and rates 0.
    expect(lines[3]?.split(/\s+/)).toEqual(['idle-policy', '0', '0', '0', '-', '-', '-', '-', '-', '0.0', '0.00', '0.0', '0', '0', '0.000']);
  });

  it('is deterministic and honours the gap option', () => {
    expect(renderComparisonTable(rows)).toBe(text);
    const wide = renderComparisonTable(rows, { gap: 4 });
    // Column widths do not depend on the gap, so the rule is the default one's dash runs joined by 4
    // spaces instead of 2. (The header alone cannot show it: 'policy' is padded to 'idle-policy'.)
    expect(wide.split('\n')[1]).toBe(lines[1]!.split('  ').join('    '));
    expect(wide.split('\n')[0]).toContain('policy    ');
    // No rows: header and rule only.
    expect(renderComparisonTable([]).trimEnd().split('\n')).toHaveLength(2);
  });
});

describe('results document', () => {
  it('echoes the scenario and lists policies in order', () => {
    const sc = scenario();
    const doc = buildResultsDocument({
      scenario: sc,
      routesimVersion: '0.1.0',
      runs: [
        { policy: 'rr', policyType: 'round-robin', summary: goldenSummary() },
        { policy: 'idle', policyType: 'random', summary: emptySummary() },
      ],
    });
    expect(doc.routesim).toEqual({ version: '0.1.0' });
    expect(doc.scenario).toEqual(sc);
    expect(doc.scenario).not.toBe(sc);
    expect(doc.policies.map((p) => [p.name, p.type])).toEqual([
      ['rr', 'round-robin'],
      ['idle', 'random'],
    ]);
    expect(doc.policies[0]?.summary.replicas).toHaveLength(3);
    expect(Object.keys(doc)).toEqual(['routesim', 'scenario', 'policies', 'workload_fingerprint']);
  });

  it('serialises to indented JSON with a trailing newline that round-trips', () => {
    const doc = buildResultsDocument({ scenario: scenario(), routesimVersion: '0.1.0', runs: [{ policy: 'rr', policyType: 'round-robin', summary: goldenSummary() }] });
    const json = serialiseResults(doc);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json).toContain('\n  "routesim": {\n    "version": "0.1.0"\n  },');
    expect(JSON.parse(json)).toEqual(doc);
    expect(serialiseResults(doc)).toBe(json);
  });
});

describe('requests CSV', () => {
  it('header lists the columns', () => {
    expect(requestsCsvHeader()).toBe(REQUESTS_CSV_COLUMNS.join(',') + '\n');
    expect(REQUESTS_CSV_COLUMNS).toHaveLength(24);
    expect(REQUESTS_CSV_COLUMNS.slice(-4)).toEqual(['tenant', 'detail', 'completion_overhead_ms', 'end_ms']);
  });

  it('one row per record, ms times, empty cells for missing times', () => {
    const text = requestsCsvRows('rr', run().records);
    const lines = text.trimEnd().split('\n');
    expect(text.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(4);
    // id 0: arrival 0, first token 100 ms, last 1100 ms, TTFT 100, E2E 1100; no tenant, no detail,
    // completion overhead 0 (the fixture ends at the last token), end 1100.
    expect(lines[0]).toBe('rr,0,completed,,,0,,0,100,11,0,0,0,0,0,100,1100,100,1100,0,,,0,1100');
    // Rejected: no replica, no times after arrival (the fixture has no end either).
    expect(lines[3]).toBe('rr,3,rejected,prompt-too-long,,,,0,100,10,0,150,,,,,,,,0,,,,');
  });

  it('gives the HTTP status of a request the gateway dropped', () => {
    const line = requestsCsvRows('p', [rec({ id: 4, arrivalUs: 0, outcome: 'dropped', reason: 'saturated', status: 429, replica: -1 })]);
    expect(line.startsWith('p,4,dropped,saturated,429,,')).toBe(true);
  });

  it('keeps sub-millisecond precision', () => {
    const line = requestsCsvRows('p', [rec({ id: 9, arrivalUs: 1_234_567, firstTokenUs: 1_300_000, lastTokenUs: 1_300_001, adapter: 'sql-lora', priority: 2 })]);
    expect(line).toBe('p,9,completed,,,0,sql-lora,2,100,10,0,1234.567,1234.567,1234.567,1234.567,1300,1300.001,65.433,65.434,0,,,0,1300.001\n');
  });

  it('separates the last token from the completion overhead, and names the tenant and drop detail', () => {
    // Last token 1300 ms, response complete 1300.777 ms: overhead 0.777 ms (α1), E2E 1300.777 − 1000.
    const done = requestsCsvRows('p', [rec({ id: 1, arrivalUs: 1_000_000, firstTokenUs: 1_100_000, lastTokenUs: 1_300_000, endUs: 1_300_777, client: 1 })], ['alpha', 'beta']);
    expect(done).toBe('p,1,completed,,,0,,0,100,10,0,1000,1000,1000,1000,1100,1300,100,300.777,0,beta,,0.777,1300.777\n');
    // A drop ends when the gateway answers (its arrival here); its live detail sits in `detail`.
    const drop = requestsCsvRows('p', [rec({ id: 2, arrivalUs: 0, outcome: 'dropped', reason: 'shed-saturated', detail: 'pool saturated (1.2 ≥ 1.0)', status: 429, replica: -1, endUs: 0, client: 3 })]);
    expect(drop.trimEnd().split(',').slice(-5)).toEqual(['0', 'client-3', 'pool saturated (1.2 ≥ 1.0)', '', '0']);
  });

  it('quotes fields with commas, quotes and newlines', () => {
    const line = requestsCsvRows('my,"pol"', [rec({ id: 1, arrivalUs: 0, outcome: 'rejected', reason: 'too long, really\nyes', adapter: 'a"b' })]);
    expect(line.startsWith('"my,""pol""",1,rejected,"too long, really\nyes",,0,"a""b",')).toBe(true);
  });

  it('appends policies one at a time under a single header', () => {
    const file = requestsCsvHeader() + requestsCsvRows('a', run().records) + requestsCsvRows('b', run().records.slice(0, 2)) + requestsCsvRows('c', []);
    const lines = file.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 4 + 2);
    expect(lines.filter((l) => l.startsWith('policy,'))).toHaveLength(1);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['a', 'a', 'a', 'a', 'b', 'b']);
  });
});

describe('atomic writes', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'routesim-reports-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writeFileAtomic creates parent directories, replaces content, leaves no temp file', () => {
    const path = join(dir, 'a', 'b', 'results.json');
    writeFileAtomic(path, 'first\n');
    expect(readFileSync(path, 'utf8')).toBe('first\n');
    writeFileAtomic(path, 'second\n');
    expect(readFileSync(path, 'utf8')).toBe('second\n');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['results.json']);
  });

  it('openAtomicStream: target unchanged until commit, then replaced; no temp file left', () => {
    const path = join(dir, 'out', 'requests.csv');
    writeFileAtomic(path, 'old\n');
    const s = openAtomicStream(path);
    s.write('line 1\n');
    s.write(Buffer.from('line 2 — ü\n', 'utf8'));
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(existsSync(s.tmpPath)).toBe(true);
    s.commit();
    expect(readFileSync(path, 'utf8')).toBe('line 1\nline 2 — ü\n');
    expect(readdirSync(join(dir, 'out'))).toEqual(['requests.csv']);
    expect(() => s.write('late')).toThrow();
  });

  it('abort leaves the old file untouched and removes the temp file', () => {
    const path = join(dir, 'requests.csv');
    writeFileSync(path, 'old\n');
    const s = openAtomicStream(path);
    s.write('partial');
    s.abort();
    s.abort();
    expect(readFileSync(path, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['requests.csv']);
  });

  it('abort without an existing target creates nothing', () => {
    const path = join(dir, 'new.csv');
    const s = openAtomicStream(path);
    s.write('x');
    s.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});
