/**
 * llm-d-router v0.10.0 request-header processors, screeners, admitters and response plugins
 * (`llm-d-router.md` §4.7): agent-identity, disaggregatedset-rollout-screener (README vector, with
 * a binomial test whose tolerance is justified inline), probabilistic-admitter (reference vectors),
 * request-attribute-reporter (accepted, inert). Called directly: the v0.10 director lifecycle that
 * calls them arrives separately.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { CycleContext, LLMRequest, Plugin, SchedEndpoint, SchedulingResult } from '../../policies/framework/types.js';
import { ProbabilisticAdmitter } from '../../policies/plugins/admission/probabilisticAdmitter.js';
import { AGENT_IDENTITY } from '../../policies/plugins/request/agentIdentity.js';
import { build, ctx, ep, metrics, never, request } from './llmdHelpers.js';
// ---------------------------------------------------------------------------------------------
// Request-header processors, screeners, admitters, response plugins (§4.7)

describe('agent-identity (§4.7)', () => {
  type P = Plugin & { processRequestHeaders(c: CycleContext, r: LLMRequest): void };
  const id = (headers: Record<string, string>, params: Record<string, unknown> = {}): unknown => {
    const cx = ctx(never);
    build<P>('agent-identity', params).processRequestHeaders(cx, request(headers));
    return cx.cycleState.get(AGENT_IDENTITY);
  };
  it('first non-empty of the extra headers, then x-claude-code-session-id, x-session-affinity, session-id, session_id', () => {
    const all = { 'x-agent': 'A', 'x-claude-code-session-id': 'C', 'x-session-affinity': 'S', 'session-id': 'D', session_id: 'U' };
    expect(id(all, { additionalSessionHeaders: ['X-Agent'] })).toBe('A');
    expect(id(all)).toBe('C');
    expect(id({ ...all, 'x-claude-code-session-id': '' })).toBe('S');
    expect(id({ 'session-id': 'D', session_id: 'U' })).toBe('D');
    expect(id({ session_id: 'U' })).toBe('U');
    expect(id({ 'x-other': 'O' })).toBeUndefined();
  });
});

describe('disaggregatedset-rollout-screener (§4.7)', () => {
  type S = Plugin & {
    screen(c: CycleContext, r: LLMRequest, e: readonly SchedEndpoint[]): readonly SchedEndpoint[];
    processResponseHeaders(c: CycleContext, r: LLMRequest, i: { endpoint: string; result: SchedulingResult; headers: Map<string, string> }): void;
  };
  const REV = 'disaggregatedset.x-k8s.io/revision';
  const ROLE = 'disaggregatedset.x-k8s.io/role';
  /** README vector: 2P:10D rolling out, revision A {2P, 9D}, revision B {1P, 1D}; plus one pod outside the set. */
  const pool: SchedEndpoint[] = [];
  const add = (rev: string, role: string, n: number): void => {
    for (let i = 0; i < n; i++) pool.push(ep(`${rev}-${role}${i}`, { app: 'ds', [REV]: rev, [ROLE]: role }));
  };
  add('A', 'prefill', 2);
  add('A', 'decode', 9);
  add('B', 'prefill', 1);
  add('B', 'decode', 1);
  pool.push(ep('other', { app: 'x' }));
  const screener = (mode: string, extra: Record<string, unknown> = {}): S =>
    build<S>('disaggregatedset-rollout-screener', {
      scope: { labelSelector: { matchLabels: { app: 'ds' } } },
      revisionGating: { mode, requireRoles: { values: ['prefill', 'decode'] } },
      ...extra,
    });
  const revisionOf = (kept: readonly SchedEndpoint[]): string => [...new Set(kept.filter((e) => e.labels.app === 'ds').map((e) => e.labels[REV]))].join('+');

  it('max-role: decode is the largest role (9 + 1 = 10 > 3): weights A 9, B 1 → u < 0.9 picks A, u ≥ 0.9 picks B', () => {
    const s = screener('max-role');
    const a = s.screen(ctx(() => 0.8999), request(), pool);
    expect(revisionOf(a)).toBe('A');
    expect(a).toHaveLength(2 + 9 + 1); // all of A's endpoints, and the out-of-scope pod passes
    expect(revisionOf(s.screen(ctx(() => 0.9), request(), pool))).toBe('B');
  });
  it('sum: weights A 2 + 9 = 11, B 1 + 1 = 2 → A iff u·13 < 11, i.e. u < 0.84615…', () => {
    const s = screener('sum');
    expect(revisionOf(s.screen(ctx(() => 10.99 / 13), request(), pool))).toBe('A');
    expect(revisionOf(s.screen(ctx(() => 11 / 13), request(), pool))).toBe('B');
  });
  it.each([
    ['max-role', 0.9],
    ['sum', 11 / 13],
  ])('%s over 20000 seeded picks: share of A within 5 standard deviations of %f', (mode, p) => {
    // Binomial: sd = √(p(1−p)/N) ≈ 0.0021 (max-role) / 0.0026 (sum) at N = 20000; 5 sd ≈ 0.011 / 0.013.
    // A correct screener leaves this band with probability < 1e-6; swapping the two modes' weights
    // (0.9 vs 0.846) moves the share by 0.054 ≫ 5 sd, so the test tells the modes apart.
    const N = 20000;
    const s = screener(mode);
    const cx = ctx(seedrandom.alea('rollout'));
    let a = 0;
    for (let i = 0; i < N; i++) if (revisionOf(s.screen(cx, request(), pool)) === 'A') a++;
    expect(Math.abs(a / N - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
  });
  it('max-role tie between roles → the first listed: A {2P, 1D}, B {1P, 2D} (3 each)', () => {
    const tie = [ep('a0', { app: 'ds', [REV]: 'A', [ROLE]: 'prefill' }), ep('a1', { app: 'ds', [REV]: 'A', [ROLE]: 'prefill' }), ep('a2', { app: 'ds', [REV]: 'A', [ROLE]: 'decode' })];
    tie.push(ep('b0', { app: 'ds', [REV]: 'B', [ROLE]: 'prefill' }), ep('b1', { app: 'ds', [REV]: 'B', [ROLE]: 'decode' }), ep('b2', { app: 'ds', [REV]: 'B', [ROLE]: 'decode' }));
    // prefill listed first: weights A 2, B 1 → u 0.5 · 3 = 1.5 < 2 → A. decode first: A 1, B 2 → 1.5 ≥ 1 → B.
    expect(revisionOf(screener('max-role').screen(ctx(() => 0.5), request(), tie))).toBe('A');
    const decodeFirst = build<S>('disaggregatedset-rollout-screener', { scope: { labelSelector: { matchLabels: { app: 'ds' } } }, revisionGating: { mode: 'max-role', requireRoles: { values: ['decode', 'prefill'] } } });
    expect(revisionOf(decodeFirst.screen(ctx(() => 0.5), request(), tie))).toBe('B');
  });
  it('pods are counted, not rank endpoints: B\'s decode pod with 8 ranks still weighs 1 (max-role 9:1)', () => {
    const ranks = pool.filter((e) => e.name !== 'B-decode0');
    for (let i = 0; i < 8; i++) ranks.push(ep(`B-decode0-rank-${i}`, { app: 'ds', [REV]: 'B', [ROLE]: 'decode' }));
    const s = screener('max-role');
    expect(revisionOf(s.screen(ctx(() => 0.8999), request(), ranks))).toBe('A');
    const b = s.screen(ctx(() => 0.9), request(), ranks);
    expect(b.filter((e) => e.labels[REV] === 'B')).toHaveLength(1 + 8); // every rank endpoint of B is kept
  });
  it('a revision lacking a required role is never picked; no revision left → empty (503)', () => {
    const c = [...pool, ep('C-decode0', { app: 'ds', [REV]: 'C', [ROLE]: 'decode' })];
    const s = screener('sum');
    for (const u of [0, 0.5, 0.999]) expect(revisionOf(s.screen(ctx(() => u), request(), c))).not.toBe('C');
    const onlyDecode = pool.filter((e) => e.labels[ROLE] !== 'prefill');
    expect(s.screen(ctx(() => 0.5), request(), onlyDecode).filter((e) => e.labels.app === 'ds')).toEqual([]);
  });
  it('disabled keeps the whole set; out-of-scope only → untouched', () => {
    expect(screener('disabled').screen(ctx(never), request(), pool)).toEqual(pool);
    const outside = [ep('other', { app: 'x' })];
    expect(screener('sum').screen(ctx(never), request(), outside)).toEqual(outside);
  });
  it('strict header pins the revision without a draw (no match → empty); prefer narrows only when something matches', () => {
    const sel = (mode: string) => ({ headerSelectors: [{ name: 'rev', headerName: 'X-Revision', labelKey: REV, mode }] });
    const strict = screener('max-role', sel('strict'));
    expect(revisionOf(strict.screen(ctx(never), request({ 'x-revision': 'B' }), pool))).toBe('B');
    expect(strict.screen(ctx(never), request({ 'x-revision': 'Z' }), pool).filter((e) => e.labels.app === 'ds')).toEqual([]);
    const prefer = screener('max-role', sel('prefer'));
    expect(revisionOf(prefer.screen(ctx(() => 0), request({ 'x-revision': 'B' }), pool))).toBe('B');
    expect(revisionOf(prefer.screen(ctx(() => 0), request({ 'x-revision': 'Z' }), pool))).toBe('A');
  });
  it('responses carry each selector header from the serving endpoint\'s label', () => {
    const s = screener('sum', { headerSelectors: [{ name: 'rev', headerName: 'X-Revision', labelKey: REV, mode: 'strict' }] });
    const headers = new Map<string, string>();
    const served = pool.find((e) => e.name === 'B-decode0')!;
    s.processResponseHeaders(ctx(), request(), { endpoint: 'B-decode0', result: { primaryProfileName: 'd', profileResults: new Map([['d', { targetEndpoints: [served] }]]) }, headers });
    expect(Object.fromEntries(headers)).toEqual({ 'x-revision': 'B' });
  });
  it('parameters: scope and revisionGating.mode are required; selector operators validated', () => {
    expect(() => build('disaggregatedset-rollout-screener', { revisionGating: { mode: 'sum' } })).toThrow();
    expect(() => build('disaggregatedset-rollout-screener', { scope: { labelSelector: {} }, revisionGating: {} })).toThrow();
    expect(() => screener('sum', { scope: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } } })).toThrow(/values must be non-empty/);
  });
});

describe('probabilistic-admitter (§4.7)', () => {
  const admitter = (): ProbabilisticAdmitter => build<ProbabilisticAdmitter>('probabilistic-admitter');
  it('reference vectors: s 0.2 → p = 0.2⁵·300 = 0.096; s 0.34 → 0.34⁵·300 ≈ 1.363 → 1', () => {
    const a = admitter();
    expect(a.rejectProbability(0.2)).toBeCloseTo(0.096, 12);
    expect(a.rejectProbability(0.34)).toBe(1);
    // s = mean of max(q/5, kv/0.8): {q 1, kv 0} → 0.2; {q 0, kv 0.272} → 0.34.
    expect(a.saturation([ep('a', {}, metrics(1, 0))])).toBeCloseTo(0.2, 12);
    expect(a.saturation([ep('a', {}, metrics(0, 0.272))])).toBeCloseTo(0.34, 12);
  });
  it('a sheddable request is rejected iff U < p (s 0.2: U 0.0959 rejects, U 0.0961 admits)', () => {
    const pod = [ep('a', {}, metrics(1, 0))];
    expect(admitter().admitRequest(ctx(() => 0.0959), request({}, -1), pod)).toMatch(/rejection probability 0\.096/);
    expect(admitter().admitRequest(ctx(() => 0.0961), request({}, -1), pod)).toBeNull();
  });
  it('two pods {q 10}, {idle}: s = (10/5 + 0)/2 = 1 → p = 1 → rejected; an unscraped pod counts 1.0', () => {
    expect(admitter().admitRequest(ctx(() => 0.9999), request({}, -1), [ep('a', {}, metrics(10, 0)), ep('b', {}, metrics(0, 0))])).not.toBeNull();
    // {unscraped 1.0, idle 0} → s 0.5 → 0.5⁵·300 = 9.375 → 1.
    expect(admitter().rejectProbability(admitter().saturation([ep('a'), ep('b', {}, metrics(0, 0))]))).toBe(1);
  });
  it('priority ≥ 0, or no candidate → admitted without a draw', () => {
    const busy = [ep('a', {}, metrics(100, 1))];
    expect(admitter().admitRequest(ctx(never), request({}, 0), busy)).toBeNull();
    expect(admitter().admitRequest(ctx(never), request({}, -1), [])).toBeNull();
  });
  it('rejection rate at s 0.2 over 20000 seeded requests ≈ 0.096 (5 sd = 5·√(0.096·0.904/20000) ≈ 0.0104)', () => {
    const cx = ctx(seedrandom.alea('admit'));
    const pod = [ep('a', {}, metrics(1, 0))];
    const a = admitter();
    const sheddable = request({}, -1);
    let rejected = 0;
    for (let i = 0; i < 20000; i++) if (a.admitRequest(cx, sheddable, pod) !== null) rejected++;
    expect(Math.abs(rejected / 20000 - 0.096)).toBeLessThan(5 * Math.sqrt((0.096 * 0.904) / 20000));
  });
  it('thresholds must be > 0', () => {
    for (const k of ['queueDepthThreshold', 'kvCacheUtilThreshold', 'power', 'k']) expect(() => build('probabilistic-admitter', { [k]: 0 }), k).toThrow();
  });
});

describe('request-attribute-reporter (§4.7): accepted, validated, no routing effect', () => {
  const attr = { key: { name: 'x-tokens' }, expression: 'usage.completion_tokens' };
  it('exactly one attribute; namespace defaults to envoy.lb', () => {
    const r = build<Plugin & { attribute: { namespace: string } }>('request-attribute-reporter', { attributes: [attr] });
    expect(r.attribute.namespace).toBe('envoy.lb');
    expect(() => build('request-attribute-reporter', { attributes: [] })).toThrow();
    expect(() => build('request-attribute-reporter', { attributes: [attr, attr] })).toThrow();
  });
  it('implements no request-path hook', () => {
    const r = build<Plugin>('request-attribute-reporter', { attributes: [attr] }) as unknown as Record<string, unknown>;
    for (const hook of ['filter', 'score', 'preRequest', 'admitRequest', 'screen', 'processRequestHeaders', 'processResponseHeaders', 'pickProfiles']) expect(r[hook]).toBeUndefined();
  });
});
