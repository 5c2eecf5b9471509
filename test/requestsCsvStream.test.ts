/**
 * The per-request CSV streams while the run goes (issue 15, reports/requestsCsvStream.ts): a row is
 * written once its request has ended and every earlier-arrived request has been written, so the
 * file equals the end-of-run writer's byte for byte, and most of it is on its way before the run
 * ends. Hand-made records check the reorder buffer; a real run checks the equality and the timing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RequestsCsvStream } from '../reports/requestsCsvStream.js';
import { requestsCsvRows } from '../reports/requestsCsv.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import type { RequestRecord } from '../sim/metrics/types.js';

function record(id: number): RequestRecord {
  const r = newRequestRecord({ id, arrivalUs: id * 1000, inputTokens: 10, outputTokens: 5, adapter: null, priority: 0 });
  r.outcome = 'completed';
  r.reason = '';
  r.endUs = id * 1000 + 500;
  return r;
}

const idsOf = (csv: string): number[] => csv.split('\n').filter((l) => l !== '').map((l) => Number(l.split(',')[1]));

describe('RequestsCsvStream', () => {
  it('holds rows back until every earlier request has ended, then writes them in record order', () => {
    let out = '';
    let writes = 0;
    const s = new RequestsCsvStream((t) => {
      out += t;
      writes++;
    }, { policy: 'p', extended: false, attempts: false });
    s.onStart({});
    const recs = Array.from({ length: 1100 }, (_, i) => record(i));
    for (const r of recs) s.onRecord(r);
    // Every request but 0 and 1099 ends: 0 is still in flight, so nothing may be written.
    for (let id = 1; id < 1099; id++) s.onRequestEnd(id);
    expect(writes).toBe(0);
    // 0 ends: rows 0 … 1098 are due, a full batch of 1024 (0 … 1023) goes out at once.
    s.onRequestEnd(0);
    expect(writes).toBe(1);
    expect(idsOf(out)).toEqual(Array.from({ length: 1024 }, (_, i) => i));
    // 1099 never ended (in flight when the run ended): finish writes the rest in order.
    s.finish();
    expect(idsOf(out)).toEqual(recs.map((r) => r.id));
    expect(out).toBe(requestsCsvRows('p', recs));
  });

  it('writes full batches during the run (fast-check: any end order gives the end-of-run bytes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 1000 }), (n, seed) => {
        let out = '';
        let writesBeforeFinish = 0;
        const s = new RequestsCsvStream((t) => {
          out += t;
          writesBeforeFinish++;
        }, { policy: 'p', extended: false, attempts: true });
        const recs = Array.from({ length: n }, (_, i) => record(i));
        for (const r of recs) s.onRecord(r);
        // End in a scrambled order: id i ends at step (i * 7919 + seed) mod n.
        const order = recs.map((r) => r.id).sort((a, b) => ((a * 7919 + seed) % n) - ((b * 7919 + seed) % n) || a - b);
        for (const id of order) s.onRequestEnd(id);
        // Every request ended: all rows are due; only a last partial batch waits for finish.
        expect(writesBeforeFinish).toBe(Math.floor(n / 1024));
        s.finish();
        expect(out).toBe(requestsCsvRows('p', recs, undefined, undefined, true));
      }),
      { numRuns: 30 },
    );
  });

  it('on a real run: the streamed file equals the end-of-run rows, and most rows are written before the run ends', () => {
    const sc = parseScenario(
      `
seed: 3
requests: 3000
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 20}
  input: {dist: uniform, min: 10, max: 300}
  output: {dist: uniform, min: 5, max: 100}
policies: [least-requests]
`,
      'csv.yaml',
    );
    let out = '';
    const s = new RequestsCsvStream((t) => (out += t), { policy: 'least-requests', extended: false, attempts: false });
    const run = runPolicy(sc, sc.policies[0]!, s);
    const before = idsOf(out).length;
    s.finish();
    expect(out).toBe(requestsCsvRows('least-requests', run.records));
    // Rows go out in batches of 1024 as requests end: 3000 requests → at least 2 full batches
    // (2048 rows) were written while the run was still going.
    expect(before).toBeGreaterThanOrEqual(2048);
    expect(idsOf(out)).toEqual(run.records.map((r) => r.id));
  });
});
