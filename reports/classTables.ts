/**
 * What goes under the comparison table: the steady-state footnotes (a `!` after a policy's name
 * means its run never settled) and, for each class dimension (priority, tenant, adapter) in which
 * some policy saw more than one class, a per-class table. Summaries from older results files lack
 * these fields and simply print nothing here.
 */
import type { ClassSummary, PolicySummary } from '../sim/metrics/summary.js';
import { textTable } from './table.js';

interface Row {
  readonly policy: string;
  readonly summary: PolicySummary;
}

/** Marker appended to the policy name of a run that did not reach a steady state. */
export const UNSTEADY_MARK = '!';

/** Whether a summary says its run never settled (false for older summaries without the field). */
export function unsteady(s: PolicySummary): boolean {
  return (s as Partial<PolicySummary>).steady_state?.reached === false;
}

/** One footnote line per unsteady run ('' when every run settled). */
export function steadyStateFootnotes(rows: readonly Row[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    const st = (r.summary as Partial<PolicySummary>).steady_state;
    if (st === undefined || st.reached) continue;
    const at = st.diverged_at_s === null ? '' : `: diverged at ${st.diverged_at_s.toFixed(1)} s`;
    lines.push(`${UNSTEADY_MARK} ${r.policy}: did not reach steady state${at} (offered load above what the fleet completes; figures depend on the run's length)`);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

const DIMENSIONS = ['priority', 'tenant', 'adapter'] as const;

/**
 * Class keys in table order: numbers (priorities) from the most important (highest) down, names
 * alphabetically. (JSON objects list integer-like keys first, so the summary's order is not kept.)
 */
export function orderedKeys(keys: readonly string[]): string[] {
  const numeric = keys.every((k) => k !== '' && Number.isFinite(Number(k)));
  return [...keys].sort(numeric ? (a, b) => Number(b) - Number(a) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function fixed(x: number | null, decimals: number, scale = 1): string {
  return x === null ? '-' : (x * scale).toFixed(decimals);
}

function classCells(policy: string, key: string, c: ClassSummary): string[] {
  return [
    policy,
    key,
    String(c.arrived),
    String(c.completed),
    String(c.rejected),
    String(c.dropped),
    fixed(c.ttft_ms.p50, 1),
    fixed(c.ttft_ms.p99, 1),
    fixed(c.tpot_ms.p99, 2),
    fixed(c.e2e_ms.p99, 2, 1 / 1000),
    fixed(c.goodput.requests_per_s, 2),
  ];
}

const HEADERS = ['policy', '', 'arrived', 'done', 'rej', 'drop', 'TTFT p50 ms', 'TTFT p99 ms', 'TPOT p99 ms', 'E2E p99 s', 'goodput req/s'];

/** Per-class tables, each preceded by a blank line and a title ('' when no dimension has two classes). */
export function renderClassTables(rows: readonly Row[]): string {
  let out = '';
  for (const dim of DIMENSIONS) {
    const per = rows.map((r) => ({ policy: r.policy, classes: (r.summary as Partial<PolicySummary>).by_class?.[dim] }));
    if (!per.some((p) => p.classes !== undefined && Object.keys(p.classes).length > 1)) continue;
    const cells: string[][] = [];
    for (const p of per) {
      if (p.classes === undefined) continue;
      for (const key of orderedKeys(Object.keys(p.classes))) cells.push(classCells(p.policy, key, p.classes[key]!));
    }
    const headers = [...HEADERS];
    headers[1] = dim;
    out += `\nby ${dim}\n` + textTable(headers, cells, 2);
  }
  return out;
}
