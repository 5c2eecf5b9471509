/**
 * A mistake in an EndpointPickerConfig (or a pick case): where (a dotted path such as
 * `schedulingProfiles[0].plugins[1].weight`), what is wrong, and how to fix it. The CLI and the
 * simulated gateway turn it into one line that also names the file.
 */
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

/** Formats a zod-style path (keys and indices) as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** The closest of `candidates` to `word` by edit distance, if close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
