/**
 * HTTPRoute matching (gateway.md §1.2–1.3 in ../shared/reference/gateway.md): every (rule, match)
 * pair of every route, precomputed once and sorted by the Gateway API precedence, so matching a
 * request is a scan that stops at the first entry whose conditions hold.
 *
 * Precedence (§1.3), highest first:
 *   1. an `Exact` path beats any prefix;
 *   2. a longer `PathPrefix` value (characters as written; no path condition counts as `/`, 1);
 *   3. (method: not modelled)  4. more header matches  5. (query params: not modelled);
 *   6. the older route (lower routeIndex)  7. (namespace/name: n/a);
 *   8. the first rule in list order (ruleIndex), then the match's position in its rule.
 *
 * Path semantics (§1.2): `Exact` is case-sensitive equality; `PathPrefix` matches by
 * `/`-separated elements with the value's trailing `/` ignored (`/abc` and `/abc/` both match
 * `/abc`, `/abc/`, `/abc/def`, never `/abcd`). Header names are case-insensitive (request header
 * names arrive lower-cased), values Exact and case-sensitive; a name listed twice in one match
 * only counts once, with its first value. Nothing matches ⇒ null (the gateway's 404).
 */
import type { RouteMatch, RouteRule } from '../scenario/types.js';

/** One (rule, match) pair, ready to test against a request. */
interface Entry {
  readonly rule: RouteRule;
  readonly exact: boolean;
  /** Exact: the path; PathPrefix: the value without trailing '/' ('' for '/', which matches all). */
  readonly path: string;
  /** Precedence key 2: characters of the PathPrefix value as written (0 for Exact). */
  readonly prefixLength: number;
  /** Lower-cased, first occurrence of each name only; parallel to headerValues. */
  readonly headerNames: readonly string[];
  readonly headerValues: readonly string[];
  readonly matchIndex: number;
}

const SLASH = 47;

/** Header conditions as the table tests them: names lower-cased, a repeated name dropped. */
function headerConditions(match: RouteMatch): { names: string[]; values: string[] } {
  const names: string[] = [];
  const values: string[] = [];
  for (const h of match.headers) {
    const name = h.name.toLowerCase();
    if (names.includes(name)) continue;
    names.push(name);
    values.push(h.value);
  }
  return { names, values };
}

function entryOf(rule: RouteRule, match: RouteMatch | null, matchIndex: number): Entry {
  const path = match?.path ?? { type: 'PathPrefix' as const, value: '/' };
  const { names, values } = match ? headerConditions(match) : { names: [], values: [] };
  const exact = path.type === 'Exact';
  let value = path.value;
  if (!exact) while (value.endsWith('/')) value = value.slice(0, -1);
  return {
    rule,
    exact,
    path: value,
    prefixLength: exact ? 0 : path.value.length,
    headerNames: names,
    headerValues: values,
    matchIndex,
  };
}

/** Negative when `a` takes precedence over `b` (§1.3 keys 1, 2, 4, 6, 8, then match order). */
function byPrecedence(a: Entry, b: Entry): number {
  return (
    Number(b.exact) - Number(a.exact) ||
    b.prefixLength - a.prefixLength ||
    b.headerNames.length - a.headerNames.length ||
    a.rule.routeIndex - b.rule.routeIndex ||
    a.rule.ruleIndex - b.rule.ruleIndex ||
    a.matchIndex - b.matchIndex
  );
}

/** Whether request path `p` is matched by PathPrefix value `v` (already stripped of trailing '/'). */
function prefixMatches(v: string, p: string): boolean {
  if (v.length === 0) return true;
  return p.startsWith(v) && (p.length === v.length || p.charCodeAt(v.length) === SLASH);
}

/** The routes of a scenario, sorted for matching. Immutable; build once per configuration. */
export class RouteTable {
  private readonly entries: readonly Entry[];

  constructor(rules: readonly RouteRule[]) {
    const entries: Entry[] = [];
    for (const rule of rules) {
      if (rule.matches.length === 0) entries.push(entryOf(rule, null, 0));
      else rule.matches.forEach((m, i) => entries.push(entryOf(rule, m, i)));
    }
    // Array.prototype.sort is stable and the key is total up to identical rules: deterministic.
    this.entries = entries.sort(byPrecedence);
  }

  /** Number of (rule, match) entries (a rule without matches counts once). */
  get size(): number {
    return this.entries.length;
  }

  /**
   * The rule of the highest-precedence entry matching `path` (no query string) and `headers`
   * (names lower-cased), or null when none does (404). Allocates nothing.
   */
  match(path: string, headers: Readonly<Record<string, string>>): RouteRule | null {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.exact ? path !== e.path : !prefixMatches(e.path, path)) continue;
      const names = e.headerNames;
      let ok = true;
      for (let h = 0; h < names.length; h++) {
        // Condition values are strings, so an inherited property (a function, an object) never equals one.
        if (headers[names[h]!] !== e.headerValues[h]) {
          ok = false;
          break;
        }
      }
      if (ok) return e.rule;
    }
    return null;
  }
}
