import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WaitingQueue } from '../sim/engine/waitingQueue.js';
import type { Sequence } from '../sim/engine/sequence.js';

// A full collection on demand (as `--expose-gc`), to check what the queue keeps reachable.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function fakeSeq(id: number): Sequence {
  return { req: { id, priority: 0, arrivalUs: id } } as unknown as Sequence;
}

describe('WaitingQueue', () => {
  it('keeps FCFS order with preempted requests to the front and skipped ones back at the front', () => {
    const q = new WaitingQueue(false);
    const s = [0, 1, 2, 3, 4].map(fakeSeq);
    for (const x of s.slice(0, 4)) q.add(x);
    // Examined 3: the second was skipped (goes back to the front), the others were admitted.
    q.consumeFront(3, [s[1]!]);
    expect([...q].map((x) => x.req.id)).toEqual([1, 3]);
    q.addPreempted(s[4]!);
    expect([...q].map((x) => x.req.id)).toEqual([4, 1, 3]);
    expect(q.length).toBe(3);
  });

  it('drops its references to admitted requests at once, long before it compacts (issue 15)', async () => {
    const q = new WaitingQueue(false);
    const refs: WeakRef<Sequence>[] = [];
    (() => {
      for (let i = 0; i < 10; i++) {
        const seq = fakeSeq(i);
        refs.push(new WeakRef(seq));
        q.add(seq);
      }
      // 4 admitted, none skipped: far below the 1,024 entries at which the array compacts.
      q.consumeFront(4, []);
    })();
    // A WeakRef keeps its target alive until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(refs.map((r) => r.deref() === undefined)).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(q.at(0).req.id).toBe(4);
  });
});
