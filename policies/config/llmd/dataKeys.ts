/**
 * llm-d-router v0.10.0 data keys (`llm-d-router.md` §2.9 step 5): `"<DataType>/<producerName>"`.
 * A definition declares its keys with `requires` / `produces` / `defaultProducerFor`
 * (framework/registry.ts); this table supplies them for the production's types whose definitions
 * do not (yet) declare them, so the loader's auto-creation follows the reference either way.
 */
import type { PluginDefinition } from '../../framework/registry.js';

export const PREFIX_MATCH = 'PrefixCacheMatchInfoDataKey';
export const IN_FLIGHT = 'InFlightLoadDataKey';
export const TOKENIZED_PROMPT = 'TokenizedPrompt';
export const LATENCY_PREDICTION = 'LatencyPrediction';
export const ENCODER_CACHE = 'EncoderCacheMatchInfo';
export const SESSION_ID = 'SessionID';

/** Data type → the production's registered default producer type (§2.9 step 5). */
export const DEFAULT_PRODUCERS: Readonly<Record<string, string>> = {
  [PREFIX_MATCH]: 'approx-prefix-cache-producer',
  [IN_FLIGHT]: 'inflight-load-producer',
  [TOKENIZED_PROMPT]: 'token-producer',
  [LATENCY_PREDICTION]: 'predicted-latency-producer',
  [ENCODER_CACHE]: 'mm-embeddings-cache-producer',
  [SESSION_ID]: 'session-id-producer',
};

export const dataKey = (dataType: string, producer: string): string => `${dataType}/${producer}`;
export const dataTypeOf = (key: string): string => key.slice(0, Math.max(0, key.indexOf('/')));
export const producerOf = (key: string): string => key.slice(key.indexOf('/') + 1);

type Params = Record<string, unknown>;
const str = (p: Params, k: string): string | undefined => (typeof p[k] === 'string' && p[k] !== '' ? (p[k] as string) : undefined);
const prefixKey = (p: Params): string => dataKey(PREFIX_MATCH, str(p, 'prefixMatchInfoProducerName') ?? DEFAULT_PRODUCERS[PREFIX_MATCH]!);
const inFlightKey = (p: Params): string => dataKey(IN_FLIGHT, str(p, 'inFlightLoadProducerName') ?? DEFAULT_PRODUCERS[IN_FLIGHT]!);
const tokensKey = (): string => dataKey(TOKENIZED_PROMPT, DEFAULT_PRODUCERS[TOKENIZED_PROMPT]!);

/** Required keys of the production's consumers (§2.9 "Required-key consumers"). */
const REQUIRES: Readonly<Record<string, (p: Params) => string[]>> = {
  'prefix-cache-scorer': (p) => [prefixKey(p)],
  'no-hit-lru-scorer': (p) => [prefixKey(p)],
  'prefix-cache-affinity-filter': (p) => (p.ttftSource === 'latencyPredictor' ? [prefixKey(p)] : [prefixKey(p), inFlightKey(p)]),
  'disagg-profile-handler': (p) => [prefixKey(p), tokensKey()],
  'active-request-scorer': (p) => [inFlightKey(p)],
  'token-load-scorer': (p) => [inFlightKey(p)],
  'concurrency-detector': (p) => [inFlightKey(p)],
  'utilization-filter': (p) => (p.mode === 'active-requests' || p.metric === 'active-requests' ? [inFlightKey(p)] : []),
  'approx-prefix-cache-producer': () => [tokensKey()],
  'precise-prefix-cache-producer': () => [tokensKey()],
  'burst-prefix-cache-producer': () => [tokensKey()],
  'mm-embeddings-cache-producer': () => [tokensKey()],
  'inflight-load-producer': () => [tokensKey()],
  'context-length-aware': () => [tokensKey()],
};

/** Data types the production's producers write, under their instance name. */
const PRODUCES: Readonly<Record<string, readonly string[]>> = {
  'approx-prefix-cache-producer': [PREFIX_MATCH],
  'precise-prefix-cache-producer': [PREFIX_MATCH],
  'burst-prefix-cache-producer': [PREFIX_MATCH],
  'inflight-load-producer': [IN_FLIGHT],
  'token-producer': [TOKENIZED_PROMPT],
  tokenizer: [TOKENIZED_PROMPT], // deprecated alias of token-producer (§2.4)
  'predicted-latency-producer': [LATENCY_PREDICTION],
  'mm-embeddings-cache-producer': [ENCODER_CACHE],
  'session-id-producer': [SESSION_ID],
};

/** Keys an instance requires: its definition's `requires`, else the built-in table. */
export function requiredKeys(def: PluginDefinition, params: Params, name: string): readonly string[] {
  if (def.requires) return def.requires(params, name);
  return REQUIRES[def.type]?.(params) ?? [];
}

/** Keys an instance produces: its definition's `produces`, else the built-in table (under its name). */
export function producedKeys(def: PluginDefinition, params: Params, name: string): readonly string[] {
  if (def.produces) return def.produces(params, name);
  return (PRODUCES[def.type] ?? []).map((t) => dataKey(t, name));
}

/**
 * The default producer type for a data type: a catalog definition declaring `defaultProducerFor`
 * wins, else the production's table.
 */
export function defaultProducerType(dataType: string, catalog: ReadonlyMap<string, PluginDefinition>): string | undefined {
  for (const d of catalog.values()) if (d.defaultProducerFor?.includes(dataType)) return d.type;
  return DEFAULT_PRODUCERS[dataType];
}
