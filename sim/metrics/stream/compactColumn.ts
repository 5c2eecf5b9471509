import { sortInPlace } from './sortFloat64.js';

/**
 * A column of numbers kept as int32 offsets from its first value while every value is an integer
 * within ±2³¹ of it that reads back exactly (times in µs, token counts: 4 B a value instead of 8),
 * and as float64 values from the first that is not: every value reads back as it was set either way
 * (issue 15: the streamed summary's held requests and backlog times).
 */
export class CompactColumn {
  private ints: Int32Array | null;
  private floats: Float64Array | null = null;
  private origin = 0;
  private started = false;

  constructor(capacity: number) {
    this.ints = new Int32Array(capacity);
  }

  /** Whether it still keeps int32 offsets. */
  get compact(): boolean {
    return this.ints !== null;
  }

  /** Sets row i to v, rows 0 … i − 1 being in use (kept when it moves to float64). */
  set(i: number, v: number): void {
    const ints = this.ints;
    if (ints !== null) {
      if (!this.started) {
        this.origin = v;
        this.started = true;
      }
      const d = v - this.origin;
      if ((d | 0) === d && this.origin + d === v && !Object.is(v, -0)) {
        ints[i] = d;
        return;
      }
      this.toFloats(i);
    }
    this.floats![i] = v;
  }

  get(i: number): number {
    return this.ints !== null ? this.origin + this.ints[i]! : this.floats![i]!;
  }

  /** Row `to` takes row `from`'s value. */
  move(to: number, from: number): void {
    if (this.ints !== null) this.ints[to] = this.ints[from]!;
    else this.floats![to] = this.floats![from]!;
  }

  /** Room for `capacity` rows, the first `size` kept. */
  grow(capacity: number, size: number): void {
    if (this.ints !== null) {
      const d = new Int32Array(capacity);
      d.set(this.ints.subarray(0, size));
      this.ints = d;
    } else {
      const d = new Float64Array(capacity);
      d.set(this.floats!.subarray(0, size));
      this.floats = d;
    }
  }

  /**
   * Sorts its first `size` values ascending where they are (offsets sort as their values do) and
   * returns them as stored with the origin to add: value k is origin + sorted[k].
   */
  sortedInPlace(size: number): { readonly sorted: Int32Array | Float64Array; readonly origin: number } {
    if (this.ints !== null) return { sorted: this.ints.subarray(0, size).sort(), origin: this.origin };
    return { sorted: sortInPlace(this.floats!, size), origin: 0 };
  }

  private toFloats(size: number): void {
    const ints = this.ints!;
    const f = new Float64Array(ints.length);
    for (let k = 0; k < size; k++) f[k] = this.origin + ints[k]!;
    this.floats = f;
    this.ints = null;
  }
}
