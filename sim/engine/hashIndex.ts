/**
 * Block hash → block id, an open-addressing table (linear probing, backward-shift deletion) over
 * typed arrays. Keys are the non-negative 53-bit block hashes; at most one entry per KV block, so
 * the table is sized once and never grows. Replaces a Map whose heap-number keys dominated runtime.
 */
const EMPTY = -1;

export class HashIndex {
  private readonly keys: Float64Array;
  private readonly vals: Int32Array;
  private readonly mask: number;
  private count = 0;

  constructor(maxEntries: number) {
    let cap = 16;
    while (cap < maxEntries * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Block for `hash`, or -1. */
  get(hash: number): number {
    const keys = this.keys;
    for (let i = slot(hash) & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === hash) return this.vals[i]!;
      if (k === EMPTY) return -1;
    }
  }

  /** Insert if absent; returns false when `hash` is already present (its block is kept). */
  insert(hash: number, block: number): boolean {
    const keys = this.keys;
    let i = slot(hash) & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === hash) return false;
      if (k === EMPTY) break;
    }
    keys[i] = hash;
    this.vals[i] = block;
    this.count++;
    return true;
  }

  /** Remove `hash` if it maps to `block`. */
  delete(hash: number, block: number): void {
    const keys = this.keys;
    const mask = this.mask;
    let i = slot(hash) & mask;
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === EMPTY) return;
      if (k === hash) break;
    }
    if (this.vals[i] !== block) return;
    // Backward-shift: move later entries of the probe run into the hole.
    let hole = i;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = slot(keys[j]!) & mask;
      // Entry j may fill the hole if its home is not in (hole, j] cyclically.
      if ((j > hole && (home <= hole || home > j)) || (j < hole && home <= hole && home > j)) {
        keys[hole] = keys[j]!;
        this.vals[hole] = this.vals[j]!;
        hole = j;
      }
    }
    keys[hole] = EMPTY;
    this.count--;
  }

  /** Remove every entry (a restarted engine, engine crash). */
  clear(): void {
    this.keys.fill(EMPTY);
    this.count = 0;
  }

  /** Every (hash, block) pair; for invariant checks only. */
  *entries(): IterableIterator<[number, number]> {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY) yield [this.keys[i]!, this.vals[i]!];
  }
}

/** The low 32 bits of a block hash are already avalanche-mixed (fmix32). */
function slot(hash: number): number {
  return hash >>> 0;
}
