/**
 * Plain-text tables for the terminal and README: the comparison table of policy summaries (one row
 * per policy), `routesim run`'s repetition, sweep and sweep-grid tables, and the generic `textTable`.
 */
import type { PolicySummary } from '../sim/metrics/summary.js';
import type { FigureStats } from './confidence.js';
import { figureLabel, figureUnit, flattenFigures, type Figures } from './figures.js';
import type { GridResults, ResultsDocument, SweepPoint } from './results.js';
import { renderClassTables, steadyStateFootnotes, UNSTEADY_MARK, unsteady } from './classTables.js';

export interface ComparisonRow {
  readonly policy: string;
  readonly summary: PolicySummary;
}

export interface TableOptions {
  /** Spaces between columns (default 2). */
  readonly gap?: number;
}

/** One table column: header and how to format a row's cell. */
interface Column {
  readonly header: string;
  readonly cell: (row: ComparisonRow) => string;
}

/** Text for an absent value. */
const MISSING = '-';

/** Fixed-decimal formatting (after multiplying by `scale`); `-` for null. */
function fixed(x: number | null, decimals: number, scale = 1): string {
  return x === null ? MISSING : (x * scale).toFixed(decimals);
}

/** Numeric column. */
function num(header: string, value: (s: PolicySummary) => number | null, decimals: number): Column {
  return { header, cell: (row) => fixed(value(row.summary), decimals) };
}

/** The policy column (left-aligned), then numbers (right-aligned). */
const COLUMNS: readonly Column[] = [
  { header: 'policy', cell: (row) => (unsteady(row.summary) ? `${row.policy} ${UNSTEADY_MARK}` : row.policy) },
  num('done', (s) => s.completed, 0),
  num('rej', (s) => s.rejected, 0),
  num('drop', (s) => s.dropped ?? 0, 0),
  num('TTFT p50 ms', (s) => s.ttft_ms.p50, 1),
  num('TTFT p99 ms', (s) => s.ttft_ms.p99, 1),
  num('TPOT p50 ms', (s) => s.tpot_ms.p50, 2),
  num('TPOT p99 ms', (s) => s.tpot_ms.p99, 2),
  num('E2E p99 s', (s) => (s.e2e_ms.p99 === null ? null : s.e2e_ms.p99 / 1000), 2),
  num('out tok/s', (s) => s.throughput.output_tokens_per_s, 1),
  num('goodput req/s', (s) => s.goodput.requests_per_s, 2),
  num('cache hit %', (s) => s.prefix_cache_hit_rate * 100, 1),
  num('preempt', (s) => s.preemptions, 0),
  num('LoRA loads', (s) => s.lora_loads ?? null, 0),
  num('share CV', (s) => s.balance.request_share_cv, 3),
];

/** Pads `text` to `width` on the side given by `align`. */
function pad(text: string, width: number, align: 'left' | 'right'): string {
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/**
 * Renders the comparison table: a header line, a rule of dashes, then one line per row in the
 * given order. Policy names are left-aligned (` !` after a run that did not reach a steady state),
 * numbers right-aligned; trailing spaces are trimmed. Then a footnote per unsteady run and the
 * per-class tables (classTables.ts). Output ends with a newline and depends only on the input.
 */
export function renderComparisonTable(rows: readonly ComparisonRow[], opts: TableOptions = {}): string {
  const cells = rows.map((row) => COLUMNS.map((c) => c.cell(row)));
  const table = textTable(COLUMNS.map((c) => c.header), cells, 1, opts.gap);
  return withPoolLines(table, rows) + steadyStateFootnotes(rows) + renderClassTables(rows);
}

/** The figures of a pool line, as text cells. */
interface PoolCells {
  readonly done: string;
  readonly ttftP50: string;
  readonly ttftP99: string;
  readonly tpotP99: string;
  readonly goodput: string;
}

/**
 * One short line for a pool's figures (multi-pool runs): `  pool NAME: N done, TTFT p50/p99 A/B ms,
 * TPOT p99 C ms, goodput D req/s`.
 */
export function poolLine(name: string, s: Pick<PolicySummary, 'completed' | 'ttft_ms' | 'tpot_ms' | 'goodput'>): string {
  return poolLineOf(name, { done: String(s.completed), ttftP50: fixed(s.ttft_ms.p50, 1), ttftP99: fixed(s.ttft_ms.p99, 1), tpotP99: fixed(s.tpot_ms.p99, 2), goodput: fixed(s.goodput.requests_per_s, 2) });
}

function poolLineOf(name: string, c: PoolCells): string {
  return `  pool ${name}: ${c.done} done, TTFT p50/p99 ${c.ttftP50}/${c.ttftP99} ms, TPOT p99 ${c.tpotP99} ms, goodput ${c.goodput} req/s`;
}

/** A pool line from repetition statistics (`by_pool.<pool>.<figure>`): mean ± 95 % CI half-width. */
function poolStatsLine(name: string, stats: Readonly<Record<string, FigureStats>> | undefined): string {
  const cell = (figure: string, decimals: number): string => meanPlusMinus(stats?.[`by_pool.${name}.${figure}`], 1, decimals);
  return poolLineOf(name, { done: cell('completed', 0), ttftP50: cell('ttft_ms.p50', 1), ttftP99: cell('ttft_ms.p99', 1), tpotP99: cell('tpot_ms.p99', 2), goodput: cell('goodput.requests_per_s', 2) });
}

/**
 * The comparison table with, under each policy's row, one poolLine per pool of its summary's
 * by_pool (present only in multi-pool runs: a single-pool table is unchanged), then its
 * resilience and scaling lines (issue 11; only when the summary has them).
 */
function withPoolLines(table: string, rows: readonly ComparisonRow[]): string {
  return insertUnderRows(table, rows.map((row) => [...Object.entries(row.summary.by_pool ?? {}).map(([name, s]) => poolLine(name, s)), ...fleetLines(row.summary)]));
}

/** Σ of a counter map's values (0 when absent). */
function sum(m: Readonly<Record<string, number>> | undefined): number {
  return Object.values(m ?? {}).reduce((a, b) => a + b, 0);
}

/**
 * Issue 11 lines under a policy's row: `  retries N (over budget M), timeouts T, rate-limited R,
 * circuit-open C, failed F, fallbacks B` when the summary has resilience results or failed streams
 * (timeouts = requests that ended on a timeout; fallbacks = requests sent to a fallback pool), and
 * `  replicas MIN–MAX, GPU-h X, $Y` (fleet ready replicas; `$Y` with a price table only) when it
 * has a replica timeline. None for an earlier run.
 */
export function fleetLines(s: Pick<PolicySummary, 'resilience' | 'replicas_over_time' | 'failed'>): string[] {
  const out: string[] = [];
  const r = s.resilience;
  if (r !== undefined || s.failed !== undefined) {
    const failed = r?.failed ?? s.failed ?? 0;
    out.push(
      `  retries ${sum(r?.retries)} (over budget ${sum(r?.retries_over_budget)}), timeouts ${r?.timed_out ?? 0}, rate-limited ${r?.rate_limited ?? 0}, circuit-open ${r?.circuit_open ?? 0}, failed ${failed}, fallbacks ${sum(r?.fallbacks)}`,
    );
  }
  const t = s.replicas_over_time;
  if (t !== undefined) {
    const cost = t.cost_usd !== undefined ? `, $${t.cost_usd.toFixed(2)}` : '';
    out.push(`  replicas ${t.ready_min}–${t.ready_max}, GPU-h ${(t.gpu_hours.total ?? 0).toFixed(2)}${cost}`);
  }
  return out;
}

/** A textTable with `extra[i]` lines inserted under its row i (unchanged when there are none). */
function insertUnderRows(table: string, extra: readonly (readonly string[])[]): string {
  if (extra.every((e) => e.length === 0)) return table;
  const lines = table.trimEnd().split('\n');
  const out = lines.slice(0, 2);
  extra.forEach((e, i) => out.push(lines[i + 2]!, ...e));
  return out.join('\n') + '\n';
}

/**
 * A plain text table: header, dashes, rows; the first `leftColumns` columns left-aligned, the rest
 * right-aligned; `gap` spaces between columns; trailing spaces trimmed.
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1, gapWidth = 2): string {
  const gap = ' '.repeat(gapWidth);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (texts: readonly string[]): string =>
    texts.map((t, i) => pad(t, widths[i] as number, i < leftColumns ? 'left' : 'right')).join(gap).trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join(gap), ...rows.map(line)].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Repetitions and sweeps (routesim run --seeds / --sweep-rate)
// ---------------------------------------------------------------------------------------------

/** A table column of one summary figure: header, figure path (figures.ts), scale, decimals. */
export type FigureColumn = readonly [header: string, path: string, scale: number, decimals: number];

/** Figures of the repetition table. */
const REPEAT_COLUMNS: readonly FigureColumn[] = [
  ['TTFT p50 ms', 'ttft_ms.p50', 1, 1],
  ['TTFT p99 ms', 'ttft_ms.p99', 1, 1],
  ['TPOT p99 ms', 'tpot_ms.p99', 1, 2],
  ['E2E p99 s', 'e2e_ms.p99', 1 / 1000, 2],
  ['out tok/s', 'throughput.output_tokens_per_s', 1, 1],
  ['goodput req/s', 'goodput.requests_per_s', 1, 2],
  ['cache hit %', 'prefix_cache_hit_rate', 100, 1],
];

/** Figures of the sweep table: the repetition table's but output tokens/s. */
const SWEEP_COLUMNS = REPEAT_COLUMNS.filter(([, path]) => path !== 'throughput.output_tokens_per_s');

/** A figure's value from a flattened summary, scaled, with fixed decimals; `-` when absent or null. */
export function valueCell(figures: Figures, [, path, scale, decimals]: FigureColumn): string {
  return fixed(figures.get(path) ?? null, decimals, scale);
}

/** A figure's `mean ± half-width` over seeds (meanPlusMinus); `-` when it has no statistics. */
export function statsCell(stats: Readonly<Record<string, FigureStats>> | undefined, [, path, scale, decimals]: FigureColumn): string {
  return meanPlusMinus(stats?.[path], scale, decimals);
}

/**
 * The sweep as table rows (rate, policy, one cell per column): `mean ± half-width` where the point
 * has repetition statistics, the single run's value otherwise.
 */
export function sweepRows(sweep: readonly SweepPoint[], columns: readonly FigureColumn[]): string[][] {
  const rows: string[][] = [];
  for (const pt of sweep) {
    for (const p of pt.policies) {
      const figures = flattenFigures(p.summary);
      rows.push([String(pt.rate), unsteady(p.summary) ? `${p.name} ${UNSTEADY_MARK}` : p.name, ...columns.map((col) => (p.stats ? statsCell(p.stats, col) : valueCell(figures, col)))]);
    }
  }
  return rows;
}

/** Figures of the sweep-grid table (issue 14). */
export const GRID_COLUMNS: readonly FigureColumn[] = [
  ['TTFT p50 ms', 'ttft_ms.p50', 1, 1],
  ['TTFT p99 ms', 'ttft_ms.p99', 1, 1],
  ['TPOT p99 ms', 'tpot_ms.p99', 1, 2],
  ['E2E p99 s', 'e2e_ms.p99', 1 / 1000, 2],
  ['goodput req/s', 'goodput.requests_per_s', 1, 2],
];

/** A grid dimension's value as text: a string as is, anything else as JSON (`6`, `true`, `{"a":1}`); `-` when absent. */
export function gridValueLabel(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined ? MISSING : JSON.stringify(v);
}

/** Headers of the sweep-grid table: one per dimension (its path), `policy`, then the columns'. */
export function gridHeaders(grid: GridResults, columns: readonly FigureColumn[] = GRID_COLUMNS): string[] {
  return [...shortPaths(grid, 2), 'policy', ...columns.map(([h]) => h)];
}

/**
 * Each dimension's path cut to its shortest ending that no other dimension's path shares
 * (`fleet.gpu` → `gpu`, but `pools.a.replicas` and `pools.b.replicas` stay apart as `a.replicas`,
 * `b.replicas`), so a panel's title fits its width; the chart's description names the full paths.
 */
export function shortPaths(grid: GridResults, minSegments = 1): string[] {
  const parts = grid.dimensions.map((d) => d.path.split('.'));
  return parts.map((p, i) => {
    for (let k = Math.min(minSegments, p.length); k < p.length; k++) {
      const end = p.slice(-k).join('.');
      if (parts.every((q, j) => j === i || q.slice(-k).join('.') !== end)) return end;
    }
    return p.join('.');
  });
}

/**
 * The sweep grid as table rows, one per point and policy in grid order: the point's value of each
 * dimension, the policy, then `mean ± half-width` where the point has repetition statistics, the
 * single run's value otherwise (as sweepRows).
 */
export function gridRows(grid: GridResults, columns: readonly FigureColumn[] = GRID_COLUMNS): string[][] {
  const rows: string[][] = [];
  for (const pt of grid.points) {
    const dims = grid.dimensions.map((d) => gridValueLabel(pt.values[d.path]));
    for (const p of pt.policies) {
      const figures = flattenFigures(p.summary);
      rows.push([...dims, unsteady(p.summary) ? `${p.name} ${UNSTEADY_MARK}` : p.name, ...columns.map((col) => (p.stats ? statsCell(p.stats, col) : valueCell(figures, col)))]);
    }
  }
  return rows;
}

/** `mean ± half-width` of a figure's stats, scaled; `-` when absent. */
function meanPlusMinus(st: FigureStats | undefined, scale: number, decimals: number): string {
  if (st === undefined || st.mean === null) return MISSING;
  const m = (st.mean * scale).toFixed(decimals);
  if (st.ci95_low === null || st.ci95_high === null) return m;
  return `${m} ± ${(((st.ci95_high - st.ci95_low) / 2) * scale).toFixed(decimals)}`;
}

/** Signed number with fixed decimals (`+1.5`, `-0.2`). */
export function signed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return x > 0 ? `+${s}` : s === `-${(0).toFixed(decimals)}` ? (0).toFixed(decimals) : s;
}

/** The significant paired differences, one line each (or a line saying there are none). */
function renderComparisonLines(doc: ResultsDocument): string {
  const seeds = doc.seeds ?? [];
  const sig = (doc.comparisons ?? []).filter((c) => c.significant);
  const head = `paired t test over ${seeds.length} seeds, p < 0.05`;
  if (sig.length === 0) return `no significant differences between policies (${head})\n`;
  const lines = sig.map((c) => {
    const unit = figureUnit(c.figure);
    const ci = c.ci95_low !== null && c.ci95_high !== null ? `95 % CI ${signed(c.ci95_low, 2)} … ${signed(c.ci95_high, 2)}, ` : '';
    return `  ${figureLabel(c.figure)}: ${c.b} − ${c.a} = ${signed(c.mean_diff, 2)}${unit ? ` ${unit}` : ''} (${ci}p = ${c.p_value})`;
  });
  return `significant differences (${head}):\n${lines.join('\n')}\n`;
}

/** What `routesim run` prints: the comparison table, or with seeds the mean ± CI table; then any sweep and sweep grid. */
export function renderRunTables(primary: readonly ComparisonRow[], doc: ResultsDocument): string {
  let out: string;
  const seeds = doc.seeds ?? [];
  if (seeds.length > 1) {
    const summaries = (p: (typeof doc.policies)[number]) => p.repeats?.map((r) => r.summary as PolicySummary) ?? [p.summary];
    const unsteadyCount = (p: (typeof doc.policies)[number]) => summaries(p).filter(unsteady).length;
    const rows = doc.policies.map((p) => [unsteadyCount(p) > 0 ? `${p.name} ${UNSTEADY_MARK}` : p.name, ...REPEAT_COLUMNS.map((col) => statsCell(p.stats, col))]);
    out = `${seeds.length} seeds (${seeds[0]}–${seeds.at(-1)}): mean ± 95 % confidence half-width\n`;
    // Multi-pool: one line per pool under each policy, mean ± CI over seeds.
    out += insertUnderRows(
      textTable(['policy', ...REPEAT_COLUMNS.map(([h]) => h)], rows),
      doc.policies.map((p) => Object.keys(p.summary.by_pool ?? {}).map((name) => poolStatsLine(name, p.stats))),
    );
    for (const p of doc.policies) {
      const n = unsteadyCount(p);
      if (n > 0) out += `${UNSTEADY_MARK} ${p.name}: did not reach steady state in ${n} of ${summaries(p).length} seeds\n`;
    }
    out += renderComparisonLines(doc);
    const classes = renderClassTables(primary);
    if (classes !== '') out += `\nper class, first seed (${seeds[0]}):` + classes;
  } else {
    out = renderComparisonTable(primary);
  }
  if (doc.sweep !== undefined) {
    const headers = ['rate req/s', 'policy', ...SWEEP_COLUMNS.map(([h]) => h)];
    out += `\nsweep over offered load${seeds.length > 1 ? ' (mean ± 95 % CI half-width)' : ''}\n` + textTable(headers, sweepRows(doc.sweep, SWEEP_COLUMNS), 2);
    if (doc.sweep.some((pt) => pt.policies.some((p) => unsteady(p.summary)))) out += `${UNSTEADY_MARK} = did not reach steady state at that load (summary.steady_state)\n`;
  }
  if (doc.grid !== undefined && doc.grid.points.length > 0) {
    out += `\nsweep grid${seeds.length > 1 ? ' (mean ± 95 % CI half-width)' : ''}\n` + textTable(gridHeaders(doc.grid), gridRows(doc.grid), doc.grid.dimensions.length + 1);
    if (doc.grid.points.some((pt) => pt.policies.some((p) => unsteady(p.summary)))) out += `${UNSTEADY_MARK} = did not reach steady state at that point (summary.steady_state)\n`;
  }
  return out;
}
