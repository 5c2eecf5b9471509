/** What `routesim check` prints and writes: a text table, a Markdown summary and JUnit XML. */
import junitModule, { type Builder } from 'junit-report-builder';
import { figureUnit } from '../figures.js';
import { mdTable } from '../markdown.js';
import { signed, textTable } from '../table.js';
import { allowanceText } from './rules.js';
import type { Verdict } from './compare.js';

/** Decimals shown for a value of this size: 1 from 100 up, 2 from 1 up, 4 below. */
function decimalsFor(x: number): number {
  const abs = Math.abs(x);
  return abs >= 100 ? 1 : abs >= 1 ? 2 : 4;
}

/** A value with the figure's unit and 1, 2 or 4 decimals by its size. */
function value(x: number | null, unit: string): string {
  if (x === null) return '-';
  if (x === 0) return unit ? `0 ${unit}` : '0';
  const text = x.toFixed(decimalsFor(x));
  return unit ? `${text} ${unit}` : text;
}

function changeText(v: Verdict): string {
  if (v.change === null) return '-';
  const unit = figureUnit(v.rule.metric);
  if (v.change === 0) return unit ? `0 ${unit}` : '0';
  const dec = decimalsFor(v.change);
  const rel = v.relativeChange === null ? '' : ` (${signed(v.relativeChange * 100, 1)} %)`;
  return `${signed(v.change, dec)}${unit ? ` ${unit}` : ''}${rel}`;
}

function allowedText(v: Verdict): string {
  if (v.allowed === 0) return 'none';
  const unit = figureUnit(v.rule.metric);
  const dir = v.rule.direction === 'increase' ? '+' : '−';
  const amount = value(v.allowed, unit);
  return v.rule.allowance.kind === 'relative' ? `${dir}${allowanceText(v.rule.allowance)} (${amount})` : `${dir}${amount}`;
}

function ciText(v: Verdict): string {
  if (v.changeCiLow === null || v.changeCiHigh === null) return '-';
  const d = Math.max(Math.abs(v.changeCiLow), Math.abs(v.changeCiHigh)) >= 100 ? 1 : 2;
  return `${signed(v.changeCiLow, d)} … ${signed(v.changeCiHigh, d)}`;
}

function verdictText(v: Verdict): string {
  return v.status === 'fail' ? 'FAIL' : v.status === 'not significant' ? 'pass (not significant)' : 'pass';
}

/** Table rows shared by the text and Markdown outputs. */
function rows(verdicts: readonly Verdict[]): { headers: string[]; rows: string[][]; seeded: boolean } {
  const seeded = verdicts.some((v) => v.pairs > 1);
  const headers = ['rule', 'policy', 'baseline', 'current', 'change', 'allowed', ...(seeded ? ['95 % CI of change', 'p (regression)'] : []), 'verdict'];
  const out = verdicts.map((v) => {
    const unit = figureUnit(v.rule.metric);
    return [
      v.rule.name,
      v.policy,
      value(v.baseline, unit),
      value(v.current, unit),
      changeText(v),
      allowedText(v),
      ...(seeded ? [ciText(v), v.p === null ? '-' : v.p < 1e-4 ? '< 0.0001' : String(Number(v.p.toPrecision(2)))] : []),
      verdictText(v),
    ];
  });
  return { headers, rows: out, seeded };
}

/** One line: how many rules passed / failed. */
function verdictLine(verdicts: readonly Verdict[]): string {
  const failed = verdicts.filter((v) => v.status === 'fail').length;
  return failed === 0 ? `routesim check: all ${verdicts.length} checks passed` : `routesim check: ${failed} of ${verdicts.length} checks FAILED`;
}

/** The terminal table plus the verdict line. */
export function renderCheckTable(verdicts: readonly Verdict[]): string {
  const t = rows(verdicts);
  const note = t.seeded ? 'with seeds a regression counts only when significant: paired by seed, one-sided p < 0.025 that the change exceeds the allowance\n' : '';
  return textTable(t.headers, t.rows, 2) + note + verdictLine(verdicts) + '\n';
}

/** The Markdown summary (for $GITHUB_STEP_SUMMARY or a PR comment); `notes` (e.g. an allowed workload change) are quoted above the table. */
export function renderCheckMarkdown(verdicts: readonly Verdict[], baselineFile: string, currentFile: string, notes: readonly string[] = []): string {
  const t = rows(verdicts);
  const failed = verdicts.filter((v) => v.status === 'fail').length;
  const head = failed === 0 ? `✅ all ${verdicts.length} checks passed` : `❌ ${failed} of ${verdicts.length} checks failed`;
  let out = `## routesim check: ${head}\n\n${notes.map((n) => `> ${n}\n\n`).join('')}Baseline \`${baselineFile}\`, current \`${currentFile}\`.`;
  if (t.seeded) out += ' With several seeds a regression counts only when it is significant: paired by seed, the one-sided p-value that the change exceeds the allowance is below 0.025 (the 95 % confidence interval of the excess lies above 0).';
  return `${out}\n\n${mdTable(t.headers, t.rows, 2)}`;
}

/** The package's CommonJS export is the builder itself (its typings describe an ES default export). */
const junit = junitModule as unknown as Builder;

/**
 * `s` with every character XML 1.0 cannot hold (C0 controls other than tab, LF and CR; DEL and C1
 * controls; lone surrogates; U+FFFE/U+FFFF) replaced by U+FFFD. Done before the XML builder escapes
 * `]]>` in CDATA: it strips such characters after escaping, so `]\x01]>` would become a bare `]]>`.
 */
export function xmlSafeText(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** JUnit XML: one test case per (rule, policy), failed when the rule is violated. */
export function renderJunit(verdicts: readonly Verdict[]): string {
  const b = junit.newBuilder();
  const suite = b.testSuite().name('routesim check');
  const t = rows(verdicts);
  verdicts.forEach((v, i) => {
    const row = t.rows[i]!;
    const details = t.headers.map((h, k) => `${h}: ${row[k]}`).join('\n') + `\nnote: ${v.note}`;
    const tc = suite.testCase().className(xmlSafeText(`routesim.check.${v.rule.metric}`)).name(xmlSafeText(`${v.policy}: ${v.rule.name}`));
    if (v.status === 'fail') tc.failure(xmlSafeText(`${v.policy}: ${v.rule.name}: ${v.note} (baseline ${row[2]}, current ${row[3]}, change ${row[4]}, allowed ${row[5]})`));
    tc.standardOutput(xmlSafeText(details));
  });
  return b.build() + '\n';
}
