/**
 * Sets of 53-bit block keys (the chained prefix hashes of `joinLanes`) for the trace statistics'
 * ideal cache, in memory that does not grow past a fixed budget, however many rows a trace has:
 * - `KeySet`: exact, an open-addressing hash set on a Float64Array (8 B a slot, linear probing,
 *   load ≤ 3/4, doubling), free of V8's 2^24-entry limit on a JS Set;
 * - `BloomKeySet`: a Bloom filter of fixed size, no false negatives; a key never added is taken
 *   for a member with probability (share of bits set)^hashes, reported by `falsePositiveRate()`;
 * - `PrefixKeySet`: keys split by hash into shards, each exact until its table would outgrow its
 *   share of the slot budget, then its keys moved into a Bloom filter of its share of the bits
 *   (`estimate()` says whether and with what error).
 * Keys are non-negative integers below 2^53 (block hashes); any such number works.
 */
import { fmix32 } from '../../core/hash.js';

const TWO_32 = 4294967296;

/** The common surface of the exact set and the Bloom filter. */
export interface KeyMembership {
  has(key: number): boolean;
  add(key: number): void;
}

/** Exact set of non-negative integer keys < 2^53 on a Float64Array (0 marks an empty slot). */
export class KeySet implements KeyMembership {
  private table: Float64Array;
  private mask: number;
  private hasZero = false;
  /** Distinct keys held. */
  size = 0;

  /**
   * `ceilingSlots`: once the table would grow past SMALL_TABLE_SLOTS it grows straight to this size
   * (a power of two) instead of doubling there: each doubling frees its old table, and glibc keeps
   * freed blocks of 64 KiB and more as fragments of its heap: ≈ 60 MB of them by the time 64 shards
   * reached 1 MiB each on a streamed replay (issue 15). Fresh pages of the big table become resident
   * only as keys land on them.
   */
  constructor(
    initialSlots = 1 << 12,
    private readonly ceilingSlots = 0,
  ) {
    this.table = new Float64Array(initialSlots);
    this.mask = initialSlots - 1;
  }

  /** Slots allocated (8 B each). */
  get slots(): number {
    return this.table.length;
  }

  /** True when one more distinct key would make the table grow. */
  get full(): boolean {
    return (this.size + 1) * 4 > this.table.length * 3;
  }

  has(key: number): boolean {
    if (key === 0) return this.hasZero;
    const t = this.table;
    for (let i = slotOf(key) & this.mask; ; i = (i + 1) & this.mask) {
      const v = t[i]!;
      if (v === key) return true;
      if (v === 0) return false;
    }
  }

  add(key: number): void {
    if (key === 0) {
      if (!this.hasZero) this.size++;
      this.hasZero = true;
      return;
    }
    if (this.full && !this.has(key)) this.grow();
    if (insert(this.table, this.mask, key)) this.size++;
  }

  /** Every key held, in table order. */
  *keys(): Generator<number> {
    if (this.hasZero) yield 0;
    for (const v of this.table) if (v !== 0) yield v;
  }

  /**
   * Copies every key into `into` (length ≥ size), zeroes the table and hands over its buffer (8 B
   * a slot) for reuse; the set must not be used afterwards.
   */
  release(into: Float64Array): { count: number; buffer: ArrayBuffer } {
    let n = 0;
    for (const k of this.keys()) into[n++] = k;
    this.table.fill(0);
    return { count: n, buffer: this.table.buffer as ArrayBuffer };
  }

  private grow(): void {
    const old = this.table;
    const doubled = old.length * 2;
    this.table = new Float64Array(doubled > SMALL_TABLE_SLOTS && this.ceilingSlots > doubled ? this.ceilingSlots : doubled);
    this.mask = this.table.length - 1;
    for (const v of old) if (v !== 0) insert(this.table, this.mask, v);
  }
}

/** Largest table (slots, 64 KiB) a KeySet with a ceiling reaches by doubling. */
const SMALL_TABLE_SLOTS = 1 << 13;

/** The home slot of a key: its low 32 bits (already a finalised hash lane), mixed once more. */
function slotOf(key: number): number {
  return fmix32(key >>> 0 ^ Math.floor(key / TWO_32));
}

/** Inserts `key` (≠ 0); false when it was present. */
function insert(t: Float64Array, mask: number, key: number): boolean {
  for (let i = slotOf(key) & mask; ; i = (i + 1) & mask) {
    const v = t[i]!;
    if (v === key) return false;
    if (v === 0) {
      t[i] = key;
      return true;
    }
  }
}

/** The two hashes of BloomKeySet's double hashing for the last key seeded (probe i is h1 + i·h2). */
let probeH1 = 0;
let probeH2 = 0;

function seedProbes(key: number): void {
  const lo = key >>> 0;
  probeH1 = fmix32(lo ^ 0x2545f491);
  probeH2 = fmix32(Math.floor(key / TWO_32) ^ Math.imul(lo, 0x9e3779b1)) | 1;
}

/** A Bloom filter over the same keys: `bits` (a power of two ≥ 32) bits, `hashes` probes (double hashing). */
export class BloomKeySet implements KeyMembership {
  private readonly words: Int32Array;
  private readonly mask: number;
  /** Bits set so far. */
  private set = 0;

  /** `buffer` (optional, zeroed, bits / 8 bytes) holds the bits instead of a new allocation. */
  constructor(
    readonly bits: number,
    readonly hashes: number,
    buffer?: ArrayBuffer,
  ) {
    this.words = buffer === undefined ? new Int32Array(bits / 32) : new Int32Array(buffer, 0, bits / 32);
    this.mask = bits - 1;
  }

  has(key: number): boolean {
    seedProbes(key);
    for (let i = 0; i < this.hashes; i++) {
      const b = (probeH1 + Math.imul(i, probeH2)) & this.mask;
      if ((this.words[b >>> 5]! & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }

  add(key: number): void {
    seedProbes(key);
    for (let i = 0; i < this.hashes; i++) {
      const b = (probeH1 + Math.imul(i, probeH2)) & this.mask;
      const w = b >>> 5;
      const bit = 1 << (b & 31);
      if ((this.words[w]! & bit) === 0) {
        this.words[w]! |= bit;
        this.set++;
      }
    }
  }

  /** Probability that a key never added is reported present, given the bits set now: (set / bits)^hashes. */
  falsePositiveRate(): number {
    return (this.set / this.bits) ** this.hashes;
  }
}

/** Sizes of a `PrefixKeySet`. */
export interface PrefixKeyBudget {
  /** Most slots of the exact sets in all (a power of two; 8 B each): each holds up to 3/4 of its share. */
  readonly exactSlots: number;
  /** Bits of the Bloom filters in all (a power of two). */
  readonly bloomBits: number;
  readonly bloomHashes: number;
  /** Shards (a power of two ≤ 64): keys are split by hash, each shard has its share of both budgets. */
  readonly shards: number;
}

/**
 * Exact to 2^23 slots (64 MB, ≈ 6.29 M distinct keys), then 2^29 Bloom bits (64 MB) with 8
 * probes, (1 − e^(−8n/2^29))^8: at 10 M keys the false-positive rate is ≈ 10⁻⁷, at 30 M
 * ≈ 3·10⁻⁴, at 60 M ≈ 1.5 %, at 100 M ≈ 13 %. In 64 shards, each switching on its own when its
 * 1 MB exact table is full, so the switch costs 1 MB more at a time, not a second 64 MB.
 */
export const DEFAULT_PREFIX_BUDGET: PrefixKeyBudget = { exactSlots: 1 << 23, bloomBits: 2 ** 29, bloomHashes: 8, shards: 64 };

/** How a `PrefixKeySet` answered: null while exact, else the Bloom filters' parameters and error. */
export interface KeySetEstimate {
  readonly method: 'bloom';
  /** Distinct keys held, all exactly, when the first shard switched to its filter. */
  readonly exact_until: number;
  /** Bloom bits in all (shards × bits each). */
  readonly bits: number;
  readonly hashes: number;
  /**
   * Final false-positive rate (the highest it reached): an unseen key is taken for seen with this
   * probability, the mean over shards of (share of bits set)^hashes (0 for shards still exact).
   */
  readonly false_positive_rate: number;
}

/** Exact sets of keys within `budget.exactSlots`, each shard then a Bloom filter holding its keys. */
export class PrefixKeySet implements KeyMembership {
  private readonly shards: (KeySet | BloomKeySet)[];
  private readonly shift: number;
  private readonly exactCap: number;
  private exactSize = 0;
  private switchedAt = -1;
  private scratch: Float64Array | null = null;

  constructor(private readonly budget: PrefixKeyBudget = DEFAULT_PREFIX_BUDGET) {
    const n = budget.shards;
    this.exactCap = budget.exactSlots / n;
    this.shift = 32 - Math.log2(n);
    this.shards = Array.from({ length: n }, () => new KeySet(Math.min(256, this.exactCap), this.exactCap));
  }

  private shardOf(key: number): number {
    return this.shift === 32 ? 0 : slotOf(key) >>> this.shift;
  }

  has(key: number): boolean {
    return this.shards[this.shardOf(key)]!.has(key);
  }

  add(key: number): void {
    const i = this.shardOf(key);
    const s = this.shards[i]!;
    if (s instanceof BloomKeySet) return s.add(key);
    if (s.full && s.slots >= this.exactCap && !s.has(key)) {
      if (this.switchedAt < 0) this.switchedAt = this.exactSize;
      this.shards[i] = this.toBloom(s);
      return this.shards[i]!.add(key);
    }
    const before = s.size;
    s.add(key);
    this.exactSize += s.size - before;
  }

  /**
   * A full shard's keys in a Bloom filter. When the filter is as large as the table (the default:
   * 2^17 slots × 64 bits = 2^23 bits) it takes over the table's memory, the keys passing through
   * one scratch array shared by all shards, so switching allocates nothing and frees nothing.
   */
  private toBloom(s: KeySet): BloomKeySet {
    const bits = this.budget.bloomBits / this.budget.shards;
    if (bits === s.slots * 64) {
      const scratch = (this.scratch ??= new Float64Array(s.slots));
      const { count, buffer } = s.release(scratch);
      const b = new BloomKeySet(bits, this.budget.bloomHashes, buffer);
      for (let j = 0; j < count; j++) b.add(scratch[j]!);
      return b;
    }
    const b = new BloomKeySet(bits, this.budget.bloomHashes);
    for (const k of s.keys()) b.add(k);
    return b;
  }

  /** null while every answer was exact. */
  estimate(): KeySetEstimate | null {
    if (this.switchedAt < 0) return null;
    let p = 0;
    for (const s of this.shards) if (s instanceof BloomKeySet) p += s.falsePositiveRate();
    const { bloomBits: bits, bloomHashes: hashes } = this.budget;
    return { method: 'bloom', exact_until: this.switchedAt, bits, hashes, false_positive_rate: p / this.shards.length };
  }
}
