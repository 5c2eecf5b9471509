/** A binary min-heap under a strict "comes before" order (merging arrival streams in time). */
export class MinHeap<T> {
  private readonly h: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.h.length;
  }

  peek(): T | undefined {
    return this.h[0];
  }

  push(x: T): void {
    const h = this.h;
    let i = h.length;
    h.push(x);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(x, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = x;
  }

  pop(): T | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = -1;
        let best = last;
        if (l < h.length && this.before(h[l]!, best)) {
          m = l;
          best = h[l]!;
        }
        if (r < h.length && this.before(h[r]!, best)) {
          m = r;
          best = h[r]!;
        }
        if (m < 0) break;
        h[i] = best;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
