/**
 * Parameters of `approx-prefix-cache-producer` and `prefix-cache-scorer` (`epp.md` §2.1, §10), and
 * the resolved configuration the producer runs with. The config loader passes the scorer's
 * parameters to the producer it auto-creates, so both types share this schema.
 *
 * Version switch: giving `hashBlockSize` selects GAIE v1.0.0 semantics (blocks of `hashBlockSize`
 * characters, first hash xxh64(model ‖ block 0), no salt, no auto-tuning, and the per-pod LRU sized
 * by `lruCapacityPerServer`, which v1.0.0 honoured). Without it: GAIE v1.5.0 (blocks of
 * blockSizeTokens × 4 bytes, auto-tuned from the first candidate's block size, LRU sized by the
 * pod's `num_gpu_blocks` or the constant 31250 — v1.5.0 ignores `lruCapacityPerServer`, a
 * production bug fixed later in llm-d-router #1399; routesim keeps it). In v1.0 mode the v1.5-only
 * parameters (autoTune, blockSizeTokens, blockSize, maxPrefixTokensToMatch) have no effect.
 */
import { z } from 'zod';
import { ParamError } from '../framework/registry.js';
import type { HashVersion } from './hashing.js';

/** `averageCharactersPerToken` (v1.5.0). */
export const AVERAGE_CHARS_PER_TOKEN = 4;
/** v1.5.0's per-pod LRU size when the pod reports no `num_gpu_blocks` (or autoTune is off). */
export const DEFAULT_LRU_CAPACITY = 31250;
/** `podActiveCheckInterval`: index entries of pods no longer in the pool are dropped this often. */
export const POD_ACTIVE_CHECK_INTERVAL_US = 2 * 60 * 1e6;

export const approxPrefixParams = z.strictObject({
  autoTune: z
    .boolean()
    .default(true)
    .describe('take the block size (block_size) and per-pod LRU size (num_gpu_blocks) from the model servers\' metrics when they report them'),
  blockSizeTokens: z
    .number()
    .int()
    .default(16)
    .describe('block size in tokens (4 bytes each) when not auto-tuned; must be > 0 if autoTune is false'),
  blockSize: z
    .number()
    .int()
    .default(0)
    .describe('deprecated block size in characters: > 0 while blockSizeTokens ≤ 0 is a config error; otherwise ignored'),
  maxPrefixBlocksToMatch: z.number().int().default(256).describe('cap on the number of hashed blocks'),
  maxPrefixTokensToMatch: z
    .number()
    .int()
    .default(0)
    .describe('if > 0, the block cap is ⌊maxPrefixTokensToMatch / block size⌋ instead of maxPrefixBlocksToMatch'),
  lruCapacityPerServer: z
    .number()
    .int()
    .default(31250)
    .describe('per-pod LRU entries; IGNORED in GAIE v1.5.0 (it uses num_gpu_blocks, else 31250), honoured in v1.0 mode (hashBlockSize set)'),
  hashBlockSize: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('GAIE v1.0.0 mode: block size in characters (v1.0 default 64); unset = GAIE v1.5.0 token-approximated blocks'),
});

export type ApproxPrefixParams = z.output<typeof approxPrefixParams>;

export interface ApproxPrefixConfig {
  readonly version: HashVersion;
  readonly autoTune: boolean;
  readonly blockSizeTokens: number;
  readonly maxPrefixBlocksToMatch: number;
  readonly maxPrefixTokensToMatch: number;
  /** v1.0 only: block size in chars. */
  readonly hashBlockSize: number;
  /** v1.0 only (v1.5.0 ignores the parameter). */
  readonly lruCapacityPerServer: number;
}

/** Validates the production's cross-field rules and resolves the version. */
export function resolveApproxPrefixConfig(p: ApproxPrefixParams): ApproxPrefixConfig {
  if (p.hashBlockSize !== undefined) {
    if (p.lruCapacityPerServer <= 0) throw new ParamError('lruCapacityPerServer', 'lruCapacityPerServer must be > 0');
    return {
      version: 'v1.0',
      autoTune: false,
      blockSizeTokens: p.hashBlockSize / AVERAGE_CHARS_PER_TOKEN,
      maxPrefixBlocksToMatch: p.maxPrefixBlocksToMatch,
      maxPrefixTokensToMatch: 0,
      hashBlockSize: p.hashBlockSize,
      lruCapacityPerServer: p.lruCapacityPerServer,
    };
  }
  if (p.blockSize > 0 && p.blockSizeTokens <= 0)
    throw new ParamError('blockSize', 'blockSize (characters) is deprecated: set blockSizeTokens > 0 instead');
  if (!p.autoTune && p.blockSizeTokens <= 0)
    throw new ParamError('blockSizeTokens', 'blockSizeTokens must be > 0 when autoTune is false');
  return {
    version: 'v1.5',
    autoTune: p.autoTune,
    blockSizeTokens: p.blockSizeTokens,
    maxPrefixBlocksToMatch: p.maxPrefixBlocksToMatch,
    maxPrefixTokensToMatch: p.maxPrefixTokensToMatch,
    hashBlockSize: 0,
    lruCapacityPerServer: DEFAULT_LRU_CAPACITY,
  };
}
