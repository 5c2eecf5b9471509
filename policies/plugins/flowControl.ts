/** Flow-control policy plugins (`epp.md` §2.10): fairness, ordering and usage-limit policies. */
import type { PluginDefinition } from '../framework/registry.js';
import { edfOrderingPolicy } from './flowcontrol/edfOrdering.js';
import { fcfsOrderingPolicy } from './flowcontrol/fcfsOrdering.js';
import { globalStrictFairnessPolicy } from './flowcontrol/globalStrictFairness.js';
import { roundRobinFairnessPolicy } from './flowcontrol/roundRobinFairness.js';
import { sloDeadlineOrderingPolicy } from './flowcontrol/sloDeadlineOrdering.js';
import { staticUsageLimitPolicy } from './flowcontrol/staticUsageLimit.js';

export const flowControlPlugins: readonly PluginDefinition[] = [
  globalStrictFairnessPolicy,
  roundRobinFairnessPolicy,
  fcfsOrderingPolicy,
  edfOrderingPolicy,
  sloDeadlineOrderingPolicy,
  staticUsageLimitPolicy,
];
