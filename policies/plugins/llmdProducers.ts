/**
 * llm-d-router v0.10.0 request-level data producers (`llm-d-router.md` §4.1, §4.6, §5): token
 * producer (estimate backend), approximate / multicluster / burst / precise prefix producers, the
 * v0.10 precise-prefix-cache-scorer wrapper, in-flight load (v0.10), p2p source, multimodal
 * embeddings cache and session id. All registered for the llm-d-v0.10 dialect only.
 */
import type { PluginDefinition } from '../framework/registry.js';
import { approxPrefixCacheProducerV010, multiclusterApproxPrefixCacheProducer } from './producer/approxPrefixCache.v010.js';
import { burstPrefixCacheProducer } from './producer/burstPrefixCache.js';
import { inflightLoadProducerV010 } from './producer/inflightLoad.v010.js';
import { mmEmbeddingsCacheProducer } from './producer/mmEmbeddingsCache.js';
import { p2pSourceProducer } from './producer/p2pSource.js';
import { precisePrefixCacheProducer } from './producer/precisePrefixCache.js';
import { sessionIdProducer } from './producer/sessionId.js';
import { tokenizerAlias, tokenProducer } from './producer/tokenProducer.js';
import { precisePrefixCacheScorerV010 } from './scorer/precisePrefixCache.v010.js';

export const llmdProducerPlugins: readonly PluginDefinition[] = [
  tokenProducer,
  tokenizerAlias,
  approxPrefixCacheProducerV010,
  multiclusterApproxPrefixCacheProducer,
  burstPrefixCacheProducer,
  precisePrefixCacheProducer,
  precisePrefixCacheScorerV010,
  inflightLoadProducerV010,
  p2pSourceProducer,
  mmEmbeddingsCacheProducer,
  sessionIdProducer,
] as unknown as readonly PluginDefinition[];
