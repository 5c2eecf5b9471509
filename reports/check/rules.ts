/**
 * The CI gate's rules file:
 *
 * ```yaml
 * rules:
 *   - metric: ttft.p99          # a summary figure (alias or dot path, see figures.ts)
 *     policy: all               # a policy name, or all (default)
 *     max_increase: 5%          # relative to the baseline …
 *   - metric: e2e_ms.p99
 *     policy: least-requests
 *     max_increase: 250         # … or absolute, in the figure's unit (ms here)
 *   - metric: goodput
 *     max_decrease: 0           # "goodput may not fall"
 * ```
 *
 * `max_increase` guards figures where higher is worse (latencies), `max_decrease` figures where
 * lower is worse (throughput, goodput); a rule has exactly one of them. A rule whose direction
 * cannot catch a regression of its figure (max_increase on goodput, max_decrease on a latency;
 * catalogue in directions.ts) is an error.
 */
import { z } from 'zod';
import { inputError, readUserFile, UserError } from '../../sim/core/errors.js';
import { parseUserYaml } from '../../sim/core/userFiles.js';
import { closest, describeIssue, firstIssue } from '../../sim/scenario/schema.js';
import { figureUnit, resolveFigureAlias } from '../figures.js';
import { betterDirection, directionCatches } from './directions.js';

export type Allowance = { readonly kind: 'relative'; readonly fraction: number } | { readonly kind: 'absolute'; readonly amount: number };

export interface Rule {
  /** Position in the file (rules[i]). */
  readonly index: number;
  /** Figure path (aliases resolved). */
  readonly metric: string;
  /** The policy it applies to, or null for every policy of the baseline. */
  readonly policy: string | null;
  /** Which way is a regression. */
  readonly direction: 'increase' | 'decrease';
  readonly allowance: Allowance;
  /** Display name: the rule's `name`, or e.g. `ttft_ms.p99 may not rise more than 5 %`. */
  readonly name: string;
}

const RULE_KEYS = ['metric', 'policy', 'max_increase', 'max_decrease', 'name'] as const;

const AllowanceSchema = z.union([z.number().min(0), z.string()]);

const RuleSchema = z.strictObject({
  metric: z.string().min(1),
  policy: z.string().min(1).default('all'),
  max_increase: AllowanceSchema.optional(),
  max_decrease: AllowanceSchema.optional(),
  name: z.string().min(1).optional(),
});

const RulesFileSchema = z.strictObject({ rules: z.array(RuleSchema).min(1) });

const FIX_EXAMPLE = 'see the rules example in the README (rules: [{metric: ttft.p99, max_increase: 5%}])';

/** `5%` / `5 %` / `2.5%` → relative; a non-negative number → absolute. */
function parseAllowance(v: number | string, file: string, path: string): Allowance {
  if (typeof v === 'number') return { kind: 'absolute', amount: v };
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
  if (!m) throw inputError(file, path, `expected a number in the metric's unit or a percentage such as "5%", got ${JSON.stringify(v)}`, 'write e.g. 5% (relative to the baseline) or 20 (absolute)');
  return { kind: 'relative', fraction: Number(m[1]) / 100 };
}

/** Text of an allowance: `5 %` when relative, the bare amount (`20`, in the figure's unit) when absolute. */
export function allowanceText(a: Allowance): string {
  return a.kind === 'relative' ? `${Number((a.fraction * 100).toPrecision(6))} %` : String(a.amount);
}

function defaultName(metric: string, direction: Rule['direction'], a: Allowance): string {
  const verb = direction === 'increase' ? 'rise' : 'fall';
  const zero = a.kind === 'relative' ? a.fraction === 0 : a.amount === 0;
  const unit = a.kind === 'absolute' ? figureUnit(metric) : '';
  return zero ? `${metric} may not ${verb}` : `${metric} may not ${verb} more than ${allowanceText(a)}${unit ? ` ${unit}` : ''}`;
}

/** Parses rules YAML; `file` names the source in errors. */
export function parseRules(text: string, file: string): Rule[] {
  const data = parseUserYaml(text, file);
  const parsed = RulesFileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const issue = firstIssue(parsed.error.issues)!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const allowed = issue.path.length === 0 ? ['rules'] : [...RULE_KEYS];
      const guess = closest(key, allowed);
      const where = [...issue.path, key].map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
      throw inputError(file, where, `unknown key ${JSON.stringify(key)}`, `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}allowed keys here are ${allowed.join(', ')}`);
    }
    if (issue.path.length === 0) throw inputError(file, '', 'a rules file must be a mapping with a rules: list', FIX_EXAMPLE);
    const r = describeIssue(issue);
    throw inputError(file, r.path, r.problem, r.fix);
  }
  return parsed.data.rules.map((r, i): Rule => {
    const path = `rules[${i}]`;
    if ((r.max_increase === undefined) === (r.max_decrease === undefined)) {
      throw inputError(file, path, r.max_increase === undefined ? 'has neither max_increase nor max_decrease' : 'has both max_increase and max_decrease', 'give exactly one: max_increase for figures where higher is worse (latency), max_decrease where lower is worse (goodput)');
    }
    const direction = r.max_increase !== undefined ? 'increase' : 'decrease';
    const allowance = parseAllowance((r.max_increase ?? r.max_decrease)!, file, `${path}.max_${direction}`);
    const metric = resolveFigureAlias(r.metric);
    if (!directionCatches(metric, direction)) {
      const better = betterDirection(metric);
      const other = direction === 'increase' ? 'decrease' : 'increase';
      const raw = (r.max_increase ?? r.max_decrease)!;
      throw inputError(
        file,
        `${path}.max_${direction}`,
        `${metric} is better when ${better}, so a${direction === 'increase' ? ' rise' : ' fall'} is never a regression and this rule can never fail`,
        `write max_${other}: ${typeof raw === 'number' ? raw : raw.trim()} to guard against ${metric} ${better === 'higher' ? 'falling' : 'rising'}`,
      );
    }
    return { index: i, metric, policy: r.policy === 'all' ? null : r.policy, direction, allowance, name: r.name ?? defaultName(metric, direction, allowance) };
  });
}

/** Reads a rules file. */
export function loadRulesFile(path: string): Rule[] {
  const text = readUserFile(path, 'pass the rules YAML with --rules FILE');
  try {
    return parseRules(text, path);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw inputError(path, '', `cannot read rules (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, FIX_EXAMPLE);
  }
}
