/**
 * Load scorers, pickers, saturation detectors, legacy filter chains and the simple llm-d plugins.
 */
import type { PluginDefinition } from '../framework/registry.js';
import { byLabelFilter } from './filter/byLabel.js';
import { byLabelSelectorFilter } from './filter/byLabelSelector.js';
import { decodeFilter, encodeFilter, prefillFilter } from './filter/roleFilters.js';
import { decisionTreeFilter } from './legacy/decisionTree.js';
import { leastKvCacheFilter } from './legacy/leastKvCache.js';
import { leastQueueFilter } from './legacy/leastQueue.js';
import { loraAffinityFilter } from './legacy/loraAffinityFilter.js';
import { lowQueueFilter } from './legacy/lowQueue.js';
import { legacyV03Filter } from './legacy/v03.js';
import { maxScorePicker } from './picker/maxScore.js';
import { randomPicker } from './picker/random.js';
import { weightedRandomPicker } from './picker/weightedRandom.js';
import { inflightLoadProducer } from './producer/inflightLoad.js';
import { concurrencyDetector } from './saturation/concurrencyDetector.js';
import { utilizationDetector } from './saturation/utilizationDetector.js';
import { activeRequestScorer } from './scorer/activeRequest.js';
import { kvCacheUtilizationScorer } from './scorer/kvCacheUtilization.js';
import { loadAwareScorer } from './scorer/loadAware.js';
import { loraAffinityScorer } from './scorer/loraAffinity.js';
import { queueScorer } from './scorer/queue.js';
import { runningRequestsSizeScorer } from './scorer/runningRequestsSize.js';
import { sessionAffinityScorer } from './scorer/sessionAffinity.js';
import { tokenLoadScorer } from './scorer/tokenLoad.js';

export const loadPlugins: readonly PluginDefinition[] = [
  // GAIE v1.5.0 scorers, producer, pickers, detectors
  queueScorer,
  kvCacheUtilizationScorer,
  runningRequestsSizeScorer,
  loraAffinityScorer,
  tokenLoadScorer,
  inflightLoadProducer,
  maxScorePicker,
  randomPicker,
  weightedRandomPicker,
  utilizationDetector,
  concurrencyDetector,
  // legacy chains
  lowQueueFilter,
  loraAffinityFilter,
  leastQueueFilter,
  leastKvCacheFilter,
  decisionTreeFilter,
  legacyV03Filter,
  // llm-d v0.7.0
  loadAwareScorer,
  activeRequestScorer,
  sessionAffinityScorer,
  byLabelFilter,
  byLabelSelectorFilter,
  decodeFilter,
  prefillFilter,
  encodeFilter,
];
