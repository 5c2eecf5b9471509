/**
 * Integer hashing for the named policies (ring points, prefix keys, per-node tie orders): MurmurHash3's
 * 32-bit round and finaliser on Math.imul lanes. No strings are built; no per-token work.
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

/** MurmurHash3 finaliser; unsigned 32-bit result. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds the UTF-16 code units of `s[from, to)` into `h`. */
export function mixString(h: number, s: string, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) h = mix32(h, s.charCodeAt(i));
  return h;
}

/** Unsigned 32-bit hash of a string. */
export function hashString(s: string): number {
  return fmix32(mixString(0x5bd1e995, s) ^ s.length);
}
