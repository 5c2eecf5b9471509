/**
 * `--decisions-sample` (run and serve picker): the share of decisions written, in (0, 1], 1 when
 * absent, only valid with --decisions. Each command keeps its own wording and accepted syntax.
 */
import { UserError } from '../sim/core/errors.js';

export interface DecisionsSampleWording {
  /** The fix named when --decisions-sample comes without --decisions. */
  readonly missingFix: string;
  /** The error for a value that is not a share in (0, 1]. */
  readonly bad: (v: string) => UserError;
  /** When given, the trimmed value must match it as well. */
  readonly syntax?: RegExp;
}

export function decisionsSampleShare(v: string | undefined, hasDecisions: boolean, w: DecisionsSampleWording): number {
  if (v === undefined) return 1;
  if (!hasDecisions) throw new UserError(`--decisions-sample: only meaningful with --decisions (fix: ${w.missingFix})`);
  const t = v.trim();
  const x = t === '' || (w.syntax !== undefined && !w.syntax.test(t)) ? NaN : Number(t);
  if (!(Number.isFinite(x) && x > 0 && x <= 1)) throw w.bad(v);
  return x;
}
