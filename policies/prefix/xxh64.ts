/**
 * xxHash64 (seed 0), as Go's `github.com/cespare/xxhash/v2` computes it, via xxhash-wasm (async
 * initialisation, hence the top-level await). Used for real-text prompts; the simulator's synthetic
 * prompts use the integer mixing of `hashing.ts` (util/hash.ts) instead.
 *
 * The EPP keys its index by the full 64-bit hash. routesim chains the full 64-bit values (so every
 * block hash is exactly production's) but keys its index by the low 53 bits (`fold53`), a plain JS
 * number: a `Map` keyed by numbers is several times faster than one keyed by bigints. Two distinct
 * blocks share a key only if their 64-bit hashes agree on the low 53 bits: with n distinct indexed
 * blocks the chance of any such pair is ≈ n²/2⁵⁴ (≈ 2·10⁻⁴ at n = 2·10⁶, i.e. 64 pods × 31,250
 * entries), and one would credit a single block to the wrong chain — negligible.
 */
import xxhash from 'xxhash-wasm';

const api = await xxhash();

/** xxh64 of the bytes, seed 0. */
export function xxh64(bytes: Uint8Array): bigint {
  return api.h64Raw(bytes, 0n);
}

const MASK53 = (1n << 53n) - 1n;

/** The low 53 bits of a 64-bit hash as a safe integer (the index key). */
export function fold53(h: bigint): number {
  return Number(h & MASK53);
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as Go's decoder makes them). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** UTF-8 byte length of a string without encoding it (Go's `len(string)`). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3; // lone high surrogate → U+FFFD (3 bytes)
    } else n += 3; // BMP, or a lone surrogate → U+FFFD
  }
  return n;
}
