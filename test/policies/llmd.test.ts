/**
 * llm-d v0.7.0 plugins (epp.md §2.12): load-aware-scorer, active-request-scorer (TTL cache,
 * maxCount over all tracked endpoints, the maxBusyScore YAML quirk), session-affinity-scorer,
 * by-label, by-label-selector and the P/D role filters. Hand-derived numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParamError } from '../../policies/framework/registry.js';
import type { Filter, Scorer } from '../../policies/framework/types.js';
import { byLabelFilter } from '../../policies/plugins/filter/byLabel.js';
import { byLabelSelectorFilter } from '../../policies/plugins/filter/byLabelSelector.js';
import { decodeFilter, encodeFilter, prefillFilter } from '../../policies/plugins/filter/roleFilters.js';
import { activeRequestScorer, type ActiveRequestScorer } from '../../policies/plugins/scorer/activeRequest.js';
import { loadAwareScorer } from '../../policies/plugins/scorer/loadAware.js';
import { sessionAffinityScorer, type SessionAffinityScorer } from '../../policies/plugins/scorer/sessionAffinity.js';
import { build, byQueue, ctx, ep, names, obj, req, schedResult } from './loadFixtures.js';

const S = 1_000_000;

describe('load-aware-scorer', () => {
  it('q = 0 → 0.5; else 0.5 × (1 − min(q, 128)/128)', () => {
    // q 64 → 0.5 × (1 − 0.5) = 0.25; q 32 → 0.5 × 0.75 = 0.375; q 128 and 500 → 0; q 1 → 0.5 × 127/128 = 0.49609375
    const s = build<Scorer>(loadAwareScorer);
    expect(obj(s.score(ctx(), req(), byQueue([0, 64, 32, 128, 500, 1])))).toEqual({ e0: 0.5, e1: 0.25, e2: 0.375, e3: 0, e4: 0, e5: 0.49609375 });
  });
  it('threshold is a parameter; ≤ 0 falls back to 128', () => {
    // threshold 10, q 5 → 0.5 × 0.5 = 0.25
    expect(obj(build<Scorer>(loadAwareScorer, { threshold: 10 }).score(ctx(), req(), byQueue([5])))).toEqual({ e0: 0.25 });
    expect(obj(build<Scorer>(loadAwareScorer, { threshold: 0 }).score(ctx(), req(), byQueue([64])))).toEqual({ e0: 0.25 });
  });
  it('property: scores lie in [0, 0.5] and never increase with the queue', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 10 }), fc.integer({ min: -5, max: 300 }), (qs, t) => {
        const out = [...build<Scorer>(loadAwareScorer, { threshold: t }).score(ctx(), req(), byQueue(qs)).values()];
        out.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(0.5);
          qs.forEach((q2, j) => qs[i]! < q2 && expect(v).toBeGreaterThanOrEqual(out[j]!));
        });
      }),
    );
  });
});

describe('active-request-scorer', () => {
  const [A, B, C] = [ep('A'), ep('B'), ep('C')];
  const dispatch = (s: ActiveRequestScorer, id: string, nowUs: number, profiles: Record<string, (typeof A)[] | null>) =>
    s.preRequest(ctx({ nowUs }), req({ id }), schedResult(profiles));
  const complete = (s: ActiveRequestScorer, id: string, nowUs: number) =>
    s.responseComplete(ctx({ nowUs }), req({ id }), { endpoint: 'A', result: schedResult({ d: [] }), headers: new Map() });
  const scores = (s: ActiveRequestScorer, nowUs: number, eps = [A, B, C]) => obj(s.score(ctx({ nowUs }), req(), eps));

  it('(maxCount − count)/maxCount × maxBusyScore; untracked → 1.0', () => {
    const s = build<ActiveRequestScorer>(activeRequestScorer, { maxBusyScore: 1 });
    dispatch(s, 'r1', 0, { default: [A] });
    dispatch(s, 'r2', 0, { default: [A, B] }); // only the FIRST target of a profile counts
    dispatch(s, 'r3', 0, { default: [B] });
    // counts A 2, B 1, C untracked; maxCount 2 → A (2−2)/2 = 0, B (2−1)/2 = 0.5, C 1.0
    expect(scores(s, 1)).toEqual({ A: 0, B: 0.5, C: 1 });
  });
  it('maxCount is taken over ALL tracked endpoints, not just the candidates', () => {
    const s = build<ActiveRequestScorer>(activeRequestScorer, { maxBusyScore: 1 });
    for (const id of ['a1', 'a2', 'a3']) dispatch(s, id, 0, { default: [A] });
    dispatch(s, 'b1', 0, { default: [B] });
    // candidates B, C only; maxCount = 3 (A) → B (3−1)/3 = 2/3, C untracked 1.0
    expect(scores(s, 0, [B, C])).toEqual({ B: 2 / 3, C: 1 });
  });
  it('counts the first target of EVERY profile (decode and prefill)', () => {
    const s = build<ActiveRequestScorer>(activeRequestScorer, { maxBusyScore: 1 });
    dispatch(s, 'pd', 0, { decode: [A, C], prefill: [B], failed: null });
    expect(Object.fromEntries(s.counts)).toEqual({ A: 1, B: 1 });
    complete(s, 'pd', 5);
    expect(s.counts.size).toBe(0);
  });
  it('idleThreshold: count ≤ idleThreshold → 1.0', () => {
    const s = build<ActiveRequestScorer>(activeRequestScorer, { maxBusyScore: 1, idleThreshold: 1 });
    dispatch(s, 'r1', 0, { default: [A] });
    dispatch(s, 'r2', 0, { default: [A] });
    dispatch(s, 'r3', 0, { default: [A] });
    dispatch(s, 'r4', 0, { default: [B] });
    // A 3 → (3−3)/3 = 0; B 1 ≤ 1 → 1.0
    expect(scores(s, 0, [A, B])).toEqual({ A: 0, B: 1 });
  });
  it('v0.7.0 quirk: maxBusyScore omitted → 0.0, so every busy endpoint scores 0', () => {
    const s = build<ActiveRequestScorer>(activeRequestScorer);
    expect(s.params.maxBusyScore).toBe(0);
    dispatch(s, 'r1', 0, { default: [A] });
    dispatch(s, 'r2', 0, { default: [A] });
    dispatch(s, 'r3', 0, { default: [B] });
    // B would be (2−1)/2 × 1.0 = 0.5 with the documented default; × 0.0 → 0
    expect(scores(s, 0)).toEqual({ A: 0, B: 0, C: 1 });
  });
  it('ResponseComplete decrements; a count reaching 0 untracks the endpoint', () => {
    const s = build<ActiveRequestScorer>(activeRequestScorer, { maxBusyScore: 1 });
    dispatch(s, 'r1', 0, { default: [A] });
    dispatch(s, 'r2', 0, { default: [B] });
    dispatch(s, 'r3', 0, { default: [B] });
    complete(s, 'r2', 10);
    complete(s, 'r2', 11); // twice: no effect
    // A 1, B 1 → maxCount 1 → (1−1)/1 = 0 for both
    expect(scores(s, 12)).toEqual({ A: 0, B: 0, C: 1 });
    complete(s, 'r1', 13);
    expect(s.counts.has('A')).toBe(false);
    expect(scores(s, 14)).toEqual({ A: 1, B: 0, C: 1 });
  });
  it('entries expire requestTimeout after dispatch (strictly after), decrementing', () => {
    const s = build<ActiveRequestScorer>(activeRequestScorer, { maxBusyScore: 1, requestTimeout: '2m' });
    dispatch(s, 'r1', 0, { default: [A] });
    dispatch(s, 'r2', 60 * S, { default: [A] });
    dispatch(s, 'r3', 60 * S, { default: [B] });
    // at 120 s exactly r1 (expires at 120 s) is still counted: A 2, B 1 → A 0, B 0.5
    expect(scores(s, 120 * S)).toEqual({ A: 0, B: 0.5, C: 1 });
    // 1 µs later r1 expired: A 1, B 1 → both 0
    expect(scores(s, 120 * S + 1)).toEqual({ A: 0, B: 0, C: 1 });
    // after 180 s everything expired
    expect(scores(s, 181 * S)).toEqual({ A: 1, B: 1, C: 1 });
    // completing an expired request does not decrement again
    dispatch(s, 'r4', 181 * S, { default: [A] });
    complete(s, 'r2', 182 * S);
    expect(Object.fromEntries(s.counts)).toEqual({ A: 1 });
  });
  it('requestTimeout is a positive Go duration', () => {
    expect(build<ActiveRequestScorer>(activeRequestScorer, { requestTimeout: '90s' }).params.requestTimeout).toBe(90 * S);
    expect(() => build(activeRequestScorer, { requestTimeout: '0s' })).toThrow(ParamError);
    expect(() => build(activeRequestScorer, { requestTimeout: 'soon' })).toThrow();
  });
});

describe('session-affinity-scorer', () => {
  const s = build<SessionAffinityScorer>(sessionAffinityScorer);
  const eps = [ep('pod-a'), ep('pod-b'), ep('pod-c')];
  // base64("default/pod-b") = "ZGVmYXVsdC9wb2QtYg==" (d-e-f → ZGVm, a-u-l → YXVs, t-/-p → dC9w, o-d-- → b2Qt, b → Yg==)
  it('the endpoint named by the token scores 1.0, the others 0', () => {
    expect(obj(s.score(ctx(), req({ headers: { 'x-session-token': 'ZGVmYXVsdC9wb2QtYg==' } }), eps))).toEqual({ 'pod-a': 0, 'pod-b': 1, 'pod-c': 0 });
  });
  it('no header, an invalid token, or another namespace → all 0', () => {
    const all0 = { 'pod-a': 0, 'pod-b': 0, 'pod-c': 0 };
    expect(obj(s.score(ctx(), req(), eps))).toEqual(all0);
    expect(obj(s.score(ctx(), req({ headers: { 'x-session-token': 'not base64!' } }), eps))).toEqual(all0);
    expect(obj(s.score(ctx(), req({ headers: { 'x-session-token': 'ZGVmYXVsdC9wb2QtYg' } }), eps))).toEqual(all0); // unpadded: StdEncoding rejects
    // base64("prod/pod-b") = "cHJvZC9wb2QtYg=="
    expect(obj(s.score(ctx(), req({ headers: { 'x-session-token': 'cHJvZC9wb2QtYg==' } }), eps))).toEqual(all0);
  });
  it('ResponseComplete writes the serving endpoint’s token back', () => {
    const headers = new Map<string, string>();
    s.responseComplete(ctx(), req(), { endpoint: 'pod-b', result: schedResult({ default: [eps[1]!] }), headers });
    expect(headers.get('x-session-token')).toBe('ZGVmYXVsdC9wb2QtYg==');
  });
});

describe('label filters', () => {
  const role = (r?: string): Record<string, string> => (r === undefined ? {} : { 'llm-d.ai/role': r });
  const roles = ['decode', 'prefill', 'encode', 'both', 'prefill-decode', 'encode-prefill', 'encode-prefill-decode', 'other', undefined];
  const eps = roles.map((r) => ep(r ?? 'unlabelled', {}, role(r)));
  const kept = (f: Filter) => names(f.filter(ctx(), req(), eps));

  it('decode-filter: decode, prefill-decode, both, encode-prefill-decode, or no label', () => {
    expect(kept(build(decodeFilter))).toEqual(['decode', 'both', 'prefill-decode', 'encode-prefill-decode', 'unlabelled']);
  });
  it('prefill-filter: prefill, encode-prefill, prefill-decode, both, encode-prefill-decode', () => {
    expect(kept(build(prefillFilter))).toEqual(['prefill', 'both', 'prefill-decode', 'encode-prefill', 'encode-prefill-decode']);
  });
  it('encode-filter: encode, encode-prefill, encode-prefill-decode', () => {
    expect(kept(build(encodeFilter))).toEqual(['encode', 'encode-prefill', 'encode-prefill-decode']);
  });
  it('role filters report their own type', () => {
    expect(build<Filter>(prefillFilter).type).toBe('prefill-filter');
  });

  it('by-label: validValues, allowsNoLabel; an empty-string value is a value', () => {
    const zone = [ep('a', {}, { zone: 'a' }), ep('b', {}, { zone: 'b' }), ep('none'), ep('empty', {}, { zone: '' })];
    const run = (p: unknown) => names(build<Filter>(byLabelFilter, p).filter(ctx(), req(), zone));
    expect(run({ label: 'zone', validValues: ['a'] })).toEqual(['a']);
    expect(run({ label: 'zone', validValues: ['b'], allowsNoLabel: true })).toEqual(['b', 'none']);
    expect(run({ label: 'zone', allowsNoLabel: true })).toEqual(['none']);
    expect(run({ label: 'zone', validValues: [''] })).toEqual(['empty']);
  });
  it('by-label: label is required; validValues required unless allowsNoLabel', () => {
    expect(() => build(byLabelFilter, { validValues: ['x'] })).toThrow(ParamError);
    expect(() => build(byLabelFilter, { label: 'zone' })).toThrow(ParamError);
    expect(() => build(byLabelFilter, { label: 'zone', validValue: ['x'] })).toThrow(); // typo: unknown parameter
  });

  it('by-label-selector: matchLabels and matchExpressions, all ANDed', () => {
    const pool = [
      ep('p1', {}, { tier: 'gpu', zone: 'a' }),
      ep('p2', {}, { tier: 'gpu', zone: 'b', canary: 'true' }),
      ep('p3', {}, { tier: 'cpu', zone: 'a' }),
      ep('p4', {}, { zone: 'c' }),
    ];
    const run = (p: unknown) => names(build<Filter>(byLabelSelectorFilter, p).filter(ctx(), req(), pool));
    expect(run({})).toEqual(['p1', 'p2', 'p3', 'p4']); // empty selector matches everything
    expect(run({ matchLabels: { tier: 'gpu' } })).toEqual(['p1', 'p2']);
    expect(run({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'c'] }] })).toEqual(['p1', 'p3', 'p4']);
    expect(run({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cpu'] }] })).toEqual(['p1', 'p2', 'p4']); // NotIn keeps unlabelled p4
    expect(run({ matchExpressions: [{ key: 'canary', operator: 'Exists' }] })).toEqual(['p2']);
    expect(run({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] })).toEqual(['p1', 'p3', 'p4']);
    expect(
      run({ matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['gpu', 'cpu'] }, { key: 'canary', operator: 'DoesNotExist' }] }),
    ).toEqual(['p1', 'p3']);
  });
  it('by-label-selector validates like LabelSelectorAsSelector', () => {
    expect(() => build(byLabelSelectorFilter, { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(ParamError);
    expect(() => build(byLabelSelectorFilter, { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toThrow(ParamError);
    expect(() => build(byLabelSelectorFilter, { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toThrow();
  });
});
