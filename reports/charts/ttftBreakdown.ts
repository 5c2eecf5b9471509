/**
 * Where the time to first token goes under prefill/decode disaggregation (issue 10;
 * ../shared/reference/gateway.md §4.6): horizontal stacked bars of the mean TTFT parts
 * (sim/metrics/pdBreakdown.ts), one bar per policy for its disaggregated requests and, when the
 * same run also served requests aggregated, a second bar `<policy> · aggregated` for those. The
 * segments of a bar add up to the mean TTFT of its requests. Drawn only when some policy
 * disaggregated a request (summary.pd.disaggregated.count > 0).
 */
import type { ResultsDocument } from '../results.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from './palette.js';
import type { Chart } from './types.js';

/** Segments in TTFT order: (summary key, which requests, legend label). */
export const TTFT_SEGMENTS = [
  ['gateway_ms', 'disaggregated', 'gateway + sidecar hops'],
  ['prefill_queue_ms', 'disaggregated', 'prefill queue'],
  ['prefill_compute_ms', 'disaggregated', 'prefill compute'],
  ['decode_queue_ms', 'disaggregated', 'decode queue'],
  ['kv_transfer_ms', 'disaggregated', 'KV transfer'],
  ['first_step_ms', 'disaggregated', 'first decode step'],
  ['gateway_ms', 'aggregated', 'gateway (aggregated)'],
  ['queue_ms', 'aggregated', 'queue (aggregated)'],
  ['prefill_ms', 'aggregated', 'prefill + first token (aggregated)'],
] as const;

/**
 * Segment colours (viridis-like, dark → light in TTFT order; no grey, so none reads as an SLO or
 * CI line). The bars are labelled by policy on the axis, so policy colours are not used here.
 */
const SEGMENT_COLORS = ['#440154', '#46327e', '#365c8d', '#277f8e', '#1fa187', '#4ac16d', '#a0da39', '#d8e219', '#fde725'];

interface Segment {
  bar: string;
  part: string;
  order: number;
  ms: number;
}

export function ttftBreakdownChart(doc: ResultsDocument): Chart | null {
  if (!doc.policies.some((p) => (p.summary.pd?.disaggregated.count ?? 0) > 0)) return null;
  const values: Segment[] = [];
  const bars: string[] = [];
  for (const p of doc.policies) {
    const pd = p.summary.pd;
    if (pd === undefined) continue;
    for (const kind of ['disaggregated', 'aggregated'] as const) {
      const side = pd[kind] as unknown as Record<string, { mean: number | null } | number | null>;
      if ((side.count as number) === 0) continue;
      const bar = kind === 'disaggregated' ? p.name : `${p.name} · aggregated`;
      bars.push(bar);
      TTFT_SEGMENTS.forEach(([key, k, label], order) => {
        if (k !== kind) return;
        const m = (side[key] as { mean: number | null } | undefined)?.mean;
        if (typeof m === 'number') values.push({ bar, part: label, order, ms: Math.max(0, m) });
      });
    }
  }
  const parts = TTFT_SEGMENTS.map(([, , label]) => label);
  return {
    id: 'ttft-breakdown',
    title: 'TTFT breakdown (P/D)',
    description:
      'Mean time to first token split into its parts, over completed requests in the window: for disaggregated requests gateway and sidecar hops, prefill queue, prefill compute, decode queue, KV transfer and the first decode step; for aggregated ones gateway, queue and prefill. Each bar adds up to the mean TTFT (ms).',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: 'Mean TTFT by part, disaggregated vs aggregated requests',
      width: 720,
      height: { step: 28 },
      config: CHART_CONFIG,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'bar', type: 'nominal', sort: bars, title: null },
        x: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'mean TTFT (ms)' },
        color: { field: 'part', type: 'nominal', title: 'part', sort: parts, scale: { domain: parts, range: SEGMENT_COLORS } },
        order: { field: 'order', type: 'quantitative' },
        tooltip: [
          { field: 'bar', type: 'nominal', title: 'requests' },
          { field: 'part', type: 'nominal' },
          { field: 'ms', type: 'quantitative', title: 'mean ms', format: '.2f' },
        ],
      },
    },
  };
}
