/**
 * lab/parallel/heap.ts's full collection, which a streamed run makes between its simulation and its
 * summary (lab/cells/runCell.ts).
 */
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../lab/parallel/heap.js';

describe('collectGarbage (lab/parallel/heap.ts)', () => {
  it('collects an object nothing references any more, at once', async () => {
    let held: object | null = { payload: new Float64Array(1024) };
    const ref = new WeakRef(held);
    held = null;
    // A WeakRef's target stays alive until the end of the job that created or read it.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });
});
