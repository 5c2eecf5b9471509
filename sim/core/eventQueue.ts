/**
 * The discrete-event core's priority queue: a binary min-heap keyed by
 * (integer µs time, event-kind order, insertion sequence). Equal times resolve by kind, then FIFO,
 * so runs are deterministic.
 */

export interface SimEvent<P = unknown> {
  readonly time: number;
  readonly kind: number;
  readonly seq: number;
  readonly payload: P;
}

export class EventQueue<P = unknown> {
  private readonly heap: SimEvent<P>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Time of the earliest event, or +∞ when the queue is empty. */
  peekTime(): number {
    const top = this.heap[0];
    return top === undefined ? Infinity : top.time;
  }

  push(time: number, kind: number, payload: P): void {
    if (!Number.isInteger(time)) throw new Error(`event time must be integer µs, got ${time}`);
    const ev: SimEvent<P> = { time, kind, seq: this.nextSeq++, payload };
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(ev, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = ev;
  }

  pop(): SimEvent<P> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

function before(a: SimEvent<unknown>, b: SimEvent<unknown>): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.kind !== b.kind) return a.kind < b.kind;
  return a.seq < b.seq;
}
