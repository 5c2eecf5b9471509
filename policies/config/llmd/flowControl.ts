/**
 * llm-d-router v0.10.0 `flowControl` (`llm-d-router.md` §2.6) with its new defaults: request TTL
 * 60 s (explicit "0s" disables), band maxRequests 5000 and maxBytes 1 GB where 0 counts as unset,
 * `defaultNegativePriorityBand` (template for priorities < 0, falling back to
 * `defaultPriorityBand`), `enableEviction` (accepted; eviction is §4.8's). The policy plugins
 * `fcfs-ordering-policy`, `global-strict-fairness-policy`, `static-usage-limit-policy` are created
 * by the loader whether or not the gate is on (§2.9 step 3); with the gate off the other settings
 * only log a warning.
 */
import { DEFAULT_BAND_MAX_BYTES, DEFAULT_FAIRNESS_POLICY, DEFAULT_ORDERING_POLICY, DEFAULT_USAGE_LIMIT_POLICY } from '../../flowcontrol/controller.js';
import type { FlowControlConfig, PriorityBandConfig } from '../../flowcontrol/types.js';
import { isFairnessPolicy, isOrderingPolicy, isUsageLimitPolicy, type Plugin } from '../../framework/types.js';
import { ConfigError } from '../errors.js';
import { refError } from '../loader.js';
import type { PluginSet } from './pluginSet.js';
import type { LlmdFlowControlDoc } from './schema.js';

export const LLMD_DEFAULT_REQUEST_TTL_US = 60_000_000;
export const LLMD_DEFAULT_BAND_MAX_REQUESTS = 5000;
export const FLOW_CONTROL_POLICIES = [DEFAULT_ORDERING_POLICY, DEFAULT_FAIRNESS_POLICY, DEFAULT_USAGE_LIMIT_POLICY] as const;

/** v0.10 flow control: the GAIE-shaped config plus the negative-priority template and the eviction switch. */
export interface LlmdFlowControlConfig extends FlowControlConfig {
  /** Template for priorities < 0 not listed in priorityBands (v0.10.0). */
  readonly defaultNegativePriorityBand: PriorityBandConfig;
  readonly enableEviction: boolean;
}

/** §2.9 step 3: the three default policies, each created (name = type) unless a plugin of that name exists. */
export function addDefaultPolicies(set: PluginSet): void {
  for (const t of FLOW_CONTROL_POLICIES) if (!set.has(t)) set.auto(t, 'flow-control default policy');
}

type BandDoc = NonNullable<LlmdFlowControlDoc['defaultPriorityBand']>;

/** The flow-control config when the gate is on, else null (a warning when settings are given). */
export function resolveFlowControl(fc: LlmdFlowControlDoc | null | undefined, gateOn: boolean, set: PluginSet, warnings: string[]): LlmdFlowControlConfig | null {
  if (!gateOn) {
    const { saturationDetector: _sd, ...rest } = fc ?? {};
    if (Object.keys(rest).length > 0) warnings.push('flowControl: settings ignored because the feature gate "flowControl" is off (fix: add `flowControl` to featureGates, or remove the settings)');
    return null;
  }
  const doc = fc ?? {};
  const checkRef = (path: string, ref: string, guard: (p: Plugin) => boolean, what: string): string => {
    const p = set.get(ref);
    if (!p) throw refError(path, ref, set.byName.keys());
    if (!guard(p)) throw new ConfigError(path, `plugin "${ref}" (${p.type}) is not a ${what}`, `name a ${what} plugin`);
    return ref;
  };
  const unset0 = (v: number | undefined): number | undefined => (v === 0 ? undefined : v);
  const band = (b: BandDoc, path: string, priority: number, tmpl: PriorityBandConfig | null): PriorityBandConfig => ({
    priority,
    maxBytes: unset0(b.maxBytes) ?? tmpl?.maxBytes ?? DEFAULT_BAND_MAX_BYTES,
    maxRequests: unset0(b.maxRequests) ?? tmpl?.maxRequests ?? LLMD_DEFAULT_BAND_MAX_REQUESTS,
    fairnessPolicyRef: b.fairnessPolicyRef !== undefined ? checkRef(`${path}.fairnessPolicyRef`, b.fairnessPolicyRef, isFairnessPolicy, 'fairness policy') : tmpl?.fairnessPolicyRef ?? checkRef(`${path}.fairnessPolicyRef`, DEFAULT_FAIRNESS_POLICY, isFairnessPolicy, 'fairness policy'),
    orderingPolicyRef: b.orderingPolicyRef !== undefined ? checkRef(`${path}.orderingPolicyRef`, b.orderingPolicyRef, isOrderingPolicy, 'ordering policy') : tmpl?.orderingPolicyRef ?? checkRef(`${path}.orderingPolicyRef`, DEFAULT_ORDERING_POLICY, isOrderingPolicy, 'ordering policy'),
  });
  const defaultBand = band(doc.defaultPriorityBand ?? {}, 'flowControl.defaultPriorityBand', 0, null);
  const negative = doc.defaultNegativePriorityBand ? band(doc.defaultNegativePriorityBand, 'flowControl.defaultNegativePriorityBand', -1, null) : { ...defaultBand, priority: -1 };
  const seen = new Map<number, number>();
  const bands = (doc.priorityBands ?? []).map((b, i) => {
    const path = `flowControl.priorityBands[${i}]`;
    const prev = seen.get(b.priority);
    if (prev !== undefined) throw new ConfigError(`${path}.priority`, `duplicate band priority ${b.priority} (also flowControl.priorityBands[${prev}])`, 'one band per priority');
    seen.set(b.priority, i);
    return band(b, path, b.priority, null);
  });
  return {
    maxBytes: doc.maxBytes ?? 0,
    maxRequests: doc.maxRequests ?? 0,
    defaultRequestTtlUs: doc.defaultRequestTTL ?? LLMD_DEFAULT_REQUEST_TTL_US,
    defaultPriorityBand: defaultBand,
    defaultNegativePriorityBand: negative,
    priorityBands: bands,
    usageLimitPolicyRef: checkRef('flowControl.usageLimitPolicyPluginRef', doc.usageLimitPolicyPluginRef ?? DEFAULT_USAGE_LIMIT_POLICY, isUsageLimitPolicy, 'usage-limit policy'),
    enableEviction: doc.enableEviction ?? false,
  };
}
