/**
 * llm-d-router v0.10.0 data keys (`llm-d-router.md` §2.9): a producer writes under
 * `"<DataType>/<producerName>"`; consumers read another producer's key through their
 * `…ProducerName` parameter ("" = the default producer's name).
 *
 * Where the values live:
 * - request attributes (one per request): `ctx.cycleState` — TokenizedPrompt, peer-endpoint,
 *   SessionIDDataKey;
 * - endpoint attributes (one per candidate): `endpoint.attributes` — PrefixCacheMatchInfo,
 *   InFlightLoad, UncachedRequestTokens, Topology, GPUUtilization, EncoderCacheMatchInfo.
 *
 * Shared by the v0.10 producers (writers) and the v0.10 filters/scorers (readers); keep it small.
 */
import type { SchedEndpoint } from './types.js';

/** `"<DataType>/<producerName>"`. */
export function dataKey(dataType: string, producerName: string): string {
  return `${dataType}/${producerName}`;
}

// Data types -----------------------------------------------------------------------------------
export const PREFIX_MATCH_INFO_TYPE = 'PrefixCacheMatchInfoDataKey';
export const IN_FLIGHT_LOAD_TYPE = 'InFlightLoadDataKey';
export const UNCACHED_REQUEST_TOKENS_TYPE = 'UncachedRequestTokens';
export const TOKENIZED_PROMPT_TYPE = 'TokenizedPrompt';
export const TOPOLOGY_TYPE = 'Topology';
export const GPU_UTILIZATION_TYPE = 'GPUUtilization';
export const ENCODER_CACHE_MATCH_INFO_TYPE = 'EncoderCacheMatchInfo';
export const SESSION_ID_TYPE = 'SessionIDDataKey';

// Default producer names (the auto-created producers of §2.9 step 5) ---------------------------
export const DEFAULT_PREFIX_PRODUCER = 'approx-prefix-cache-producer';
export const DEFAULT_IN_FLIGHT_PRODUCER = 'inflight-load-producer';
export const DEFAULT_TOKEN_PRODUCER = 'token-producer';
export const DEFAULT_TOPOLOGY_PRODUCER = 'topology-extractor';
export const DEFAULT_MM_PRODUCER = 'mm-embeddings-cache-producer';

/** Request attribute set by disagg-profile-handler: the other stage's pick (a SchedEndpoint). */
export const PEER_ENDPOINT = 'peer-endpoint';

/** Resolves a `…ProducerName` parameter ("" → default) to its data key. */
export function producerKey(dataType: string, producerName: string | undefined, defaultProducer: string): string {
  return dataKey(dataType, producerName && producerName !== '' ? producerName : defaultProducer);
}

// Values ---------------------------------------------------------------------------------------

/** Endpoint attribute: prefix blocks matched on this endpoint out of the request's total. */
export interface PrefixCacheMatchInfoV010 {
  readonly match: number;
  readonly total: number;
  /** Block size B in tokens. */
  readonly blockSize: number;
  /** Cached blocks without tier weights (precise producer); absent = match. */
  readonly unweightedBlocks?: number;
}

/** Endpoint attribute: EPP-tracked in-flight requests and tokens. */
export interface InFlightLoadV010 {
  readonly requests: number;
  readonly tokens: number;
}

/** One multimodal item of a TokenizedPrompt. */
export interface MultimodalFeature {
  readonly modality: 'image' | 'video' | 'audio';
  /** Content hash (low 32 bits of xxh64 in the estimate backend). */
  readonly hash: string;
  readonly offset: number;
  readonly length: number;
}

/**
 * Request attribute written by token-producer. `tokenCounts[i]` is prompt i's token count (always
 * set); `prompts[i]` its token ids when materialised (optional: the simulator's synthetic prompts
 * only carry counts).
 */
export interface TokenizedPrompt {
  readonly tokenCounts: readonly number[];
  readonly prompts?: readonly (readonly number[])[];
  readonly multimodal: readonly MultimodalFeature[];
  readonly cacheSalt: string;
}

/** Endpoint attribute written by topology-extractor ("" = label absent). */
export interface Topology {
  readonly host: string;
  readonly rack: string;
  readonly zone: string;
  readonly region: string;
}

/** Endpoint attribute written by mm-embeddings-cache-producer (only for requests with media). */
export interface EncoderCacheMatchInfo {
  /** Distinct media hashes of the request found in this endpoint's LRU. */
  readonly matched: number;
  /** Distinct media hashes of the request. */
  readonly total: number;
}

// Readers --------------------------------------------------------------------------------------

/** Total tokens of the request's TokenizedPrompt under `key` (0 when none). */
export function tokenizedPromptCount(cycleState: Map<string, unknown>, key = dataKey(TOKENIZED_PROMPT_TYPE, DEFAULT_TOKEN_PRODUCER)): number {
  const tp = cycleState.get(key) as TokenizedPrompt | undefined;
  if (!tp) return 0;
  let n = 0;
  for (const c of tp.tokenCounts) n += c;
  return n;
}

export function endpointAttr<T>(e: SchedEndpoint, key: string): T | undefined {
  return e.attributes.get(key) as T | undefined;
}
