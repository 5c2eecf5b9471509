/**
 * Override paths (issue 14): `pools.chat.replicas[0].count` → segments. A segment is a key (on a
 * mapping; on a list, a digit key is an index and any other key selects the element of that name),
 * or an `[i]` index. A few aliases name a field by a shorter path (`workload.rate`).
 */

/** One step of a path: a key (or, on a list, a name selector / digit index) or an `[i]` index. */
export type PathSegment = { readonly key: string } | { readonly index: number };

/** A path that cannot be parsed: the problem and its fix (the caller adds the source). */
export class PathProblem extends Error {
  constructor(readonly problem: string, readonly fix: string) {
    super(`${problem} (fix: ${fix})`);
    this.name = 'PathProblem';
  }
}

/** Short paths users write for a longer one (exact match, or a prefix followed by `.` / `[`). */
export const PATH_ALIASES: Readonly<Record<string, string>> = {
  rate: 'workload.arrival.rate',
  'workload.rate': 'workload.arrival.rate',
};

const EXAMPLE = 'pools.chat.replicas[0].count';

/** `text` with its alias (if any) expanded. */
export function expandAlias(text: string): string {
  for (const [alias, target] of Object.entries(PATH_ALIASES)) {
    if (text === alias) return target;
    if (text.startsWith(`${alias}.`) || text.startsWith(`${alias}[`)) return target + text.slice(alias.length);
  }
  return text;
}

/** Parses a path (aliases expanded); throws PathProblem for an empty path, empty key or bad index. */
export function parsePath(text: string): PathSegment[] {
  const full = expandAlias(text.trim());
  if (full === '') throw new PathProblem('the path is empty', `name a field, e.g. ${EXAMPLE}`);
  const segments: PathSegment[] = [];
  let i = 0;
  let expectKey = true; // at the start or after a '.'
  while (i < full.length) {
    const c = full[i]!;
    if (c === '[') {
      const end = full.indexOf(']', i);
      const inner = end < 0 ? '' : full.slice(i + 1, end);
      if (end < 0) throw new PathProblem(`"[" without "]" in path "${full}"`, `close the index, e.g. ${EXAMPLE}`);
      if (!/^\d+$/.test(inner)) throw new PathProblem(`"[${inner}]" in path "${full}" is not an index`, `write a number from 0, e.g. replicas[0], or select by name with .name`);
      if (expectKey && segments.length === 0) throw new PathProblem(`path "${full}" starts with an index`, `start with a key, e.g. ${EXAMPLE}`);
      if (expectKey && segments.length > 0) throw new PathProblem(`path "${full}" has "." before "["`, `write replicas[0], not replicas.[0]`);
      segments.push({ index: Number(inner) });
      i = end + 1;
      expectKey = false;
      continue;
    }
    if (c === '.') {
      if (expectKey) throw new PathProblem(`path "${full}" has an empty key`, `separate keys by one dot, e.g. ${EXAMPLE}`);
      expectKey = true;
      i++;
      continue;
    }
    if (c === ']') throw new PathProblem(`"]" without "[" in path "${full}"`, `write an index as [0], e.g. ${EXAMPLE}`);
    if (!expectKey) throw new PathProblem(`path "${full}" needs a "." after "]"`, `write replicas[0].count`);
    let end = i;
    while (end < full.length && full[end] !== '.' && full[end] !== '[' && full[end] !== ']') end++;
    segments.push({ key: full.slice(i, end) });
    i = end;
    expectKey = false;
  }
  if (expectKey) throw new PathProblem(`path "${full}" ends with "."`, `remove the trailing dot, e.g. ${EXAMPLE}`);
  return segments;
}

/** Segments as text: keys joined by `.`, indexes as `[i]` (the form of schema error paths). */
export function formatSegments(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out += 'index' in s ? `[${s.index}]` : out ? `.${s.key}` : s.key;
  return out;
}

/** Whether `path` (a formatted path) is `base` or lies below it. */
export function isAtOrBelow(path: string, base: string): boolean {
  if (base === '') return true;
  return path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);
}
