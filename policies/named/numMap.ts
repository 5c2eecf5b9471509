/**
 * A hash map from integer keys (up to 53 bits, e.g. the engine's block hashes) to non-zero int32
 * values, in typed arrays with linear probing and backward-shift deletion. A JS Map boxes such keys
 * as heap numbers; this is several times faster for the KV index's per-block lookups. `get` returns
 * 0 for an absent key, and setting 0 deletes.
 */
const TWO_32 = 4294967296;

export class NumIntMap {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1024) {
    let c = 16;
    while (c < capacity) c *= 2;
    this.keys = new Float64Array(c);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
  }

  get size(): number {
    return this.count;
  }

  private home(k: number): number {
    let h = (k >>> 0) ^ Math.imul(Math.floor(k / TWO_32) | 0, 0x9e3779b1);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  get(k: number): number {
    const keys = this.keys;
    const vals = this.vals;
    for (let i = this.home(k); ; i = (i + 1) & this.mask) {
      const v = vals[i]!;
      if (v === 0) return 0;
      if (keys[i] === k) return v;
    }
  }

  set(k: number, v: number): void {
    if (v === 0) {
      this.delete(k);
      return;
    }
    const keys = this.keys;
    const vals = this.vals;
    let i = this.home(k);
    for (; vals[i] !== 0; i = (i + 1) & this.mask) {
      if (keys[i] === k) {
        vals[i] = v;
        return;
      }
    }
    keys[i] = k;
    vals[i] = v;
    if (++this.count * 2 > this.mask + 1) this.grow();
  }

  delete(k: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(k);
    for (; ; i = (i + 1) & mask) {
      if (vals[i] === 0) return;
      if (keys[i] === k) break;
    }
    vals[i] = 0;
    this.count--;
    // Backward shift: pull later entries of the probe run into the hole when their home allows.
    for (let j = (i + 1) & mask; vals[j] !== 0; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      const between = i <= j ? i < h && h <= j : i < h || h <= j; // home cyclically in (i, j]: stays
      if (between) continue;
      keys[i] = keys[j]!;
      vals[i] = vals[j]!;
      vals[j] = 0;
      i = j;
    }
  }

  /** Calls `f` for every entry (do not modify the map inside `f`). */
  forEach(f: (key: number, value: number) => void): void {
    const keys = this.keys;
    const vals = this.vals;
    for (let i = 0; i <= this.mask; i++) if (vals[i] !== 0) f(keys[i]!, vals[i]!);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const c = (this.mask + 1) * 2;
    this.keys = new Float64Array(c);
    this.vals = new Int32Array(c);
    this.mask = c - 1;
    this.count = 0;
    for (let i = 0; i < oldVals.length; i++) if (oldVals[i] !== 0) this.set(oldKeys[i]!, oldVals[i]!);
  }
}
