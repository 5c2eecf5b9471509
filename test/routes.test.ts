/**
 * HTTPRoute matching, weighted backendRefs, GEP-2257 durations and body-based-routing headers
 * (sim/routes; gateway.md §1.1–1.4, §1.6, §2.5).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../sim/core/rng.js';
import {
  BASE_MODEL_HEADER,
  bbrHeaders,
  MODEL_NAME_HEADER,
  parseGatewayDuration,
  pickBackend,
  RouteTable,
  rulesWithoutBackend,
  WeightedBackends,
} from '../sim/routes/index.js';
import type { BackendRef, RouteMatch, RouteRule } from '../sim/scenario/types.js';

type Path = RouteMatch['path'];
const prefix = (value: string): Path => ({ type: 'PathPrefix', value });
const exact = (value: string): Path => ({ type: 'Exact', value });
const m = (path: Path, headers: Record<string, string> | [string, string][] = {}): RouteMatch => ({
  path,
  headers: (Array.isArray(headers) ? headers : Object.entries(headers)).map(([name, value]) => ({ name, value })),
});
/** A rule named `name` routing to pool `name`. */
const rule = (name: string, routeIndex: number, ruleIndex: number, matches: RouteMatch[]): RouteRule => ({
  name,
  routeIndex,
  ruleIndex,
  matches,
  backendRefs: [{ pool: name, weight: 1 }],
  timeouts: null,
});
const winner = (rules: RouteRule[], path: string, headers: Record<string, string> = {}): string | null =>
  new RouteTable(rules).match(path, headers)?.name ?? null;

describe('parseGatewayDuration (GEP-2257)', () => {
  it('golden cases, in ms', () => {
    expect(parseGatewayDuration('0s')).toBe(0);
    expect(parseGatewayDuration('500ms')).toBe(500);
    expect(parseGatewayDuration('1m30s')).toBe(90_000); // 60 000 + 30 000
    expect(parseGatewayDuration('300s')).toBe(300_000);
    expect(parseGatewayDuration('1h')).toBe(3_600_000);
    expect(parseGatewayDuration('1h30m10s500ms')).toBe(5_410_500); // 3 600 000 + 1 800 000 + 10 000 + 500
    expect(parseGatewayDuration('99999h')).toBe(359_996_400_000); // 99 999 × 3 600 000: 5 digits, the most
    expect(parseGatewayDuration('10ms5s')).toBe(5_010); // groups add in any order, as in Go
    expect(parseGatewayDuration('00010s')).toBe(10_000); // leading zeros count as digits
  });

  it('rejects what the pattern ^([0-9]{1,5}(h|m|s|ms)){1,4}$ rejects', () => {
    for (const bad of ['', '1', '1.5s', '-1s', '+1s', ' 1s', '1s ', '100000s', '1h1m1s1ms1h', '1us', '1d', 's', 'ms', '1S', '1m30', '1 s', '1sm'])
      expect(parseGatewayDuration(bad), bad).toBeNull();
  });

  it('is null exactly when the GEP pattern does not match; otherwise the sum of its groups', () => {
    const re = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
    const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
    // Near-miss group lists (0–6 digits, units incl. none and 'us', 0–5 groups) and free text.
    const group = fc.tuple(fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 6 }), fc.constantFrom('h', 'm', 's', 'ms', '', 'us', 'S'));
    const text = fc.oneof(
      fc.array(group, { maxLength: 5 }).map((gs) => gs.map(([d, u]) => d + u).join('')),
      fc.string({ unit: fc.constantFrom(...'0123456789hms.- '), maxLength: 14 }),
    );
    let valid = 0;
    fc.assert(
      fc.property(text, (s) => {
        const got = parseGatewayDuration(s);
        if (!re.test(s)) return got === null;
        valid++;
        let sum = 0;
        for (const g of s.matchAll(/([0-9]+)(ms|h|m|s)/g)) sum += Number(g[1]) * unit[g[2]!]!;
        return got === sum;
      }),
      { numRuns: 3000 },
    );
    expect(valid).toBeGreaterThan(100); // the accepting side is exercised too (≈ 7 % of cases, ≈ 220 of 3000)
  });
});

describe('RouteTable precedence (§1.3)', () => {
  it('an Exact path beats any prefix, even from a later route', () => {
    const rules = [rule('prefix', 0, 0, [m(prefix('/v1'))]), rule('exact', 1, 0, [m(exact('/v1/completions'))])];
    expect(winner(rules, '/v1/completions')).toBe('exact');
    expect(winner(rules, '/v1/chat')).toBe('prefix');
  });

  it('a longer PathPrefix wins, whatever the route order', () => {
    const rules = [rule('short', 0, 0, [m(prefix('/v1'))]), rule('long', 1, 0, [m(prefix('/v1/chat'))])];
    expect(winner(rules, '/v1/chat/completions')).toBe('long');
    expect(winner(rules, '/v1/completions')).toBe('short');
  });

  it('more header matches win among equal paths; path length comes first', () => {
    const rules = [
      rule('one', 0, 0, [m(prefix('/'), { 'x-tenant': 'gold' })]),
      rule('two', 1, 0, [m(prefix('/'), { 'x-tenant': 'gold', 'x-tier': 'premium' })]),
      rule('path', 2, 0, [m(prefix('/v2'))]),
    ];
    expect(winner(rules, '/v1', { 'x-tenant': 'gold', 'x-tier': 'premium' })).toBe('two');
    expect(winner(rules, '/v1', { 'x-tenant': 'gold' })).toBe('one');
    // '/v2' (3 characters) beats '/' (1) although it has no header condition.
    expect(winner(rules, '/v2/x', { 'x-tenant': 'gold', 'x-tier': 'premium' })).toBe('path');
  });

  it('on equal keys the older route wins, then the first rule of a route, regardless of input order', () => {
    const same = () => [m(prefix('/v1'), { 'x-a': '1' })];
    const rules = [rule('r1', 1, 0, same()), rule('r0-rule1', 0, 1, same()), rule('r0-rule0', 0, 0, same())];
    expect(winner(rules, '/v1', { 'x-a': '1' })).toBe('r0-rule0');
    expect(winner(rules.filter((r) => r.name !== 'r0-rule0'), '/v1', { 'x-a': '1' })).toBe('r0-rule1');
    expect(winner(rules.filter((r) => r.routeIndex === 1), '/v1', { 'x-a': '1' })).toBe('r1');
  });

  it('no path condition counts as PathPrefix "/" (1 character); no match at all is the implicit "/"', () => {
    // Header-only match vs '/' without headers: same path key, one header more.
    const rules = [rule('slash', 0, 0, [m(prefix('/'))]), rule('headerOnly', 1, 0, [m(null, { 'x-a': '1' })])];
    expect(winner(rules, '/anything', { 'x-a': '1' })).toBe('headerOnly');
    expect(winner(rules, '/anything')).toBe('slash');
    // A rule without matches is a catch-all, and loses to any longer prefix.
    const catchAll = [rule('all', 0, 0, []), rule('v1', 1, 0, [m(prefix('/v1'))])];
    expect(winner(catchAll, '/v1/x')).toBe('v1');
    expect(winner(catchAll, '/v2')).toBe('all');
  });

  it('a rule matches if any of its matches does (ORed); the best match decides its precedence', () => {
    const rules = [rule('a', 0, 0, [m(exact('/x')), m(prefix('/long/prefix'))]), rule('b', 1, 0, [m(prefix('/long'))])];
    expect(winner(rules, '/x')).toBe('a');
    expect(winner(rules, '/long/prefix/y')).toBe('a');
    expect(winner(rules, '/long/other')).toBe('b');
  });

  it('no match is null (404)', () => {
    expect(winner([], '/v1')).toBeNull();
    expect(winner([rule('e', 0, 0, [m(exact('/v1'))])], '/v1/')).toBeNull();
    expect(winner([rule('h', 0, 0, [m(prefix('/'), { 'x-a': '1' })])], '/v1')).toBeNull();
  });

  it('the result does not depend on the order rules are given in', () => {
    const paths = ['/', '/a', '/a/', '/a/b', '/ab', '/b'];
    const matchArb = fc.record({
      path: fc.option(fc.record({ type: fc.constantFrom('Exact' as const, 'PathPrefix' as const), value: fc.constantFrom(...paths) }), { nil: null }),
      headers: fc.array(fc.record({ name: fc.constantFrom('x-a', 'X-A', 'x-b'), value: fc.constantFrom('1', '2') }), { maxLength: 3 }),
    });
    const rulesArb = fc
      .array(fc.array(fc.array(matchArb, { maxLength: 3 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 })
      .map((routes) => routes.flatMap((rs, r) => rs.map((matches, j) => rule(`${r}/${j}`, r, j, matches))));
    fc.assert(
      fc.property(rulesArb, fc.constantFrom(...paths, '/a/b/c', '/abc'), fc.dictionary(fc.constantFrom('x-a', 'x-b'), fc.constantFrom('1', '2')), fc.nat(), (rules, path, headers, seed) => {
        const shuffled = [...rules];
        const rng = createRng(seed, 'shuffle');
        for (let i = shuffled.length - 1; i > 0; i--) {
          const k = Math.floor(rng() * (i + 1));
          [shuffled[i], shuffled[k]] = [shuffled[k]!, shuffled[i]!];
        }
        return winner(rules, path, headers) === winner(shuffled, path, headers);
      }),
      { numRuns: 500 },
    );
  });
});

describe('RouteTable path and header semantics (§1.2)', () => {
  it('PathPrefix matches by "/"-separated elements; a trailing "/" of the value is ignored', () => {
    for (const value of ['/abc', '/abc/']) {
      const rules = [rule('p', 0, 0, [m(prefix(value))])];
      for (const yes of ['/abc', '/abc/', '/abc/def']) expect(winner(rules, yes), `${value} vs ${yes}`).toBe('p');
      for (const no of ['/abcd', '/ab', '/ABC', '/', '/x/abc']) expect(winner(rules, no), `${value} vs ${no}`).toBeNull();
    }
  });

  it('Exact is case-sensitive equality', () => {
    const rules = [rule('e', 0, 0, [m(exact('/abc'))])];
    expect(winner(rules, '/abc')).toBe('e');
    for (const no of ['/abc/', '/Abc', '/abcd']) expect(winner(rules, no)).toBeNull();
  });

  it('header names are case-insensitive, values case-sensitive', () => {
    const rules = [rule('h', 0, 0, [m(prefix('/'), { 'X-Tenant': 'gold' })])];
    expect(winner(rules, '/', { 'x-tenant': 'gold' })).toBe('h');
    expect(winner(rules, '/', { 'x-tenant': 'Gold' })).toBeNull();
    expect(winner(rules, '/', {})).toBeNull();
  });

  it('a header name listed twice counts once, with its first value', () => {
    const dup = rule('dup', 1, 0, [m(prefix('/'), [['x-a', '1'], ['X-A', '2']])]);
    expect(winner([dup], '/', { 'x-a': '1' })).toBe('dup');
    expect(winner([dup], '/', { 'x-a': '2' })).toBeNull();
    // It counts as one header for precedence too: tied with an older one-header route, it loses.
    const older = rule('older', 0, 0, [m(prefix('/'), { 'x-a': '1' })]);
    expect(winner([dup, older], '/', { 'x-a': '1' })).toBe('older');
  });

  it('inherited object properties are not headers', () => {
    const rules = [rule('h', 0, 0, [m(prefix('/'), [['constructor', 'x'], ['__proto__', 'y']])])];
    expect(winner(rules, '/', {})).toBeNull();
  });
});

describe('weighted backendRefs (§1.4)', () => {
  const refs = (...w: number[]): BackendRef[] => w.map((weight, i) => ({ pool: `p${i}`, weight }));

  it('golden draws: the first ref whose cumulative weight exceeds u·Σw', () => {
    const b = new WeightedBackends(refs(70, 30, 0));
    expect(b.total).toBe(100);
    expect(b.pick(0)).toBe(0);
    expect(b.pick(0.6999)).toBe(0); // 69.99 < 70
    expect(b.pick(0.7)).toBe(1); // 70 is not < 70; 70 < 100
    expect(b.pick(1 - 2 ** -53)).toBe(1); // never the weight-0 ref 2, even at the top end
    expect(new WeightedBackends(refs(0, 1, 1)).pick(0)).toBe(1); // a leading weight 0 is skipped
    expect(new WeightedBackends(refs(1, 1)).pick(0.5)).toBe(1);
  });

  it('Σw = 0 (all weights 0, or no refs) draws -1: the gateway answers 500', () => {
    expect(new WeightedBackends(refs(0, 0)).pick(0.3)).toBe(-1);
    expect(pickBackend(refs(0, 0), 0.3)).toBe(-1);
    expect(pickBackend([], 0.3)).toBe(-1);
    const dead: RouteRule = { ...rule('dead', 0, 0, []), backendRefs: refs(0, 0) };
    expect(rulesWithoutBackend([rule('live', 0, 1, []), dead]).map((r) => r.name)).toEqual(['dead']);
  });

  it('rejects negative or non-finite weights', () => {
    expect(() => new WeightedBackends(refs(1, -1))).toThrow(RangeError);
    expect(() => pickBackend(refs(Number.NaN), 0.5)).toThrow(RangeError);
  });

  it('70/30/0 over 100k seeded draws: shares within ±0.01 absolute, ref 2 never', () => {
    // Tolerance: the binomial σ of a share at n = 100 000 is √(0.7·0.3/100 000) ≈ 0.00145, so
    // ±0.01 is ≈ 6.9σ — a correct sampler fails with probability < 1e-11; a sampler that ignored
    // weights (1/3 each) or dropped the last ref's exclusion would miss by > 0.03.
    const b = new WeightedBackends(refs(70, 30, 0));
    const rng = createRng(42, 'routes-test');
    const n = 100_000;
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) counts[b.pick(rng())]!++;
    expect(counts[2]).toBe(0);
    expect(Math.abs(counts[0]! / n - 0.7)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(counts[1]! / n - 0.3)).toBeLessThanOrEqual(0.01);
  });

  it('the drawn index always has weight > 0, and both entry points agree', () => {
    const weightsArb = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000_000 })), { minLength: 1, maxLength: 16 });
    const uArb = fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constant(1 - 2 ** -53), fc.constant(0));
    fc.assert(
      fc.property(weightsArb, uArb, (w, u) => {
        const rs = refs(...w);
        const i = new WeightedBackends(rs).pick(u);
        if (pickBackend(rs, u) !== i) return false;
        return w.every((x) => x === 0) ? i === -1 : i >= 0 && w[i]! > 0;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('body-based routing headers (§2.5)', () => {
  const bases = new Set(['llama-3.1-8b', 'qwen3-32b']);

  it('known base model: both headers carry it; an adapter goes into x-gateway-model-name only', () => {
    expect(bbrHeaders('llama-3.1-8b', null, bases)).toEqual({ [MODEL_NAME_HEADER]: 'llama-3.1-8b', [BASE_MODEL_HEADER]: 'llama-3.1-8b' });
    expect(bbrHeaders('llama-3.1-8b', 'sql-lora', bases)).toEqual({ [MODEL_NAME_HEADER]: 'sql-lora', [BASE_MODEL_HEADER]: 'llama-3.1-8b' });
  });

  it("unknown model: base header ''; no model: no headers", () => {
    expect(bbrHeaders('gpt-9', null, bases)).toEqual({ [MODEL_NAME_HEADER]: 'gpt-9', [BASE_MODEL_HEADER]: '' });
    expect(bbrHeaders(undefined, null, bases)).toEqual({});
  });

  it('per-model rules route by the base-model header; an unknown model reaches only a catch-all', () => {
    const byModel = (name: string, r: number) => rule(name, r, 0, [m(prefix('/'), { [BASE_MODEL_HEADER]: name })]);
    const rules = [byModel('llama-3.1-8b', 0), byModel('qwen3-32b', 1)];
    const headersOf = (model: string, adapter: string | null) => ({ ...bbrHeaders(model, adapter, bases) }) as Record<string, string>;
    expect(winner(rules, '/v1/completions', headersOf('qwen3-32b', null))).toBe('qwen3-32b');
    expect(winner(rules, '/v1/completions', headersOf('llama-3.1-8b', 'sql-lora'))).toBe('llama-3.1-8b');
    expect(winner(rules, '/v1/completions', headersOf('gpt-9', null))).toBeNull();
    expect(winner([...rules, rule('fallback', 2, 0, [])], '/v1/completions', headersOf('gpt-9', null))).toBe('fallback');
  });
});
