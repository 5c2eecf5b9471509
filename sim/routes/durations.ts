/**
 * Gateway API durations (GEP-2257), as written in HTTPRoute `timeouts` (gateway.md §1.1, §1.6 in
 * ../shared/reference/gateway.md): 1–4 groups, each 1–5 decimal digits followed by a unit `h`,
 * `m`, `s` or `ms`, i.e. `^([0-9]{1,5}(h|m|s|ms)){1,4}$`. The groups add up (`1m30s` = 90 s; like
 * Go's time.ParseDuration, which the GEP builds on, order and repeats are not restricted). `0s`
 * means "disabled" to the route; this module only returns 0 for it.
 */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

/** Most groups and digits per group the GEP allows. */
const MAX_GROUPS = 4;
const MAX_DIGITS = 5;

/**
 * Milliseconds of a GEP-2257 duration (`"1m30s"` → 90000, `"500ms"` → 500, `"0s"` → 0), or null
 * when `s` is not one (empty, a bare number, a fraction, a sign, spaces, `us`, `d`, > 4 groups,
 * > 5 digits in a group).
 */
export function parseGatewayDuration(s: string): number | null {
  let i = 0;
  let groups = 0;
  let total = 0;
  while (i < s.length) {
    if (++groups > MAX_GROUPS) return null;
    const start = i;
    let n = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > MAX_DIGITS) return null;
    // `ms` before `m`: after a bare `m` the next group must start with a digit, so a following `s`
    // can only belong to `ms` — the greedy choice is the only one the pattern admits.
    let unit: keyof typeof UNIT_MS;
    if (s.startsWith('ms', i)) unit = 'ms';
    else if (s[i] === 'h' || s[i] === 'm' || s[i] === 's') unit = s[i] as 'h' | 'm' | 's';
    else return null;
    i += unit.length;
    total += n * UNIT_MS[unit];
  }
  return groups === 0 ? null : total;
}
