/**
 * Trace readers, replay controls, statistics and writers on small inline samples written for the
 * test (numbers derived by hand in comments), and on the real traces in ../shared/data when present.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UserError } from '../sim/core/errors.js';
import { createRng } from '../sim/core/rng.js';
import { createArrivalProcess } from '../sim/workload/arrivals.js';
import { createRequestStream } from '../sim/workload/generator.js';
import { outputContentOf, uniqueContentOf } from '../sim/workload/prompts.js';
import type { SimRequest } from '../sim/workload/request.js';
import type { ReplayControls, WorkloadSpec } from '../sim/workload/spec.js';
import { azureTimestampUs } from '../sim/workload/traces/azure.js';
import { blisPrefixContent, readBlis } from '../sim/workload/traces/blis.js';
import { RowProblem } from '../sim/workload/traces/fields.js';
import { detectFormat } from '../sim/workload/traces/index.js';
import { csvRecords, readLines } from '../sim/workload/traces/lines.js';
import { mooncakeContent } from '../sim/workload/traces/mooncake.js';
import { traceSource, traceWorkload, workloadStats } from '../sim/workload/traces/source.js';
import { traceStats } from '../sim/workload/traces/stats.js';
import type { TraceFormat } from '../sim/workload/traces/types.js';
import { writeTrace } from '../sim/workload/traces/write.js';
import { stringify } from 'csv-stringify/sync';

const DATA = resolve(import.meta.dirname, '../../shared/data/traces');
const HAVE_DATA = existsSync(DATA);
if (!HAVE_DATA) console.log(`skipping the real-trace tests: ${DATA} is absent`);

const dir = mkdtempSync(join(tmpdir(), 'routesim-traces-'));
let fileNo = 0;
function file(name: string, text: string | Buffer): string {
  const p = join(dir, `${fileNo++}-${name}`);
  writeFileSync(p, text);
  return p;
}

function collect<T>(it: Iterator<T>): T[] {
  const out: T[] = [];
  for (let n = it.next(); !n.done; n = it.next()) out.push(n.value);
  return out;
}

/** The replayed requests of `path` under `controls`. */
function replay(path: string, controls: Partial<ReplayControls> = {}, format?: TraceFormat, seed = 1): SimRequest[] {
  return collect(createRequestStream(traceWorkload(traceSource(path, format, controls)), { seed, limits: {}, defaultAdapterRank: 16 }));
}

function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

const MOONCAKE = [
  '{"timestamp": 0, "input_length": 1100, "output_length": 10, "hash_ids": [0, 1, 2]}',
  '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [0, 3]}',
  '{"timestamp": 3000, "input_length": 1024, "output_length": 7, "hash_ids": [0, 1]}',
].join('\n');

const AZURE = ['TIMESTAMP,ContextTokens,GeneratedTokens', '2023-11-16 18:17:03.9799600,4808,10', '2023-11-16 18:17:04.0319600,3180,8', '2023-11-16 18:17:05.5000000,100,1', ''].join('\n');

describe('Mooncake JSONL', () => {
  it('hash ids become 512-token segments (last one partial); equal ids are equal content', () => {
    const rows = replay(file('mc.jsonl', MOONCAKE));
    expect(rows.map((r) => r.segments.map((s) => s.tokens))).toEqual([[512, 512, 76], [512, 88], [512, 512]]); // 1100 − 2·512 = 76; 600 − 512 = 88
    expect(rows.map((r) => r.arrivalUs)).toEqual([0, 0, 3_000_000]);
    expect(rows[0]!.segments[0]!.content).toBe(mooncakeContent(0));
    expect(rows[1]!.segments[0]!.content).toBe(rows[0]!.segments[0]!.content);
    expect(rows[2]!.segments[1]!.content).toBe(rows[0]!.segments[1]!.content);
    expect(rows[1]!.segments[1]!.content).not.toBe(rows[0]!.segments[1]!.content);
    expect(rows.map((r) => [r.inputTokens, r.outputTokens])).toEqual([[1100, 10], [600, 5], [1024, 7]]);
  });

  it('reads gzip directly (detected by content, not name)', () => {
    const plain = replay(file('mc.jsonl', MOONCAKE));
    expect(replay(file('mc.jsonl.gz', gzipSync(MOONCAKE)))).toEqual(plain);
    expect(replay(file('mc-no-ext.jsonl', gzipSync(MOONCAKE)))).toEqual(plain);
  });

  it('a malformed row names file, line and field; --skip-bad-rows counts it instead', () => {
    const bad = `${MOONCAKE.split('\n')[0]}\n{"timestamp": 10, "input_length": 1100, "output_length": 3, "hash_ids": [0]}\n${MOONCAKE.split('\n')[2]}`;
    const p = file('bad.jsonl', bad);
    expect(userError(() => replay(p))).toBe(`${p}: line 2: hash_ids: has 1 ids but input_length 1100 needs ⌈1100/512⌉ = 3 (fix: give one hash id per 512-token block of the prompt, or pass --skip-bad-rows to skip such rows)`);
    const w = traceWorkload(traceSource(p, undefined, { skip_bad_rows: true }));
    const stats = workloadStats(w, { seed: 1, limits: {}, defaultAdapterRank: 16 })!;
    expect(stats.rows).toBe(2);
    expect(stats.skipped_rows).toBe(1);
    expect(userError(() => replay(file('x.jsonl', '{"timestamp": 0, "input_length": 5, "output_length": 1, "hash_ids": [0]}\nnot json')))).toMatch(/: line 2: json: not valid JSON/);
    expect(userError(() => replay(file('x.jsonl', '{"timestamp": 5, "input_length": 5, "output_length": 1, "hash_ids": [0]}\n{"timestamp": 1, "input_length": 5, "output_length": 1, "hash_ids": [0]}')))).toMatch(
      /: line 2: timestamp: is earlier than the previous row's .*\(fix: sort the trace by arrival time/,
    );
  });
});

describe('Azure CSV', () => {
  it('times are µs relative to the first row (100-ns digits rounded)', () => {
    const rows = replay(file('az.csv', AZURE));
    // 04.0319600 − 03.9799600 = 0.052 s; 05.5 − 03.97996 = 1.52004 s.
    expect(rows.map((r) => r.arrivalUs)).toEqual([0, 52_000, 1_520_040]);
    expect(rows.map((r) => [r.inputTokens, r.outputTokens])).toEqual([[4808, 10], [3180, 8], [100, 1]]);
    // No shared structure: each prompt is one segment unique to its request.
    rows.forEach((r) => expect(r.segments).toEqual([{ content: uniqueContentOf(r.id), tokens: r.inputTokens }]));
  });

  it('bad timestamp / token count / missing column', () => {
    const p = file('az.csv', AZURE.replace('2023-11-16 18:17:05.5000000', '2023-11-16 25:17:05'));
    expect(userError(() => replay(p))).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 4: TIMESTAMP: `));
    expect(userError(() => replay(file('az.csv', AZURE.replace(',3180,', ',-3,'))))).toMatch(/line 3: ContextTokens: expected an integer ≥ 1, got "-3"/);
    expect(userError(() => replay(file('az.csv', AZURE.replace('GeneratedTokens', 'Generated')), {}, 'azure'))).toMatch(/line 1: header lacks column GeneratedTokens/);
  });
});

describe('Azure timestamps', () => {
  /** The definition: the regular expression's fields through Date.UTC, the fraction in ns rounded to µs. */
  const reference = (y: number, mo: number, d: number, h: number, mi: number, sec: number, frac: string): number =>
    Date.UTC(y, mo - 1, d, h, mi, sec) * 1000 + (frac === '' ? 0 : Math.round(Number(frac.padEnd(9, '0')) / 1000));
  const p2 = (n: number): string => String(n).padStart(2, '0');

  it('property: canonical, spaced, T- and Z-forms all give the µs of Date.UTC, row after row (the hour reused)', () => {
    const ts = fc.record({
      y: fc.integer({ min: 1970, max: 2100 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }), h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 60 }), frac: fc.stringMatching(/^\d{0,9}$/),
      form: fc.constantFrom('canonical', 'canonical', 'T', 'Z', 'spaced'),
    });
    fc.assert(
      fc.property(fc.array(ts, { minLength: 1, maxLength: 8 }), (rows) => {
        // Consecutive rows often share the date and hour, as in a real trace.
        for (const r of rows) {
          for (const mi of [r.mi, (r.mi + 1) % 60]) {
            const body = `${r.y}-${p2(r.mo)}-${p2(r.d)}${r.form === 'T' ? 'T' : ' '}${p2(r.h)}:${p2(mi)}:${p2(r.s)}${r.frac === '' ? '' : `.${r.frac}`}`;
            const text = r.form === 'Z' ? `${body}Z` : r.form === 'spaced' ? ` ${body} ` : body;
            expect(azureTimestampUs(text)).toBe(reference(r.y, r.mo, r.d, r.h, mi, r.s, r.frac));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('out-of-range fields and odd shapes are refused after a valid row of the same hour', () => {
    expect(azureTimestampUs('2023-11-16 18:17:03.9799600')).toBe(Date.UTC(2023, 10, 16, 18, 17, 3) * 1000 + 979_960);
    for (const bad of ['2023-11-16 18:60:03', '2023-11-16 18:17:61', '2023-11-16 18:17:0x', '2023-11-16 18:17:03.', '2023-11-16 18:17:03.1234567890', '2023-11-16 24:00:00', '2023-13-16 18:17:03', '2023-11-16 18:17']) {
      expect(() => azureTimestampUs(bad), bad).toThrow(RowProblem);
    }
  });
});

describe('routesim JSONL', () => {
  it('round trip: any trace converted to routesim JSONL replays identically', () => {
    for (const [name, text] of [['mc.jsonl', MOONCAKE], ['az.csv', AZURE]] as const) {
      const src = file(name, text);
      const original = replay(src);
      const out = join(dir, `rt-${fileNo++}.jsonl`);
      writeTrace(createRequestStream(traceWorkload(traceSource(src)), { seed: 1, limits: {}, defaultAdapterRank: 16 }), out, 'routesim');
      expect(detectFormat(out)).toBe('routesim');
      expect(replay(out)).toEqual(original);
    }
  });

  it('unknown keys are errors with a suggestion; segments may not exceed input_tokens', () => {
    expect(userError(() => replay(file('r.jsonl', '{"arrival_us": 0, "input_tokens": 5, "output_tokens": 1, "sesion": 2}')))).toMatch(/line 1: sesion: unknown key "sesion" \(fix: did you mean "session"\?/);
    expect(userError(() => replay(file('r.jsonl', '{"arrival_us": 0, "input_tokens": 5, "output_tokens": 1, "segments": [[7, 6]]}')))).toMatch(/segments: cover 6 tokens, more than input_tokens 5/);
  });
});

describe('BLIS TraceV2', () => {
  it('reads a header + CSV pair: prefix groups, sessions, SLO classes, adapters', () => {
    const base = join(dir, 'blis-in');
    writeFileSync(`${base}.yaml`, 'trace_version: 2\ntime_unit: us\nmode: real\nseed: 3\n');
    writeFileSync(
      `${base}.csv`,
      [
        'request_id,client_id,slo_class,session_id,round_index,prefix_group,prefix_length,input_tokens,output_tokens,arrival_time_us,adapter,error_message',
        '0,c1,critical,s1,0,sys,100,150,20,0,,',
        '1,c2,sheddable,,,sys,100,300,5,2500,lora-a,"a, quoted"',
        '2,c1,standard,s1,1,,,400,9,9000,,',
      ].join('\n'),
    );
    expect(detectFormat(`${base}.yaml`)).toBe('blis');
    expect(detectFormat(`${base}.csv`)).toBe('blis');
    const rows = replay(`${base}.csv`);
    expect(rows.map((r) => [r.arrivalUs, r.inputTokens, r.outputTokens, r.priority, r.adapter])).toEqual([
      [0, 150, 20, 1, null],
      [2500, 300, 5, -1, 'lora-a'],
      [9000, 400, 9, 0, null],
    ]);
    // Rows 0 and 1 share the 100-token prefix of group "sys"; the rest of each prompt is unique.
    expect(rows[0]!.segments[0]).toEqual({ content: blisPrefixContent('sys'), tokens: 100 });
    expect(rows[1]!.segments[0]).toEqual(rows[0]!.segments[0]);
    expect(rows[0]!.segments[1]).toEqual({ content: uniqueContentOf(0), tokens: 50 });
    expect(rows[0]!.session).toBe(rows[2]!.session);
    expect([rows[0]!.turn, rows[2]!.turn]).toEqual([0, 1]);
    expect(rows[0]!.client).toBe(rows[2]!.client);
  });

  it('write then read: every request field BLIS holds survives', () => {
    const spec: WorkloadSpec = {
      arrival: { process: 'poisson', rate: 20, cv: 1 },
      input: { kind: 'constant', value: 1 },
      output: { kind: 'uniform', min: 1, max: 50 },
      shared_prefix: { num_groups: 3, num_prompts_per_group: 2, system_prompt_len: 40, question_len: 10, enable_multi_turn_chat: false, max_turns: 0 },
      adapters: [{ name: 'a1', weight: 1 }],
      base_model_weight: 1,
      priorities: [{ priority: 1, weight: 1 }, { priority: -1, weight: 1 }, { priority: 0, weight: 1 }],
    };
    const gen = () => createRequestStream(spec, { seed: 5, limits: { requests: 200 }, defaultAdapterRank: 16 });
    const out = join(dir, 'blis-out.csv');
    const rep = writeTrace(gen(), out, 'blis', { model: 'Llama-3.1-8B' });
    expect(rep.files).toEqual([join(dir, 'blis-out.yaml'), out]);
    const back = collect(readBlis(out, { skipBadRows: false }));
    const orig = collect(gen());
    expect(back.map((r) => [r.timeUs, r.inputTokens, r.outputTokens, r.priority, r.adapter, r.segments[0]?.tokens])).toEqual(
      orig.map((r) => [r.arrivalUs, r.inputTokens, r.outputTokens, r.priority, r.adapter, 40]),
    );
    // Same group ⇔ same prefix content after the round trip.
    for (let i = 1; i < orig.length; i++) expect(back[i]!.segments[0]!.content === back[0]!.segments[0]!.content).toBe(orig[i]!.group === orig[0]!.group);
  });
});

describe('inference-perf config', () => {
  it('constant load stages send exactly rate × duration requests, 1 s into each stage, the last at its end (formats.md §1.3)', () => {
    const p = file(
      'ip.yaml',
      `load:\n  type: constant\n  stages: [{rate: 2, duration: 5}, {rate: 4, duration: 5}]\napi: {type: completion, streaming: true}\nserver: {type: vllm}\ndata:\n  type: shared_prefix\n  shared_prefix: {num_groups: 2, num_prompts_per_group: 3, system_prompt_len: 100, question_len: 20, output_len: 7}\n`,
    );
    expect(detectFormat(p)).toBe('inference-perf');
    const rows = replay(p);
    // Stage 1: 10 requests in (1 s, 6 s], the last at 6 s; stage 2 starts interval (1 s) later, its
    // timer origin 1 s after that (8 s): 20 requests in (8 s, 13 s].
    expect(rows).toHaveLength(30);
    expect(rows[9]!.arrivalUs).toBe(6_000_000);
    expect(rows[10]!.arrivalUs).toBeGreaterThan(8_000_000);
    expect(rows[29]!.arrivalUs).toBe(13_000_000);
    expect(rows.every((r) => r.inputTokens === 120 && r.outputTokens === 7 && r.segments.length === 2 && r.segments[0]!.tokens === 100)).toBe(true);
  });

  it('random data: request i of every stage uses pool entry i (total_count is raised to the stage size)', () => {
    const p = file('ip.yaml', 'load: {type: poisson, stages: [{rate: 50, duration: 2}, {rate: 5, duration: 2}]}\ndata:\n  type: random\n  input_distribution: {min: 10, max: 500, mean: 200, std_dev: 80, total_count: 3}\n  output_distribution: {min: 5, max: 50, mean: 20, std_dev: 5, total_count: 3}\n');
    const rows = replay(p);
    expect(rows).toHaveLength(110);
    for (let i = 0; i < 10; i++) {
      expect(rows[100 + i]!.segments).toEqual(rows[i]!.segments);
      expect(rows[100 + i]!.outputTokens).toBe(rows[i]!.outputTokens);
    }
    expect(userError(() => replay(file('ip.yaml', 'load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: shareGPT}\n')))).toMatch(/data.type: shareGPT replays real text/);
    expect(userError(() => replay(file('ip.yaml', 'load: {stages: [{rate: 1, durations: 1}]}\ndata: {type: random}\n')))).toMatch(/load.stages\[0\].durations: unknown key "durations" \(fix: did you mean "duration"\?/);
  });
});

describe('replay controls', () => {
  const mc = file('mc.jsonl', MOONCAKE);

  it('rate scale compresses time; a window starts the replay at from_s', () => {
    expect(replay(mc, { rate_scale: 2 }).map((r) => r.arrivalUs)).toEqual([0, 0, 1_500_000]);
    const w = replay(mc, { from_s: 1, to_s: 10 });
    expect(w.map((r) => [r.arrivalUs, r.inputTokens])).toEqual([[2_000_000, 1024]]); // 3 s − 1 s
    expect(replay(mc, { to_s: 3 }).length).toBe(2); // [0, 3) excludes the row at 3 s
  });

  it('looping shifts each pass by the span plus one mean gap and salts content per pass', () => {
    const rows = replay(mc, { loop: 2 });
    // Span 3 s over 3 rows: mean gap 1.5 s, so pass 2 starts at 4.5 s.
    expect(rows.map((r) => r.arrivalUs)).toEqual([0, 0, 3_000_000, 4_500_000, 4_500_000, 7_500_000]);
    expect(rows[3]!.segments[0]!.content).not.toBe(rows[0]!.segments[0]!.content);
    expect(rows[4]!.segments[0]!.content).toBe(rows[3]!.segments[0]!.content); // sharing within a pass is kept
    expect(rows.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('jitter keeps arrivals sorted, each within [t, t + jitter) of its row', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `{"timestamp": ${Math.floor(i / 20) * 3000}, "input_length": ${i + 1}, "output_length": 1, "hash_ids": [${Array.from({ length: Math.ceil((i + 1) / 512) }, (_, k) => k).join(',')}]}`);
    const rows = replay(file('grid.jsonl', lines.join('\n')), { jitter_s: 3 }, undefined, 9);
    expect(rows).toHaveLength(400);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.arrivalUs).toBeGreaterThanOrEqual(rows[i - 1]!.arrivalUs);
    for (const r of rows) {
      const base = Math.floor((r.inputTokens - 1) / 20) * 3_000_000;
      expect(r.arrivalUs).toBeGreaterThanOrEqual(base);
      expect(r.arrivalUs).toBeLessThanOrEqual(base + 3_000_000);
    }
    // Requests within a 3-s slot are really spread: not all at the slot start.
    expect(new Set(rows.map((r) => r.arrivalUs)).size).toBeGreaterThan(390);
  });

  it('sampling keeps about the requested fraction (binomial, 4 s.d.)', () => {
    const n = 4000;
    const p = file('many.csv', ['TIMESTAMP,ContextTokens,GeneratedTokens', ...Array.from({ length: n }, (_, i) => `2023-01-01 00:${String(Math.floor(i / 100)).padStart(2, '0')}:${String(Math.floor((i % 100) * 0.6)).padStart(2, '0')},10,1`)].join('\n'));
    const kept = replay(p, { sample: 0.25 }).length;
    // Binomial(4000, 0.25): mean 1000, s.d. √(4000·0.25·0.75) ≈ 27.4.
    expect(Math.abs(kept - 1000)).toBeLessThan(4 * 27.4);
  });

  it('property: a replay is deterministic and its arrivals never go back, whatever the controls', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `{"timestamp": ${Math.floor(i / 4) * 3000}, "input_length": 700, "output_length": 2, "hash_ids": [0, ${i + 1}]}`);
    const p = file('prop.jsonl', lines.join('\n'));
    fc.assert(
      fc.property(
        fc.record({ rate_scale: fc.double({ min: 0.1, max: 10, noNaN: true }), from_s: fc.integer({ min: 0, max: 30 }), sample: fc.double({ min: 0.05, max: 1, noNaN: true }), loop: fc.integer({ min: 1, max: 3 }), jitter_s: fc.double({ min: 0, max: 6, noNaN: true }) }),
        fc.integer({ min: 0, max: 1000 }),
        (c, seed) => {
          const a = replay(p, c, undefined, seed);
          expect(replay(p, c, undefined, seed)).toEqual(a);
          a.forEach((r, i) => {
            expect(r.id).toBe(i);
            if (i > 0) expect(r.arrivalUs).toBeGreaterThanOrEqual(a[i - 1]!.arrivalUs);
          });
          if (c.sample === 1) expect(a.length).toBe(c.loop * lines.filter((_, i) => Math.floor(i / 4) * 3 >= c.from_s).length);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('trace statistics', () => {
  it('golden: rows, rate, CV, nearest-rank percentiles and ideal prefix reuse of the Mooncake sample', () => {
    const s = workloadStats(traceWorkload(traceSource(file('mc.jsonl', MOONCAKE))), { seed: 1, limits: {}, defaultAdapterRank: 16 })!;
    expect(s.rows).toBe(3);
    expect(s.span_s).toBe(3);
    expect(s.mean_rate_rps).toBe(1); // 3 rows / 3 s
    // Gaps 0 and 3 s: mean 1.5, sample s.d. √((1.5² + 1.5²)/1) = 2.1213 → CV 1.4142.
    expect(s.interarrival_cv).toBe(1.4142);
    expect(s.minute_rate_rps).toBeNull(); // under one whole minute
    // Inputs sorted 600, 1024, 1100: p50 = rank ⌈1.5⌉ = 2 → 1024; p90 = rank ⌈2.7⌉ = 3 → 1100; mean 2724 / 3 = 908.
    expect(s.input_tokens).toEqual({ mean: 908, p50: 1024, p90: 1100, p99: 1100, max: 1100 });
    // Ideal reuse: request 2 reuses block 0 (512 tokens), request 3 blocks 0 and 1 (1024 tokens):
    // 1536 of 2724 prompt tokens = 0.5639; 3 of 7 blocks = 0.4286.
    expect(s.prefix_reuse).toEqual({ block_tokens: null, blocks: 7, reused_blocks: 3, token_reuse: 0.5639, block_reuse: 0.4286 });
  });

  it('golden: fixed 256-token blocks count whole blocks only', () => {
    const stream = createRequestStream(traceWorkload(traceSource(file('mc.jsonl', MOONCAKE))), { seed: 1, limits: {}, defaultAdapterRank: 16 });
    const s = traceStats(stream, { blockTokens: 256 });
    // Blocks: ⌈1100/256⌉ + ⌈600/256⌉ + ⌈1024/256⌉ = 5 + 3 + 4 = 12. Reused whole blocks: request 2
    // its first 2 (the shared 512 tokens), request 3 its first 4 (1024 tokens) → 6 blocks, 1536 tokens.
    expect(s.prefix_reuse).toEqual({ block_tokens: 256, blocks: 12, reused_blocks: 6, token_reuse: 0.5639, block_reuse: 0.5 });
  });

  it('per-minute rates over whole minutes; no prefix structure → null reuse', () => {
    // 30 arrivals in minute 0, 90 in minute 1, then one at 150 s: two whole minutes (span 150 s).
    const times = [...Array.from({ length: 30 }, (_, i) => i * 2), ...Array.from({ length: 90 }, (_, i) => 60 + i * 0.5), 150];
    const p = file('min.csv', ['TIMESTAMP,ContextTokens,GeneratedTokens', ...times.map((t) => `2023-01-01 00:0${Math.floor(t / 60)}:${(t % 60).toFixed(4).padStart(7, '0')},10,1`)].join('\n'));
    const s = workloadStats(traceWorkload(traceSource(p)), { seed: 1, limits: {}, defaultAdapterRank: 16 })!;
    expect(s.minute_rate_rps).toEqual({ minutes: 2, min: 0.5, mean: 1, max: 1.5 }); // 30/60, 90/60
    expect(s.prefix_reuse).toBeNull();
  });
});

describe('CSV records', () => {
  it('property: csv-stringify output splits back into the same fields (quotes, commas, newlines)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', 'é'), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const width = rows[0]!.length;
        const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''));
        const p = file('p.csv', stringify(table, { record_delimiter: '\n' }));
        const back = [...csvRecords(readLines(p), p)].map((r) => r.fields);
        expect(back).toEqual(table);
      }),
      { numRuns: 100 },
    );
  });
});

describe('readLines across its 64 KiB reads', () => {
  const CHUNK = 1 << 16;
  const MIB = 1 << 20; // a multiple of the read size: a read ends there
  // Lines of 99 characters + '\n' (100 bytes), numbered.
  const ascii = (n: number): string[] => Array.from({ length: n }, (_, i) => `${String(i).padStart(5, '0')}${'a'.repeat(94)}`);

  it('ASCII reads taken as Latin-1, then a two-byte character split by a read boundary', () => {
    const head = ascii(10_484); // 1,048,400 bytes: the first 15 reads are all ASCII
    // The next line starts at byte 1,048,400: 175 bytes of 'b', then 'é' (0xC3 0xA9) at bytes
    // 1,048,575–1,048,576, so the 16th read ends between its two bytes.
    const split = `${'b'.repeat(MIB - 1_048_400 - 1)}é tail`;
    const lines = [...head, split, 'ünï', ...ascii(3)];
    const p = file('boundary.csv', `${lines.join('\n')}\n`);
    expect(Buffer.from(`${head.join('\n')}\n${split}`).subarray(MIB - 1, MIB + 1)).toEqual(Buffer.from('é'));
    expect([...readLines(p)].map((l) => l.text)).toEqual(lines);
  });

  it('a line longer than three reads, and a CRLF whose CR ends one read and LF starts the next', () => {
    const long = 'x'.repeat(3 * CHUNK + 123);
    // 'a' × (2^16 − 1) then '\r' fills the first read exactly; its '\n' starts the second.
    const crlf = 'a'.repeat(CHUNK - 1);
    const p = file('long.csv', `${crlf}\r\n${long}\r\nlast`);
    expect([...readLines(p)].map((l) => [l.text.length, l.lineNo])).toEqual([[CHUNK - 1, 1], [long.length, 2], [4, 3]]);
    expect([...readLines(p)][1]!.text).toBe(long);
  });

  it('a bad byte after an ASCII first read is still refused with its line', () => {
    const head = ascii(5300); // 530,000 bytes: the first eight reads are all ASCII
    const p = join(dir, 'bad.csv');
    writeFileSync(p, Buffer.concat([Buffer.from(`${head.join('\n')}\n`), Buffer.from([0x31, 0xff, 0x0a])]));
    expect(() => [...readLines(p)]).toThrow(/line 5301.*UTF-8/);
  });
});

describe.skipIf(!HAVE_DATA)('real traces (../shared/data)', () => {
  const stats = (name: string, controls: Partial<ReplayControls> = {}) => workloadStats(traceWorkload(traceSource(join(DATA, name), undefined, controls)), { seed: 1, limits: {}, defaultAdapterRank: 16 }, { prefix: false })!;

  it('Mooncake conversation and synthetic: row counts and mean lengths as published', () => {
    const conv = stats('mooncake_fast25_conversation.jsonl.gz');
    expect(conv.rows).toBe(12_031);
    expect(Math.round(conv.input_tokens!.mean)).toBe(12_035);
    expect(Math.round(conv.output_tokens!.mean)).toBe(343);
    expect([conv.input_tokens!.p50, conv.input_tokens!.p99, conv.input_tokens!.max]).toEqual([6_909, 85_401, 126_195]);
    expect([conv.output_tokens!.p50, conv.output_tokens!.p99]).toEqual([350, 1_120]);
    expect(conv.span_s).toBe(3536.999);
    const syn = stats('mooncake_fast25_synthetic.jsonl.gz');
    expect(syn.rows).toBe(3_993);
    expect(Math.round(syn.input_tokens!.mean)).toBe(15_325);
    expect(Math.round(syn.output_tokens!.mean)).toBe(149);
    expect([syn.input_tokens!.p50, syn.input_tokens!.p99, syn.input_tokens!.max]).toEqual([11_587, 66_458, 191_378]);
  });

  it('Azure: row counts, spans and inter-arrival CV (code ≈ 13, conv ≈ 1.1)', () => {
    const code = stats('azure_llm_2023_code.csv.gz');
    const conv = stats('azure_llm_2023_conv.csv.gz');
    expect([code.rows, conv.rows]).toEqual([8_819, 19_366]);
    expect(Math.round(code.span_s)).toBe(3_436);
    expect(Math.round(conv.span_s)).toBe(3_502);
    expect(Math.round(code.input_tokens!.mean)).toBe(2_048);
    expect(Math.round(conv.input_tokens!.mean)).toBe(1_155);
    expect(Math.abs(code.interarrival_cv! - 13)).toBeLessThan(0.5);
    expect(Math.abs(conv.interarrival_cv! - 1.1)).toBeLessThan(0.05);
  });

  it('a gamma generator fitted to a trace reproduces its rate and CV', () => {
    // 200,000 gaps for code (CV 13: the sample mean's relative s.e. is 13/√200000 ≈ 2.9 %, the
    // sample CV's spread over seeds ≈ 3 %) → tolerance 10 %; conv (CV 1.1), 20,000 gaps: s.e. of the
    // mean 0.8 %, of the CV ≈ 1 % → tolerance 4 %.
    for (const [name, n, tol] of [['azure_llm_2023_code.csv.gz', 200_000, 0.1], ['azure_llm_2023_conv.csv.gz', 20_000, 0.04]] as const) {
      const t = stats(name);
      const next = createArrivalProcess({ process: 'gamma', rate: t.mean_rate_rps, cv: t.interarrival_cv! }, createRng(11, 'arrivals'));
      const synth = traceStats(
        (function* () {
          for (let i = 0; i < n; i++) yield { ...fakeRequest(i), arrivalUs: Math.round(next() * 1e6) };
        })(),
        { prefix: false },
      );
      expect(Math.abs(synth.mean_rate_rps / t.mean_rate_rps - 1)).toBeLessThan(tol);
      expect(Math.abs(synth.interarrival_cv! / t.interarrival_cv! - 1)).toBeLessThan(tol);
    }
  });

  it('Mooncake replay shares prefix blocks: the ideal reuse of the conversation trace', () => {
    const s = workloadStats(traceWorkload(traceSource(join(DATA, 'mooncake_fast25_conversation.jsonl.gz'))), { seed: 1, limits: {}, defaultAdapterRank: 16 })!;
    // Σ ⌈input/512⌉ hash ids; every request after the first reuses at least its block 0.
    expect(s.prefix_reuse!.blocks).toBe(288_500);
    expect(s.prefix_reuse!.reused_blocks).toBeGreaterThanOrEqual(12_030);
    expect(s.prefix_reuse!.token_reuse).toBeGreaterThan(0.3);
  });
});

function fakeRequest(id: number): SimRequest {
  return { id, arrivalUs: 0, segments: [{ content: uniqueContentOf(id), tokens: 10 }], inputTokens: 10, outputTokens: 1, outputContent: outputContentOf(id), adapter: null, adapterRank: 0, priority: 0, group: -1, session: -1, turn: 0 };
}
