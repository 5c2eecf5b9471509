/**
 * Integer hashing shared by the simulator (content ids, KV block identities) and the policies
 * (synthetic prompt blocks, hash rings, prefix keys). No strings are built and there is no
 * per-token work: every value is a 32-bit lane (Math.imul mixing, MurmurHash3's round and
 * finaliser), and chained block hashes are 53-bit safe integers joined from two independent lanes.
 * It lives under policies/ because policies/ may not import sim/; sim/core/hash.ts re-exports it.
 */

/** One MurmurHash3 round: folds 32-bit `v` into running hash `h`. */
export function mix32(h: number, v: number): number {
  v = Math.imul(v, 0xcc9e2d51);
  v = (v << 15) | (v >>> 17);
  v = Math.imul(v, 0x1b873593);
  h ^= v;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3 finaliser: full avalanche of a 32-bit value. Returns an unsigned 32-bit integer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Unsigned 32-bit hash of a list of integers (order matters). */
export function hashInts(...values: number[]): number {
  let h = 0x9747b28c;
  for (const v of values) h = mix32(h, v | 0);
  return fmix32(h ^ values.length);
}

/** Folds the UTF-16 code units of `s[from, to)` into `h`. */
export function mixString(h: number, s: string, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) h = mix32(h, s.charCodeAt(i));
  return h;
}

/** Unsigned 32-bit hash of a string (UTF-16 code units). */
export function hashString(s: string): number {
  return fmix32(mixString(0x5bd1e995, s) ^ s.length);
}

const TWO_32 = 4294967296;

/** A 53-bit chained block hash from two independently mixed 32-bit lanes. */
export function joinLanes(a: number, b: number): number {
  return (fmix32(a) & 0x1fffff) * TWO_32 + fmix32(b);
}
