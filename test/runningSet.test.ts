/** The scheduler's running list (sim/engine/runningSet.ts): order, ranks, finished ones as holes. */
import { describe, expect, it } from 'vitest';
import { RunningSet } from '../sim/engine/runningSet.js';
import { Sequence } from '../sim/engine/sequence.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import { req } from './helpers.js';

const seq = (id: number): Sequence => {
  const r = req({ id, at: 0, prompt: 8, output: 4 });
  return new Sequence(r, newRequestRecord(r), 16);
};

describe('RunningSet', () => {
  it('golden: ranks in joining order; a finished one is a hole until a quarter are holes or the list is read', () => {
    const set = new RunningSet();
    const s = [0, 1, 2, 3, 4].map(seq);
    for (const x of s) set.push(x);
    expect(s.map((x) => x.runRank)).toEqual([1, 2, 3, 4, 5]);
    s[1]!.outputDone = 4; // finished
    set.finished(1); // 1 hole of 5: 4 > 5 is false, kept
    expect(set.count).toBe(4);
    expect(set.remove(s[1]!)).toBe(false); // a finished one does not run
    expect(set.remove(s[3]!)).toBe(true);
    expect(set.list.map((x) => x.req.id)).toEqual([0, 2, 4]);
    s[0]!.outputDone = 4;
    set.finished(1); // 1 hole of 3: 4 > 3, compacted at once
    expect([set.count, set.list.length]).toEqual([2, 2]);
    set.clear();
    const late = seq(9);
    set.push(late);
    expect([set.count, late.runRank]).toEqual([1, 6]);
  });
});
