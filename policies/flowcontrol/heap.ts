/**
 * A binary min-heap whose elements know their own position (written through `setPos`), so an
 * arbitrary element can be removed in O(log n) — the flow controller keeps every queued item in two
 * heaps (its flow's dispatch order and the global TTL order) and removes it from both on dispatch or
 * expiry.
 */
export class IndexedHeap<T> {
  private readonly a: T[] = [];

  constructor(
    /** Strict order: true when `x` must come out before `y`. */
    private readonly less: (x: T, y: T) => boolean,
    private readonly setPos: (x: T, pos: number) => void,
  ) {}

  get size(): number {
    return this.a.length;
  }

  peek(): T | undefined {
    return this.a[0];
  }

  /** The underlying array (heap order, not sorted); read-only use. */
  raw(): readonly T[] {
    return this.a;
  }

  push(x: T): void {
    this.a.push(x);
    this.up(this.a.length - 1, x);
  }

  pop(): T | undefined {
    if (this.a.length === 0) return undefined;
    return this.removeAt(0);
  }

  /** Removes the element at heap position `pos` (as last written through setPos). */
  removeAt(pos: number): T {
    const a = this.a;
    const out = a[pos]!;
    const last = a.pop()!;
    this.setPos(out, -1);
    if (pos < a.length) {
      a[pos] = last;
      this.setPos(last, pos);
      if (pos > 0 && this.less(last, a[(pos - 1) >> 1]!)) this.up(pos, last);
      else this.down(pos, last);
    }
    return out;
  }

  private up(i: number, x: T): void {
    const a = this.a;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const px = a[p]!;
      if (!this.less(x, px)) break;
      a[i] = px;
      this.setPos(px, i);
      i = p;
    }
    a[i] = x;
    this.setPos(x, i);
  }

  private down(i: number, x: T): void {
    const a = this.a;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(a[r]!, a[l]!) ? r : l;
      const cx = a[c]!;
      if (!this.less(cx, x)) break;
      a[i] = cx;
      this.setPos(cx, i);
      i = c;
    }
    a[i] = x;
    this.setPos(x, i);
  }
}
