/**
 * Endpoint attribute keys written by PrepareData producers and read by scorers/filters
 * (GAIE `framework/plugins/datalayer/attribute/...`).
 */
import type { SchedEndpoint } from './types.js';

/** Written by `approx-prefix-cache-producer`, read by `prefix-cache-scorer` and friends. */
export const PREFIX_CACHE_MATCH_INFO = 'PrefixCacheMatchInfo';
export interface PrefixCacheMatchInfo {
  readonly matchBlocks: number;
  readonly totalBlocks: number;
  readonly blockSizeTokens: number;
}

/** Written by `inflight-load-producer`, read by `token-load-scorer` (and router HEAD's active-request). */
export const IN_FLIGHT_LOAD = 'InFlightLoad';
export interface InFlightLoad {
  readonly requests: number;
  readonly tokens: number;
}

export function prefixMatchInfo(e: SchedEndpoint): PrefixCacheMatchInfo | undefined {
  return e.attributes.get(PREFIX_CACHE_MATCH_INFO) as PrefixCacheMatchInfo | undefined;
}

export function inFlightLoad(e: SchedEndpoint): InFlightLoad | undefined {
  return e.attributes.get(IN_FLIGHT_LOAD) as InFlightLoad | undefined;
}
