/**
 * Keys for approximate-prefix blocks no other request can hash to (issue 15), as the simulator's
 * engine names its KV blocks (sim/engine/uniqueKeys.ts).
 *
 * A simulated prompt whose last span is text of its own (`uniqueTail`, set by the simulator's
 * gateway: the span's content id is distinct per request) has chained block hashes that, from the
 * first block holding a character of that span on, no other request produces: only the same
 * request hashes them again (a retry, a P/D pick of the same request). So instead of hashing those
 * blocks, `syntheticKeys` (GAIE's hashing.ts, llm-d v0.10's v010Hashing.ts) names them by (owner,
 * block index), where the owner is the span's content id together with a small id of the chain
 * seed (scheme, block size, chars per token, model ‖ salt: a retry under another target model
 * hashes differently, and so gets other keys). The keys are negative, so never a real (53-bit,
 * non-negative) hash, and distinct per (owner, index); the index (indexer.ts) keeps a request's
 * run of them as one LRU node instead of one key per block. Equal keys ⇔ equal hashes, so every
 * match count, LRU order and eviction is the same as with the real hashes.
 *
 * Never used for text prompts (the live picker), for chains longer than RUN_BLOCKS blocks, or past
 * SEED_IDS distinct seeds in one process: those hash as usual.
 */

import { spanBytes } from './estimateTokens.js';
import { pieceChainHashes, syntheticSeed, type ChainDomain } from './pieceChain.js';

/** Block indices a key can name (GAIE caps a request at 256 blocks by default). */
export const RUN_BLOCKS = 512;
/** Distinct chain seeds named in one process (owner = seed id · 2^32 + content id < 2^43). */
const SEED_IDS = 2048;
const TWO_32 = 4294967296;

const seedIds = new Map<string, number>();
let lastScheme = '';
let lastChars = 0;
let lastCpt = 0;
let lastText = '';
let lastId = -1;

/**
 * Small id of a chain seed: what besides the spans a block's hash depends on (hashing scheme,
 * block size in chars, chars per token, model ‖ salt); −1 when SEED_IDS are taken.
 */
function seedIdOf(scheme: string, blockChars: number, charsPerToken: number, modelAndSalt: string): number {
  if (lastId >= 0 && modelAndSalt === lastText && blockChars === lastChars && charsPerToken === lastCpt && scheme === lastScheme) return lastId;
  const seed = `${scheme}|${blockChars}|${charsPerToken}|${modelAndSalt}`;
  let id = seedIds.get(seed);
  if (id === undefined) {
    if (seedIds.size >= SEED_IDS) return -1;
    id = seedIds.size;
    seedIds.set(seed, id);
  }
  lastScheme = scheme;
  lastChars = blockChars;
  lastCpt = charsPerToken;
  lastText = modelAndSalt;
  lastId = id;
  return id;
}

/**
 * Index of the first of `n` blocks of C chars over `spans` (span j = spanBytes(tokens_j,
 * charsPerToken) chars) that holds a character of the last span, or n when none may be a run key
 * (no such block among the n, an empty last span, or n > RUN_BLOCKS).
 */
export function firstRunBlock(spans: readonly { readonly tokens: number }[], charsPerToken: number, C: number, n: number): number {
  const last = spans.length - 1;
  if (last < 0 || spanBytes(spans[last]!.tokens, charsPerToken) === 0 || n > RUN_BLOCKS) return n;
  let before = 0;
  for (let j = 0; j < last; j++) before += spanBytes(spans[j]!.tokens, charsPerToken);
  return Math.min(n, Math.floor(before / C));
}

/**
 * The first `n` block keys of a synthetic prompt (`pieceChainHashes` over `spans`, blocks of C chars,
 * chained from the seed of `seedText` in `domain`): real hashes for blocks 0 … u − 1 and run keys
 * for blocks u … n − 1 of the request whose own text is the last span (all real hashes when u ≥ n,
 * or when no seed id is left). `scheme` names the hashing (GAIE version, llm-d v0.10) for the seed id.
 */
export function syntheticKeys(
  spans: readonly { readonly content: number; readonly tokens: number }[],
  charsPerToken: number,
  n: number,
  C: number,
  seedText: string,
  domain: ChainDomain,
  u: number,
  scheme: string,
): number[] {
  const seed = syntheticSeed(seedText);
  const seedId = u < n ? seedIdOf(scheme, C, charsPerToken, seedText) : -1;
  if (seedId < 0) return pieceChainHashes(spans, charsPerToken, n, C, seed, domain);
  const keys = pieceChainHashes(spans, charsPerToken, u, C, seed, domain);
  const owner = runOwner(seedId, spans[spans.length - 1]!.content);
  for (let i = u; i < n; i++) keys.push(runKey(owner, i));
  return keys;
}

/** The owner of a request's unique blocks: seed id and the unique span's content id (unsigned 32-bit). */
export function runOwner(seedId: number, content: number): number {
  return seedId * TWO_32 + (content >>> 0);
}

/** The key of block `i` (< RUN_BLOCKS) of `owner`: ≤ −1, distinct per (owner, i), > −2^52. */
export function runKey(owner: number, i: number): number {
  return -(1 + owner * RUN_BLOCKS + i);
}

/** Whether `h` is a run key (else a real hash). */
export function isRunKey(h: number): boolean {
  return h < 0;
}

/** The owner a run key names. */
export function ownerOfRunKey(key: number): number {
  const m = -key - 1;
  return (m - (m % RUN_BLOCKS)) / RUN_BLOCKS;
}

/** The block index a run key names. */
export function indexOfRunKey(key: number): number {
  return (-key - 1) % RUN_BLOCKS;
}
