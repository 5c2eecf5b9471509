/**
 * llm-d-router v0.10.0 filters and scorers (`llm-d-router.md` §4.2, §4.3, §5): the new types and the
 * v0.10 twins of types whose behaviour changed (the GAIE/v0.7 definitions serve `gaie-v1.5`).
 */
import type { PluginDefinition } from '../framework/registry.js';
import { contextLengthAware } from './filter/contextLengthAware.js';
import { endpointAttributeFilter } from './filter/endpointAttribute.js';
import { labelSelectorFilter } from './filter/labelSelector.js';
import { prefixCacheAffinityFilterV010 } from './filter/prefixCacheAffinity.v010.js';
import { multiclusterSessionAffinityFilter, sessionAffinityFilter } from './filter/sessionAffinity.js';
import { topologyAffinityFilter } from './filter/topologyAffinity.js';
import { utilizationFilter } from './filter/utilization.js';
import { activeRequestScorerV010 } from './scorer/activeRequest.v010.js';
import { endpointAttributeScorer } from './scorer/endpointAttribute.js';
import { headerLabelAffinityScorer } from './scorer/headerLabelAffinity.js';
import { mmEmbeddingsCacheScorer } from './scorer/mmEmbeddingsCache.js';
import { multiclusterKvCacheUtilizationScorer } from './scorer/multiclusterKvCacheUtilization.js';
import { multiclusterQueueScorer } from './scorer/multiclusterQueue.js';
import { noHitLruScorerV010 } from './scorer/noHitLru.v010.js';
import { multiclusterPrefixCacheScorer, prefixCacheScorerV010 } from './scorer/prefixCache.v010.js';
import { sessionAffinityScorerV010 } from './scorer/sessionAffinity.v010.js';
import { tokenLoadScorerV010 } from './scorer/tokenLoad.v010.js';
import { topologyAffinityScorer } from './scorer/topologyAffinity.js';

export const llmdFiltersScorers: readonly PluginDefinition[] = [
  // filters
  labelSelectorFilter,
  sessionAffinityFilter,
  multiclusterSessionAffinityFilter,
  endpointAttributeFilter,
  topologyAffinityFilter,
  utilizationFilter,
  contextLengthAware,
  prefixCacheAffinityFilterV010,
  // scorers
  endpointAttributeScorer,
  headerLabelAffinityScorer,
  topologyAffinityScorer,
  sessionAffinityScorerV010,
  mmEmbeddingsCacheScorer,
  multiclusterQueueScorer,
  multiclusterKvCacheUtilizationScorer,
  multiclusterPrefixCacheScorer,
  prefixCacheScorerV010,
  tokenLoadScorerV010,
  activeRequestScorerV010,
  noHitLruScorerV010,
] as unknown as readonly PluginDefinition[];
