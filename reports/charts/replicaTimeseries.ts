/**
 * One chart per policy: each replica's waiting queue, running batch and KV-cache use over time as
 * the engine had them (thin solid near-black) and as the router last scraped them (wide dashed pale
 * grey, drawn underneath). Where the dashed line lags or steps behind the solid one, the router was deciding on
 * stale metrics. Both views are greys (palette.ts INK), never a policy colour, and differ in dash
 * too, so they stay apart in print and for colour-blind readers. Replicas are rows (named once, on
 * the left), gauges are columns; the whole chart stays within MAX_CHART_WIDTH for any replica count.
 */
import type { PolicyResult, ResultsDocument } from '../results.js';
import { CHART_CONFIG, INK, LABEL_LIMIT, VEGA_LITE_SCHEMA } from './palette.js';
import { slug, type Chart } from './types.js';

/** Most points drawn per series; longer series are thinned to every k-th sample. */
export const MAX_POINTS = 1000;

/** (engine series, scraped series, panel title, y-axis title, scale). */
const GAUGES = [
  ['waiting', 'scraped_waiting', 'waiting queue (requests)', 'waiting (req)', 1],
  ['running', 'scraped_running', 'running batch (requests)', 'running (req)', 1],
  ['kv_usage', 'scraped_kv_usage', 'KV-cache blocks in use (%)', 'KV in use (%)', 100],
] as const;

/** Legend entries: which line is which view. */
export const VIEWS = ['engine truth', "router's scraped view"] as const;

/** Width of each gauge's plot, px: 3 × (250 + axis ≈ 60) + replica names + legend ≤ 1,300 (palette.ts). */
const PANEL_WIDTH = 250;

export function replicaTimeseriesChart(doc: ResultsDocument, p: PolicyResult, id: string): Chart | null {
  const ts = p.timeseries;
  if (!ts || ts.replicas.length === 0 || ts.sample_ms <= 0) return null;
  const count = ts.replicas[0]!.waiting.length;
  if (count === 0) return null;
  const stride = Math.ceil(count / MAX_POINTS);
  const replicas = ts.replicas.map((r) => r.name);
  // Rows stay 80 px whatever the replica count (the chart grows down, never sideways): a row must
  // fit its y-axis title, or vega spreads the rows of one gauge apart from the others'.
  const rowHeight = 80;
  const panels = GAUGES.map(([trueKey, seenKey, panelTitle, title, scale], g) => {
    const values: { t_s: number; replica: string; view: string; value: number }[] = [];
    let max = 0;
    for (const r of ts.replicas) {
      // The scraped series first, so it is drawn first: a wide pale dashed line under the thin dark truth.
      for (const [view, key] of [[VIEWS[1], seenKey], [VIEWS[0], trueKey]] as const) {
        for (let i = 0; i < r[key].length; i += stride) {
          const value = Number((r[key][i]! * scale).toFixed(4));
          if (value > max) max = value;
          values.push({ t_s: Number(((i * ts.sample_ms) / 1000).toFixed(6)), replica: r.name, view, value });
        }
      }
    }
    return {
      title: { text: panelTitle, fontSize: 12 },
      data: { values },
      // Rows laid out by the plot size only (not by axis-title extents), 16 px apart, so the rows of
      // the three gauges line up.
      bounds: 'flush' as const,
      spacing: { row: 16 },
      facet: {
        row: {
          field: 'replica',
          type: 'nominal' as const,
          sort: replicas,
          title: null,
          // Replica names once, left of the first gauge.
          header: g === 0 ? { labelAngle: 0, labelAlign: 'left' as const, labelFontSize: 11, labelLimit: LABEL_LIMIT - 40 } : { labels: false },
        },
      },
      spec: {
        width: PANEL_WIDTH,
        height: rowHeight,
        mark: { type: 'line' as const, interpolate: 'step-after' as const },
        encoding: {
          x: { field: 't_s', type: 'quantitative' as const, title: 'simulated time (s)' },
          // From 0, shared by the replicas of a gauge; a gauge that stayed 0 gets a 0–1 axis (not a degenerate one).
          y: { field: 'value', type: 'quantitative' as const, title, scale: { domainMin: 0, ...(max === 0 ? { domainMax: 1 } : {}) }, axis: { titleFontSize: 10, tickCount: 4, ...(scale === 1 ? { tickMinStep: 1 } : {}) } },
          color: { field: 'view', type: 'nominal' as const, title: 'view', sort: [...VIEWS], scale: { domain: [...VIEWS], range: [INK.truth, INK.scraped] } },
          strokeDash: { field: 'view', type: 'nominal' as const, title: 'view', sort: [...VIEWS], scale: { domain: [...VIEWS], range: [[1, 0], [5, 2]] } },
          strokeWidth: { field: 'view', type: 'nominal' as const, title: 'view', sort: [...VIEWS], scale: { domain: [...VIEWS], range: [1.2, 3] } },
        },
      },
    };
  });
  const thinned = stride > 1 ? ` (every ${stride}th sample drawn)` : '';
  return {
    id,
    title: `${p.name}: replica queues, batches and KV-cache use`,
    description: `Sampled every ${ts.sample_ms} ms${thinned}: the engine's true gauges (thin solid black) against the router's last scrape (wide dashed grey); the gap is the staleness the policy decided on.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: `${p.name}: replica state over time, engine vs router's scraped view`,
      config: CHART_CONFIG,
      hconcat: panels,
    },
  };
}

/** File stems `replicas-<policy slug>` (suffixed with the policy index when two slugs collide). */
export function replicaChartIds(doc: ResultsDocument): string[] {
  const slugs = doc.policies.map((p) => slug(p.name));
  return slugs.map((s, i) => (slugs.indexOf(s) !== i || slugs.lastIndexOf(s) !== i ? `replicas-${s}-${i}` : `replicas-${s}`));
}
