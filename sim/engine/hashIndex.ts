/**
 * Block hash → block id, an open-addressing table (linear probing, backward-shift deletion) over
 * typed arrays. Keys are the non-negative 53-bit block hashes; at most one entry per KV block. The
 * table starts small and doubles when half full (so at most twice the entries, up to the block
 * count's power of two): a replica whose blocks are never hashed under real keys — unique prompts,
 * uniqueKeys.ts — keeps 16 slots instead of two per block (issue 15: 48 MB on 64 H100 replicas).
 * Replaces a Map whose heap-number keys dominated runtime.
 */
const EMPTY = -1;
/** Slots of a new table. */
const INITIAL = 16;

export class HashIndex {
  private keys = new Float64Array(INITIAL).fill(EMPTY);
  private vals = new Int32Array(INITIAL);
  private mask = INITIAL - 1;
  private count = 0;

  /** Slots in the table (a power of two ≥ twice the entries). */
  get slots(): number {
    return this.mask + 1;
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
    if ((this.count + 1) * 2 > this.mask + 1) {
      this.grow();
      return this.insert(hash, block);
    }
    keys[i] = hash;
    this.vals[i] = block;
    this.count++;
    return true;
  }

  /** Twice the slots, every entry re-placed from its home slot. */
  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = oldKeys.length * 2;
    const keys = new Float64Array(cap).fill(EMPTY);
    const vals = new Int32Array(cap);
    const mask = cap - 1;
    for (let o = 0; o < oldKeys.length; o++) {
      const k = oldKeys[o]!;
      if (k === EMPTY) continue;
      let i = slot(k) & mask;
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = k;
      vals[i] = oldVals[o]!;
    }
    this.keys = keys;
    this.vals = vals;
    this.mask = mask;
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
