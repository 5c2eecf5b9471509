/**
 * `dcgm-extractor` (llm-d-router v0.10.0, Alpha; `llm-d-router.md` §4.9): from the DCGM scrape, the
 * `DCGM_FI_DEV_GPU_UTIL` samples whose `pod` label matches the endpoint (unlabelled samples kept),
 * max over GPUs, ÷100 → endpoint attribute `GPUUtilization/<name>` ∈ [0, 1].
 *
 * routesim's engine snapshot carries no GPU utilization, so the extractor writes nothing and
 * consumers (endpoint-attribute-filter/-scorer on `GPUUtilization/dcgm-extractor`) see the attribute
 * missing (filter: onMissing; scorer: 0). `gpuUtilization` is the conversion a live picker would use.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp } from './v010Common.js';

export interface DcgmSample {
  readonly pod?: string;
  /** DCGM_FI_DEV_GPU_UTIL, percent. */
  readonly value: number;
}

/** max over the endpoint's (or unlabelled) samples ÷ 100, clamped to [0, 1]; undefined when none. */
export function gpuUtilization(samples: readonly DcgmSample[], pod: string): number | undefined {
  let best: number | undefined;
  for (const s of samples) if (s.pod === undefined || s.pod === '' || s.pod === pod) best = best === undefined ? s.value : Math.max(best, s.value);
  return best === undefined ? undefined : Math.min(1, Math.max(0, best / 100));
}

const params = z.strictObject({});

export const dcgmExtractor: PluginDefinition<typeof params> = {
  type: 'dcgm-extractor',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Extractor'],
  source: 'llm-d-router v0.10.0',
  description:
    'Max DCGM_FI_DEV_GPU_UTIL over the endpoint\'s GPUs ÷ 100 → GPUUtilization/<name>. routesim simulates no GPU utilization: the attribute stays missing.',
  params,
  create: (name) => new DataLayerNoOp('dcgm-extractor', name),
};
