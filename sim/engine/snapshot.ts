/**
 * A scrape of one replica's metrics endpoint: a handful of numbers and the adapter lists, built
 * from counters the scheduler maintains, so a scrape costs O(adapters), not O(requests).
 */
import type { EndpointMetrics } from '../../policies/types.js';
import type { KvCache } from './kvCache.js';
import type { Scheduler } from './scheduler.js';

const NONE: readonly string[] = Object.freeze([]);

export function takeSnapshot(s: Scheduler, kv: KvCache, maxLoras: number, now: number): EndpointMetrics {
  return {
    // vllm:num_requests_waiting includes requests in WAITING_FOR_REMOTE_KVS (gateway.md §4.3).
    waitingQueueSize: s.waiting.length + s.pulling.length,
    runningRequestsSize: s.runningCount,
    kvCacheUsagePercent: kv.usage,
    activeModels: s.runningAdapters.size === 0 ? NONE : [...s.runningAdapters.keys()].sort(),
    waitingModels: s.waitingAdapters.size === 0 ? NONE : [...s.waitingAdapters.keys()].sort(),
    maxActiveModels: maxLoras,
    cacheBlockSize: kv.blockSize,
    cacheNumGpuBlocks: kv.numBlocks,
    prefixCacheQueriesTotal: s.prefixQueryTokens,
    prefixCacheHitsTotal: s.prefixHitTokens,
    updateTimeUs: now,
  };
}
