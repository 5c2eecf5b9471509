/**
 * KV transfer transports between prefill and decode pods (gateway.md §4.5): nominal per-GPU link
 * bandwidth and a fixed per-transfer latency, and the defaults a scenario's partial `kv_transfer`
 * is completed with.
 */
import type { KvTransferConfig } from '../scenario/types.js';

export type Transport = KvTransferConfig['transport'];

/**
 * Per-transport defaults. GB/s = 10^9 bytes/s.
 * - nvlink: NVLink4 ~450 GB/s per direction. Not usable between pods (P and D pods use the NIC even
 *   on one node, §4.5); kept for same-pod what-ifs.
 * - rdma: one 400 Gb/s NIC per GPU (IB/RoCE/EFA + GPUDirect) = 50 GB/s; latency 50 µs (BLIS base 0.05 ms).
 * - tcp: 25 Gb/s = 3.125 GB/s (TCP via UCX runs far below line rate; this is the optimistic end).
 */
export const TRANSPORT_DEFAULTS: Readonly<Record<Transport, { readonly bandwidth_gbps: number; readonly latency_us: number }>> = Object.freeze({
  nvlink: Object.freeze({ bandwidth_gbps: 450, latency_us: 5 }),
  rdma: Object.freeze({ bandwidth_gbps: 50, latency_us: 50 }),
  tcp: Object.freeze({ bandwidth_gbps: 3.125, latency_us: 200 }),
});

/** Transport when none is given: RDMA, the path llm-d validated and "highly recommends" (§4.5). */
export const DEFAULT_TRANSPORT: Transport = 'rdma';

/** A full config from a partial one: the transport's bandwidth and latency, shared per prefill pod NIC. */
export function resolveKvTransfer(partial: Partial<KvTransferConfig> = {}): KvTransferConfig {
  const transport = partial.transport ?? DEFAULT_TRANSPORT;
  const d = TRANSPORT_DEFAULTS[transport];
  if (d === undefined) throw new Error(`unknown KV transport '${String(transport)}' (nvlink, rdma or tcp)`);
  const cfg: KvTransferConfig = {
    transport,
    bandwidth_gbps: partial.bandwidth_gbps ?? d.bandwidth_gbps,
    latency_us: partial.latency_us ?? d.latency_us,
    shared_by: partial.shared_by ?? 'prefill',
  };
  if (!(cfg.bandwidth_gbps > 0) || !Number.isFinite(cfg.bandwidth_gbps)) throw new Error(`kv_transfer.bandwidth_gbps must be > 0, got ${cfg.bandwidth_gbps}`);
  if (!(cfg.latency_us >= 0) || !Number.isFinite(cfg.latency_us)) throw new Error(`kv_transfer.latency_us must be ≥ 0, got ${cfg.latency_us}`);
  return cfg;
}

/** Link bandwidth in bytes per µs (1 GB/s = 10^9 B/s = 1,000 B/µs). */
export function linkBytesPerUs(cfg: KvTransferConfig): number {
  return cfg.bandwidth_gbps * 1000;
}
