/**
 * Ended requests' records live in columns until the run ends (sim/metrics/recordColumns.ts, issue
 * 15). The property: any records, written as rows in any order, come back as equal objects with
 * the same keys in the same order (newRequestRecord's), and only placeholder entries are replaced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordColumns } from '../sim/metrics/recordColumns.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import type { Outcome, RequestRecord } from '../sim/metrics/types.js';

const num = fc.oneof(fc.integer({ min: -1, max: 2 ** 40 }), fc.double({ min: -1, max: 1e12, noNaN: true }));
const recordArb: fc.Arbitrary<RequestRecord> = fc
  .record({
    id: fc.nat(),
    arrivalUs: fc.nat(),
    n: fc.array(num, { minLength: 24, maxLength: 24 }),
    outcome: fc.constantFrom<Outcome>('completed', 'rejected', 'dropped', 'failed'),
    reason: fc.constantFrom('', 'exceeds_max_model_len', 'shed'),
    detail: fc.string({ maxLength: 6 }),
    adapter: fc.option(fc.constantFrom('a', 'b', 'lora-x'), { nil: null }),
    model: fc.constantFrom('', 'm1'),
    fallback: fc.boolean(),
    priority: fc.integer({ min: -3, max: 3 }),
  })
  .map((x) => {
    const r = newRequestRecord({ id: x.id, arrivalUs: x.arrivalUs, inputTokens: 5, outputTokens: 7, adapter: x.adapter, priority: x.priority, model: x.model });
    const keys = ['dispatchUs', 'replica', 'cachedTokens', 'enqueueUs', 'scheduledUs', 'firstTokenUs', 'lastTokenUs', 'endUs', 'prefillUs', 'preemptions', 'status', 'pool', 'route', 'prefillReplica', 'prefillQueueUs', 'prefillComputeUs', 'decodeQueueUs', 'kvTransferUs', 'kvTransferBytes', 'kvReadyUs', 'attempts'] as const;
    keys.forEach((k, i) => ((r as unknown as Record<string, number>)[k] = x.n[i]!));
    r.outcome = x.outcome;
    r.reason = x.reason;
    r.detail = x.detail;
    r.fallback = x.fallback;
    return r;
  });

describe('RecordColumns', () => {
  it('gives back every record it stored, equal and with the same key order (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(recordArb, fc.boolean()), { minLength: 1, maxLength: 200 }), fc.nat(), (rows, seed) => {
        const placeholder = newRequestRecord({ id: -1, arrivalUs: -1, inputTokens: 0, outputTokens: 0, adapter: null, priority: 0 });
        const originals = rows.map(([r]) => r);
        const records = originals.map((r) => structuredClone(r));
        const cols = new RecordColumns();
        // Move the rows marked true, in a scrambled order.
        const moved = rows.map((_, i) => i).filter((i) => rows[i]![1]);
        moved.sort((a, b) => ((a * 7919 + seed) % 211) - ((b * 7919 + seed) % 211) || a - b);
        for (const i of moved) {
          cols.write(i, records[i]!);
          records[i] = placeholder;
        }
        cols.materialize(records, placeholder);
        expect(records).toEqual(originals);
        for (let i = 0; i < records.length; i++) expect(Object.keys(records[i]!)).toEqual(Object.keys(originals[i]!));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps -0, fractional µs and values beyond 2^32 exactly', () => {
    const r = newRequestRecord({ id: 3, arrivalUs: 2 ** 33 + 1, inputTokens: 1, outputTokens: 1, adapter: null, priority: -0 });
    r.prefillUs = 1234.5678;
    const p = newRequestRecord({ id: -1, arrivalUs: -1, inputTokens: 0, outputTokens: 0, adapter: null, priority: 0 });
    const cols = new RecordColumns();
    const recs = [p, p];
    cols.write(1, r);
    cols.materialize(recs, p);
    expect(recs[1]!.arrivalUs).toBe(2 ** 33 + 1);
    expect(recs[1]!.prefillUs).toBe(1234.5678);
    expect(Object.is(recs[1]!.priority, -0)).toBe(true);
    // Row 0 was never written: the placeholder is left for the caller (not invented).
    expect(recs[0]).toBe(p);
  });
});
