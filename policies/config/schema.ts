/**
 * EndpointPickerConfig (`epp.md` §3.1, `apix/config/v1alpha1/endpointpickerconfig_types.go`) as a
 * strict zod schema: unknown fields are rejected, as the production's strict decoder does. Plugin
 * parameters are kept as raw objects here and validated by each plugin's own schema in the loader.
 */
import { z } from 'zod';
import { parseGoDuration } from '../framework/params.js';

export const API_VERSION = 'inference.networking.x-k8s.io/v1alpha1';
/** llm-d-router v0.10.0's config group (`llm-d-router.md` §2.1); selects the llm-d-v0.10 dialect. */
export const LLMD_API_VERSION = 'llm-d.ai/v1alpha1';
export const KIND = 'EndpointPickerConfig';

/** Feature gates the v1.5.0 loader knows; only `flowControl` changes routesim's behaviour. */
export const KNOWN_FEATURE_GATES = ['flowControl', 'dataLayer', 'enableLegacyMetrics', 'prepareDataPlugins'] as const;

/** Field schemas shared with the llm-d v0.10 dialect's schema (llmd/schema.ts). */
export const name = z.string().min(1, 'must be a non-empty string');
export const ref = z.strictObject({ pluginRef: name });

export const pluginSpecSchema = z.strictObject({
  name: name.optional(),
  type: name,
  parameters: z.record(z.string(), z.unknown()).nullish(),
});

export const profilePluginSchema = z.strictObject({
  pluginRef: name,
  /** Scorer weight (float); missing → DefaultScorerWeight 1.0. */
  weight: z.number().refine(Number.isFinite, 'must be a finite number').optional(),
});

export const profileSchema = z.strictObject({
  name,
  plugins: z.array(profilePluginSchema).default([]),
});

/** Kubernetes resource.Quantity ("1Gi", "500M", "1e9") or a plain number of bytes. */
export function parseQuantity(v: string | number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  const m = /^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?\s*$/.exec(v);
  if (!m) return null;
  const mult: Record<string, number> = {
    '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  };
  return Math.round(Number(m[1]) * mult[m[2] ?? '']!);
}

export const quantity = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const q = parseQuantity(v);
  if (q === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a byte quantity (write e.g. 1000000000, "1G" or "1Gi")` });
    return z.NEVER;
  }
  return q;
});

export const count = z.number().int('must be an integer').min(0, 'must be ≥ 0');

/** A Go duration ("30s", "2m"; a bare number is seconds), parsed to µs by parseGoDuration. */
export const durationField = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const us = parseGoDuration(v);
  if (us === null || us < 0) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (write e.g. "30s", "2m")` });
    return z.NEVER;
  }
  return us;
});

export const bandFields = {
  maxBytes: quantity.optional(),
  maxRequests: count.optional(),
  fairnessPolicyRef: name.optional(),
  orderingPolicyRef: name.optional(),
};

export const flowControlSchema = z.strictObject({
  maxBytes: quantity.optional(),
  maxRequests: count.optional(),
  defaultRequestTTL: durationField.optional(),
  defaultPriorityBand: z.strictObject(bandFields).optional(),
  priorityBands: z.array(z.strictObject({ priority: z.number().int('must be an integer'), ...bandFields })).optional(),
  usageLimitPolicyPluginRef: name.optional(),
});

export const dataLayerSchema = z.strictObject({
  sources: z.array(z.strictObject({ pluginRef: name, extractors: z.array(ref).default([]) })).default([]),
});

export const endpointPickerConfigSchema = z.strictObject({
  apiVersion: z.enum([API_VERSION, LLMD_API_VERSION]),
  kind: z.literal(KIND),
  featureGates: z.array(name).nullish(),
  plugins: z.array(pluginSpecSchema).nullish(),
  schedulingProfiles: z.array(profileSchema).nullish(),
  saturationDetector: ref.nullish(),
  dataLayer: dataLayerSchema.nullish(),
  flowControl: flowControlSchema.nullish(),
  parser: ref.nullish(),
});

export type EndpointPickerConfigDoc = z.output<typeof endpointPickerConfigSchema>;
export type PluginSpec = z.output<typeof pluginSpecSchema>;
export type ProfileSpec = z.output<typeof profileSchema>;
export type FlowControlSpec = z.output<typeof flowControlSchema>;
