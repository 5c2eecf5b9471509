/**
 * otel_trace_replay of local OTel trace files (formats.md §1.4): the hand-written fixtures in
 * fixtures/inference-perf/otel/traces/ give, by hand, each span's DAG edges, input segments and
 * token counts, waits (capped at max_wait_ms), max_tokens and release times under a fake server of
 * fixed service time; a failure cancels dependants; include_errors / skip_invalid_files; errors.
 *
 * a-session.json (times in ms; message characters: system 31, "Fix bug" 7):
 *   A 0–1000     [sys, user]                          in 100, out 20, tool call
 *   B 3000–4000  [sys, user, out(A), tool result]     in 150, out 40
 *   C 24000–25000 [… B's input, out(B), "Check tests"] in 230, out 50
 *   D 24500–26000 [… B's input, out(B), "Check the docs"] in 235, out 60 (overlaps C: parallel)
 *   E 26500–27000 [… C's input, out(C), out(D), "Summarise"] in 400, out 30
 * (D precedes C in the file; events are in start order A, B, C, D, E = 0…4.)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { hashString } from '../sim/core/hash.js';
import { inferencePerfStream, parseInferencePerf, readInferencePerfConfig, type InferencePerfConfig } from '../sim/workload/inferencePerf/index.js';
import { readOtelFile, type OtelSpan } from '../sim/workload/inferencePerf/otelFile.js';
import { apportion, buildSession, type OtelOptions } from '../sim/workload/inferencePerf/otelSession.js';
import { EndedSpans, PrefixTrie } from '../sim/workload/inferencePerf/otelSearch.js';
import { isFeedbackStream, type SimRequest } from '../sim/workload/request.js';
import { drive } from './inferencePerfConfigDrive.js';
import { userErrorOf } from './helpers.js';

const DIR = fileURLToPath(new URL('./fixtures/inference-perf/otel/', import.meta.url));
const TRACES = join(DIR, 'traces');
const OPTS: OtelOptions = { maxWaitUs: 10_000_000, defaultMaxTokens: 1000, includeErrors: true, outputSubstitution: true, overrideToolCallMaxTokens: true };
const cfg = (otel: string, stages = '[{concurrent_sessions: 1}]'): InferencePerfConfig =>
  parseInferencePerf(parseYaml(`load: {type: trace_session_replay, stages: ${stages}}\ndata: {type: otel_trace_replay, otel_trace_replay: ${otel}}`), join(DIR, 'x.yaml'));
const SYS = 82; // A's 100 input tokens by characters 31 : 7 → 81.58 / 18.42 → floors 81 + 18, the leftover token to the larger remainder
const USER = 18;

describe('otel_trace_replay from local files: one session', () => {
  const ev = buildSession(readOtelFile(join(TRACES, 'a-session.json')), OPTS);

  it('takes the five LLM spans in start order and ignores the tool span', () => {
    expect(ev.map((e) => e.startUs)).toEqual([0, 3e6, 24e6, 24.5e6, 26.5e6]);
  });

  it('edges: causal + closest earlier non-overlapping, transitively reduced', () => {
    // C's raw predecessors {A (its output is repeated), B}: A → B → C, so A → C is dropped.
    // E's raw {A, B, C, D}: C and D remain; C ∥ D (D starts before C ends) so no edge between them.
    expect(ev.map((e) => e.preds)).toEqual([[], [0], [1], [1], [2, 3]]);
    expect(ev.map((e) => e.succs)).toEqual([[1], [2, 3], [4], [4], []]);
  });

  it('waits: start − latest predecessor end, capped at max_wait_ms', () => {
    // B 3000 − 1000; C 24000 − 4000 = 20 s → 10 s; D 20.5 s → 10 s; E 26500 − max(25000, 26000).
    expect(ev.map((e) => e.waitUs)).toEqual([0, 2e6, 10e6, 10e6, 0.5e6]);
    const uncapped = buildSession(readOtelFile(join(TRACES, 'a-session.json')), { ...OPTS, maxWaitUs: 15e6 });
    expect(uncapped.map((e) => e.waitUs)).toEqual([0, 2e6, 15e6, 15e6, 0.5e6]);
  });

  it('segments: shared prefix (copied token counts), substituted outputs, unique rest', () => {
    const view = ev.map((e) => e.pieces.map((p) => [p.kind, p.kind === 'output' ? p.producer : null, p.tokens]));
    expect(view[0]).toEqual([['unique', null, SYS], ['unique', null, USER]]);
    // B: 150 − 100 shared − 20 (A's output) = 30 for the tool result.
    expect(view[1]).toEqual([['shared', null, SYS], ['shared', null, USER], ['output', 0, 20], ['unique', null, 30]]);
    // C: B's four pieces (150) + B's output 40 + 230 − 190 = 40.
    expect(view[2]).toEqual([['shared', null, SYS], ['shared', null, USER], ['output', 0, 20], ['shared', null, 30], ['output', 1, 40], ['unique', null, 40]]);
    // D shares five messages with C (longer than B's four): 235 − 190 = 45.
    expect(view[3]).toEqual([['shared', null, SYS], ['shared', null, USER], ['output', 0, 20], ['shared', null, 30], ['output', 1, 40], ['unique', null, 45]]);
    // E shares six with C (230), then C's 50 and D's 60 outputs: 400 − 340 = 60.
    expect(view[4]).toEqual([['shared', null, SYS], ['shared', null, USER], ['output', 0, 20], ['shared', null, 30], ['output', 1, 40], ['shared', null, 40], ['output', 2, 50], ['output', 3, 60], ['unique', null, 60]]);
    const sum = (i: number) => ev[i]!.pieces.reduce((a, p) => a + p.tokens, 0);
    expect([0, 1, 2, 3, 4].map(sum)).toEqual([100, 150, 230, 235, 400]);
  });

  it('max_tokens: recorded output; the tool call gets max(4×, 4096) and generates its recorded length', () => {
    expect(ev.map((e) => e.outputTokens)).toEqual([20, 40, 50, 60, 30]);
    expect(ev.map((e) => e.maxTokens)).toEqual([4096, 40, 50, 60, 30]);
    expect(ev.map((e) => e.toolCall)).toEqual([true, false, false, false, false]);
    const off = buildSession(readOtelFile(join(TRACES, 'a-session.json')), { ...OPTS, overrideToolCallMaxTokens: false });
    expect(off[0]!.maxTokens).toBe(20);
  });

  it('disable_output_substitution: repeated outputs are recorded text (unique), no producer', () => {
    const raw = buildSession(readOtelFile(join(TRACES, 'a-session.json')), { ...OPTS, outputSubstitution: false });
    // B: 150 − 100 shared over out(A) and the tool result, by characters; no output pieces.
    expect(raw[1]!.pieces.map((p) => p.kind)).toEqual(['shared', 'shared', 'unique', 'unique']);
    expect(raw[1]!.pieces[2]!.tokens + raw[1]!.pieces[3]!.tokens).toBe(50);
  });

  it('apportion: floors plus largest remainders, exact sum', () => {
    expect(apportion(100, [31, 7])).toEqual([82, 18]);
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(0, [5, 5])).toEqual([0, 0]);
  });
});

describe('otel_trace_replay from local files: the run', () => {
  const c = readInferencePerfConfig(join(DIR, 'replay.yaml'));

  it('reads trace_directory sorted by name, skipping the invalid file', () => {
    expect(c.data.type === 'otel_trace_replay' && c.data.files?.paths.map((p) => p.slice(TRACES.length + 1))).toEqual(['a-session.json', 'b-session.json', 'c-invalid.json']);
  });

  it('releases each span after its predecessors end + wait; sessions one at a time; every span sent once', () => {
    const rs = drive(c, 1e6);
    // Session a at 1 s (stage origin): A 1→2; B 2+2=4→5; C, D 5+10=15→16; E max(16,16)+0.5=16.5→17.5.
    // Session b at 17.5: b0 →18.5; b1 18.5+2=20.5 (include_errors: true, so the error span is sent).
    expect(rs.map((r) => [r.session, r.turn, r.arrivalUs / 1e6])).toEqual([[0, 0, 1], [0, 1, 4], [0, 2, 15], [0, 3, 15], [0, 4, 16.5], [1, 0, 17.5], [1, 1, 20.5]]);
    expect(rs.map((r) => [r.inputTokens, r.outputTokens])).toEqual([[100, 20], [150, 40], [230, 50], [235, 60], [400, 30], [50, 10], [80, 5]]);
    // Output pieces carry the producer request's generated content; equal text is equal content across sessions.
    expect(rs[1]!.segments[2]).toEqual({ content: rs[0]!.outputContent, tokens: 20 });
    expect(rs[4]!.segments.slice(6, 8)).toEqual([{ content: rs[2]!.outputContent, tokens: 50 }, { content: rs[3]!.outputContent, tokens: 60 }]);
    expect(rs[5]!.segments[0]!.content).toBe(rs[0]!.segments[0]!.content);
    expect(rs[0]!.segments[0]!.content).toBe(hashString(JSON.stringify({ parts: [{ content: 'You are a careful coding agent.', type: 'text' }], role: 'system' })));
  });

  it('include_errors: false drops the error span', () => {
    const rs = drive(cfg('{trace_directory: traces, skip_invalid_files: true, include_errors: false}'), 1e6);
    expect(rs.filter((r) => r.session === 1).map((r) => r.inputTokens)).toEqual([50]);
  });

  it('a failed request cancels its dependants; the next session starts when the rest ends', () => {
    const it2 = inferencePerfStream(cfg('{trace_files: [traces/a-session.json, traces/b-session.json]}'), { seed: 1, limits: {}, defaultAdapterRank: 8, closedLoop: true }, null);
    if (!isFeedbackStream(it2)) throw new Error('expected a feedback stream');
    const sent: SimRequest[] = [];
    const pending: SimRequest[] = [];
    const pull = () => {
      for (let n = it2.next(); !n.done; n = it2.next()) pending.push(n.value);
    };
    pull();
    while (pending.length > 0) {
      const r = pending.shift()!;
      sent.push(r);
      // B (session 0, turn 1) fails: C, D and E are never sent.
      it2.onFinish(r.id, r.arrivalUs + 1e6, !(r.session === 0 && r.turn === 1));
      pull();
    }
    // A 1→2, B 2+2=4 fails at 5; session b starts at 5: b0 5→6, b1 6+2=8.
    expect(sent.map((r) => [r.session, r.turn, r.arrivalUs / 1e6])).toEqual([[0, 0, 1], [0, 1, 4], [1, 0, 5], [1, 1, 8]]);
  });

  it('runs in the simulator: every span completes', () => {
    const sc = parseScenario(`name: t\nseed: 5\nfleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: ${join(DIR, 'replay.yaml')}, format: inference-perf}\npolicies: [round-robin]\n`, join(DIR, 't.yaml'));
    const run = runPolicy(sc, sc.policies[0]!);
    expect(run.records).toHaveLength(7);
  });
});

describe('otel_trace_replay from local files: errors', () => {
  it('an invalid file is one line naming the file, the span field and the fix', () => {
    const msg = userErrorOf(() => drive(cfg('{trace_directory: traces}'), 1e6));
    expect(msg).toMatch(/c-invalid\.json: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.endTimeUnixNano: missing \(fix: give endTimeUnixNano as nanoseconds .*skip_invalid_files: true\)$/);
    expect(msg).not.toMatch(/\n/);
  });

  it.for([
    ['{trace_directory: traces, filter: "lambda s: True"}', /data\.otel_trace_replay\.filter: filter is a Python lambda routesim cannot evaluate/],
    ['{trace_directory: traces, trace_files: [a.json]}', /data\.otel_trace_replay\.trace_files: given beside trace_directory/],
    ['{trace_directory: nowhere}', /trace_directory: nowhere is not a readable directory/],
    ['{trace_files: []}', /trace_files: empty list/],
    ['{trace_directory: traces, attribute_to_header_map: {a: b}}', /attribute_to_header_map: routesim cannot honour/],
  ] as const)('%s', ([otel, re]) => {
    expect(userErrorOf(() => cfg(otel))).toMatch(re);
  });

  it('overdrawing the files is an error naming num_sessions', () => {
    expect(userErrorOf(() => cfg('{trace_directory: traces}', '[{num_sessions: 2}, {num_sessions: 2}]'))).toMatch(/load\.stages\[1\]\.num_sessions: the stages ask for 4 sessions; the trace files hold 3/);
  });
});

describe('otel_trace_replay DAG invariants (random sessions)', () => {
  const msg = (k: number) => ({ key: `m${k}`, chars: 1 + (k % 5) });
  const spanArb = fc.record({
    start: fc.integer({ min: 0, max: 50 }),
    dur: fc.integer({ min: 0, max: 20 }),
    input: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 }),
    output: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 2 }),
    inTok: fc.integer({ min: 0, max: 500 }),
    outTok: fc.integer({ min: 1, max: 50 }),
  });
  it('edges point back in time, none is implied by another, waits lie in [0, cap], tokens add up', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { minLength: 1, maxLength: 12 }), (raw) => {
        const spans: OtelSpan[] = raw.map((r) => ({ startUs: r.start * 1e5, endUs: (r.start + r.dur) * 1e5, input: r.input.map(msg), output: r.output.map(msg), inputTokens: r.inTok, outputTokens: r.outTok, error: false, toolCall: false }));
        const ev = buildSession(spans, { ...OPTS, maxWaitUs: 1e6 });
        const anc = (j: number, seen = new Set<number>()): Set<number> => {
          for (const p of ev[j]!.preds) if (!seen.has(p)) anc(p, seen.add(p));
          return seen;
        };
        ev.forEach((e, j) => {
          for (const p of e.preds) expect(ev[p]!.endUs).toBeLessThanOrEqual(e.startUs);
          for (const p of e.preds) for (const q of e.preds) if (p !== q) expect(anc(q).has(p)).toBe(false);
          expect(e.waitUs).toBeGreaterThanOrEqual(0);
          expect(e.waitUs).toBeLessThanOrEqual(1e6);
          // Every span after an ended one has a predecessor (the closest non-overlapping one at least).
          if (ev.some((x, i) => i < j && x.endUs <= e.startUs)) expect(e.preds.length).toBeGreaterThan(0);
          // Output pieces name an ancestor; unique pieces take the rest of input_tokens.
          for (const p of e.pieces) if (p.kind === 'output') expect(anc(j).has(p.producer)).toBe(true);
          const used = e.pieces.filter((p) => p.kind !== 'unique').reduce((a, p) => a + p.tokens, 0);
          const total = e.pieces.reduce((a, p) => a + p.tokens, 0);
          const hasUnique = e.pieces.some((p) => p.kind === 'unique');
          const sorted = [...spans].sort((a, b) => a.startUs - b.startUs || a.endUs - b.endUs);
          expect(total).toBe(hasUnique ? Math.max(used, sorted[j]!.inputTokens) : used);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('the indexed searches (otelSearch.ts) find what a scan of every earlier span finds', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { minLength: 1, maxLength: 12 }), (raw) => {
        const spans: OtelSpan[] = raw
          .map((r) => ({ startUs: r.start, endUs: r.start + r.dur, input: r.input.map(msg), output: r.output.map(msg), inputTokens: 0, outputTokens: 1, error: false, toolCall: false }))
          .sort((a, b) => a.startUs - b.startUs || a.endUs - b.endUs);
        const ended = new EndedSpans(spans);
        const trie = new PrefixTrie();
        spans.forEach((sj, j) => {
          // The scan: among i < j ended by j's start, the latest end, ties to the later i.
          const latest = (ok: (i: number) => boolean): number => {
            let best = -1;
            for (let i = 0; i < j; i++) if (spans[i]!.endUs <= sj.startUs && ok(i) && (best < 0 || spans[i]!.endUs >= spans[best]!.endUs)) best = i;
            return best;
          };
          ended.admitUpTo(j);
          expect(ended.close).toBe(latest(() => true));
          for (const m of sj.input) expect(ended.producerOf(m.key)).toBe(latest((i) => spans[i]!.output.some((x) => x.key === m.key)));
          let src = -1;
          let len = 0;
          for (let i = 0; i < j; i++) {
            let k = 0;
            while (k < spans[i]!.input.length && k < sj.input.length && spans[i]!.input[k]!.key === sj.input[k]!.key) k++;
            if (k > 0 && k >= len) [src, len] = [i, k];
          }
          expect(trie.longest(sj.input)).toEqual({ src, len });
          trie.insert(sj.input, j);
        });
      }),
      { numRuns: 500 },
    );
  });
});
