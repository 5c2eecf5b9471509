/** Plain-text comparison table of policy summaries (one row per policy), for the terminal and README. */
import type { PolicySummary } from '../sim/metrics/summary.js';

export interface ComparisonRow {
  readonly policy: string;
  readonly summary: PolicySummary;
}

export interface TableOptions {
  /** Spaces between columns (default 2). */
  readonly gap?: number;
}

/** One table column: header, how to format a row's cell, and alignment. */
interface Column {
  readonly header: string;
  readonly cell: (row: ComparisonRow) => string;
  readonly align: 'left' | 'right';
}

/** Text for an absent value. */
const MISSING = '-';

/** Fixed-decimal formatting; `-` for null. */
function fixed(x: number | null, decimals: number): string {
  return x === null ? MISSING : x.toFixed(decimals);
}

/** Numeric column, right-aligned. */
function num(header: string, value: (s: PolicySummary) => number | null, decimals: number): Column {
  return { header, align: 'right', cell: (row) => fixed(value(row.summary), decimals) };
}

const COLUMNS: readonly Column[] = [
  { header: 'policy', align: 'left', cell: (row) => row.policy },
  num('done', (s) => s.completed, 0),
  num('rej', (s) => s.rejected, 0),
  num('TTFT p50 ms', (s) => s.ttft_ms.p50, 1),
  num('TTFT p99 ms', (s) => s.ttft_ms.p99, 1),
  num('TPOT p50 ms', (s) => s.tpot_ms.p50, 2),
  num('TPOT p99 ms', (s) => s.tpot_ms.p99, 2),
  num('E2E p99 s', (s) => (s.e2e_ms.p99 === null ? null : s.e2e_ms.p99 / 1000), 2),
  num('out tok/s', (s) => s.throughput.output_tokens_per_s, 1),
  num('goodput req/s', (s) => s.goodput.requests_per_s, 2),
  num('cache hit %', (s) => s.prefix_cache_hit_rate * 100, 1),
  num('preempt', (s) => s.preemptions, 0),
  num('share CV', (s) => s.balance.request_share_cv, 3),
];

/** Pads `text` to `width` on the side given by `align`. */
function pad(text: string, width: number, align: 'left' | 'right'): string {
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/**
 * Renders the comparison table: a header line, a rule of dashes, then one line per row in the
 * given order. Policy names are left-aligned, numbers right-aligned; trailing spaces are trimmed.
 * Output ends with a newline and depends only on the input.
 */
export function renderComparisonTable(rows: readonly ComparisonRow[], opts: TableOptions = {}): string {
  const gap = ' '.repeat(opts.gap ?? 2);
  const cells = rows.map((row) => COLUMNS.map((c) => c.cell(row)));
  const widths = COLUMNS.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (texts: readonly string[]): string =>
    texts.map((t, i) => pad(t, widths[i] as number, (COLUMNS[i] as Column).align)).join(gap).trimEnd();
  const header = line(COLUMNS.map((c) => c.header));
  const rule = widths.map((w) => '-'.repeat(w)).join(gap);
  return [header, rule, ...cells.map(line)].join('\n') + '\n';
}
