/**
 * llm-d-router v0.10.0 flow-control policies, saturation twin, data-layer types and parsers
 * (`llm-d-router.md` §2.7, §4.8, §4.9, §4.10).
 */
import type { PluginDefinition } from '../framework/registry.js';
import { anthropicParser } from './datalayer/anthropicParser.js';
import { coreMetricsExtractorV010 } from './datalayer/coreMetricsExtractor.v010.js';
import { dcgmDataSource } from './datalayer/dcgmDataSource.js';
import { dcgmExtractor } from './datalayer/dcgmExtractor.js';
import { fileDiscovery } from './datalayer/fileDiscovery.js';
import { metricsDataSourceV010 } from './datalayer/metricsDataSource.v010.js';
import { modelsDataExtractor } from './datalayer/modelsDataExtractor.js';
import { modelsDataSource } from './datalayer/modelsDataSource.js';
import { multiclusterFileDiscovery } from './datalayer/multiclusterFileDiscovery.js';
import { multiclusterMetricsDataSource } from './datalayer/multiclusterMetricsDataSource.js';
import { multiclusterMetricsExtractor } from './datalayer/multiclusterMetricsExtractor.js';
import { openaiParserV010 } from './datalayer/openaiParser.v010.js';
import { topologyExtractor } from './datalayer/topologyExtractor.js';
import { vertexaiParser } from './datalayer/vertexaiParser.js';
import { vllmhttpParser } from './datalayer/vllmhttpParser.js';
import { priorityThenTimeEvictionOrderPolicy, sheddableEvictionFilter } from './flowcontrol/evictionPolicies.js';
import { priorityHoldbackPolicy } from './flowcontrol/priorityHoldback.js';
import { programAwareFairness } from './flowcontrol/programAwareFairness.js';
import { softReflectiveCeilingPolicy } from './flowcontrol/softReflectiveCeiling.js';
import { concurrencyDetectorV010 } from './saturation/concurrencyDetector.v010.js';

export const llmdFlowDataPlugins: readonly PluginDefinition[] = [
  priorityHoldbackPolicy,
  softReflectiveCeilingPolicy,
  programAwareFairness,
  sheddableEvictionFilter,
  priorityThenTimeEvictionOrderPolicy,
  concurrencyDetectorV010,
  dcgmDataSource,
  dcgmExtractor,
  modelsDataSource,
  modelsDataExtractor,
  topologyExtractor,
  multiclusterMetricsDataSource,
  multiclusterMetricsExtractor,
  fileDiscovery,
  multiclusterFileDiscovery,
  metricsDataSourceV010,
  coreMetricsExtractorV010,
  openaiParserV010,
  anthropicParser,
  vllmhttpParser,
  vertexaiParser,
];
