/**
 * The approximate prefix cache's block hashes (`epp.md` §2.1, `approximateprefix/hashing.go`).
 *
 * GAIE v1.5.0 (`version: 'v1.5'`), on the request's input bytes (completion text, or Go's
 * json.Marshal of the chat messages), C = block size in bytes:
 *   - fewer than C bytes → no hashes; input truncated to maxBlocks × C bytes; FULL blocks only
 *     (the trailing partial block is dropped — GAIE final-main hashes it, v1.5.0 does not);
 *   - h0 = xxh64(targetModel ‖ cacheSalt) (salt only if non-empty), not itself a block hash;
 *   - h_i = xxh64(block_i ‖ LE64(h_{i−1})), seed 0.
 * GAIE v1.0.0 (`version: 'v1.0'`): C = `hashBlockSize` chars; the first block hash is
 * xxh64(targetModel ‖ block_0), then h_i = xxh64(block_i ‖ LE64(h_{i−1})); no salt.
 *
 * Block hashes are returned as index keys: the low 53 bits of the 64-bit value (see xxh64.ts); the
 * chain itself runs on the full 64-bit values, exactly as production.
 *
 * Synthetic prompts (the simulator's spans of content ids) have no bytes. Block i covers chars
 * [iC, (i+1)C) of the concatenated spans, span j being `round(tokens_j × charsPerToken)` chars of
 * content `content_j` from its start; the block's identity is its list of pieces (content id, char
 * offset in the span, length), hashed with 32-bit Math.imul mixing (MurmurHash3 rounds, two lanes
 * joined into 53 bits) together with the previous block's hash. The chain is seeded with the
 * folded xxh64(targetModel ‖ cacheSalt), so it is model- and salt-scoped like the real one. Equal
 * text (equal pieces) ⇔ equal hash chain, with the same block boundaries, truncation and
 * full-blocks-only rules as the byte version. Work is O(pieces) per block — never per char or token.
 */
import type { Prompt } from '../framework/types.js';
import { goJsonMessages } from './goJson.js';
import { fold53, utf8, utf8Length, xxh64 } from './xxh64.js';
import { firstRunBlock, syntheticKeys } from './uniqueRunKeys.js';
import { spanBytes } from './estimateTokens.js';

export type HashVersion = 'v1.5' | 'v1.0';

export interface HashOptions {
  /** Bytes (chars) per block: blockSizeTokens × 4 in v1.5.0, `hashBlockSize` in v1.0.0. */
  readonly blockChars: number;
  /** Cap on hashed blocks. */
  readonly maxBlocks: number;
  readonly version: HashVersion;
  readonly targetModel: string;
  /** `cache_salt` of the request ("" = none); ignored in v1.0. */
  readonly cacheSalt: string;
}

/** The bytes the EPP hashes for a text prompt (`getUserInputBytes`); null for synthetic prompts. */
export function promptText(prompt: Prompt): string | null {
  switch (prompt.kind) {
    case 'completion':
      return prompt.text;
    case 'chat':
      return goJsonMessages(prompt.messages);
    case 'synthetic':
      return null;
  }
}

/** Length in bytes of what is hashed: UTF-8 bytes of the text / JSON, or the synthetic char count. */
export function promptByteLength(prompt: Prompt): number {
  if (prompt.kind === 'synthetic') return syntheticChars(prompt.spans, prompt.charsPerToken);
  return utf8Length(promptText(prompt)!);
}

function syntheticChars(spans: readonly { readonly tokens: number }[], charsPerToken: number): number {
  let n = 0;
  for (const s of spans) n += spanBytes(s.tokens, charsPerToken);
  return n;
}

/** Number of full blocks hashed for an input of `bytes` bytes: ⌊min(bytes, maxBlocks·C)/C⌋. */
export function blockCount(bytes: number, blockChars: number, maxBlocks: number): number {
  if (!(blockChars > 0) || !(maxBlocks > 0)) return 0;
  return Math.floor(Math.min(bytes, maxBlocks * blockChars) / blockChars);
}

/** Hashes of a synthetic prompt's spans with the options they were computed for. */
interface SyntheticHashes {
  readonly version: HashVersion;
  readonly blockChars: number;
  readonly maxBlocks: number;
  readonly charsPerToken: number;
  readonly targetModel: string;
  readonly cacheSalt: string;
  readonly uniqueTail: boolean;
  readonly hashes: readonly number[];
}
const syntheticCache = new WeakMap<object, SyntheticHashes>();
/**
 * The cache pays when span lists repeat (shared-prefix workloads hand the same list to many
 * requests); with unique prompts each entry only lives as long as its request and adds GC work.
 * So entries are stored during the first 4096 misses and while hits are at least an eighth of the
 * misses, otherwise for every 64th miss (so that repeats appearing later are noticed). Results never
 * depend on it: the hashes are a pure function of the spans and options.
 */
let cacheHits = 0;
let cacheMisses = 0;

/**
 * The chained block hashes (index keys) of a prompt. A synthetic prompt's hashes are cached on its
 * span array (the simulator hands the same array for every repeat of a prompt), so a repeated
 * prompt is hashed once; the returned array must not be modified.
 */
export function promptBlockHashes(prompt: Prompt, o: HashOptions): readonly number[] {
  if (prompt.kind !== 'synthetic') return textHashes(utf8(promptText(prompt)!), o);
  const cpt = prompt.charsPerToken;
  const hit = syntheticCache.get(prompt.spans);
  if (
    hit !== undefined &&
    hit.version === o.version &&
    hit.blockChars === o.blockChars &&
    hit.maxBlocks === o.maxBlocks &&
    hit.charsPerToken === cpt &&
    hit.targetModel === o.targetModel &&
    hit.cacheSalt === o.cacheSalt &&
    hit.uniqueTail === (prompt.uniqueTail === true)
  ) {
    cacheHits++;
    return hit.hashes;
  }
  const hashes = syntheticHashes(prompt.spans, cpt, o, prompt.uniqueTail === true);
  cacheMisses++;
  if (cacheMisses <= 4096 || cacheHits * 8 >= cacheMisses || (cacheMisses & 63) === 0)
    syntheticCache.set(prompt.spans, { version: o.version, blockChars: o.blockChars, maxBlocks: o.maxBlocks, charsPerToken: cpt, targetModel: o.targetModel, cacheSalt: o.cacheSalt, uniqueTail: prompt.uniqueTail === true, hashes });
  return hashes;
}

// ---------------------------------------------------------------------------------------------
// Real bytes (xxh64)

let buf = new Uint8Array(1024);
let view = new DataView(buf.buffer);

function scratch(size: number): Uint8Array {
  if (buf.length < size) {
    buf = new Uint8Array(Math.max(size, buf.length * 2));
    view = new DataView(buf.buffer);
  }
  return buf;
}

const seedCache = new Map<string, bigint>();

/** xxh64(model ‖ salt), cached (a handful of distinct values per run). */
function chainSeed(modelAndSalt: string): bigint {
  let h = seedCache.get(modelAndSalt);
  if (h === undefined) {
    h = xxh64(utf8(modelAndSalt));
    if (seedCache.size > 4096) seedCache.clear();
    seedCache.set(modelAndSalt, h);
  }
  return h;
}

/** Block hashes of the input bytes. */
export function textHashes(bytes: Uint8Array, o: HashOptions): number[] {
  const C = o.blockChars;
  const n = blockCount(bytes.length, C, o.maxBlocks);
  const out = new Array<number>(n);
  if (n === 0) return out;
  let prev: bigint;
  let first = 0;
  if (o.version === 'v1.0') {
    const model = utf8(o.targetModel);
    const b = scratch(model.length + C);
    b.set(model, 0);
    b.set(bytes.subarray(0, C), model.length);
    prev = xxh64(b.subarray(0, model.length + C));
    out[0] = fold53(prev);
    first = 1;
  } else {
    prev = chainSeed(o.targetModel + o.cacheSalt);
  }
  const b = scratch(C + 8);
  const block = b.subarray(0, C + 8);
  for (let i = first; i < n; i++) {
    b.set(bytes.subarray(i * C, (i + 1) * C), 0);
    view.setBigUint64(C, prev, true);
    prev = xxh64(block);
    out[i] = fold53(prev);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Synthetic spans (integer mixing)

/** GAIE's synthetic-chain lane constants (pieceChain.ts). */
const GAIE_DOMAIN = { laneA: 0x2545f491, laneB: 0x9e3779b9 };

/**
 * Block hashes of a synthetic prompt: O(blocks + spans). With `uniqueTail` (the last span is text
 * no other request has), the blocks from the first one holding a character of it on are run keys
 * (uniqueRunKeys.ts) instead of hashes: equal exactly when the hashes would be.
 */
export function syntheticHashes(
  spans: readonly { readonly content: number; readonly tokens: number }[],
  charsPerToken: number,
  o: HashOptions,
  uniqueTail = false,
): number[] {
  const C = o.blockChars;
  const n = blockCount(syntheticChars(spans, charsPerToken), C, o.maxBlocks);
  if (n === 0) return [];
  const seedText = o.version === 'v1.0' || o.cacheSalt === '' ? o.targetModel : o.targetModel + o.cacheSalt;
  return syntheticKeys(spans, charsPerToken, n, C, seedText, GAIE_DOMAIN, uniqueTail ? firstRunBlock(spans, charsPerToken, C, n) : n, o.version);
}
