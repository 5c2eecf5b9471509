/**
 * The scenario's `routes:` key — HTTPRoutes in Gateway API spelling (gateway.md §1.1–1.4, §1.6 in
 * ../shared/reference/gateway.md) — and its flattening into {@link RouteRule}s.
 *
 * {@link RoutesSchema} checks shape, types, ranges and the per-field formats and limits; its issues
 * go through describeIssue (schema.ts) like every other field, custom ones in the
 * `problem (fix: how)` form. {@link resolveRoutes} does what needs several fields or the pool
 * names (names unique, ≤ 128 matches per route, `backendRequest` ≤ `request`, `model:` vs an
 * explicit base-model header, pools exist) and throws a {@link RouteProblem} the loader turns
 * into `inputError(file, path, problem, fix)`.
 *
 * ```yaml
 * routes:
 * - name: chat                 # optional; default route-<i>
 *   rules:                     # 1–16
 *   - name: canary             # optional, unique within the route
 *     matches:                 # 0–64, ORed; none = implicit PathPrefix /
 *     - path: {type: PathPrefix, value: /v1}
 *       headers: [{name: x-tenant, value: gold}]   # ≤ 16, Exact, ANDed
 *       model: llama-3.1-8b    # = header x-gateway-base-model-name (body-based routing, §2.5)
 *     backendRefs:             # 1–16 InferencePools, weight 0…1e6 (default 1)
 *     - {name: chat, weight: 90}
 *     timeouts: {request: 300s, backendRequest: 10s}   # GEP-2257; 0s disables
 *     retry: {attempts: 2}     # and rate_limits:, fallback: (issue 11, see resilienceSchema.ts)
 * ```
 */
import { z } from 'zod';
import { strict, withFix } from './zodStrict.js';
import { closestWord, formatPath } from '../../policies/util/text.js';
import { UserError } from '../core/errors.js';
import { BASE_MODEL_HEADER } from '../routes/index.js';
import { parseGatewayDuration } from '../routes/durations.js';
import { bounded, type Range } from './bounds.js';
import { gatewayDuration, resolveRateLimit, resolveRetry, RULE_RESILIENCE_KEYS } from './resilienceSchema.js';
import type { BackendRef, RouteMatch, RouteRule } from './types.js';

// ---------------------------------------------------------------------------------------------
// Limits (gateway.md §1.1) and message helpers
// ---------------------------------------------------------------------------------------------

export const ROUTE_LIMITS = {
  /** Not a Gateway API limit: keeps the per-request scan of the route table short. */
  routes: 64,
  rulesPerRoute: 16,
  matchesPerRule: 64,
  matchesPerRoute: 128,
  headersPerMatch: 16,
  backendRefsPerRule: 16,
} as const;

const WEIGHT: Range = { min: 0, max: 1_000_000, unit: '', int: true };
const PORT: Range = { min: 1, max: 65_535, unit: '', int: true };
/** Gateway API: path values ≤ 1024 characters, header names ≤ 256, header values ≤ 4096. */
const MAX_PATH = 1024;
const MAX_HEADER_NAME = 256;
const MAX_HEADER_VALUE = 4096;
const MAX_NAME = 253;

export const INFERENCE_POOL_GROUP = 'inference.networking.k8s.io';

const quote = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));


/** A list with at most `max` entries, the limit named in the message. */
function upTo<T extends z.ZodType>(item: T, max: number, what: string, fix: string) {
  return z.array(item).max(max, { error: withFix(`has more than ${max} ${what}`, fix) });
}

/** An enum of match types; `RegularExpression` gets its own "not supported" message. */
function matchType<const V extends readonly [string, ...string[]]>(values: V, what: string) {
  return z.enum(values, {
    error: (iss) => {
      if (iss.code !== 'invalid_value') return undefined;
      const list = values.length === 1 ? values[0] : `${values.slice(0, -1).join(', ')} and ${values.at(-1)}`;
      const use = `use ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}`;
      if (iss.input === 'RegularExpression') {
        return withFix(`${what} type "RegularExpression" is not supported: routesim matches ${list} only`, use);
      }
      return withFix(`unknown ${what} type ${quote(iss.input)}`, use);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

const NameSchema = z
  .string()
  .min(1)
  .max(MAX_NAME)
  .refine((s) => !/[\s/]/.test(s), {
    error: (iss) => withFix(`invalid name ${quote(iss.input)}: no spaces or "/" allowed`, `write e.g. ${quote(String(iss.input).replace(/[\s/]+/g, '-'))}`),
  });

const PathValueSchema = z.string().superRefine((v, ctx) => {
  const fail = (problem: string, fix: string) => ctx.addIssue({ code: 'custom', message: withFix(problem, fix), input: v });
  if (!v.startsWith('/')) fail(`path value ${quote(v)} must start with "/"`, `write ${quote(`/${v}`)}`);
  else if (v.includes('//')) fail(`path value ${quote(v)} contains "//"`, `write ${quote(v.replace(/\/{2,}/g, '/'))}`);
  else if (v.length > MAX_PATH) fail(`path value is longer than ${MAX_PATH} characters`, 'shorten it');
});

const PathSchema = strict({
  type: matchType(['Exact', 'PathPrefix'], 'path').default('PathPrefix'),
  value: PathValueSchema.default('/'),
});

/** RFC 7230 token, as Gateway API's HTTPHeaderName. */
const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

const HeaderSchema = strict({
  name: z
    .string()
    .min(1)
    .max(MAX_HEADER_NAME)
    .refine((s) => HEADER_NAME_RE.test(s), {
      error: (iss) => withFix(`invalid header name ${quote(iss.input)}`, "use letters, digits and !#$%&'*+-.^_`|~ only, e.g. x-tenant"),
    }),
  value: z.string().min(1).max(MAX_HEADER_VALUE),
  type: matchType(['Exact'], 'header').default('Exact'),
});

const MatchSchema = strict({
  path: PathSchema.optional(),
  headers: upTo(HeaderSchema, ROUTE_LIMITS.headersPerMatch, 'headers', 'split the conditions over several routes').default([]),
  model: z.string().min(1).optional(),
});

const BackendRefSchema = strict({
  name: z.string().min(1),
  weight: bounded(WEIGHT).default(1),
  kind: z
    .enum(['InferencePool'], {
      error: (iss) =>
        iss.code === 'invalid_value'
          ? withFix(`backendRef kind ${quote(iss.input)} is not supported: routesim routes only to InferencePools`, 'use kind: InferencePool, or omit kind')
          : undefined,
    })
    .default('InferencePool'),
  group: z
    .enum([INFERENCE_POOL_GROUP], {
      error: (iss) =>
        iss.code === 'invalid_value' ? withFix(`unknown group ${quote(iss.input)} for an InferencePool`, `use ${INFERENCE_POOL_GROUP}, or omit group`) : undefined,
    })
    .optional(),
  /** Optional and ignored for InferencePools (gateway.md §1.4). */
  port: bounded(PORT).optional(),
});

const DurationSchema = gatewayDuration();

const TimeoutsSchema = strict({
  request: DurationSchema.optional(),
  backendRequest: DurationSchema.optional(),
});

const RuleSchema = strict({
  name: NameSchema.optional(),
  matches: upTo(MatchSchema, ROUTE_LIMITS.matchesPerRule, 'matches', 'split the rule into several rules').default([]),
  backendRefs: upTo(BackendRefSchema, ROUTE_LIMITS.backendRefsPerRule, 'backendRefs', 'merge refs to the same pool; their weights add').min(1),
  timeouts: TimeoutsSchema.optional(),
  /** retry, rate_limits, fallback (issue 11; resilienceSchema.ts). */
  ...RULE_RESILIENCE_KEYS,
});

const RouteSchema = strict({
  name: NameSchema.optional(),
  rules: upTo(RuleSchema, ROUTE_LIMITS.rulesPerRoute, 'rules', 'split the route into several routes').min(1),
});

/** The value of the scenario's `routes:` key. */
export const RoutesSchema = upTo(RouteSchema, ROUTE_LIMITS.routes, 'routes', 'merge routes (each may hold 16 rules)');

export type RoutesInput = z.output<typeof RoutesSchema>;

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

/**
 * A problem in `routes:` found after the schema passed; `path` is the full field path
 * (`routes[0].rules[1].backendRefs[0].name`). The loader converts it with
 * `inputError(file, e.path, e.problem, e.fix)`; uncaught it still prints as one line.
 */
export class RouteProblem extends UserError {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${path}: ${problem} (fix: ${fix})`);
    this.name = 'RouteProblem';
  }
}

const at = (...path: PropertyKey[]): string => formatPath(['routes', ...path]);

/** Milliseconds of a duration the schema already accepted (null when unset). */
function ms(d: string | undefined): number | null {
  return d === undefined ? null : parseGatewayDuration(d);
}

function resolveMatch(m: RoutesInput[number]['rules'][number]['matches'][number], where: PropertyKey[]): RouteMatch {
  const headers: { name: string; value: string }[] = [];
  for (const h of m.headers) {
    const name = h.name.toLowerCase();
    // Gateway API: a name listed twice only counts once, with its first value (§1.2).
    if (!headers.some((x) => x.name === name)) headers.push({ name, value: h.value });
  }
  if (m.model !== undefined) {
    if (headers.some((x) => x.name === BASE_MODEL_HEADER)) {
      throw new RouteProblem(
        at(...where, 'model'),
        `model and a header ${BASE_MODEL_HEADER} both given`,
        `keep one of them; model: ${m.model} is shorthand for that header`,
      );
    }
    headers.push({ name: BASE_MODEL_HEADER, value: m.model });
  }
  return { path: m.path ? { type: m.path.type, value: m.path.value } : null, headers };
}

function resolveRef(ref: RoutesInput[number]['rules'][number]['backendRefs'][number], where: PropertyKey[], poolNames: readonly string[]): BackendRef {
  if (!poolNames.includes(ref.name)) {
    const guess = closestWord(ref.name, poolNames, 4);
    throw new RouteProblem(
      at(...where, 'name'),
      `unknown pool ${quote(ref.name)}`,
      poolNames.length === 0
        ? 'declare the pool under pools:'
        : `${guess ? `did you mean ${quote(guess)}? ` : ''}use one of ${poolNames.join(', ')}`,
    );
  }
  return { pool: ref.name, weight: ref.weight };
}

type RuleInput = RoutesInput[number]['rules'][number];

/** The rule's retry / rate_limits / fallback, with the checks that need other fields or the pools. */
function resolveResilience(rule: RuleInput, where: PropertyKey[], requestMs: number | null, poolNames: readonly string[]): Partial<RouteRule> {
  const out: { -readonly [K in keyof RouteRule]?: RouteRule[K] } = {};
  if (rule.retry !== undefined) {
    const perTry = rule.retry.per_try_timeout;
    if (perTry !== undefined && rule.timeouts?.backendRequest !== undefined) {
      throw new RouteProblem(
        at(...where, 'retry', 'per_try_timeout'),
        `per_try_timeout and timeouts.backendRequest both set the timeout of each try`,
        'keep one of them',
      );
    }
    const perTryMs = perTry === undefined ? null : parseGatewayDuration(perTry)!;
    if (perTryMs !== null && perTryMs !== 0 && requestMs !== null && requestMs !== 0 && perTryMs > requestMs) {
      throw new RouteProblem(
        at(...where, 'retry', 'per_try_timeout'),
        `per_try_timeout ${perTry!} is longer than request ${rule.timeouts!.request!}, which bounds all attempts together`,
        `make per_try_timeout ≤ ${rule.timeouts!.request!}, or set request: 0s to disable the overall timeout`,
      );
    }
    out.retry = resolveRetry(rule.retry);
  }
  if (rule.rate_limits !== undefined) out.rate_limits = rule.rate_limits.map(resolveRateLimit);
  if (rule.fallback !== undefined) {
    if (!poolNames.includes(rule.fallback)) {
      const guess = closestWord(rule.fallback, poolNames, 4);
      throw new RouteProblem(
        at(...where, 'fallback'),
        `unknown pool ${quote(rule.fallback)}`,
        poolNames.length === 0 ? 'declare the pool under pools:' : `${guess ? `did you mean ${quote(guess)}? ` : ''}use one of ${poolNames.join(', ')}`,
      );
    }
    out.fallback = rule.fallback;
  }
  return out;
}

/**
 * Flatten parsed `routes:` into RouteRules in spec order (routeIndex = position among routes,
 * ruleIndex = position within its route). Rules whose refs all weigh 0 are kept (their requests
 * get 500). Throws a {@link RouteProblem} naming the field.
 */
export function resolveRoutes(input: RoutesInput | undefined, poolNames: readonly string[]): RouteRule[] {
  const out: RouteRule[] = [];
  const routeNames = new Map<string, number>();
  (input ?? []).forEach((route, r) => {
    const routeName = route.name ?? `route-${r}`;
    const seen = routeNames.get(routeName);
    if (seen !== undefined) {
      throw route.name === undefined
        ? new RouteProblem(at(r), `the default name ${quote(routeName)} of this route is taken by ${at(seen)}`, 'give this route a name')
        : new RouteProblem(at(r, 'name'), `duplicate route name ${quote(routeName)} (also ${at(seen)})`, 'give each route its own name');
    }
    routeNames.set(routeName, r);

    const total = route.rules.reduce((n, rule) => n + rule.matches.length, 0);
    if (total > ROUTE_LIMITS.matchesPerRoute) {
      throw new RouteProblem(
        at(r, 'rules'),
        `has ${total} matches in total, more than the ${ROUTE_LIMITS.matchesPerRoute} one route may hold`,
        'split the rules over several routes',
      );
    }

    const ruleNames = new Map<string, number>();
    route.rules.forEach((rule, j) => {
      if (rule.name !== undefined) {
        const prev = ruleNames.get(rule.name);
        if (prev !== undefined) {
          throw new RouteProblem(at(r, 'rules', j, 'name'), `duplicate rule name ${quote(rule.name)} (also ${at(r, 'rules', prev)})`, 'give each rule of a route its own name');
        }
        ruleNames.set(rule.name, j);
      }
      const request = ms(rule.timeouts?.request);
      const backend = ms(rule.timeouts?.backendRequest);
      if (request !== null && backend !== null && request !== 0 && backend > request) {
        throw new RouteProblem(
          at(r, 'rules', j, 'timeouts', 'backendRequest'),
          `backendRequest ${rule.timeouts!.backendRequest!} is longer than request ${rule.timeouts!.request!}, which bounds all attempts together`,
          `make backendRequest ≤ ${rule.timeouts!.request!}, or set request: 0s to disable the overall timeout`,
        );
      }
      const resolved: RouteRule = {
        name: rule.name === undefined ? routeName : `${routeName}/${rule.name}`,
        routeIndex: r,
        ruleIndex: j,
        matches: rule.matches.map((m, k) => resolveMatch(m, [r, 'rules', j, 'matches', k])),
        backendRefs: rule.backendRefs.map((b, k) => resolveRef(b, [r, 'rules', j, 'backendRefs', k], poolNames)),
        timeouts: rule.timeouts ? { request_ms: request, backend_request_ms: backend } : null,
      };
      // Issue 11 keys appear only when written, so existing rules resolve exactly as before.
      out.push({ ...resolved, ...resolveResilience(rule, [r, 'rules', j], request, poolNames) });
    });
  });
  return out;
}
