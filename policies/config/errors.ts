/**
 * A mistake in an EndpointPickerConfig (or a pick case): where (a dotted path such as
 * `schedulingProfiles[0].plugins[1].weight`), what is wrong, and how to fix it. The CLI and the
 * simulated gateway turn it into one line that also names the file.
 */
import { closestWord, formatPath } from '../util/text.js';

export class ConfigError extends Error {
  constructor(
    /** Dotted path of the offending field ('' = the document). */
    readonly path: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${path ? `${path}: ` : ''}${problem}${fix ? ` (fix: ${fix})` : ''}`);
    this.name = 'ConfigError';
  }

  /** The same error one level deeper (`prefix` + this path). */
  under(prefix: string): ConfigError {
    return new ConfigError(joinPath(prefix, this.path), this.problem, this.fix);
  }
}

/** Joins path segments: `a` + `b` → `a.b`, `a` + `[0]` → `a[0]`. */
export function joinPath(prefix: string, rest: string): string {
  if (!prefix) return rest;
  if (!rest) return prefix;
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`;
}

export { formatPath };

/** The closest of `candidates` to `word` by edit distance, if close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  return closestWord(word, candidates, 3);
}
