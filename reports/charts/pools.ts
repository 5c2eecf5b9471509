/**
 * Per-pool charts of a multi-pool run (issue 10; pools and routes: ../shared/reference/gateway.md
 * §1–§2): the TTFT and E2E CDFs (pool_distributions), the latency percentiles, the load share and
 * each policy's replica state over time, restricted to one pool's requests (summary.by_pool) and
 * replicas (the replicas whose `pool` is that pool). The time-based fleet charts (TTFT over time,
 * throughput and goodput over time) are not split by pool. Drawn only with ≥ 2 pools; each chart is the fleet chart of a view of the results
 * document in which every policy's summary is its pool's.
 */
import type { PolicySummary } from '../../sim/metrics/summary.js';
import type { PolicyResult, ResultsDocument } from '../results.js';
import { cdfChart } from './cdf.js';
import { loadShareChart } from './loadShare.js';
import { percentilesChart } from './percentiles.js';
import { replicaChartIds, replicaTimeseriesChart } from './replicaTimeseries.js';
import { slug, type Chart } from './types.js';

/** The pools of a results document in first-seen order (names of every policy's by_pool). */
export function poolNames(doc: ResultsDocument): string[] {
  const names: string[] = [];
  for (const p of doc.policies) for (const k of Object.keys(p.summary.by_pool ?? {})) if (!names.includes(k)) names.push(k);
  return names;
}

/**
 * The document as seen from one pool: each policy's summary is its by_pool entry (policies without
 * it are left out) with the replicas of that pool, shares renormalised within the pool; repetition
 * statistics are re-keyed from `by_pool.<pool>.<figure>` to `<figure>`; time series keep the
 * pool's replicas only; distributions are the pool's (pool_distributions), absent when not recorded.
 */
export function poolView(doc: ResultsDocument, pool: string): ResultsDocument {
  const prefix = `by_pool.${pool}.`;
  const policies: PolicyResult[] = [];
  for (const p of doc.policies) {
    const sub = p.summary.by_pool?.[pool];
    if (sub === undefined) continue;
    const reps = p.summary.replicas.filter((r) => r.pool === pool);
    const total = reps.reduce((s, r) => s + r.requests, 0);
    const replicas = reps.map((r) => ({ ...r, share: total === 0 ? 0 : Math.round((r.requests / total) * 1e4) / 1e4 }));
    const names = new Set(reps.map((r) => r.name));
    const stats = p.stats === undefined ? undefined : Object.fromEntries(Object.entries(p.stats).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    const summary = { ...p.summary, ...sub, replicas } as unknown as PolicySummary;
    policies.push({
      name: p.name,
      type: p.type,
      summary,
      ...(stats !== undefined ? { stats } : {}),
      ...(p.pool_distributions?.[pool] !== undefined ? { distributions: p.pool_distributions[pool] } : {}),
      ...(p.timeseries !== undefined ? { timeseries: { ...p.timeseries, replicas: p.timeseries.replicas.filter((r) => names.has(r.name)) } } : {}),
    });
  }
  const { sweep: _sweep, ...rest } = doc;
  return { ...rest, policies };
}

/** A chart re-labelled for a pool: id `pool-<key>-<id>`, title `Pool <pool>: <title>`. */
function forPool(c: Chart | null, pool: string, key: string, id: string): Chart | null {
  if (c === null) return null;
  const title = `Pool ${pool}: ${c.title}`;
  const spec = { ...c.spec, ...(typeof (c.spec as { title?: unknown }).title === 'string' ? { title: `Pool ${pool}: ${(c.spec as { title: string }).title}` } : {}) } as Chart['spec'];
  return { id: `pool-${key}-${id}`, title, description: `${c.description} Requests routed to pool ${pool} and its replicas only.`, spec };
}

/** Every per-pool chart, pool by pool (none with fewer than 2 pools). */
export function poolCharts(doc: ResultsDocument): Chart[] {
  const pools = poolNames(doc);
  if (pools.length < 2) return [];
  const slugs = pools.map(slug);
  const keys = slugs.map((s, i) => (slugs.indexOf(s) !== i || slugs.lastIndexOf(s) !== i ? `${s}-${i}` : s));
  const out: Chart[] = [];
  pools.forEach((pool, k) => {
    const key = keys[k]!;
    const view = poolView(doc, pool);
    if (view.policies.length === 0) return;
    const ids = replicaChartIds(view);
    const charts = [
      forPool(cdfChart(view, 'ttft_ms'), pool, key, 'ttft-cdf'),
      forPool(cdfChart(view, 'e2e_ms'), pool, key, 'e2e-cdf'),
      forPool(percentilesChart(view), pool, key, 'latency-percentiles'),
      forPool(loadShareChart(view), pool, key, 'load-share'),
      ...view.policies.map((p, i) => forPool(replicaTimeseriesChart(view, p, ids[i]!), pool, key, ids[i]!)),
    ];
    for (const c of charts) if (c !== null) out.push(c);
  });
  return out;
}
