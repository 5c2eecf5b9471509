/**
 * summary.md: the report as Markdown for a pull-request comment or a CI step summary — what ran,
 * one row per policy (mean ± 95 % CI half-width with several seeds; with a steady-state column when
 * the results say), the significant differences, per-class and per-stage breakdowns, per-pool /
 * route / model / role tables, replicas with their GPU and the P/D TTFT breakdown (issue 10), the sweep,
 * the sweep grid (issue 14), and links to the charts.
 *
 * Links: a PR comment has no directory to resolve relative links against (and GitHub will not show
 * a data: URI image), so `--link-base URL` — where the report directory is published — makes every
 * link absolute (`URL/<file>`) and embeds the two headline charts as images. Without it links are
 * relative to the report directory (right for a browsed or downloaded directory), and the summary
 * says so.
 */
import { inputError } from '../sim/core/errors.js';
import { CLASS_HEADERS, classTables, hasSteadyState, PD_HEADERS, pdRows, REPLICA_HEADERS, replicaRows, STAGE_HEADERS, stageRows, steadyCell, SUBSET_HEADERS, subsetTables, windowSentence } from './breakdown.js';
import type { Chart } from './charts/types.js';
import { figureDisplay, figureLabel, flattenFigures } from './figures.js';
import type { ResultsDocument } from './results.js';
import { gridHeaders, gridRows, signed, statsCell, sweepRows, valueCell, type FigureColumn } from './table.js';

/** Columns of the per-policy table. */
const COLUMNS: readonly FigureColumn[] = [
  ['completed', 'completed', 1, 0],
  ['rejected', 'rejected', 1, 0],
  ['dropped', 'dropped', 1, 0],
  ['TTFT p50 ms', 'ttft_ms.p50', 1, 1],
  ['TTFT p99 ms', 'ttft_ms.p99', 1, 1],
  ['TPOT p99 ms', 'tpot_ms.p99', 1, 2],
  ['E2E p99 s', 'e2e_ms.p99', 1 / 1000, 2],
  ['out tok/s', 'throughput.output_tokens_per_s', 1, 1],
  ['goodput req/s', 'goodput.requests_per_s', 1, 2],
  ['cache hit %', 'prefix_cache_hit_rate', 100, 1],
  ['share CV', 'balance.request_share_cv', 1, 3],
];

/**
 * The per-policy summary table as header + rows of text cells (shared by Markdown and HTML); a
 * `steady state` column is added when the results say whether runs reached one.
 */
export function summaryTable(doc: ResultsDocument): { headers: string[]; rows: string[][] } {
  const seeded = (doc.seeds?.length ?? 1) > 1;
  const steady = hasSteadyState(doc);
  const rows = doc.policies.map((p) => {
    const figures = flattenFigures(p.summary);
    return [p.name, ...COLUMNS.map((col) => (seeded ? statsCell(p.stats, col) : valueCell(figures, col))), ...(steady ? [steadyCell(p)] : [])];
  });
  return { headers: ['policy', ...COLUMNS.map(([h]) => h), ...(steady ? ['steady state'] : [])], rows };
}

/**
 * `--link-base URL` → the URL without trailing slashes, so `URL/<file>` addresses a report file.
 * Only http(s) URLs without credentials, query or fragment (a file name is appended to it);
 * anything else is a one-line input error naming the flag.
 */
export function parseLinkBase(text: string): string {
  const fix = 'pass the http(s) URL where the report directory is published, e.g. --link-base https://example.com/runs/42/report';
  const t = text.trim();
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    throw inputError('--link-base', '', `${JSON.stringify(text)} is not a URL`, fix);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw inputError('--link-base', '', `${JSON.stringify(text)} uses ${u.protocol}, not http: or https:`, fix);
  if (u.username !== '' || u.password !== '') throw inputError('--link-base', '', 'must not contain a user name or password (it is printed in summary.md)', fix);
  if (u.search !== '' || u.hash !== '') throw inputError('--link-base', '', `${JSON.stringify(text)} has a query or fragment, so a file name cannot be appended to it`, fix);
  return u.href.replace(/\/+$/, '');
}

/** One line describing the run (fleet, load, seeds). */
export function runDescription(doc: ResultsDocument): string {
  const sc = doc.scenario as unknown as Record<string, unknown> & {
    fleet?: { replicas?: number; gpu?: string; model?: string; tp?: number };
    workload?: { arrival?: { process?: string; rate?: number } };
    requests?: number | null;
    duration_s?: number | null;
    seed?: number;
  };
  const parts: string[] = [];
  const f = sc.fleet;
  if (f) parts.push(`${f.replicas ?? '?'} × ${f.gpu ?? '?'}${f.tp && f.tp > 1 ? ` TP${f.tp}` : ''} serving ${f.model ?? '?'}`);
  if (typeof sc.requests === 'number') parts.push(`${sc.requests} requests`);
  if (typeof sc.duration_s === 'number') parts.push(`${sc.duration_s} s`);
  const a = sc.workload?.arrival;
  if (a && typeof a.rate === 'number') parts.push(`${a.process ?? ''} arrivals at ${a.rate} req/s`.trim());
  const seeds = doc.seeds ?? [];
  parts.push(seeds.length > 1 ? `${seeds.length} seeds (${seeds[0]}–${seeds.at(-1)})` : `seed ${sc.seed ?? '?'}`);
  parts.push(`routesim ${doc.routesim.version}`);
  return parts.join(' · ');
}

/** Escapes text for a Markdown table cell. */
function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A Markdown table; numeric columns (all but the first `left`) right-aligned. */
export function mdTable(headers: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const align = headers.map((_, i) => (i < left ? '---' : '---:'));
  const line = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(headers), `|${align.join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

/** The significant paired differences as a Markdown list. */
function comparisonsMd(doc: ResultsDocument): string {
  const seeds = doc.seeds ?? [];
  if (seeds.length < 2) return '';
  const sig = (doc.comparisons ?? []).filter((c) => c.significant);
  let out = `\n### Differences between policies\n\nPaired t test over the ${seeds.length} seeds (every policy replays the same requests per seed), p < 0.05, no correction for multiple comparisons.\n\n`;
  if (sig.length === 0) return `${out}No difference between policies is significant.\n`;
  const rows = sig.map((c) => {
    // E2E in s, like the table above (figureDisplay).
    const { unit, scale } = figureDisplay(c.figure);
    const d = scale === 1 ? 2 : 3;
    const ci = c.ci95_low !== null && c.ci95_high !== null ? `${signed(c.ci95_low * scale, d)} … ${signed(c.ci95_high * scale, d)}` : '-';
    return [figureLabel(c.figure), `${c.b} − ${c.a}`, `${signed(c.mean_diff * scale, d)}${unit ? ` ${unit}` : ''}`, ci, String(c.p_value)];
  });
  return out + mdTable(['figure', 'difference', 'mean', '95 % CI', 'p'], rows, 2);
}

/** Columns of the sweep table. */
const SWEEP_COLUMNS: readonly FigureColumn[] = [
  ['TTFT p50 ms', 'ttft_ms.p50', 1, 1],
  ['TTFT p99 ms', 'ttft_ms.p99', 1, 1],
  ['E2E p99 s', 'e2e_ms.p99', 1 / 1000, 2],
  ['goodput req/s', 'goodput.requests_per_s', 1, 2],
];

/** The sweep as a Markdown table (TTFT p50/p99, E2E p99 and goodput per rate and policy). */
function sweepMd(doc: ResultsDocument): string {
  if (!doc.sweep || doc.sweep.length === 0) return '';
  return `\n### Sweep over offered load\n\n${mdTable(['rate req/s', 'policy', ...SWEEP_COLUMNS.map(([h]) => h)], sweepRows(doc.sweep, SWEEP_COLUMNS), 2)}`;
}

/** The sweep grid (issue 14) as a Markdown table: a row per point and policy, the dimensions' values first. */
function gridMd(doc: ResultsDocument): string {
  const grid = doc.grid;
  if (!grid || grid.points.length === 0) return '';
  return `\n### Sweep grid\n\n${mdTable(gridHeaders(grid), gridRows(grid), grid.dimensions.length + 1)}`;
}

/** Options of summary.md. */
export interface SummaryOptions {
  /** Absolute URL of the published report directory (parseLinkBase), or undefined for relative links. */
  readonly linkBase?: string;
}

/** Charts shown as images in summary.md when links are absolute. */
const EMBEDDED = ['latency-percentiles', 'ttft-over-time'];

/** Per-class and per-stage tables, when the results have them. */
function breakdownMd(doc: ResultsDocument): string {
  let out = '';
  for (const t of classTables(doc)) {
    out += `\n### Per ${t.dimension}\n\nFrom each policy's ${(doc.seeds?.length ?? 1) > 1 ? "first seed's " : ''}run.\n\n`;
    out += mdTable(['policy', t.dimension, ...CLASS_HEADERS], t.rows, 2);
  }
  const stages = stageRows(doc);
  if (stages.length > 0) out += `\n### Load stages\n\n${mdTable(['stage', 'time s', 'rate req/s', 'policy', ...STAGE_HEADERS], stages, 4)}`;
  const first = (doc.seeds?.length ?? 1) > 1 ? "From each policy's first seed's run.\n\n" : '';
  for (const t of subsetTables(doc)) out += `\n### Per ${t.dimension}\n\n${first}${mdTable(['policy', t.dimension, ...SUBSET_HEADERS], t.rows, 2)}`;
  const replicas = replicaRows(doc);
  if (replicas.length > 0) out += `\n### Replicas\n\n${first}${mdTable(REPLICA_HEADERS, replicas, 5)}`;
  const pd = pdRows(doc);
  if (pd.length > 0) out += `\n### TTFT breakdown (P/D)\n\nMean ms per part over completed requests in the window; each row's parts add up to its mean TTFT.\n\n${first}${mdTable(['policy', 'requests', ...PD_HEADERS], pd, 2)}`;
  return out;
}

/** summary.md. `charts` are listed with links to their SVG and Vega-Lite files. */
export function renderSummaryMarkdown(doc: ResultsDocument, charts: readonly Chart[], opts: SummaryOptions = {}): string {
  const name = (doc.scenario as { name?: string }).name ?? 'results';
  const seeded = (doc.seeds?.length ?? 1) > 1;
  const { headers, rows } = summaryTable(doc);
  const link = (file: string): string => (opts.linkBase !== undefined ? `${opts.linkBase}/${file}` : file);
  let out = `## routesim report: ${name}\n\n${runDescription(doc)}\n\n`;
  const window = windowSentence(doc);
  if (window) out += `${window}\n\n`;
  if (seeded) out += 'Figures are the mean over seeds ± the half-width of its 95 % confidence interval.\n\n';
  out += mdTable(headers, rows);
  out += '\nTTFT and TPOT in ms, E2E in s, here and in every chart.\n';
  out += comparisonsMd(doc);
  out += breakdownMd(doc);
  out += sweepMd(doc);
  out += gridMd(doc);
  if (charts.length > 0) {
    out += '\n### Charts\n\n';
    if (opts.linkBase !== undefined) {
      for (const c of charts.filter((c) => EMBEDDED.includes(c.id))) out += `![${c.title}](${link(`${c.id}.svg`)})\n\n`;
      out += `All charts on one page: [index.html](${link('index.html')}) (works offline).\n\n`;
    } else {
      out += 'Open `index.html` for all charts on one page (works offline). Links below are relative to the report directory; for a pull-request comment, publish the directory and run `routesim report --link-base URL` to make them absolute.\n\n';
    }
    for (const c of charts) out += `- [${c.title}](${link(`${c.id}.svg`)}) ([Vega-Lite](${link(`${c.id}.vl.json`)})): ${c.description}\n`;
  }
  return out;
}
