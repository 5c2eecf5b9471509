/**
 * The parts of a policy summary beyond the headline row, for summary.md and index.html: whether the
 * run reached a steady state, the measurement window, and the per-class (priority, tenant, adapter)
 * and per-stage (load ladders) breakdowns; for multi-pool and P/D runs (issue 10) the per-pool,
 * route, model and role tables, the replicas with their pool, GPU and role, and the TTFT
 * decomposition (../shared/reference/gateway.md §4.6). All optional: results files written before these
 * figures existed, or by another writer, simply get none of it. Shapes are read defensively (a
 * part that does not have the expected form is left out, never half-drawn).
 */
import type { PolicyResult, ResultsDocument } from './results.js';

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function fixed(x: number | null, decimals: number, scale = 1): string {
  return x === null ? '-' : (x * scale).toFixed(decimals);
}

function latency(block: unknown, key: string): number | null {
  return isObj(block) ? num(block[key]) : null;
}

/** `{reached, diverged_at_s}` of a summary, or null when absent or malformed. */
function steadyOf(summary: unknown): { reached: boolean; divergedAt: number | null } | null {
  const s = isObj(summary) ? summary.steady_state : undefined;
  if (!isObj(s) || typeof s.reached !== 'boolean') return null;
  return { reached: s.reached, divergedAt: num(s.diverged_at_s) };
}

/** Whether any policy's summary says whether it reached a steady state. */
export function hasSteadyState(doc: ResultsDocument): boolean {
  return doc.policies.some((p) => steadyOf(p.summary) !== null);
}

/**
 * The steady-state cell of a policy: `yes`, `no (diverged at 41.2 s)`, or with several seeds the
 * count of seeds that reached it (`2/3 seeds`); `-` when the summary does not say.
 */
export function steadyCell(p: PolicyResult): string {
  const repeats = p.repeats ?? [];
  if (repeats.length > 1) {
    const states = repeats.map((r) => steadyOf(r.summary));
    if (states.some((s) => s === null)) return '-';
    const reached = states.filter((s) => s!.reached).length;
    return reached === states.length ? 'yes' : `no (${reached}/${states.length} seeds)`;
  }
  const s = steadyOf(p.summary);
  if (s === null) return '-';
  return s.reached ? 'yes' : s.divergedAt !== null ? `no (diverged at ${s.divergedAt} s)` : 'no';
}

/** One sentence on the measurement window, or '' when the summary has none. */
export function windowSentence(doc: ResultsDocument): string {
  const w = (doc.policies[0]?.summary as unknown as Obj | undefined)?.window;
  if (!isObj(w)) return '';
  const from = num(w.from_s);
  const to = num(w.to_s);
  if (from === null || to === null) return '';
  const warm = num(w.warmup_s) ?? 0;
  const cool = num(w.cooldown_s) ?? 0;
  // Times to 0.1 s: the window's edges are arrival times, whose µs are noise to a reader.
  const s1 = (x: number): string => String(Math.round(x * 10) / 10);
  const skipped = [warm > 0 ? `${s1(warm)} s warm-up` : '', cool > 0 ? `${s1(cool)} s cool-down` : ''].filter(Boolean).join(' and ');
  return `Latency and throughput are measured over simulated time ${s1(from)}–${s1(to)} s${skipped ? ` (${skipped} left out)` : ''}.`;
}

/** Headers of the per-class table (after policy and class). */
export const CLASS_HEADERS = ['arrived', 'completed', 'dropped', 'TTFT p99 ms', 'TPOT p99 ms', 'E2E p99 s', 'goodput req/s'] as const;

function classCells(c: Obj): string[] {
  const goodput = isObj(c.goodput) ? num(c.goodput.requests_per_s) : null;
  return [
    fixed(num(c.arrived), 0),
    fixed(num(c.completed), 0),
    fixed(num(c.dropped), 0),
    fixed(latency(c.ttft_ms, 'p99'), 1),
    fixed(latency(c.tpot_ms, 'p99'), 2),
    fixed(latency(c.e2e_ms, 'p99'), 2, 1 / 1000),
    fixed(goodput, 2),
  ];
}

/**
 * Per-class rows (policy, class, …CLASS_HEADERS) of each dimension that has more than one class in
 * some policy, from each policy's (first seed's) summary; dimensions in a fixed order.
 */
export function classTables(doc: ResultsDocument): { dimension: string; rows: string[][] }[] {
  const out: { dimension: string; rows: string[][] }[] = [];
  for (const dim of ['priority', 'tenant', 'adapter']) {
    const rows: string[][] = [];
    let many = false;
    for (const p of doc.policies) {
      const by = (p.summary as unknown as Obj).by_class;
      const classes = isObj(by) ? by[dim] : undefined;
      if (!isObj(classes)) continue;
      const keys = Object.keys(classes).filter((k) => isObj(classes[k]));
      if (keys.length > 1) many = true;
      for (const k of keys) rows.push([p.name, k, ...classCells(classes[k] as Obj)]);
    }
    if (many) out.push({ dimension: dim, rows });
  }
  return out;
}

/** Headers of the per-stage table (after stage, rate and policy). */
export const STAGE_HEADERS = ['completed', 'dropped', 'TTFT p99 ms', 'E2E p99 s', 'goodput req/s'] as const;

/** Per-stage rows (stage, from–to s, rate, policy, …STAGE_HEADERS) for load ladders; empty otherwise. */
export function stageRows(doc: ResultsDocument): string[][] {
  const rows: string[][] = [];
  for (const p of doc.policies) {
    const stages = (p.summary as unknown as Obj).stages;
    if (!Array.isArray(stages)) continue;
    for (const st of stages) {
      if (!isObj(st)) continue;
      const goodput = isObj(st.goodput) ? num(st.goodput.requests_per_s) : null;
      rows.push([
        fixed(num(st.index), 0),
        `${fixed(num(st.from_s), 1)}–${fixed(num(st.to_s), 1)}`,
        fixed(num(st.rate), 1),
        p.name,
        fixed(num(st.completed), 0),
        fixed(num(st.dropped), 0),
        fixed(latency(st.ttft_ms, 'p99'), 1),
        fixed(latency(st.e2e_ms, 'p99'), 2, 1 / 1000),
        fixed(goodput, 2),
      ]);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Per pool, route, model and role; per replica with its place; the P/D TTFT breakdown (issue 10)
// ---------------------------------------------------------------------------------------------

/** The subset dimensions of a summary (sim/metrics/pools.ts) and how the report names them. */
const SUBSET_DIMENSIONS = [
  ['by_pool', 'pool'],
  ['by_route', 'route'],
  ['by_model', 'model'],
  ['by_role', 'role'],
] as const;

/** Headers of a per-pool / route / model / role table (after policy and the subset's name). */
export const SUBSET_HEADERS = ['arrived', 'completed', 'dropped', 'TTFT p50 ms', 'TTFT p99 ms', 'TPOT p99 ms', 'E2E p99 s', 'goodput req/s', 'cache hit %'] as const;

function subsetCells(c: Obj): string[] {
  const goodput = isObj(c.goodput) ? num(c.goodput.requests_per_s) : null;
  return [
    fixed(num(c.arrived), 0),
    fixed(num(c.completed), 0),
    fixed(num(c.dropped), 0),
    fixed(latency(c.ttft_ms, 'p50'), 1),
    fixed(latency(c.ttft_ms, 'p99'), 1),
    fixed(latency(c.tpot_ms, 'p99'), 2),
    fixed(latency(c.e2e_ms, 'p99'), 2, 1 / 1000),
    fixed(goodput, 2),
    fixed(num(c.prefix_cache_hit_rate), 1, 100),
  ];
}

/**
 * Rows (policy, subset, …SUBSET_HEADERS) of each of by_pool, by_route, by_model, by_role that some
 * policy's (first seed's) summary has; none for a single-pool run, whose summaries have none.
 */
export function subsetTables(doc: ResultsDocument): { dimension: string; rows: string[][] }[] {
  const out: { dimension: string; rows: string[][] }[] = [];
  for (const [key, dimension] of SUBSET_DIMENSIONS) {
    const rows: string[][] = [];
    for (const p of doc.policies) {
      const by = (p.summary as unknown as Obj)[key];
      if (!isObj(by)) continue;
      for (const [k, v] of Object.entries(by)) if (isObj(v)) rows.push([p.name, k, ...subsetCells(v)]);
    }
    if (rows.length > 0) out.push({ dimension, rows });
  }
  return out;
}

/** Headers of the per-replica table of a multi-pool / mixed / labelled run. */
export const REPLICA_HEADERS = ['policy', 'replica', 'pool', 'GPU', 'role', 'requests', 'share %', 'completed', 'cache hit %', 'preempt', 'busy %'] as const;

/** Per-replica rows with pool, GPU and role, when the summaries carry them (else none). */
export function replicaRows(doc: ResultsDocument): string[][] {
  const rows: string[][] = [];
  for (const p of doc.policies) {
    const reps = (p.summary as unknown as Obj).replicas;
    if (!Array.isArray(reps)) continue;
    for (const r of reps) {
      if (!isObj(r) || typeof r.gpu !== 'string') continue;
      rows.push([
        p.name,
        String(r.name ?? ''),
        String(r.pool ?? ''),
        r.gpu,
        typeof r.role === 'string' && r.role !== '' ? r.role : '-',
        fixed(num(r.requests), 0),
        fixed(num(r.share), 1, 100),
        fixed(num(r.completed), 0),
        fixed(num(r.prefix_cache_hit_rate), 1, 100),
        fixed(num(r.preemptions), 0),
        fixed(num(r.busy_fraction), 1, 100),
      ]);
    }
  }
  return rows;
}

/** Headers of the P/D TTFT table (after policy and requests). */
export const PD_HEADERS = ['count', 'share %', 'gateway', 'prefill queue', 'prefill compute', 'decode queue', 'KV transfer', 'first step', 'queue', 'prefill'] as const;

/**
 * The P/D TTFT decomposition (summary.pd, sim/metrics/pdBreakdown.ts), mean ms per part: one row
 * for each policy's disaggregated requests and one for its aggregated ones (when any); parts that
 * do not apply are `-`. None without P/D.
 */
export function pdRows(doc: ResultsDocument): string[][] {
  const rows: string[][] = [];
  const mean = (side: Obj, key: string): string => fixed(latency(side[key], 'mean'), 1);
  for (const p of doc.policies) {
    const pd = (p.summary as unknown as Obj).pd;
    if (!isObj(pd) || !isObj(pd.disaggregated) || !isObj(pd.aggregated)) continue;
    const share = num(pd.disaggregated_share);
    const d = pd.disaggregated;
    const a = pd.aggregated;
    if ((num(d.count) ?? 0) > 0) {
      rows.push([p.name, 'disaggregated', fixed(num(d.count), 0), fixed(share, 1, 100), mean(d, 'gateway_ms'), mean(d, 'prefill_queue_ms'), mean(d, 'prefill_compute_ms'), mean(d, 'decode_queue_ms'), mean(d, 'kv_transfer_ms'), mean(d, 'first_step_ms'), '-', '-']);
    }
    if ((num(a.count) ?? 0) > 0) {
      rows.push([p.name, 'aggregated', fixed(num(a.count), 0), fixed(share === null ? null : 1 - share, 1, 100), mean(a, 'gateway_ms'), '-', '-', '-', '-', '-', mean(a, 'queue_ms'), mean(a, 'prefill_ms')]);
    }
  }
  return rows;
}
