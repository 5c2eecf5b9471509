/**
 * Profile handlers (`epp.md` §1.3, §1.7): single-profile-handler runs the one profile and demands
 * exactly one result; the P/D handlers run decode first, consult the decider with the decode pick,
 * run prefill only when it says so, and make decode primary.
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { loadPickerConfig, type ResolvedConfig } from '../../policies/config/loader.js';
import { TtlPluginState } from '../../policies/framework/director.js';
import { schedule, type SchedulingTrace } from '../../policies/framework/scheduler.js';
import { SchedulingError, type CycleContext, type LLMRequest, type ProfileRunResult, type SchedEndpoint } from '../../policies/framework/types.js';
import { SingleProfileHandler } from '../../policies/plugins/profile/singleProfileHandler.js';
import { HEAD, StubDecider, testCatalog } from './frameworkStubs.js';

const catalog = testCatalog();

function ctx(seed = 1): CycleContext {
  return { nowUs: 0, rng: seedrandom.alea(String(seed)), cycleState: new Map(), pluginState: new TtlPluginState() };
}

const req: LLMRequest = {
  id: 'r1',
  model: 'm',
  targetModel: 'm',
  headers: {},
  prompt: { kind: 'completion', text: 'hello' },
  priority: 0,
  fairnessId: '',
  requestSizeBytes: null,
};

function endpoints(spec: [string, string][]): SchedEndpoint[] {
  return spec.map(([name, role], index) => ({ name, index, labels: { role }, metrics: null, attributes: new Map() }));
}

describe('single-profile-handler', () => {
  const c = loadPickerConfig(
    { text: HEAD + `plugins: [{type: test-scorer, parameters: {scores: {a: 0.2, b: 0.9}}}]\nschedulingProfiles: [{name: only, plugins: [{pluginRef: test-scorer}]}]\n` },
    { catalog },
  );

  it('runs the profile once; the result has exactly that profile, primary', () => {
    const trace: SchedulingTrace = { profiles: [] };
    const r = schedule(c.handler, c.profiles, ctx(), req, endpoints([['a', ''], ['b', '']]), trace);
    expect([...r.profileResults.keys()]).toEqual(['only']);
    expect(r.primaryProfileName).toBe('only');
    expect(r.profileResults.get('only')!.targetEndpoints.map((e) => e.name)).toEqual(['b']);
    expect(trace.profiles.map((p) => p.profile)).toEqual(['only']);
  });

  it('Pick returns every profile until each has a result, then none', () => {
    const h = new SingleProfileHandler('h');
    const profiles = c.profiles;
    expect([...h.pickProfiles(ctx(), req, profiles, new Map()).keys()]).toEqual(['only']);
    expect(h.pickProfiles(ctx(), req, profiles, new Map([['only', null]])).size).toBe(0);
  });

  it('ProcessResults: a failed profile or more than one result is an error', () => {
    const h = new SingleProfileHandler('h');
    const ok: ProfileRunResult = { targetEndpoints: endpoints([['a', '']]) };
    expect(() => h.processResults(ctx(), req, new Map([['only', null]]))).toThrow(SchedulingError);
    expect(() => h.processResults(ctx(), req, new Map([['x', ok], ['y', ok]]))).toThrow(/single profile/);
    expect(h.processResults(ctx(), req, new Map([['x', ok]])).primaryProfileName).toBe('x');
  });

  it('a filter that empties the set fails the request (SchedulingError → 429 upstream)', () => {
    const c2 = loadPickerConfig({ text: HEAD + `plugins: [{type: test-filter, parameters: {keep: []}}, {type: test-scorer}]\n` }, { catalog });
    expect(() => schedule(c2.handler, c2.profiles, ctx(), req, endpoints([['a', '']]))).toThrow(SchedulingError);
  });
});

/** decode: role decode, prefer d2; prefill: role prefill. */
function pdConfig(handler: 'pd' | 'disagg' | 'disagg-no-decider'): ResolvedConfig {
  const h =
    handler === 'pd'
      ? `{type: pd-profile-handler, parameters: {deciderPluginName: dec}}`
      : handler === 'disagg'
        ? `{type: disagg-profile-handler, parameters: {deciders: {prefill: dec}}}`
        : `{type: disagg-profile-handler}`;
  return loadPickerConfig(
    {
      text:
        HEAD +
        `plugins:
- {name: dfilter, type: test-filter, parameters: {roles: [decode]}}
- {name: pfilter, type: test-filter, parameters: {roles: [prefill]}}
- {name: pref, type: test-scorer, parameters: {scores: {d1: 0.1, d2: 0.8, p1: 0.5, p2: 0.9}}}
- {name: dec, type: test-decider}
- ${h}
schedulingProfiles:
- {name: prefill, plugins: [{pluginRef: pfilter}, {pluginRef: pref}]}
- {name: decode, plugins: [{pluginRef: dfilter}, {pluginRef: pref}]}
`,
    },
    { catalog },
  );
}

const pool = () => endpoints([['d1', 'decode'], ['d2', 'decode'], ['p1', 'prefill'], ['p2', 'prefill']]);
const names = (r: ProfileRunResult | null | undefined) => r?.targetEndpoints.map((e) => e.name);

describe.each(['pd', 'disagg'] as const)('%s profile handler: decode first, decider on the decode pick', (kind) => {
  it('decider says no: only decode runs; decode is primary', () => {
    const c = pdConfig(kind);
    const dec = c.plugins.get('dec') as StubDecider;
    dec.answer = false;
    const trace: SchedulingTrace = { profiles: [] };
    const r = schedule(c.handler, c.profiles, ctx(), req, pool(), trace);
    expect(trace.profiles.map((p) => p.profile)).toEqual(['decode']);
    expect(dec.asked).toEqual(['d2']);
    expect(r.primaryProfileName).toBe('decode');
    expect([...r.profileResults.keys()]).toEqual(['decode']);
    expect(names(r.profileResults.get('decode'))).toEqual(['d2']);
  });

  it('decider says yes: prefill runs after decode; both results, decode primary', () => {
    const c = pdConfig(kind);
    const dec = c.plugins.get('dec') as StubDecider;
    dec.answer = true;
    const trace: SchedulingTrace = { profiles: [] };
    const r = schedule(c.handler, c.profiles, ctx(), req, pool(), trace);
    expect(trace.profiles.map((p) => p.profile)).toEqual(['decode', 'prefill']);
    expect(dec.asked).toEqual(['d2']);
    expect(r.primaryProfileName).toBe('decode');
    expect(names(r.profileResults.get('prefill'))).toEqual(['p2']);
  });

  it('decode fails: the request fails, the decider is never asked, prefill never runs', () => {
    const c = pdConfig(kind);
    const dec = c.plugins.get('dec') as StubDecider;
    dec.answer = true;
    const trace: SchedulingTrace = { profiles: [] };
    expect(() => schedule(c.handler, c.profiles, ctx(), req, endpoints([['p1', 'prefill']]), trace)).toThrow(/failed to find available decode workers/);
    expect(dec.asked).toEqual([]);
    expect(trace.profiles.map((p) => p.profile)).toEqual(['decode']);
  });

  it('prefill fails: decode-only result, no error', () => {
    const c = pdConfig(kind);
    (c.plugins.get('dec') as StubDecider).answer = true;
    const r = schedule(c.handler, c.profiles, ctx(), req, endpoints([['d1', 'decode']]));
    expect([...r.profileResults.keys()]).toEqual(['decode']);
    expect(names(r.profileResults.get('decode'))).toEqual(['d1']);
  });

  it('property: decider asked once iff decode succeeded; prefill result iff it said yes and prefill found an endpoint', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1000 }), (answer, decodeOk, prefillOk, seed) => {
        const c = pdConfig(kind);
        const dec = c.plugins.get('dec') as StubDecider;
        dec.answer = answer;
        const eps = endpoints([
          ...(decodeOk ? ([['d1', 'decode'], ['d2', 'decode']] as [string, string][]) : []),
          ...(prefillOk ? ([['p1', 'prefill']] as [string, string][]) : []),
          ['x', 'other'],
        ]);
        let r;
        try {
          r = schedule(c.handler, c.profiles, ctx(seed), req, eps);
        } catch (e) {
          expect(e).toBeInstanceOf(SchedulingError);
          expect(decodeOk).toBe(false);
          expect(dec.asked).toEqual([]);
          return;
        }
        expect(decodeOk).toBe(true);
        expect(dec.asked).toEqual(['d2']);
        expect(r.primaryProfileName).toBe('decode');
        expect(r.profileResults.has('prefill')).toBe(answer && prefillOk);
      }),
      { numRuns: 100 },
    );
  });
});

describe('disagg-profile-handler without a prefill decider', () => {
  it('runs decode only, even when the config has a prefill profile', () => {
    const c = pdConfig('disagg-no-decider');
    const trace: SchedulingTrace = { profiles: [] };
    const r = schedule(c.handler, c.profiles, ctx(), req, pool(), trace);
    expect(trace.profiles.map((p) => p.profile)).toEqual(['decode']);
    expect([...r.profileResults.keys()]).toEqual(['decode']);
  });

  it('does not need a prefill profile', () => {
    const c = loadPickerConfig(
      { text: HEAD + `plugins: [{type: test-scorer}, {type: disagg-profile-handler}]\nschedulingProfiles: [{name: decode, plugins: [{pluginRef: test-scorer}]}]\n` },
      { catalog },
    );
    expect([...c.profiles.keys()]).toEqual(['decode']);
  });
});

describe('P/D with the real role filters and decider (llm-d-pd.yaml)', () => {
  it('the decode profile keeps decode pods, the prefill profile prefill pods', () => {
    const c = loadPickerConfig({ text: HEAD + 'plugins: [{type: decode-filter}, {type: prefill-filter}]\n' }, { catalog });
    const decodeFilter = c.profiles.get('default')!.filters[0]!;
    const prefillFilter = c.profiles.get('default')!.filters[1]!;
    const eps: SchedEndpoint[] = [
      { name: 'd', index: 0, labels: { 'llm-d.ai/role': 'decode' }, metrics: null, attributes: new Map() },
      { name: 'p', index: 1, labels: { 'llm-d.ai/role': 'prefill' }, metrics: null, attributes: new Map() },
      { name: 'u', index: 2, labels: {}, metrics: null, attributes: new Map() },
    ];
    // §2.12: decode-filter accepts decode… or no label; prefill-filter only prefill-capable roles.
    expect(decodeFilter.filter(ctx(), req, eps).map((e) => e.name)).toEqual(['d', 'u']);
    expect(prefillFilter.filter(ctx(), req, eps).map((e) => e.name)).toEqual(['p']);
  });
});
