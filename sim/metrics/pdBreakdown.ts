/**
 * TTFT decomposition for prefill/decode disaggregation (../shared/reference/gateway.md §4.6):
 * where the time to first token goes, for the disaggregated requests (a prefill pod computed the
 * prompt, the decode pod pulled its KV) and, in the same run, for the aggregated ones.
 *
 * Parts of one completed disaggregated request (RequestRecord.prefillReplica ≥ 0), integer µs;
 * they sum exactly to TTFT = firstTokenUs − arrivalUs:
 * - prefill_queue = prefillQueueUs: enqueued on the prefill pod → first scheduled (W_P).
 * - prefill_compute = prefillComputeUs: scheduled on the prefill pod → its 1-token completion (T_prefill).
 * - decode_queue = decodeQueueUs: enqueued on the decode pod → KV blocks allocated (W_D).
 * - kv_transfer = kvTransferUs: the KV pull, blocks allocated → KV present on the decode pod (T_xfer).
 * - first_step = firstTokenUs − kvReadyUs: KV present → first token at the client (W_step + T_step + t_stream).
 * - gateway = TTFT − the five above, the remainder before the prefill queue: gateway, EPP and
 *   sidecar → prefill hop (t_gw + t_epp + t_sc→P), plus the prefill → sidecar → decode hops
 *   (t_P→sc + t_sc→D), which the record does not time separately.
 *
 * Parts of one completed aggregated request (prefillReplica < 0), summing to TTFT likewise:
 * - gateway = enqueueUs − arrivalUs (gateway, EPP, α0), queue = scheduledUs − enqueueUs (W),
 * - prefill = firstTokenUs − scheduledUs (chunked prefill among decodes, then t_stream).
 *
 * The statistics are over the completed requests in the measurement window, in ms (mean, p50,
 * p90, p99; null without samples).
 */
import type { ReplicaStats, RequestRecord } from './types.js';
import { latencyStats, ratio, round4 } from './latency.js';

/** The decomposition of one disaggregated request, µs. */
export interface PdParts {
  readonly gateway: number;
  readonly prefill_queue: number;
  readonly prefill_compute: number;
  readonly decode_queue: number;
  readonly kv_transfer: number;
  readonly first_step: number;
}

/** The decomposition of one aggregated request, µs. */
export interface AggregatedParts {
  readonly gateway: number;
  readonly queue: number;
  readonly prefill: number;
}

/** The disaggregated parts, in TTFT order (the stacked-bar segments). */
export const PD_PARTS = ['gateway', 'prefill_queue', 'prefill_compute', 'decode_queue', 'kv_transfer', 'first_step'] as const;
/** The aggregated parts, in TTFT order. */
export const AGGREGATED_PARTS = ['gateway', 'queue', 'prefill'] as const;

/** mean / p50 / p90 / p99 in ms. */
export interface PartStats {
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

export interface PdSummary {
  /** Disaggregated completed requests (in the window) / completed requests (in the window); 0 when none. */
  readonly disaggregated_share: number;
  readonly disaggregated: {
    readonly count: number;
    /** Mean KV bytes pulled per GPU per request (null when none). */
    readonly mean_kv_transfer_bytes: number | null;
  } & { readonly [K in `${(typeof PD_PARTS)[number]}_ms`]: PartStats };
  readonly aggregated: { readonly count: number } & { readonly [K in `${(typeof AGGREGATED_PARTS)[number]}_ms`]: PartStats };
}

/** The parts of a completed disaggregated record (null otherwise). */
export function pdParts(r: RequestRecord): PdParts | null {
  if (r.outcome !== 'completed' || r.prefillReplica < 0 || r.kvReadyUs < 0) return null;
  const ttft = r.firstTokenUs - r.arrivalUs;
  const firstStep = r.firstTokenUs - r.kvReadyUs;
  const known = r.prefillQueueUs + r.prefillComputeUs + r.decodeQueueUs + r.kvTransferUs + firstStep;
  return {
    gateway: ttft - known,
    prefill_queue: r.prefillQueueUs,
    prefill_compute: r.prefillComputeUs,
    decode_queue: r.decodeQueueUs,
    kv_transfer: r.kvTransferUs,
    first_step: firstStep,
  };
}

/** The parts of a completed aggregated record (null otherwise). */
export function aggregatedParts(r: RequestRecord): AggregatedParts | null {
  if (r.outcome !== 'completed' || r.prefillReplica >= 0) return null;
  return { gateway: r.enqueueUs - r.arrivalUs, queue: r.scheduledUs - r.enqueueUs, prefill: r.firstTokenUs - r.scheduledUs };
}

function partStats(samplesUs: readonly number[]): PartStats {
  const s = latencyStats(samplesUs.map((us) => us / 1000));
  return { mean: s.mean, p50: s.p50, p90: s.p90, p99: s.p99 };
}

/** Whether a run gets a `pd` section: some request was disaggregated, or some replica has a role label. */
export function hasPd(records: readonly RequestRecord[], replicas: readonly ReplicaStats[]): boolean {
  return records.some((r) => r.prefillReplica >= 0) || replicas.some((r) => r.role !== '');
}

/** The decomposition over `measured` (the records in the measurement window). */
export function pdBreakdown(measured: readonly RequestRecord[]): PdSummary {
  const pd: PdParts[] = [];
  const agg: AggregatedParts[] = [];
  let bytes = 0;
  for (const r of measured) {
    const p = pdParts(r);
    if (p !== null) {
      pd.push(p);
      bytes += r.kvTransferBytes;
      continue;
    }
    const a = aggregatedParts(r);
    if (a !== null) agg.push(a);
  }
  const of = <T>(rows: readonly T[], key: keyof T): PartStats => partStats(rows.map((x) => x[key] as number));
  return {
    disaggregated_share: round4(ratio(pd.length, pd.length + agg.length)),
    disaggregated: {
      count: pd.length,
      mean_kv_transfer_bytes: pd.length > 0 ? round4(bytes / pd.length) : null,
      gateway_ms: of(pd, 'gateway'),
      prefill_queue_ms: of(pd, 'prefill_queue'),
      prefill_compute_ms: of(pd, 'prefill_compute'),
      decode_queue_ms: of(pd, 'decode_queue'),
      kv_transfer_ms: of(pd, 'kv_transfer'),
      first_step_ms: of(pd, 'first_step'),
    },
    aggregated: {
      count: agg.length,
      gateway_ms: of(agg, 'gateway'),
      queue_ms: of(agg, 'queue'),
      prefill_ms: of(agg, 'prefill'),
    },
  };
}
