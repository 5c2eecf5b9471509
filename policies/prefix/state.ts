/**
 * What `approx-prefix-cache-producer` keeps per request in PluginState between PrepareData and
 * PreRequest (GAIE `SchedulingContextState`), and how other plugins (no-hit-lru) read it.
 */
import type { CycleContext } from '../framework/types.js';

/** PluginState key of the approx prefix producer's per-request state (one producer per config). */
export const APPROX_PREFIX_STATE_KEY = 'approx-prefix-cache-producer/state';

export interface ApproxPrefixState {
  /** The request's block hashes (index keys), in order. */
  readonly hashes: readonly number[];
  /** Block size in tokens used for this request. */
  readonly blockSizeTokens: number;
  /**
   * Whether any server in the index (candidate or not) matched at least one block — GAIE's
   * `PrefixCacheServers` is non-empty. no-hit-lru calls a request "cold" when this is false.
   */
  readonly anyServerMatched: boolean;
}

export function readApproxPrefixState(ctx: CycleContext, requestId: string): ApproxPrefixState | undefined {
  return (ctx.pluginState.read(requestId, APPROX_PREFIX_STATE_KEY) ?? undefined) as ApproxPrefixState | undefined;
}
