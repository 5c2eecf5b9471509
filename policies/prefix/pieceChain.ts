/**
 * The synthetic-prompt block hash chain shared by GAIE v1.5.0's approximate prefix hashing
 * (hashing.ts, `epp.md` §2.1) and llm-d-router v0.10.0's (v010Hashing.ts, `llm-d-router.md` §4.6):
 * block i covers chars/bytes [iC, (i+1)C) of the concatenated spans (span j = round(tokens_j ×
 * charsPerToken)); its identity is its list of pieces (content id, offset in the span, length),
 * mixed with 32-bit MurmurHash3 rounds in two lanes seeded by a per-dialect domain constant and
 * the previous hash, joined into 53 bits. The chain starts at the folded xxh64(model ‖ salt).
 * A block that runs past the last span ends there (a trailing partial block; GAIE never asks for
 * one, as it counts full blocks only). O(pieces) per block.
 */
import { joinLanes, mix32 } from '../util/hash.js';
import { fold53, utf8, xxh64 } from './xxh64.js';

const TWO_32 = 4294967296;

/** Per-dialect initial lane constants (the "domain" of the chain). */
export interface ChainDomain {
  readonly laneA: number;
  readonly laneB: number;
}

const seedCache = new Map<string, number>();

/** fold53(xxh64(utf8(modelAndSalt))), memoised (≤ 4097 entries). */
export function syntheticSeed(modelAndSalt: string): number {
  let s = seedCache.get(modelAndSalt);
  if (s === undefined) {
    s = fold53(xxh64(utf8(modelAndSalt)));
    if (seedCache.size > 4096) seedCache.clear();
    seedCache.set(modelAndSalt, s);
  }
  return s;
}

/** The first `n` block hashes of blocks of C chars over `spans`, chained from `seed`. */
export function pieceChainHashes(
  spans: readonly { readonly content: number; readonly tokens: number }[],
  charsPerToken: number,
  n: number,
  C: number,
  seed: number,
  domain: ChainDomain,
): number[] {
  const out = new Array<number>(n);
  if (n === 0) return out;
  let prev = seed;
  let j = 0;
  let off = 0;
  let len = spans.length > 0 ? Math.round(spans[0]!.tokens * charsPerToken) : 0;
  for (let i = 0; i < n; i++) {
    const lo = prev >>> 0;
    const hi = (prev - lo) / TWO_32;
    let a = mix32(mix32(domain.laneA, lo), hi);
    let b = mix32(mix32(domain.laneB | 0, hi), lo);
    let pieces = 0;
    let remaining = C;
    while (remaining > 0) {
      while (off >= len && j + 1 < spans.length) {
        j++;
        off = 0;
        len = Math.round(spans[j]!.tokens * charsPerToken);
      }
      if (off >= len) break; // end of prompt: trailing partial block
      const take = len - off < remaining ? len - off : remaining;
      const content = spans[j]!.content | 0;
      a = mix32(mix32(mix32(a, content), off), take);
      b = mix32(mix32(mix32(b, take), content ^ 0x7f4a7c15), off);
      off += take;
      remaining -= take;
      pieces++;
    }
    prev = joinLanes(a ^ pieces, b ^ Math.imul(pieces, 0x27d4eb2f));
    out[i] = prev;
  }
  return out;
}
