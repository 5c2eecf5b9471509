/**
 * The scenario's `routes:` key (sim/scenario/routesSchema.ts; gateway.md §1.1–1.4, §1.6): what it
 * accepts, what it flattens to, and the one-line message for each mistake — schema issues through
 * describeIssue as the loader reports them, later checks as a RouteProblem.
 */
import { describe, expect, it } from 'vitest';
import { routesResolver } from './routesFixtures.js';
import { parse as parseYaml } from 'yaml';
import { resolveRoutes, RouteProblem, RoutesSchema } from '../sim/scenario/routesSchema.js';
import { RouteTable } from '../sim/routes/index.js';
import { UserError } from '../sim/core/errors.js';

const POOLS = ['chat', 'batch'];

const { resolve, messageOf } = routesResolver(POOLS);

/** One route with one rule to pool chat, the rule extended by `more`. */
const oneRule = (more: Record<string, unknown> = {}) => [{ rules: [{ backendRefs: [{ name: 'chat' }], ...more }] }];
const oneMatch = (match: Record<string, unknown>) => oneRule({ matches: [match] });
const oneRef = (ref: Record<string, unknown>) => [{ rules: [{ backendRefs: [{ name: 'chat', ...ref }] }] }];

describe('routes: accepted', () => {
  it('flattens the documented example, with defaults and durations in ms', () => {
    const yaml = `
- name: chat
  rules:
  - name: canary
    matches:
    - path: {type: PathPrefix, value: /v1}
      headers: [{name: X-Tenant, value: gold}]
      model: llama-3.1-8b
    - path: {type: Exact, value: /v1/models}
    backendRefs:
    - {name: chat, weight: 90}
    - {name: batch, weight: 10, kind: InferencePool, group: inference.networking.k8s.io, port: 8000}
    timeouts: {request: 300s, backendRequest: 1m30s}
  - backendRefs: [{name: batch}]
- rules:
  - matches: [{}]
    backendRefs: [{name: chat}]
    timeouts: {request: 0s}
`;
    expect(resolve(parseYaml(yaml))).toEqual([
      {
        name: 'chat/canary',
        routeIndex: 0,
        ruleIndex: 0,
        matches: [
          {
            path: { type: 'PathPrefix', value: '/v1' },
            // names lower-cased; model: is the base-model header, after the explicit ones
            headers: [
              { name: 'x-tenant', value: 'gold' },
              { name: 'x-gateway-base-model-name', value: 'llama-3.1-8b' },
            ],
          },
          { path: { type: 'Exact', value: '/v1/models' }, headers: [] },
        ],
        // port is ignored for InferencePools (§1.4)
        backendRefs: [
          { pool: 'chat', weight: 90 },
          { pool: 'batch', weight: 10 },
        ],
        timeouts: { request_ms: 300_000, backend_request_ms: 90_000 }, // 300 s; 60 s + 30 s
      },
      { name: 'chat', routeIndex: 0, ruleIndex: 1, matches: [], backendRefs: [{ pool: 'batch', weight: 1 }], timeouts: null },
      // unnamed route: route-<i>; `{}` as a match has no path condition; 0s = disabled = 0
      { name: 'route-1', routeIndex: 1, ruleIndex: 0, matches: [{ path: null, headers: [] }], backendRefs: [{ pool: 'chat', weight: 1 }], timeouts: { request_ms: 0, backend_request_ms: null } },
    ]);
  });

  it('a path without type is PathPrefix; a path without value is "/"', () => {
    expect(resolve(oneMatch({ path: { value: '/x' } }))[0]!.matches[0]!.path).toEqual({ type: 'PathPrefix', value: '/x' });
    expect(resolve(oneMatch({ path: {} }))[0]!.matches[0]!.path).toEqual({ type: 'PathPrefix', value: '/' });
  });

  it('a header name listed twice keeps only its first value', () => {
    const headers = [
      { name: 'x-a', value: '1' },
      { name: 'X-A', value: '2', type: 'Exact' },
    ];
    expect(resolve(oneMatch({ headers }))[0]!.matches[0]!.headers).toEqual([{ name: 'x-a', value: '1' }]);
  });

  it('a rule whose refs all weigh 0 is kept (its requests get 500)', () => {
    expect(resolve(oneRef({ weight: 0 }))[0]!.backendRefs).toEqual([{ pool: 'chat', weight: 0 }]);
  });

  it('backendRequest may equal request, and is unconstrained when request is 0s (disabled)', () => {
    expect(resolve(oneRule({ timeouts: { request: '10s', backendRequest: '10000ms' } }))[0]!.timeouts).toEqual({ request_ms: 10_000, backend_request_ms: 10_000 });
    expect(resolve(oneRule({ timeouts: { request: '0s', backendRequest: '1h' } }))[0]!.timeouts).toEqual({ request_ms: 0, backend_request_ms: 3_600_000 });
  });

  it('the limits themselves are allowed: 16 rules, 64 matches in a rule, 128 in a route, 16 headers, 16 refs', () => {
    const rule = (matches: number) => ({ matches: Array.from({ length: matches }, () => ({})), backendRefs: [{ name: 'chat' }] });
    expect(resolve([{ rules: Array.from({ length: 16 }, () => rule(1)) }])).toHaveLength(16);
    expect(resolve([{ rules: [rule(64), rule(64)] }])).toHaveLength(2); // 64 + 64 = 128
    const headers = Array.from({ length: 16 }, (_, i) => ({ name: `x-${i}`, value: 'v' }));
    expect(resolve(oneMatch({ headers }))[0]!.matches[0]!.headers).toHaveLength(16);
    expect(resolve([{ rules: [{ backendRefs: Array.from({ length: 16 }, () => ({ name: 'chat' })) }] }])[0]!.backendRefs).toHaveLength(16);
  });

  it('no routes, or an empty list, resolve to no rules', () => {
    expect(resolveRoutes(undefined, POOLS)).toEqual([]);
    expect(resolve([])).toEqual([]);
  });

  it('the resolved rules drive a RouteTable', () => {
    const rules = resolve(
      parseYaml(`
- name: models
  rules:
  - matches: [{model: llama-3.1-8b}]
    backendRefs: [{name: chat}]
  - matches: [{model: qwen3-32b}]
    backendRefs: [{name: batch}]
`),
    );
    const table = new RouteTable(rules);
    expect(table.match('/v1/completions', { 'x-gateway-base-model-name': 'qwen3-32b' })?.backendRefs[0]!.pool).toBe('batch');
    expect(table.match('/v1/completions', { 'x-gateway-base-model-name': '' })).toBeNull();
  });
});

describe('routes: rejected, with the message', () => {
  it('a backendRef naming an unknown pool', () => {
    expect(messageOf([{ rules: [{ backendRefs: [{ name: 'chat' }] }, { backendRefs: [{ name: 'chat2' }] }] }])).toBe(
      'routes[0].rules[1].backendRefs[0].name: unknown pool "chat2" (fix: did you mean "chat"? use one of chat, batch)',
    );
    expect(messageOf(oneRef({ name: 'gpu' }))).toBe('routes[0].rules[0].backendRefs[0].name: unknown pool "gpu" (fix: use one of chat, batch)');
    expect(messageOf(oneRef({}), [])).toBe('routes[0].rules[0].backendRefs[0].name: unknown pool "chat" (fix: declare the pool under pools:)');
  });

  it('is a RouteProblem (a UserError) carrying path, problem and fix apart', () => {
    const parsed = RoutesSchema.parse(oneRef({ name: 'gpu' }));
    let caught: unknown;
    try {
      resolveRoutes(parsed, POOLS);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RouteProblem);
    expect(caught).toBeInstanceOf(UserError);
    expect({ ...(caught as RouteProblem) }).toMatchObject({
      path: 'routes[0].rules[0].backendRefs[0].name',
      problem: 'unknown pool "gpu"',
      fix: 'use one of chat, batch',
    });
  });

  it('RegularExpression matches are not supported; unknown types are named', () => {
    expect(messageOf(oneMatch({ headers: [{ name: 'x', value: 'y', type: 'RegularExpression' }] }))).toBe(
      'routes[0].rules[0].matches[0].headers[0].type: header type "RegularExpression" is not supported: routesim matches Exact only (fix: use Exact)',
    );
    expect(messageOf(oneMatch({ path: { type: 'RegularExpression', value: '/x' } }))).toBe(
      'routes[0].rules[0].matches[0].path.type: path type "RegularExpression" is not supported: routesim matches Exact and PathPrefix only (fix: use one of Exact, PathPrefix)',
    );
    expect(messageOf(oneMatch({ path: { type: 'prefix', value: '/x' } }))).toBe(
      'routes[0].rules[0].matches[0].path.type: unknown path type "prefix" (fix: use one of Exact, PathPrefix)',
    );
  });

  it('path values start with "/" and contain no "//"', () => {
    expect(messageOf(oneMatch({ path: { value: 'v1' } }))).toBe('routes[0].rules[0].matches[0].path.value: path value "v1" must start with "/" (fix: write "/v1")');
    expect(messageOf(oneMatch({ path: { value: '/a//b' } }))).toBe('routes[0].rules[0].matches[0].path.value: path value "/a//b" contains "//" (fix: write "/a/b")');
  });

  it('headers need a valid name and a value', () => {
    expect(messageOf(oneMatch({ headers: [{ name: 'x tenant', value: 'y' }] }))).toBe(
      "routes[0].rules[0].matches[0].headers[0].name: invalid header name \"x tenant\" (fix: use letters, digits and !#$%&'*+-.^_`|~ only, e.g. x-tenant)",
    );
    expect(messageOf(oneMatch({ headers: [{ name: 'x' }] }))).toBe('routes[0].rules[0].matches[0].headers[0].value: missing required key "value" (fix: add value: <a string>)');
  });

  it('model: and an explicit base-model header in one match', () => {
    expect(messageOf(oneMatch({ headers: [{ name: 'X-Gateway-Base-Model-Name', value: 'a' }], model: 'b' }))).toBe(
      'routes[0].rules[0].matches[0].model: model and a header x-gateway-base-model-name both given (fix: keep one of them; model: b is shorthand for that header)',
    );
  });

  it('backendRefs: only InferencePools, weights whole 0…1e6', () => {
    expect(messageOf(oneRef({ kind: 'Service' }))).toBe(
      'routes[0].rules[0].backendRefs[0].kind: backendRef kind "Service" is not supported: routesim routes only to InferencePools (fix: use kind: InferencePool, or omit kind)',
    );
    expect(messageOf(oneRef({ group: 'x' }))).toBe(
      'routes[0].rules[0].backendRefs[0].group: unknown group "x" for an InferencePool (fix: use inference.networking.k8s.io, or omit group)',
    );
    expect(messageOf(oneRef({ weight: 1.5 }))).toBe(
      'routes[0].rules[0].backendRefs[0].weight: must be a whole number between 0 and 1e6, got 1.5 (fix: use a whole number between 0 and 1e6, e.g. 2)',
    );
    expect(messageOf(oneRef({ weight: 1_000_001 }))).toBe(
      'routes[0].rules[0].backendRefs[0].weight: must be a whole number between 0 and 1e6, got 1000001 (fix: use a whole number between 0 and 1e6, e.g. 1e6)',
    );
    expect(messageOf(oneRef({ weight: -1 }))).toMatch(/^routes\[0\]\.rules\[0\]\.backendRefs\[0\]\.weight: must be a whole number between 0 and 1e6, got -1 /);
    expect(messageOf(oneRef({ port: 0 }))).toMatch(/^routes\[0\]\.rules\[0\]\.backendRefs\[0\]\.port: must be a whole number between 1 and 65535, got 0 /);
  });

  it('durations follow GEP-2257; backendRequest ≤ request', () => {
    expect(messageOf(oneRule({ timeouts: { request: '1.5s' } }))).toBe(
      'routes[0].rules[0].timeouts.request: invalid duration "1.5s" (fix: write 1–4 groups of up to 5 digits, each followed by h, m, s or ms, e.g. 300s, 1m30s, 500ms; 0s disables)',
    );
    expect(messageOf(oneRule({ timeouts: { backendRequest: 300 } }))).toBe(
      'routes[0].rules[0].timeouts.backendRequest: duration 300 has no unit (fix: write "300s" for seconds; units are h, m, s and ms)',
    );
    expect(messageOf(oneRule({ timeouts: { request: '10s', backendRequest: '20s' } }))).toBe(
      'routes[0].rules[0].timeouts.backendRequest: backendRequest 20s is longer than request 10s, which bounds all attempts together (fix: make backendRequest ≤ 10s, or set request: 0s to disable the overall timeout)',
    );
    // 10001 ms > 10 s by one millisecond
    expect(messageOf(oneRule({ timeouts: { request: '10s', backendRequest: '10001ms' } }))).toMatch(/backendRequest 10001ms is longer than request 10s/);
  });

  it('limits of §1.1, one past each', () => {
    const rule = (matches: number) => ({ matches: Array.from({ length: matches }, () => ({})), backendRefs: [{ name: 'chat' }] });
    expect(messageOf([{ rules: Array.from({ length: 17 }, () => rule(0)) }])).toBe('routes[0].rules: has more than 16 rules (fix: split the route into several routes)');
    expect(messageOf([{ rules: [rule(65)] }])).toBe('routes[0].rules[0].matches: has more than 64 matches (fix: split the rule into several rules)');
    // 43 + 43 + 43 = 129 > 128, each rule within its own 64
    expect(messageOf([{ rules: [rule(43), rule(43), rule(43)] }])).toBe(
      'routes[0].rules: has 129 matches in total, more than the 128 one route may hold (fix: split the rules over several routes)',
    );
    const headers = Array.from({ length: 17 }, (_, i) => ({ name: `x-${i}`, value: 'v' }));
    expect(messageOf(oneMatch({ headers }))).toBe('routes[0].rules[0].matches[0].headers: has more than 16 headers (fix: split the conditions over several routes)');
    expect(messageOf([{ rules: [{ backendRefs: Array.from({ length: 17 }, () => ({ name: 'chat' })) }] }])).toBe(
      'routes[0].rules[0].backendRefs: has more than 16 backendRefs (fix: merge refs to the same pool; their weights add)',
    );
    expect(messageOf([{ rules: [{ backendRefs: [] }] }])).toBe('routes[0].rules[0].backendRefs: needs at least 1 entry (fix: add entries to backendRefs)');
    expect(messageOf([{ rules: [] }])).toBe('routes[0].rules: needs at least 1 entry (fix: add entries to rules)');
  });

  it('unknown keys list the allowed ones, with a guess for a typo', () => {
    expect(messageOf(oneRule({ filters: [] }))).toBe('routes[0].rules[0].filters: unknown key "filters" (fix: remove it; allowed keys here are name, matches, backendRefs, timeouts, retry, rate_limits, fallback)');
    expect(messageOf([{ rules: [{ backendRef: [{ name: 'chat' }] }] }])).toBe(
      'routes[0].rules[0].backendRef: unknown key "backendRef" (fix: did you mean "backendRefs"? allowed keys here are name, matches, backendRefs, timeouts, retry, rate_limits, fallback)',
    );
  });

  it('names: no "/" or spaces; unique routes, unique rules within a route', () => {
    expect(messageOf([{ name: 'a/b', rules: oneRule()[0]!.rules }])).toBe('routes[0].name: invalid name "a/b": no spaces or "/" allowed (fix: write e.g. "a-b")');
    const r = oneRule()[0]!.rules;
    expect(messageOf([{ name: 'a', rules: r }, { name: 'a', rules: r }])).toBe('routes[1].name: duplicate route name "a" (also routes[0]) (fix: give each route its own name)');
    expect(messageOf([{ name: 'route-1', rules: r }, { rules: r }])).toBe('routes[1]: the default name "route-1" of this route is taken by routes[0] (fix: give this route a name)');
    const named = { name: 'x', backendRefs: [{ name: 'chat' }] };
    expect(messageOf([{ rules: [named, named] }])).toBe('routes[0].rules[1].name: duplicate rule name "x" (also routes[0].rules[0]) (fix: give each rule of a route its own name)');
    // The same rule name in two routes is fine.
    expect(resolve([{ name: 'a', rules: [named] }, { name: 'b', rules: [named] }]).map((x) => x.name)).toEqual(['a/x', 'b/x']);
  });

  it('not a list', () => {
    expect(messageOf('chat')).toBe('routes: expected a list, got the string "chat" (fix: give a list)');
  });
});
