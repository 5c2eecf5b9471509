/**
 * "Figures": every number of a policy summary, addressed by a dot path (`ttft_ms.p99`,
 * `throughput.output_tokens_per_s`, `replicas.0.share`, `rejected_by_reason.exceeds_kv_capacity`).
 * Repetition statistics, comparisons and the CI gate's rules all speak in these paths, so any
 * figure a summary grows later (another issue's outcome counts, say) is covered without code here.
 */

/** Figure path → value (null = no samples). Insertion order follows the summary. */
export type Figures = Map<string, number | null>;

/** The step-function arrays of `replicas_over_time.pools.<pool>` (issue 11): a shape, not figures. */
const TIMELINE_ARRAYS = new Set(['t_s', 'ready', 'starting']);

function isTimelineArray(prefix: string): boolean {
  const last = prefix.slice(prefix.lastIndexOf('.') + 1);
  return TIMELINE_ARRAYS.has(last) && prefix.startsWith('replicas_over_time.pools.');
}

/**
 * Every numeric (or null) leaf of `value` under `prefix`; strings and booleans are skipped, and so
 * are the replica timeline's step arrays (`replicas_over_time.pools.<pool>.{t_s,ready,starting}`,
 * whose length differs between seeds; their min / max and GPU-hours are figures).
 */
export function flattenFigures(value: unknown, prefix = '', out: Figures = new Map()): Figures {
  if (value === null) {
    if (prefix !== '') out.set(prefix, null);
  } else if (typeof value === 'number') {
    if (prefix !== '') out.set(prefix, Number.isFinite(value) ? value : null);
  } else if (Array.isArray(value)) {
    if (isTimelineArray(prefix)) return out;
    value.forEach((v, i) => flattenFigures(v, prefix === '' ? String(i) : `${prefix}.${i}`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenFigures(v, prefix === '' ? k : `${prefix}.${k}`, out);
  }
  return out;
}

/**
 * Figure paths over several seeds' figures, in first-seen order. A path absent from one seed's
 * summary (a rejection reason that did not happen in that seed) counts as 0 there.
 */
export function alignFigures(perSeed: readonly Figures[]): { paths: string[]; values: (path: string) => (number | null)[] } {
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of perSeed) {
    for (const k of f.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        paths.push(k);
      }
    }
  }
  return { paths, values: (path) => perSeed.map((f) => (f.has(path) ? (f.get(path) as number | null) : 0)) };
}

/** Short names accepted for common figures (rules files, flags). */
const ALIASES: Readonly<Record<string, string>> = {
  ttft: 'ttft_ms',
  tpot: 'tpot_ms',
  itl: 'itl_ms',
  e2e: 'e2e_ms',
  queue: 'queue_ms',
  goodput: 'goodput.requests_per_s',
  throughput: 'throughput.requests_per_s',
  cache_hit_rate: 'prefix_cache_hit_rate',
};

/** `ttft.p99` → `ttft_ms.p99`, `goodput` → `goodput.requests_per_s`; full paths pass through. */
export function resolveFigureAlias(name: string): string {
  const trimmed = name.trim();
  // Own properties only: `toString` or `constructor.name` are not aliases (nor Object.prototype's).
  if (Object.hasOwn(ALIASES, trimmed)) return ALIASES[trimmed]!;
  const dot = trimmed.indexOf('.');
  if (dot > 0) {
    const head = trimmed.slice(0, dot);
    const full = Object.hasOwn(ALIASES, head) ? ALIASES[head] : undefined;
    if (full !== undefined && full.endsWith('_ms')) return `${full}${trimmed.slice(dot)}`;
  }
  return trimmed;
}

/** Unit of a figure, for tables ('' when dimensionless or a count). */
export function figureUnit(path: string): string {
  const last = path.split('.').at(-1) ?? '';
  const first = path.split('.')[0] ?? '';
  if (first.endsWith('_ms')) return 'ms';
  if (last === 'duration_s') return 's';
  if (last.endsWith('_per_s')) return last === 'requests_per_s' ? 'req/s' : 'tok/s';
  return '';
}

/**
 * How the report shows a figure: its unit and the factor from the stored value. Like the tables
 * and charts, E2E latency is shown in s (stored in ms); everything else as stored (figureUnit).
 * (Rules files and `routesim check` keep the stored unit, ms.)
 */
export function figureDisplay(path: string): { unit: string; scale: number } {
  if (path.split('.')[0] === 'e2e_ms') return { unit: 's', scale: 1 / 1000 };
  return { unit: figureUnit(path), scale: 1 };
}

/** Human label: `ttft_ms.p99` → `TTFT p99`, `goodput.requests_per_s` → `goodput req/s`. */
export function figureLabel(path: string): string {
  const parts = path.split('.');
  const head = parts[0] ?? '';
  const m = /^(ttft|tpot|itl|e2e|queue)_ms$/.exec(head);
  if (m) return [m[1] === 'queue' ? 'queue' : m[1]!.toUpperCase(), ...parts.slice(1)].join(' ');
  if (head === 'throughput' || head === 'goodput') {
    const rest = parts.slice(1).join('.');
    const unit = figureUnit(path);
    return rest === 'requests_per_s' || rest.endsWith('tokens_per_s')
      ? `${head}${rest.startsWith('input') ? ' in' : rest.startsWith('output') ? ' out' : ''} ${unit}`
      : `${head} ${rest.replace(/_/g, ' ')}`;
  }
  return path;
}
