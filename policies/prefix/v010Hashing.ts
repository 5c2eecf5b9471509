/**
 * llm-d-router v0.10.0 approximate prefix block hashes (`llm-d-router.md` §4.6, §5): on the
 * TokenizedPrompt's token ids (estimate backend: 4-byte pseudo-tokens), per prompt,
 *   h₀ = xxh64(targetModel ‖ cacheSalt);  blocks of B tokens INCLUDING the trailing partial block;
 *   c = xxh64(little-endian bytes of the block's uint32 tokens);  hᵢ = xxh64(LE64(c) ‖ LE64(hᵢ₋₁));
 * stop after `maxBlocks` blocks (0 = unlimited). No tokens → no hashes. The GAIE v1.5.0 function
 * (hashing.ts) is untouched.
 *
 * Index keys are the low 53 bits of each 64-bit hash (xxh64.ts `fold53`), as the GAIE producer.
 *
 * Synthetic prompts (spans of content ids, no bytes): block i covers bytes [4Bi, 4B(i+1)) of the
 * concatenated spans (span j = round(tokens_j × charsPerToken) bytes), the last block possibly
 * partial. Its identity is its list of pieces (content id, byte offset in the span, length), mixed
 * with 32-bit MurmurHash3 rounds together with the previous hash, seeded with the folded
 * xxh64(model ‖ salt) — the same piece scheme as the GAIE producer's synthetic hashing but with a
 * different domain constant, the v0.10 block boundaries (4B bytes) and the trailing partial block.
 * Equal pieces ⇔ equal chain. O(pieces) per block; cached per span array.
 */
import type { PromptSpan } from '../framework/types.js';
import type { EstimatedPrompt } from './estimateTokens.js';
import { fold53, utf8, xxh64 } from './xxh64.js';
import { firstRunBlock, syntheticKeys } from './uniqueRunKeys.js';

export interface V010HashOptions {
  /** Block size B in tokens (> 0). */
  readonly blockSize: number;
  /** Cap on blocks; 0 = unlimited. */
  readonly maxBlocks: number;
  readonly targetModel: string;
  readonly cacheSalt: string;
}

/** The cap in blocks (§4.6): tokens > 0 → ⌊tokens/B⌋; else the block cap (0 = unlimited). */
export function v010MaxBlocks(maxPrefixTokensToMatch: number, maxPrefixBlocksToMatch: number, blockSize: number): number {
  if (maxPrefixTokensToMatch > 0) return Math.max(1, Math.floor(maxPrefixTokensToMatch / blockSize));
  return maxPrefixBlocksToMatch;
}

function blocksOf(count: number, o: V010HashOptions): number {
  const n = Math.ceil(count / o.blockSize);
  return o.maxBlocks > 0 ? Math.min(n, o.maxBlocks) : n;
}

/** The full 64-bit chain of a token prompt (tests compare these with the reference's vectors). */
export function tokenHashes64(tokens: Uint32Array, o: V010HashOptions): bigint[] {
  const n = blocksOf(tokens.length, o);
  const out: bigint[] = [];
  if (n === 0) return out;
  let prev = xxh64(utf8(o.targetModel + o.cacheSalt));
  const pair = new Uint8Array(16);
  const pv = new DataView(pair.buffer);
  for (let i = 0; i < n; i++) {
    const lo = i * o.blockSize;
    const hi = Math.min(tokens.length, lo + o.blockSize);
    const bytes = new Uint8Array(tokens.buffer, tokens.byteOffset + lo * 4, (hi - lo) * 4);
    // Uint32Array is little-endian on every platform Node runs on; make it explicit anyway.
    const c = xxh64(littleEndian(bytes));
    pv.setBigUint64(0, c, true);
    pv.setBigUint64(8, prev, true);
    prev = xxh64(pair);
    out.push(prev);
  }
  return out;
}

const LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function littleEndian(b: Uint8Array): Uint8Array {
  if (LE) return b;
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i += 4) for (let k = 0; k < 4; k++) out[i + k] = b[i + 3 - k]!;
  return out;
}

/** v0.10's synthetic-chain lane constants (pieceChain.ts). */
const V010_DOMAIN = { laneA: 0x1b0a0010, laneB: 0x5bd1e995 };

const cache = new WeakMap<object, { readonly key: string; readonly hashes: readonly number[] }>();

/**
 * Block hashes (index keys) of synthetic spans. With `uniqueTail` (the last span is the request's
 * own text), the blocks from the first one holding a byte of it on are run keys instead
 * (uniqueRunKeys.ts): equal exactly when the hashes would be.
 */
export function syntheticHashesV010(spans: readonly PromptSpan[], charsPerToken: number, count: number, o: V010HashOptions, uniqueTail = false): readonly number[] {
  const key = `${o.blockSize}|${o.maxBlocks}|${charsPerToken}|${o.targetModel}|${o.cacheSalt}|${uniqueTail}`;
  const hit = cache.get(spans);
  if (hit !== undefined && hit.key === key) return hit.hashes;
  const n = blocksOf(count, o);
  const C = o.blockSize * 4;
  // A one-block chain keeps its hash: that block is the whole prompt (the last block may be partial
  // here), the same bytes, so the same hash, under every block size ≥ the prompt, and the seed id
  // includes the block size. With two blocks or more, chains of different block sizes never share one.
  const u = uniqueTail && n >= 2 ? firstRunBlock(spans, charsPerToken, C, n) : n;
  const out = syntheticKeys(spans, charsPerToken, n, C, o.targetModel + o.cacheSalt, V010_DOMAIN, u, 'v010');
  cache.set(spans, { key, hashes: out });
  return out;
}

/** Block hashes (index keys) of one estimated prompt. */
export function promptHashesV010(p: EstimatedPrompt, o: V010HashOptions): readonly number[] {
  if (!(o.blockSize > 0)) return [];
  if (p.kind === 'synthetic') return syntheticHashesV010(p.spans, p.charsPerToken, p.count, o, p.uniqueTail === true);
  return tokenHashes64(p.tokens, o).map(fold53);
}
