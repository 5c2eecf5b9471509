/**
 * The P/D TTFT decomposition of a streamed run (pdBreakdown.ts, gateway.md §4.6), folded one
 * windowed request at a time: a sketch per part of the disaggregated requests' TTFT (gateway hops,
 * prefill queue and compute, decode queue, KV transfer, first decode step) and of the aggregated
 * ones' (gateway, queue, prefill), their counts and the KV bytes pulled. Counts, means and bytes are
 * exact; the quantiles are within latencySketch.ts's bound.
 */
import { AGGREGATED_PARTS, aggregatedParts, PD_PARTS, pdParts, type PartStats, type PdSummary } from '../pdBreakdown.js';
import { ratio, round4 } from '../latency.js';
import type { RequestRecord } from '../types.js';
import type { WindowFields } from './heldRequests.js';
import { EXACT_VALUES, LatencyColumn } from './latencyColumn.js';

const columns = <K extends string>(keys: readonly K[], exactValues: number): Record<K, LatencyColumn> => Object.fromEntries(keys.map((k) => [k, new LatencyColumn(null, exactValues)])) as Record<K, LatencyColumn>;

function partStats(s: LatencyColumn): PartStats {
  const { mean, p50, p90, p99 } = s.stats();
  return { mean, p50, p90, p99 };
}

export class PdFolder {
  private readonly pd: Record<(typeof PD_PARTS)[number], LatencyColumn>;
  private readonly agg: Record<(typeof AGGREGATED_PARTS)[number], LatencyColumn>;
  private pdCount = 0;
  private aggCount = 0;
  private bytes = 0;

  /**
   * `exactValues`: values each part keeps exactly before moving to a sketch. `queue`: the window's
   * queue times (subset.ts, every completed request's, added just before `measure`): the aggregated
   * queue part shares its values while no request is disaggregated, as in a run without P/D, instead
   * of keeping a copy (8 MB on 1M requests, issue 15).
   */
  constructor(exactValues = EXACT_VALUES, queue?: LatencyColumn) {
    this.pd = columns(PD_PARTS, exactValues);
    this.agg = columns(AGGREGATED_PARTS, exactValues);
    if (queue !== undefined) this.agg.queue = new LatencyColumn(queue, exactValues);
  }

  /** Adds a request of the measurement window (only completed ones have parts). */
  measure(fields: WindowFields): void {
    // pdParts / aggregatedParts read only window fields (heldRequests.ts keeps exactly those).
    const r = fields as RequestRecord;
    const p = pdParts(r);
    if (p !== null) {
      this.pdCount++;
      this.bytes += r.kvTransferBytes;
      for (const k of PD_PARTS) this.pd[k].add(p[k] / 1000);
      return;
    }
    const a = aggregatedParts(r);
    if (a === null) return;
    this.aggCount++;
    for (const k of AGGREGATED_PARTS) this.agg[k].add(a[k] / 1000);
  }

  /** Completed requests folded (disaggregated and aggregated). */
  get folded(): number {
    return this.pdCount + this.aggCount;
  }

  /** Whether its quantiles are exact (latencyColumn.ts). */
  get exact(): boolean {
    return [...Object.values<LatencyColumn>(this.pd), ...Object.values<LatencyColumn>(this.agg)].every((c) => c.exact);
  }

  summary(): PdSummary {
    const n = this.pdCount;
    return {
      disaggregated_share: round4(ratio(n, n + this.aggCount)),
      disaggregated: {
        count: n,
        mean_kv_transfer_bytes: n > 0 ? round4(this.bytes / n) : null,
        gateway_ms: partStats(this.pd.gateway),
        prefill_queue_ms: partStats(this.pd.prefill_queue),
        prefill_compute_ms: partStats(this.pd.prefill_compute),
        decode_queue_ms: partStats(this.pd.decode_queue),
        kv_transfer_ms: partStats(this.pd.kv_transfer),
        first_step_ms: partStats(this.pd.first_step),
      },
      aggregated: {
        count: this.aggCount,
        gateway_ms: partStats(this.agg.gateway),
        queue_ms: partStats(this.agg.queue),
        prefill_ms: partStats(this.agg.prefill),
      },
    };
  }
}
