/** The prefix-cache family: approximate (GAIE) and precise (llm-d) prefix plugins and the P/D deciders. */
import type { PluginDefinition } from '../framework/registry.js';
import { alwaysDisaggPdDecider } from './decider/alwaysDisagg.js';
import { prefixBasedPdDecider } from './decider/prefixBasedPd.js';
import { prefixCacheAffinityFilter } from './filter/prefixCacheAffinity.js';
import { approxPrefixCacheProducer } from './producer/approxPrefixCache.js';
import { noHitLruScorer } from './scorer/noHitLru.js';
import { precisePrefixCacheScorer } from './scorer/precisePrefixCache.js';
import { prefixCacheScorer } from './scorer/prefixCache.js';

export const prefixPlugins: readonly PluginDefinition[] = [
  approxPrefixCacheProducer,
  prefixCacheScorer,
  prefixCacheAffinityFilter,
  noHitLruScorer,
  precisePrefixCacheScorer,
  prefixBasedPdDecider,
  alwaysDisaggPdDecider,
] as unknown as readonly PluginDefinition[];
