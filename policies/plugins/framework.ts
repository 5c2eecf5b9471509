/**
 * Framework plugins: profile handlers (`epp.md` §1.7), llm-d's P/D headers handler, and the
 * data-layer / parser types that real configs declare but routesim does not need (no-ops, so configs load).
 */
import type { PluginDefinition } from '../framework/registry.js';
import { coreMetricsExtractor } from './datalayer/coreMetricsExtractor.js';
import { endpointNotificationSource } from './datalayer/endpointNotificationSource.js';
import { k8sNotificationSource } from './datalayer/k8sNotificationSource.js';
import { metricsDataSource } from './datalayer/metricsDataSource.js';
import { openaiParser } from './datalayer/openaiParser.js';
import { passthroughParser } from './datalayer/passthroughParser.js';
import { vllmgrpcParser } from './datalayer/vllmgrpcParser.js';
import { disaggHeadersHandler } from './profile/disaggHeadersHandler.js';
import { disaggProfileHandler } from './profile/disaggProfileHandler.js';
import { pdProfileHandler } from './profile/pdProfileHandler.js';
import { singleProfileHandler } from './profile/singleProfileHandler.js';

export const frameworkPlugins: readonly PluginDefinition[] = [
  singleProfileHandler,
  pdProfileHandler,
  disaggProfileHandler,
  disaggHeadersHandler,
  metricsDataSource,
  coreMetricsExtractor,
  k8sNotificationSource,
  endpointNotificationSource,
  openaiParser,
  vllmgrpcParser,
  passthroughParser,
] as readonly PluginDefinition[];
