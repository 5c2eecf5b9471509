/**
 * Evaluates the gate's rules on a baseline and a current results document.
 *
 * For a rule on figure F with allowance A (absolute, or relative: A = fraction × |baseline|):
 * - one seed on each side: change = current − baseline; the rule is violated when the change goes
 *   past the allowance in the regression direction (increase: change > A; decrease: −change > A);
 * - several seeds (the same seeds on both sides, so the runs pair up seed by seed — same requests):
 *   per seed the excess e_s = (current_s − baseline_s) − A (increase) or (baseline_s − current_s) − A
 *   (decrease); the rule is violated only when the excess is significant: the 95 % confidence
 *   interval of its mean lies wholly above 0 (a one-sided paired t test at 2.5 %, p < 0.025). A
 *   mean excess whose interval still includes 0 is reported as "not significant" and passes.
 *
 * A figure with no samples (null, e.g. TTFT when nothing completed) in the current run but not in
 * the baseline is a violation; null on both sides passes.
 */
import { inputError } from '../../sim/core/errors.js';
import { closest } from '../../sim/scenario/schema.js';
import { mean } from 'simple-statistics';
import { flattenFigures, type Figures } from '../figures.js';
import type { PolicyResult, ResultsDocument } from '../results.js';
import { pairedTest } from '../significance.js';
import type { Rule } from './rules.js';

export type Status = 'pass' | 'fail' | 'not significant';

export interface Verdict {
  readonly rule: Rule;
  readonly policy: string;
  /** Mean over seeds (or the single run's value); null = no samples. */
  readonly baseline: number | null;
  readonly current: number | null;
  /** current − baseline. */
  readonly change: number | null;
  /** change / |baseline| (null when baseline is 0 or null). */
  readonly relativeChange: number | null;
  /** The allowance in the figure's unit. */
  readonly allowed: number;
  /** Seed pairs compared (1 = single runs). */
  readonly pairs: number;
  /** 95 % CI of the mean change (several seeds only). */
  readonly changeCiLow: number | null;
  readonly changeCiHigh: number | null;
  /**
   * One-sided p-value of "the mean excess over the allowance is ≤ 0" (several seeds only): small
   * means a regression beyond the allowance is unlikely to be noise. The rule fails when p < 0.025
   * (equivalently, the 95 % interval of the excess lies above 0).
   */
  readonly p: number | null;
  readonly status: Status;
  /** Why, in a few words. */
  readonly note: string;
}

export interface CheckInput {
  readonly rules: readonly Rule[];
  readonly rulesFile: string;
  readonly baseline: ResultsDocument;
  readonly baselineFile: string;
  readonly current: ResultsDocument;
  readonly currentFile: string;
}

const RUN_FIX = 'run the baseline and the current results with the same scenario and --seeds';

/** The per-seed figures of a policy (one entry when the document has a single seed). */
function seedFigures(p: PolicyResult): Figures[] {
  if (p.repeats && p.repeats.length > 1) return p.repeats.map((r) => flattenFigures(r.summary));
  return [flattenFigures(p.summary)];
}

function sameSeeds(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((s, i) => s === y[i]);
}

/** Evaluates every rule on every policy it names; throws a UserError on unusable input. */
export function evaluateRules(input: CheckInput): Verdict[] {
  const { baseline, current } = input;
  const bSeeds = baseline.seeds ?? [];
  const cSeeds = current.seeds ?? [];
  if (bSeeds.length > 1 || cSeeds.length > 1) {
    if (!sameSeeds(bSeeds, cSeeds)) {
      const show = (s: readonly number[]) => (s.length > 1 ? `seeds ${s.join(',')}` : 'a single seed');
      throw inputError(input.currentFile, 'seeds', `ran ${show(cSeeds)} but the baseline ${input.baselineFile} ran ${show(bSeeds)}, so the runs cannot be paired`, RUN_FIX);
    }
  }
  const byName = (doc: ResultsDocument) => new Map(doc.policies.map((p) => [p.name, p]));
  const bPolicies = byName(baseline);
  const cPolicies = byName(current);
  const known = [...flattenFigures(baseline.policies[0]!.summary).keys()];

  const verdicts: Verdict[] = [];
  for (const rule of input.rules) {
    const where = `rules[${rule.index}]`;
    if (!known.includes(rule.metric)) {
      const guess = closest(rule.metric, known);
      throw inputError(input.rulesFile, `${where}.metric`, `unknown metric ${JSON.stringify(rule.metric)}`, `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}use a summary figure such as ttft_ms.p99, tpot_ms.p99, e2e_ms.p99, goodput.requests_per_s (short forms ttft.p99, goodput)`);
    }
    const names = rule.policy === null ? [...bPolicies.keys()] : [rule.policy];
    for (const name of names) {
      const b = bPolicies.get(name);
      const c = cPolicies.get(name);
      if (!b) throw inputError(input.rulesFile, `${where}.policy`, `the baseline ${input.baselineFile} has no policy ${JSON.stringify(name)} (it has ${[...bPolicies.keys()].join(', ')})`, 'name a policy of the scenario, or policy: all');
      if (!c) throw inputError(input.currentFile, 'policies', `has no policy ${JSON.stringify(name)}, which the baseline has`, 'run the same policies as the baseline, or update the baseline on purpose with routesim run --update-baseline FILE');
      verdicts.push(evaluateOne(rule, name, seedFigures(b), seedFigures(c)));
    }
  }
  return verdicts;
}

function meanOf(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length === 0 ? null : mean(xs);
}

function evaluateOne(rule: Rule, policy: string, base: readonly Figures[], cur: readonly Figures[]): Verdict {
  const bVals = base.map((f) => f.get(rule.metric) ?? null);
  const cVals = cur.map((f) => f.get(rule.metric) ?? null);
  const b = meanOf(bVals);
  const c = meanOf(cVals);
  const allowed = rule.allowance.kind === 'absolute' ? rule.allowance.amount : rule.allowance.fraction * Math.abs(b ?? 0);
  const sign = rule.direction === 'increase' ? 1 : -1;
  const common = { rule, policy, baseline: b, current: c, allowed };
  if (b === null || c === null) {
    const fail = b !== null && c === null;
    return {
      ...common,
      change: null,
      relativeChange: null,
      pairs: 0,
      changeCiLow: null,
      changeCiHigh: null,
      p: null,
      status: fail ? 'fail' : 'pass',
      note: fail ? 'no samples in the current run' : c === null ? 'no samples in either run' : 'no samples in the baseline',
    };
  }
  const change = c - b;
  const relativeChange = b === 0 ? null : change / Math.abs(b);
  const pairs: number[] = [];
  for (let k = 0; k < Math.min(bVals.length, cVals.length); k++) {
    const x = bVals[k];
    const y = cVals[k];
    if (x != null && y != null) pairs.push(y - x);
  }
  if (pairs.length >= 2) {
    const excess = pairs.map((d) => sign * d - allowed);
    const t = pairedTest(excess);
    const changeTest = pairedTest(pairs);
    const exceeds = t.meanDiff > 0;
    const significant = t.ciLow !== null && t.ciLow > 0;
    return {
      ...common,
      change,
      relativeChange,
      pairs: pairs.length,
      changeCiLow: changeTest.ciLow,
      changeCiHigh: changeTest.ciHigh,
      p: t.pGreater,
      status: significant ? 'fail' : exceeds ? 'not significant' : 'pass',
      note: significant
        ? `regression beyond the allowance is significant over ${pairs.length} seeds`
        : exceeds
          ? `beyond the allowance on average, but not significant over ${pairs.length} seeds`
          : 'within the allowance',
    };
  }
  // A hair of tolerance so a change exactly at the allowance is not failed by float rounding.
  const excess = sign * change - allowed - 1e-9 * Math.max(1, Math.abs(b));
  return {
    ...common,
    change,
    relativeChange,
    pairs: 1,
    changeCiLow: null,
    changeCiHigh: null,
    p: null,
    status: excess > 0 ? 'fail' : 'pass',
    note: excess > 0 ? 'regression beyond the allowance' : 'within the allowance',
  };
}
