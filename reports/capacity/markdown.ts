/**
 * `routesim capacity`'s answer as Markdown: the question, the SLOs and how a probe is judged, one
 * plain-language line per answer, the answer table (rate or replicas, bracket, cost, Pareto front),
 * then every answer's probes (steady seeds, SLO figures' means and one-sided bounds against their
 * limits, verdict). Depends only on the document (deterministic).
 */
import type { CapacityAnswer, CapacityDocument, Probe, ProbeFigure } from '../../lab/capacity/types.js';
import { mdTable } from '../markdown.js';
import { paretoFlags } from './pareto.js';

/** Text for an absent value. */
const MISSING = '-';

/** A rate in req/s: at most 2 decimals (3 significant digits below 1), trailing zeros dropped. */
export function fmtRate(x: number): string {
  return String(Number(Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3)));
}

/** Fixed decimals, `-` for null. */
function fixed(x: number | null | undefined, decimals: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? MISSING : x.toFixed(decimals);
}

/** A share (0.95) as a percentage ("95 %"). */
function pct(share: number): string {
  return `${Number((share * 100).toPrecision(6))} %`;
}

/** Seeds as "1–5" when consecutive, else listed. */
function seedList(seeds: readonly number[]): string {
  const consecutive = seeds.length > 2 && seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return consecutive ? `${seeds[0]}–${seeds.at(-1)}` : seeds.join(', ');
}

/** The SLO figures, in table order: key, label, decimals, direction of the limit. */
const FIGURES = [
  { key: 'ttft_p99_ms', label: 'TTFT p99 ms', decimals: 1, upper: true },
  { key: 'tpot_p99_ms', label: 'TPOT p99 ms', decimals: 2, upper: true },
  { key: 'goodput_pct', label: 'goodput %', decimals: 1, upper: false },
] as const;

const TITLES: Readonly<Record<CapacityDocument['question'], string>> = {
  'max-rate': 'highest rate within the SLOs',
  'min-replicas': 'fewest replicas within the SLOs',
  options: 'fleet options by cost',
};

/** The rate asked by a `--min-replicas` document (every answer's max_rate), or null if they differ. */
function askedRate(doc: CapacityDocument): number | null {
  const rates = new Set(doc.answers.map((a) => a.max_rate));
  const [r] = rates;
  return rates.size === 1 && typeof r === 'number' ? r : null;
}

/** One sentence stating the question. */
function questionSentence(doc: CapacityDocument): string {
  if (doc.question === 'min-replicas') {
    const rate = askedRate(doc);
    return `The fewest replicas each policy needs to serve ${rate === null ? 'the asked rate' : `${fmtRate(rate)} req/s`} within the SLOs.`;
  }
  if (doc.question === 'options') return 'The highest offered load (req/s) each fleet option sustains under each policy within the SLOs, and what it costs.';
  return 'The highest offered load (req/s) each policy sustains within the SLOs.';
}

/** "TTFT p99 ≤ 200 ms · goodput ≥ 95 %", or "none". */
function sloLine(doc: CapacityDocument): string {
  const s = doc.slo;
  const parts: string[] = [];
  if (s.ttft_p99_ms !== null) parts.push(`TTFT p99 ≤ ${s.ttft_p99_ms} ms`);
  if (s.tpot_p99_ms !== null) parts.push(`TPOT p99 ≤ ${s.tpot_p99_ms} ms`);
  if (s.goodput_pct !== null) parts.push(`goodput ≥ ${s.goodput_pct} % (requests within the scenario's per-request \`slo\`)`);
  return parts.length > 0 ? parts.join(' · ') : 'none';
}

/** Whether the searched quantity is replicas (passing above failing) rather than a rate. */
function byReplicas(doc: CapacityDocument): boolean {
  return doc.question === 'min-replicas';
}

/** A searched value: a rate, or a replica count. */
function fmtSearched(doc: CapacityDocument, x: number): string {
  return byReplicas(doc) ? String(x) : fmtRate(x);
}

/**
 * The bracket [highest passing, lowest failing] as text: "41.2–42.2" (low–high) when both sides
 * are known; with one open side, which side of the known probe the answer lies on.
 */
export function bracketText(doc: CapacityDocument, bracket: CapacityAnswer['bracket']): string {
  const [pass, fail] = bracket;
  const f = (x: number): string => fmtSearched(doc, x);
  if (pass !== null && fail !== null) return `${f(Math.min(pass, fail))}–${f(Math.max(pass, fail))}`;
  // Rates pass below the failing side; replica counts pass above it.
  if (pass !== null) return `${byReplicas(doc) ? '≤' : '≥'} ${f(pass)} (none failed)`;
  if (fail !== null) return `${byReplicas(doc) ? '>' : '<'} ${f(fail)} (none passed)`;
  return MISSING;
}

/** The bracket in words for an answer line: "bracket 41.2–42.2", or what the open side means. */
function bracketPhrase(doc: CapacityDocument, bracket: CapacityAnswer['bracket']): string {
  const [pass, fail] = bracket;
  if ((pass === null) === (fail === null)) return `bracket ${bracketText(doc, bracket)}`;
  const unit = byReplicas(doc) ? ' replicas' : ' req/s';
  if (pass !== null) return `no probe failed, ${byReplicas(doc) ? 'down' : 'up'} to ${fmtSearched(doc, pass)}${unit}`;
  return `${byReplicas(doc) ? 'most replicas probed' : 'lowest rate probed'}: ${fmtSearched(doc, fail!)}${unit}`;
}

/** "9 probes, 5 seeds each" (or "3–5 seeds each"). */
function probesPhrase(a: CapacityAnswer): string {
  const n = a.probes.length;
  const counts = a.probes.map((p) => p.seeds.length);
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  const seeds = n === 0 ? '' : `, ${lo === hi ? lo : `${lo}–${hi}`} seed${hi === 1 ? '' : 's'} each`;
  return `${n} probe${n === 1 ? '' : 's'}${seeds}`;
}

/** The fleet of a `--min-replicas` answer: "6 × H100", "6 replicas (12 × H100)", "6 replicas". */
function fleetText(a: CapacityAnswer, replicas: number): string {
  const types = a.cost ? Object.keys(a.cost.prices) : [];
  if (a.cost && types.length === 1) return a.cost.gpus === replicas ? `${replicas} × ${types[0]}` : `${replicas} replicas (${a.cost.gpus} × ${types[0]})`;
  if (a.cost) return `${replicas} replicas (${a.cost.gpus} GPUs)`;
  return `${replicas} replica${replicas === 1 ? '' : 's'}`;
}

/** "gaie-default · 4xH100" or "gaie-default". */
function answerName(a: CapacityAnswer): string {
  return a.option !== undefined ? `${a.policy} · ${a.option}` : a.policy;
}

/** One plain-language line answering the question for `a`. */
export function answerLine(doc: CapacityDocument, a: CapacityAnswer, pareto: boolean): string {
  const name = a.option !== undefined ? `**${a.policy}** on **${a.option}**` : `**${a.policy}**`;
  // With no passing replica count the line itself names the most replicas probed.
  const noReplicas = byReplicas(doc) && (a.min_replicas === null || a.min_replicas === undefined);
  const detail = [...(noReplicas ? [] : [bracketPhrase(doc, a.bracket)]), probesPhrase(a)];
  if (!a.converged) detail.push(`not converged to the ${pct(doc.tolerance)} tolerance`);
  let head: string;
  if (byReplicas(doc)) {
    const rate = a.max_rate === null ? 'the asked rate' : `${fmtRate(a.max_rate)} req/s`;
    if (a.min_replicas === null || a.min_replicas === undefined) {
      const probed = a.probes.map((p) => p.replicas).filter((r): r is number => r !== undefined);
      head = probed.length > 0 ? `no replica count up to ${Math.max(...probed)} meets the SLOs at ${rate}` : `no replica count meets the SLOs at ${rate}`;
    } else {
      head = `${fleetText(a, a.min_replicas)} for ${rate}`;
      if (a.cost) head += ` at $${a.cost.usd_per_hour.toFixed(2)}/h`;
    }
  } else if (a.max_rate === null) {
    head = 'no probed rate meets the SLOs';
  } else {
    head = `${fmtRate(a.max_rate)} req/s`;
    if (a.cost) {
      head += ` for $${a.cost.usd_per_hour.toFixed(2)}/h`;
      if (a.cost.qps_per_usd_hour !== null) head += `, ${a.cost.qps_per_usd_hour.toFixed(3)} req/s per $/h`;
    }
    if (pareto) head += ', on the Pareto front';
  }
  return `- ${name}: ${head} (${detail.join(', ')})`;
}

/**
 * A Markdown table (markdown.ts's mdTable) with the columns named in `text` left-aligned too,
 * besides the first `left`.
 */
function mdTableText(headers: readonly string[], rows: readonly (readonly string[])[], left: number, text: readonly string[]): string {
  const lines = mdTable(headers, rows, left).split('\n');
  lines[1] = `|${headers.map((h, i) => (i < left || text.includes(h) ? '---' : '---:')).join('|')}|`;
  return lines.join('\n');
}

/** The answer table: header and rows. */
export function answerTable(doc: CapacityDocument): { headers: string[]; rows: string[][]; left: number } {
  const withOption = doc.answers.some((a) => a.option !== undefined);
  const withCost = doc.answers.some((a) => a.cost !== undefined);
  const withPareto = doc.question === 'options';
  const flags = paretoFlags(doc);
  const headers = [
    'policy',
    ...(withOption ? ['option'] : []),
    ...(byReplicas(doc) ? ['rate req/s', 'min replicas'] : ['max rate req/s']),
    byReplicas(doc) ? 'bracket replicas' : 'bracket req/s',
    'converged',
    'probes',
    ...(withCost ? ['GPUs', '$/h', 'QPS per $/h', '$/Mtok out'] : []),
    ...(withPareto ? ['Pareto'] : []),
  ];
  const rows = doc.answers.map((a, i) => [
    a.policy,
    ...(withOption ? [a.option ?? MISSING] : []),
    ...(byReplicas(doc) ? [a.max_rate === null ? MISSING : fmtRate(a.max_rate), a.min_replicas === null || a.min_replicas === undefined ? MISSING : String(a.min_replicas)] : [a.max_rate === null ? MISSING : fmtRate(a.max_rate)]),
    bracketText(doc, a.bracket),
    a.converged ? 'yes' : 'no',
    String(a.probes.length),
    ...(withCost ? (a.cost ? [String(a.cost.gpus), fixed(a.cost.usd_per_hour, 2), fixed(a.cost.qps_per_usd_hour, 3), fixed(a.cost.usd_per_mtok_output, 3)] : [MISSING, MISSING, MISSING, MISSING]) : []),
    ...(withPareto ? [flags[i] ? '✓' : MISSING] : []),
  ]);
  return { headers, rows, left: withOption ? 2 : 1 };
}

/** The SLO figures that some probe of the document has, in table order. */
function figuresPresent(doc: CapacityDocument) {
  return FIGURES.filter((f) => doc.answers.some((a) => a.probes.some((p) => p.figures[f.key] !== undefined)));
}

/** "212.3 > 200" (bound against limit, the sign saying whether it is within); "- vs 200" without a bound. */
function boundCell(fig: ProbeFigure | undefined, decimals: number, upper: boolean): string {
  if (fig === undefined) return MISSING;
  if (fig.bound === null) return `- vs ${fig.limit}`;
  const sign = upper ? (fig.ok ? '≤' : '>') : fig.ok ? '≥' : '<';
  return `${fixed(fig.bound, decimals)} ${sign} ${fig.limit}`;
}

/** A probe table: probes in increasing rate (or replicas); `#` is the search order. */
export function probeTable(doc: CapacityDocument, a: CapacityAnswer): { headers: string[]; rows: string[][] } {
  const figs = figuresPresent(doc);
  const key = (p: Probe): number => (byReplicas(doc) ? (p.replicas ?? 0) : p.rate);
  const ordered = a.probes.map((p, i) => ({ p, i })).sort((x, y) => key(x.p) - key(y.p) || x.i - y.i);
  const headers = ['#', byReplicas(doc) ? 'replicas' : 'rate req/s', 'steady', ...figs.flatMap((f) => [f.label, `${f.label.replace(/ (ms|%)$/, '')} bound`]), 'verdict'];
  const rows = ordered.map(({ p, i }) => [
    String(i + 1),
    byReplicas(doc) ? (p.replicas === undefined ? MISSING : String(p.replicas)) : fmtRate(p.rate),
    `${p.steady}/${p.seeds.length}`,
    ...figs.flatMap((f) => [fixed(p.figures[f.key]?.mean, f.decimals), boundCell(p.figures[f.key], f.decimals, f.upper)]),
    p.pass ? 'pass' : p.why ? `fail: ${p.why}` : 'fail',
  ]);
  return { headers, rows };
}

/** The whole Markdown document; ends with a newline. */
export function renderCapacityMarkdown(doc: CapacityDocument): string {
  const flags = paretoFlags(doc);
  let out = `## routesim capacity: ${TITLES[doc.question]} — ${doc.scenario}\n\n${questionSentence(doc)}\n\n`;
  out += `- **SLOs:** ${sloLine(doc)}\n`;
  out += `- **Rule:** ${doc.rule}\n`;
  out += `- **Search:** confidence ${pct(doc.confidence)} · ${doc.seeds.length} seed${doc.seeds.length === 1 ? '' : 's'} (${seedList(doc.seeds)}) per probe · tolerance ${pct(doc.tolerance)} · routesim ${doc.routesim.version}\n`;
  out += '\n### Answer\n\n';
  if (doc.answers.length === 0) return `${out}No answers.\n`;
  for (const [i, a] of doc.answers.entries()) out += `${answerLine(doc, a, flags[i] ?? false)}\n`;
  const t = answerTable(doc);
  out += `\n${mdTableText(t.headers, t.rows, t.left, ['converged', 'Pareto'])}`;
  const notes: string[] = [];
  notes.push(byReplicas(doc) ? 'Bracket: between the largest failing and the smallest passing replica count.' : 'Bracket: between the highest passing and the lowest failing rate.');
  if (t.headers.includes('$/h')) notes.push('QPS per $/h: the answer\'s rate over the fleet\'s $/hour; $/Mtok out: $ per million output tokens at that rate.');
  if (doc.question === 'options') notes.push('Pareto ✓: no other answer has both a lower $/h and a higher max rate.');
  if (doc.streamed_probes !== undefined) notes.push(`${doc.streamed_probes} probe${doc.streamed_probes === 1 ? '' : 's'} of more than 1,000,000 requests kept no request records: their steady-state backlog comes from time bins and, past 1,000,000 completed requests, their percentiles from sketches, each within 0.5 % of the exact one.`);
  out += `\n${notes.join(' ')}\n`;
  out += `\n### Probes\n\nIn increasing ${byReplicas(doc) ? 'replica count' : 'rate'}; # is the search order. Steady: seeds whose run reached steady state. A bound is the one-sided ${pct(doc.confidence)} bound over the seeds, against the limit.\n`;
  for (const a of doc.answers) {
    const p = probeTable(doc, a);
    out += `\n#### ${answerName(a)}\n\n${mdTableText(p.headers, p.rows, 1, ['verdict'])}`;
  }
  return out;
}
