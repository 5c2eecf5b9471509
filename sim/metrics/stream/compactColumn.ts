import { sortInPlace } from './sortFloat64.js';

/** The scale of latencies in ms that are whole µs (the streamed summary's latency columns and bins). */
export const MS_SCALE = 1000;

/**
 * Rows for the next values of a growing column holding n: doubling from 1024, at most `limit` (the
 * latency columns and the TTFT-by-time bins, each up to EXACT_VALUES).
 */
export function doubledCapacity(n: number, limit: number): number {
  return Math.min(limit, Math.max(1024, n * 2));
}

/**
 * A column of numbers kept as int32 offsets while every value reads back exactly from one, and as
 * float64 values from the first that does not: every value reads back as it was set either way
 * (issue 15: the streamed summary's held requests, backlog times and latency columns).
 *
 * With `scale` 1 (times in µs, token counts) a value v is stored as v − origin, the origin being the
 * first value: integers within ±2³¹ of it. With `scale` 1000 (latencies in ms that are whole µs
 * apart, as the simulator's integer clock makes them) v is stored as round(v · 1000) − origin and
 * read as (origin + offset) / 1000, which is v again (checked on every set). 4 B a value instead of 8.
 */
export class CompactColumn {
  private ints: Int32Array | null;
  private floats: Float64Array | null = null;
  private origin = 0;
  private started = false;

  constructor(
    capacity: number,
    private readonly scale = 1,
  ) {
    this.ints = new Int32Array(capacity);
  }

  /** Whether it still keeps int32 offsets. */
  get compact(): boolean {
    return this.ints !== null;
  }

  /** Rows it has room for. */
  get capacity(): number {
    return this.ints !== null ? this.ints.length : this.floats!.length;
  }

  /** Sets row i to v, rows 0 … i − 1 being in use (kept when it moves to float64). */
  set(i: number, v: number): void {
    const ints = this.ints;
    if (ints !== null) {
      const scale = this.scale;
      const k = scale === 1 ? v : Math.round(v * scale);
      if (!this.started) {
        this.origin = Number.isFinite(k) ? k : 0;
        this.started = true;
      }
      const d = k - this.origin;
      if ((d | 0) === d && (this.origin + d) / scale === v && !Object.is(v, -0)) {
        ints[i] = d;
        return;
      }
      this.toFloats(i);
    }
    this.floats![i] = v;
  }

  get(i: number): number {
    return this.ints !== null ? (this.origin + this.ints[i]!) / this.scale : this.floats![i]!;
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

  /** A column of its first `size` values (same scale, same storage) with room for `capacity` rows. */
  copy(size: number, capacity: number): CompactColumn {
    const c = new CompactColumn(0, this.scale);
    c.origin = this.origin;
    c.started = this.started;
    if (this.ints !== null) {
      c.ints = new Int32Array(Math.max(capacity, size));
      c.ints.set(this.ints.subarray(0, size));
    } else {
      c.ints = null;
      c.floats = new Float64Array(Math.max(capacity, size));
      c.floats.set(this.floats!.subarray(0, size));
    }
    return c;
  }

  /** Its first `size` values as float64, in a new array (in their order). */
  toFloat64(size: number): Float64Array {
    if (this.ints === null) return this.floats!.slice(0, size);
    const out = new Float64Array(size);
    this.readInto(out, this.ints, size);
    return out;
  }

  /**
   * Sorts its first `size` values ascending where they are (offsets sort as their values do) and
   * returns them as stored with the origin to add (a column of scale 1): value k is origin + sorted[k].
   */
  sortedInPlace(size: number): { readonly sorted: Int32Array | Float64Array; readonly origin: number } {
    if (this.scale !== 1) throw new Error('sortedInPlace reads a column of scale 1 (sortedFloat64 reads any)');
    if (this.ints !== null) return { sorted: this.ints.subarray(0, size).sort(), origin: this.origin };
    return { sorted: sortInPlace(this.floats!, size), origin: 0 };
  }

  /**
   * Its first `size` values sorted ascending as float64 (a new array when it keeps offsets, whose
   * own are sorted in place; else sorted where they are). It takes no value after this.
   */
  sortedFloat64(size: number): Float64Array {
    if (this.ints === null) return sortInPlace(this.floats!, size);
    const ints = this.ints.subarray(0, size).sort();
    const out = new Float64Array(size);
    this.readInto(out, ints, size);
    return out;
  }

  private readInto(out: Float64Array, ints: Int32Array, size: number): void {
    const o = this.origin;
    const s = this.scale;
    for (let k = 0; k < size; k++) out[k] = (o + ints[k]!) / s;
  }

  private toFloats(size: number): void {
    const ints = this.ints!;
    const f = new Float64Array(ints.length);
    this.readInto(f, ints, size);
    this.floats = f;
    this.ints = null;
  }
}
