/**
 * Autoscaling, start-up and cost (issue 11; gateway.md §5 in ../shared/reference/gateway.md):
 * the HPA per pool (hpa.ts), WVA V1 as the `saturation` metric (wva.ts), replica start-up phases
 * (startup.ts) and GPU-hours / cost (cost.ts).
 */
export { Hpa, DEFAULT_SCALE_UP, DEFAULT_SCALE_DOWN, HPA_DEFAULTS, type HpaDecision } from './hpa.js';
export { WvaV1, WVA_V1, type WvaPod, type WvaAnalysis } from './wva.js';
export { startupPhasesUs, DEFAULT_STARTUP, type StartupPhases } from './startup.js';
export { gpuPrices, gpuHours, costUsd, GPU_PRICES_SOURCE, type GpuHours, type Cost } from './cost.js';
