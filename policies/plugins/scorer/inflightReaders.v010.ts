/**
 * Readers of the v0.10 in-flight load attributes (`llm-d-router.md` §5 rows inflight-load-producer,
 * token-load-scorer, active-request-scorer): `InFlightLoadDataKey/<producer>` {requests, tokens} and
 * `UncachedRequestTokens/<producer>` (this request's uncached input tokens on the candidate).
 * Bridge: for the default producer, the GAIE producer's `InFlightLoad` attribute is read when the
 * v0.10 key is absent.
 */
import { IN_FLIGHT_LOAD, type InFlightLoad } from '../../framework/attributes.js';
import {
  DEFAULT_IN_FLIGHT_PRODUCER,
  IN_FLIGHT_LOAD_TYPE,
  UNCACHED_REQUEST_TOKENS_TYPE,
  producerKey,
  type InFlightLoadV010,
} from '../../framework/dataKeys.js';
import type { SchedEndpoint } from '../../framework/types.js';

export interface InFlightKeys {
  readonly load: string;
  readonly uncached: string;
  readonly isDefault: boolean;
}

export function inFlightKeys(producerName: string): InFlightKeys {
  return {
    load: producerKey(IN_FLIGHT_LOAD_TYPE, producerName, DEFAULT_IN_FLIGHT_PRODUCER),
    uncached: producerKey(UNCACHED_REQUEST_TOKENS_TYPE, producerName, DEFAULT_IN_FLIGHT_PRODUCER),
    isDefault: producerName === '' || producerName === DEFAULT_IN_FLIGHT_PRODUCER,
  };
}

export function inFlightV010(e: SchedEndpoint, keys: InFlightKeys): InFlightLoadV010 | undefined {
  const v = e.attributes.get(keys.load) as InFlightLoadV010 | undefined;
  if (v !== undefined || !keys.isDefault) return v;
  return e.attributes.get(IN_FLIGHT_LOAD) as InFlightLoad | undefined;
}

export function uncachedTokens(e: SchedEndpoint, keys: InFlightKeys): number {
  const v = e.attributes.get(keys.uncached);
  return typeof v === 'number' ? v : 0;
}
