/**
 * llm-d-router v0.10.0 profile handlers, deciders, request-header processors, screeners, admitters
 * and response plugins (`llm-d-router.md` §4.5, §4.7): the v0.10 twins of the P/D handler, decider
 * and headers handler, and the types new in v0.10.0.
 */
import type { PluginDefinition } from '../framework/registry.js';
import { probabilisticAdmitter } from './admission/probabilisticAdmitter.js';
import { alwaysDisaggMultimodalDecider } from './decider/alwaysDisaggMultimodal.js';
import { prefixBasedPdDeciderV010 } from './decider/prefixBasedPd.v010.js';
import { dataParallelProfileHandler } from './profile/dataParallelProfileHandler.js';
import { disaggHeadersHandlerV010, prefillHeaderHandler } from './profile/disaggHeadersHandler.v010.js';
import { disaggProfileHandlerV010 } from './profile/disaggProfileHandler.v010.js';
import { headerProfileHandler } from './profile/headerProfileHandler.js';
import { agentIdentity } from './request/agentIdentity.js';
import { disaggregatedsetRolloutScreener } from './request/disaggregatedsetRolloutScreener.js';
import { requestAttributeReporter } from './request/requestAttributeReporter.js';

export const llmdHandlerPlugins: readonly PluginDefinition[] = [
  disaggProfileHandlerV010,
  prefixBasedPdDeciderV010,
  alwaysDisaggMultimodalDecider,
  headerProfileHandler,
  dataParallelProfileHandler,
  disaggHeadersHandlerV010,
  prefillHeaderHandler,
  agentIdentity,
  disaggregatedsetRolloutScreener,
  probabilisticAdmitter,
  requestAttributeReporter,
] as unknown as readonly PluginDefinition[];
