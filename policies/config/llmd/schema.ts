/**
 * llm-d-router v0.10.0's EndpointPickerConfig (`llm-d-router.md` §2.1–§2.6) as a strict zod schema:
 * unknown top-level fields are errors (Kubernetes strict decoding), as are unknown plugin
 * parameters (checked by each plugin's strict schema in the loader). Differences from GAIE v1.5.0
 * (../schema.ts): `requestHandler`, `dataLayer.{injectDefaults, discovery, crossReplicaSync*}`,
 * `flowControl.{saturationDetector, defaultNegativePriorityBand, enableEviction}`, `name=false`
 * feature gates; top-level `saturationDetector`/`parser` are deprecated (moved, §2.9 step 1).
 */
import { z } from 'zod';
import { KIND, LLMD_API_VERSION, bandFields, durationField, name, pluginSpecSchema, profileSchema, quantity, ref } from '../schema.js';

/** Feature gates registered in v0.10.0 with their defaults (§2.2). */
export const LLMD_FEATURE_GATES: Readonly<Record<string, boolean>> = { flowControl: false, haPopulateNonLeaderDatastore: true };
/** v1.5.0 gates v0.10.0 removed (now rejected). */
export const REMOVED_FEATURE_GATES = ['dataLayer', 'enableLegacyMetrics', 'prepareDataPlugins'] as const;

/** Go duration in µs (../schema.ts `durationField`). */
export const durationUs = durationField;

export const llmdFlowControlSchema = z.strictObject({
  maxBytes: quantity.optional(),
  maxRequests: quantity.optional(),
  defaultRequestTTL: durationUs.optional(),
  defaultPriorityBand: z.strictObject(bandFields).optional(),
  defaultNegativePriorityBand: z.strictObject(bandFields).optional(),
  priorityBands: z.array(z.strictObject({ priority: z.number().int('must be an integer'), ...bandFields })).optional(),
  usageLimitPolicyPluginRef: name.optional(),
  saturationDetector: ref.optional(),
  enableEviction: z.boolean().optional(),
});

export const llmdDataLayerSchema = z.strictObject({
  sources: z.array(z.strictObject({ pluginRef: name, extractors: z.array(ref).default([]) })).optional(),
  injectDefaults: z.boolean().default(true),
  discovery: ref.optional(),
  crossReplicaSyncerPluginRef: name.optional(),
  crossReplicaSyncInterval: durationUs.optional(),
});

export const requestHandlerSchema = z.strictObject({
  parsers: z.array(ref).nullish(),
});

export const llmdConfigSchema = z.strictObject({
  apiVersion: z.literal(LLMD_API_VERSION),
  kind: z.literal(KIND),
  featureGates: z.array(name).nullish(),
  plugins: z.array(pluginSpecSchema).nullish(),
  schedulingProfiles: z.array(profileSchema).nullish(),
  dataLayer: llmdDataLayerSchema.nullish(),
  flowControl: llmdFlowControlSchema.nullish(),
  requestHandler: requestHandlerSchema.nullish(),
  /** Deprecated: moved into flowControl.saturationDetector when that is unset. */
  saturationDetector: ref.nullish(),
  /** Deprecated: moved into requestHandler.parsers when that is unset. */
  parser: ref.nullish(),
});

export type LlmdConfigDoc = z.output<typeof llmdConfigSchema>;
export type LlmdFlowControlDoc = z.output<typeof llmdFlowControlSchema>;
