/**
 * One chart per policy: each replica's waiting queue, running batch and KV-cache use over time as
 * the engine had them (solid) and as the router last scraped them (dashed). Where the dashed line
 * lags or steps behind the solid one, the router was deciding on stale metrics.
 */
import type { PolicyResult, ResultsDocument } from '../results.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from './palette.js';
import { slug, type Chart } from './types.js';

/** Most points drawn per series; longer series are thinned to every k-th sample. */
export const MAX_POINTS = 1000;

/** (engine series, scraped series, panel title, y-axis title, scale). */
const GAUGES = [
  ['waiting', 'scraped_waiting', 'waiting queue (requests)', 'waiting (req)', 1],
  ['running', 'scraped_running', 'running batch (requests)', 'running (req)', 1],
  ['kv_usage', 'scraped_kv_usage', 'KV-cache blocks in use (%)', 'KV in use (%)', 100],
] as const;

const VIEWS = ['engine (true)', 'router (scraped)'] as const;

export function replicaTimeseriesChart(doc: ResultsDocument, p: PolicyResult, id: string): Chart | null {
  const ts = p.timeseries;
  if (!ts || ts.replicas.length === 0 || ts.sample_ms <= 0) return null;
  const count = ts.replicas[0]!.waiting.length;
  if (count === 0) return null;
  const stride = Math.ceil(count / MAX_POINTS);
  const replicas = ts.replicas.map((r) => r.name);
  const panels = GAUGES.map(([trueKey, seenKey, panelTitle, title, scale]) => {
    const values: { t_s: number; replica: string; view: string; value: number }[] = [];
    for (const r of ts.replicas) {
      for (let i = 0; i < r[trueKey].length; i += stride) {
        const t = Number(((i * ts.sample_ms) / 1000).toFixed(6));
        values.push({ t_s: t, replica: r.name, view: VIEWS[0], value: Number((r[trueKey][i]! * scale).toFixed(4)) });
        values.push({ t_s: t, replica: r.name, view: VIEWS[1], value: Number((r[seenKey][i]! * scale).toFixed(4)) });
      }
    }
    return {
      title: { text: panelTitle, fontSize: 12 },
      data: { values },
      facet: { row: { field: 'replica', type: 'nominal' as const, sort: replicas, title: null, header: { labelAngle: 0, labelAlign: 'left' as const, labelFontSize: 11 } } },
      spec: {
        width: 300,
        height: 80,
        mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.2 },
        encoding: {
          x: { field: 't_s', type: 'quantitative' as const, title: 'simulated time (s)' },
          y: { field: 'value', type: 'quantitative' as const, title, axis: { titleFontSize: 10, tickCount: 4 } },
          color: { field: 'view', type: 'nominal' as const, title: 'view', sort: [...VIEWS], scale: { domain: [...VIEWS], range: ['#333333', '#e45756'] } },
          strokeDash: { field: 'view', type: 'nominal' as const, title: 'view', sort: [...VIEWS], scale: { domain: [...VIEWS], range: [[1, 0], [4, 3]] } },
        },
      },
    };
  });
  const thinned = stride > 1 ? ` (every ${stride}th sample drawn)` : '';
  return {
    id,
    title: `${p.name}: replica queues, batches and KV-cache use`,
    description: `Sampled every ${ts.sample_ms} ms${thinned}: the engine's true gauges (solid) against the router's last scrape (dashed); the gap is the staleness the policy decided on.`,
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
