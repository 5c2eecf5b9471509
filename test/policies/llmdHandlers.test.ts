/**
 * llm-d-router v0.10.0 profile handlers and deciders (`llm-d-router.md` §4.5, §5, §2.4): unit
 * tests calling the plugins directly and through the scheduler loop, with every expected number
 * derived in the comments. Alpha types are built from their definitions (llmdHelpers.ts `build`),
 * not through the loader, which gates them on allow-experimental-plugins.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPickerConfig, type ResolvedConfig } from '../../policies/config/loader.js';
import { dataKey, PEER_ENDPOINT } from '../../policies/framework/dataKeys.js';
import { pluginDefinition } from '../../policies/framework/registry.js';
import { schedule, type SchedulingTrace } from '../../policies/framework/scheduler.js';
import {
  SchedulingError,
  type CycleContext,
  type LLMRequest,
  type Plugin,
  type ProfileHandler,
  type ProfileRunResult,
  type SchedEndpoint,
  type SchedulerProfile,
  type SchedulingResult,
} from '../../policies/framework/types.js';
import { DISAGG_DECISION, UPSTREAM_HEADERS } from '../../policies/plugins/profile/disaggAttributes.js';
import { parseStageOrder } from '../../policies/plugins/profile/disaggProfileHandler.v010.js';
import { KeepFilter } from './frameworkStubs.js';
import { build, catalog, ctx, ep, MATCH_KEY, names, never, request, StageStub, tokens, TOKENS_KEY, V010 } from './llmdHelpers.js';

describe('registration (dialects, stability, deprecation)', () => {
  it('the P/D handler, decider and headers handler have a GAIE and a v0.10 definition', () => {
    for (const t of ['disagg-profile-handler', 'prefix-based-pd-decider', 'disagg-headers-handler']) {
      expect(pluginDefinition(t, 'gaie-v1.5')!.source, t).not.toBe('llm-d-router v0.10.0');
      expect(pluginDefinition(t, 'llm-d-v0.10')!.source, t).toBe('llm-d-router v0.10.0');
    }
  });
  it('v0.10-only types are absent from GAIE; alpha and deprecated ones say so (§2.4)', () => {
    void catalog; // registers the catalog
    for (const t of ['header-profile-handler', 'data-parallel-profile-handler', 'prefill-header-handler', 'agent-identity', 'disaggregatedset-rollout-screener', 'probabilistic-admitter', 'always-disagg-multimodal-decider']) {
      expect(pluginDefinition(t, 'gaie-v1.5'), t).toBeUndefined();
      expect(pluginDefinition(t, 'llm-d-v0.10'), t).toBeDefined();
    }
    expect(['header-profile-handler', 'agent-identity', 'disaggregatedset-rollout-screener'].map((t) => pluginDefinition(t, 'llm-d-v0.10')!.stability)).toEqual(['alpha', 'alpha', 'alpha']);
    expect(pluginDefinition('probabilistic-admitter', 'llm-d-v0.10')!.stability).toBeUndefined();
    expect(pluginDefinition('prefill-header-handler', 'llm-d-v0.10')!.deprecatedFor).toBe('disagg-profile-handler');
    expect(pluginDefinition('disagg-headers-handler', 'llm-d-v0.10')!.deprecatedFor).toBe('disagg-profile-handler');
    expect(pluginDefinition('pd-profile-handler', 'llm-d-v0.10')!.deprecatedFor).toBe('disagg-profile-handler');
    // request-attribute-reporter existed in GAIE v1.5.0: one definition for both dialects.
    expect(pluginDefinition('request-attribute-reporter', 'gaie-v1.5')).toBe(pluginDefinition('request-attribute-reporter', 'llm-d-v0.10'));
  });
});

// ---------------------------------------------------------------------------------------------
// disagg-profile-handler v0.10

/** Profiles decode / prefill / encode on role labels; test-deciders `pd` and `ed` with given answers. */
function disaggConfig(handlerParams: string, profiles = ['decode', 'prefill', 'encode'], answers = { pd: false, ed: false }): ResolvedConfig {
  const prof = profiles.map((p) => `- {name: ${p}, plugins: [{pluginRef: f-${p}}, {pluginRef: s}]}`).join('\n');
  const filters = profiles.map((p) => `- {name: f-${p}, type: test-filter, parameters: {roles: [${p}]}}`).join('\n');
  return loadPickerConfig(
    {
      text:
        V010 +
        `plugins:\n${filters}\n- {name: s, type: test-scorer, parameters: {scores: {d1: 0.2, d2: 0.9, p1: 1, e1: 1, e2: 0.5}}}\n` +
        `- {name: pd, type: test-stage-decider, parameters: {answer: ${answers.pd}}}\n- {name: ed, type: test-stage-decider, parameters: {answer: ${answers.ed}}}\n` +
        `- {type: disagg-profile-handler, parameters: ${handlerParams}}\nschedulingProfiles:\n${prof}\n`,
    },
    { catalog },
  );
}
const POOL = [ep('d1', { role: 'decode' }), ep('d2', { role: 'decode' }), ep('p1', { role: 'prefill' }), ep('e1', { role: 'encode' }), ep('e2', { role: 'encode' })];

function run(c: ResolvedConfig, pool = POOL, cx = ctx()): { r: SchedulingResult; ran: string[]; cx: CycleContext } {
  const trace: SchedulingTrace = { profiles: [] };
  const r = schedule(c.handler, c.profiles, cx, request(), pool, trace);
  return { r, ran: trace.profiles.map((p) => p.profile), cx };
}

describe('disagg-profile-handler v0.10 (§4.5)', () => {
  const both = '{deciders: {prefill: pd, encode: ed}}';

  it.each([
    // [pd answer, ed answer, profiles run, decision type]
    [false, false, ['decode'], 'decode-only'],
    [false, true, ['decode', 'encode'], 'encode-decode'],
    [true, false, ['decode', 'prefill'], 'prefill-decode'],
    [true, true, ['decode', 'encode', 'prefill'], 'encode-prefill-decode'],
  ])('decode-first: prefill decider %s, encode decider %s → ran %j (%s)', (pd, ed, ran, decision) => {
    const c = disaggConfig(both, undefined, { pd, ed });
    const out = run(c);
    expect(out.ran).toEqual(ran);
    // decode: d2 (0.9) beats d1 (0.2); each decider asked once, with the decode pick.
    expect((c.plugins.get('pd') as StageStub).asked).toEqual(['d2']);
    expect((c.plugins.get('ed') as StageStub).asked).toEqual(['d2']);
    expect(out.r.primaryProfileName).toBe('decode');
    expect([...out.r.profileResults.keys()]).toEqual(['decode', ...(pd ? ['prefill'] : []), ...(ed ? ['encode'] : [])]);
    expect(out.cx.cycleState.get(DISAGG_DECISION)).toBe(decision);
    // peer-endpoint = the decode pick, set only when prefill runs.
    expect((out.cx.cycleState.get(PEER_ENDPOINT) as SchedEndpoint | undefined)?.name).toBe(pd ? 'd2' : undefined);
  });

  it('a stage without a decider is skipped; a missing stage profile is skipped', () => {
    expect(run(disaggConfig('{}', undefined, { pd: true, ed: true })).ran).toEqual(['decode']);
    expect(run(disaggConfig(both, ['decode', 'prefill'], { pd: true, ed: true })).ran).toEqual(['decode', 'prefill']);
  });

  it('decode failing stops the sequence and fails the request (429 upstream)', () => {
    const c = disaggConfig(both, undefined, { pd: true, ed: true });
    const noDecode = POOL.filter((e) => e.labels.role !== 'decode');
    expect(() => run(c, noDecode)).toThrow(SchedulingError);
    expect((c.plugins.get('pd') as StageStub).asked).toEqual([]);
  });

  it('a failed prefill leaves a decode-only result (decision still records the attempt)', () => {
    const c = disaggConfig(both, undefined, { pd: true, ed: false });
    const out = run(c, POOL.filter((e) => e.labels.role !== 'prefill'));
    expect(out.ran).toEqual(['decode', 'prefill']);
    expect([...out.r.profileResults.keys()]).toEqual(['decode']);
    expect(out.cx.cycleState.get(DISAGG_DECISION)).toBe('prefill-decode');
  });

  it('prefill-first: prefill, then encode (decider asked with no endpoint), then decode with peer = prefill pick', () => {
    const c = disaggConfig('{stageOrder: Prefill_First, deciders: {encode: ed}}', undefined, { pd: false, ed: true });
    const out = run(c);
    expect(out.ran).toEqual(['prefill', 'encode', 'decode']);
    expect((c.plugins.get('ed') as StageStub).asked).toEqual([null]);
    expect((out.cx.cycleState.get(PEER_ENDPOINT) as SchedEndpoint).name).toBe('p1');
    expect(out.r.primaryProfileName).toBe('decode');
    expect(names(out.r.profileResults.get('decode'))).toEqual(['d2']);
  });

  it('stageOrder spellings (case, dash and underscore ignored)', () => {
    expect(['decode-first', 'DECODE', 'decode_first', 'DecodeFirst'].map(parseStageOrder)).toEqual(Array(4).fill('decode-first'));
    expect(['prefill-first', 'prefill', 'PREFILL_FIRST'].map(parseStageOrder)).toEqual(Array(3).fill('prefill-first'));
    expect(parseStageOrder('middle-first')).toBeNull();
  });

  it.each([
    ['{stageOrder: sideways}', /stageOrder: unknown stage order "sideways"/],
    ['{stageOrder: prefill-first, deciders: {prefill: pd}}', /deciders\.prefill: prefill-first always runs prefill/],
    ['{deciders: {prefill: nope}}', /deciders\.prefill: no plugin named "nope"/],
    ['{deciders: {prefill: s}}', /plugin "s" \(test-scorer\) is not a disaggregation decider/],
    ['{decodeProfile: decode, stageOrder: decode-first}', /stageOrder.*mixed with the legacy flat field "decodeProfile"/],
    ['{profiles: {decode: dec}}', /needs a profile named "dec"/],
  ])('config error: %s', (params, re) => {
    expect(() => disaggConfig(params)).toThrow(re);
  });

  it('prefill-first needs a prefill profile; decode-first only decode', () => {
    expect(() => disaggConfig('{stageOrder: prefill}', ['decode'])).toThrow(/needs a profile named "prefill"/);
    expect(run(disaggConfig('{deciders: {prefill: pd}}', ['decode'], { pd: true, ed: false })).ran).toEqual(['decode']);
  });

  it('legacy flat form: custom profile names and *DeciderPluginName', () => {
    const c = disaggConfig('{decodeProfile: decode, prefillProfile: prefill, prefillDeciderPluginName: pd, encodeDeciderPluginName: ed}', undefined, { pd: true, ed: false });
    expect(run(c).ran).toEqual(['decode', 'prefill']);
    const renamed = loadPickerConfig(
      {
        text:
          V010 +
          'plugins:\n- {name: fd, type: test-filter, parameters: {roles: [decode]}}\n- {name: fp, type: test-filter, parameters: {roles: [prefill]}}\n- {name: pd, type: test-stage-decider, parameters: {answer: true}}\n' +
          '- {type: disagg-profile-handler, parameters: {decodeProfile: D, prefillProfile: P, prefillDeciderPluginName: pd}}\n' +
          'schedulingProfiles:\n- {name: D, plugins: [{pluginRef: fd}]}\n- {name: P, plugins: [{pluginRef: fp}]}\n',
      },
      { catalog },
    );
    const out = run(renamed);
    expect(out.ran).toEqual(['D', 'P']);
    expect(out.r.primaryProfileName).toBe('D');
  });

  it('PreRequest: x-prefiller-host-port = prefill pick, x-encoder-hosts-ports = every encode target, inbound cleared', () => {
    const c = disaggConfig(both, undefined, { pd: true, ed: true });
    const cx = ctx();
    const h = c.handler as unknown as { preRequest(c: CycleContext, r: LLMRequest, s: SchedulingResult): void };
    const two: ProfileRunResult = { targetEndpoints: [POOL[3]!, POOL[4]!] };
    h.preRequest(cx, request(), { primaryProfileName: 'decode', profileResults: new Map([['decode', { targetEndpoints: [POOL[1]!] }], ['prefill', { targetEndpoints: [POOL[2]!] }], ['encode', two]]) });
    expect(Object.fromEntries(cx.cycleState.get(UPSTREAM_HEADERS) as Map<string, string | null>)).toEqual({ 'x-prefiller-host-port': 'p1', 'x-encoder-hosts-ports': 'e1,e2' });
    const cy = ctx();
    h.preRequest(cy, request(), { primaryProfileName: 'decode', profileResults: new Map([['decode', { targetEndpoints: [POOL[1]!] }]]) });
    expect(Object.fromEntries(cy.cycleState.get(UPSTREAM_HEADERS) as Map<string, string | null>)).toEqual({ 'x-prefiller-host-port': null, 'x-encoder-hosts-ports': null });
    expect(c.preRequest).toContain(c.handler);
  });

  it('disagg-headers-handler / prefill-header-handler (v0.10) set the same headers from their profiles', () => {
    for (const t of ['disagg-headers-handler', 'prefill-header-handler']) {
      const p = build<Plugin & { preRequest(c: CycleContext, r: LLMRequest, s: SchedulingResult): void }>(t, { prefillProfile: 'pf', encodeProfile: 'enc' });
      expect(p.type).toBe(t);
      const cx = ctx();
      p.preRequest(cx, request(), { primaryProfileName: 'decode', profileResults: new Map([['decode', { targetEndpoints: [POOL[0]!] }], ['pf', { targetEndpoints: [POOL[2]!] }], ['enc', { targetEndpoints: [POOL[4]!] }]]) });
      expect(Object.fromEntries(cx.cycleState.get(UPSTREAM_HEADERS) as Map<string, string | null>)).toEqual({ 'x-prefiller-host-port': 'p1', 'x-encoder-hosts-ports': 'e2' });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Deciders

describe('prefix-based-pd-decider v0.10 (§4.5)', () => {
  type D = Plugin & { disaggregate(c: CycleContext, r: LLMRequest, e: SchedEndpoint | null): boolean };
  /** The decision for `input` tokens (split over prompts) with `blocks` unweighted cached blocks of B on the decode pick. */
  const decide = (params: Record<string, unknown>, counts: number[] | null, match: Record<string, number> | null, key = MATCH_KEY): boolean => {
    const cx = ctx(never);
    if (counts) cx.cycleState.set(TOKENS_KEY, tokens(counts));
    const e = ep('d1');
    if (match) e.attributes.set(key, match);
    return build<D>('prefix-based-pd-decider', params).disaggregate(cx, request(), e);
  };
  const nc16 = { nonCachedTokens: 16 };

  it('reference vector: nonCached 16, input 100, B 64: 1 cached block → 100 − 64 = 36 ≥ 16 → yes; 2 → 100 − 128 = −28 → no', () => {
    expect(decide(nc16, [100], { match: 1, total: 2, blockSize: 64 })).toBe(true);
    expect(decide(nc16, [100], { match: 2, total: 2, blockSize: 64 })).toBe(false);
  });
  it('input = TokenizedPrompt count summed over prompts (60 + 40 = 100); boundary 80 − 64 = 16 ≥ 16 yes, 79 − 64 = 15 no', () => {
    expect(decide(nc16, [60, 40], { match: 1, total: 2, blockSize: 64 })).toBe(true);
    expect(decide(nc16, [80], { match: 1, total: 2, blockSize: 64 })).toBe(true);
    expect(decide(nc16, [79], { match: 1, total: 2, blockSize: 64 })).toBe(false);
  });
  it('cached = UNweighted blocks when the producer gives them (precise: weighted match 0, 2 blocks cached → 100 − 128 < 16 → no)', () => {
    expect(decide(nc16, [100], { match: 0, unweightedBlocks: 2, total: 2, blockSize: 64 })).toBe(false);
  });
  it('reads only the default approx key: match info under another producer counts as nothing cached', () => {
    expect(decide(nc16, [100], { match: 2, total: 2, blockSize: 64 }, dataKey('PrefixCacheMatchInfoDataKey', 'precise'))).toBe(true);
  });
  it('guards: nonCachedTokens 0 never; no TokenizedPrompt → input 0 < 16 → no; promptTokens 200 > input 100 → no', () => {
    expect(decide({}, [1000], null)).toBe(false);
    expect(decide(nc16, null, null)).toBe(false);
    expect(decide({ nonCachedTokens: 16, promptTokens: 200 }, [100], null)).toBe(false);
    expect(decide({ nonCachedTokens: 16, promptTokens: 100 }, [100], null)).toBe(true);
    expect(() => build('prefix-based-pd-decider', { nonCachedTokens: -1 })).toThrow();
  });
  it('property: more input never turns yes into no; more cached blocks never turns no into yes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 5 }), (nc, pt, input, blocks, more, fewer) => {
        const p = { nonCachedTokens: nc, promptTokens: pt };
        const m = (b: number) => ({ match: b, total: 40, blockSize: 64 });
        const yes = decide(p, [input], m(blocks));
        if (yes) expect(decide(p, [input + more], m(blocks))).toBe(true);
        if (yes) expect(decide(p, [input], m(Math.max(0, blocks - fewer)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('always-disagg-multimodal-decider / always-disagg-pd-decider (§4.5)', () => {
  type D = Plugin & { disaggregate(c: CycleContext, r: LLMRequest, e: SchedEndpoint | null): boolean };
  it('yes iff the TokenizedPrompt carries a multimodal feature', () => {
    const d = build<D>('always-disagg-multimodal-decider');
    const cx = ctx();
    expect(d.disaggregate(cx, request(), null)).toBe(false);
    cx.cycleState.set(TOKENS_KEY, tokens([10]));
    expect(d.disaggregate(cx, request(), null)).toBe(false);
    cx.cycleState.set(TOKENS_KEY, tokens([235], [{ modality: 'image', hash: 'ab12', offset: 10, length: 225 }]));
    expect(d.disaggregate(cx, request(), null)).toBe(true);
  });
  it('always-disagg-pd-decider is in both dialects and always says yes', () => {
    expect(build<D>('always-disagg-pd-decider').disaggregate(ctx(), request(), null)).toBe(true);
    expect(pluginDefinition('always-disagg-pd-decider', 'gaie-v1.5')).toBe(pluginDefinition('always-disagg-pd-decider', 'llm-d-v0.10'));
  });
});

// ---------------------------------------------------------------------------------------------
// header-profile-handler, data-parallel-profile-handler

function profilesOf(...ps: string[]): Map<string, SchedulerProfile> {
  const picker = build<Plugin>('max-score-picker') as unknown as SchedulerProfile['picker'];
  return new Map(ps.map((p) => [p, { name: p, filters: [new KeepFilter(`f-${p}`, null, [p])], scorers: [], picker }]));
}
const RP = [ep('a1', { role: 'a' }), ep('b1', { role: 'b' }), ep('decode1', { role: 'decode' })];

describe('header-profile-handler (§4.5)', () => {
  const h = build<Plugin & SchedulerProfile['picker'] & ProfileHandler>('header-profile-handler');
  const ran = (headers: Record<string, string>, profiles = profilesOf('a', 'b', 'decode')): string[] => {
    const trace: SchedulingTrace = { profiles: [] };
    const r = schedule(h, profiles, ctx(), request(headers), RP, trace);
    expect(r.primaryProfileName).toBe(trace.profiles[0]!.profile);
    return trace.profiles.map((p) => p.profile);
  };
  it('runs the profile the header names (trimmed), defaultProfile when empty; one profile → that one', () => {
    expect(ran({ 'epp-profile': ' b ' })).toEqual(['b']);
    expect(ran({ 'epp-profile': '' })).toEqual(['decode']);
    expect(ran({})).toEqual(['decode']);
    expect(ran({ 'epp-profile': 'zzz' }, profilesOf('a'))).toEqual(['a']);
  });
  it('an unknown (case-sensitive) name runs nothing → SchedulingError (429)', () => {
    expect(() => ran({ 'epp-profile': 'B' })).toThrow(SchedulingError);
  });
  it('headerName is matched lower-cased; a failed profile fails the request', () => {
    const h2 = build<ProfileHandler>('header-profile-handler', { headerName: 'X-Pool', defaultProfile: 'a' });
    const trace: SchedulingTrace = { profiles: [] };
    schedule(h2, profilesOf('a', 'b'), ctx(), request({ 'x-pool': 'b' }), RP, trace);
    expect(trace.profiles.map((p) => p.profile)).toEqual(['b']);
    expect(() => schedule(h2, profilesOf('a', 'b'), ctx(), request(), RP.slice(1))).toThrow(SchedulingError);
  });
});

describe('data-parallel-profile-handler (§4.5)', () => {
  type H = ProfileHandler;
  it('runs the one profile and sets x-data-parallel-host-port to the chosen rank', () => {
    const cx = ctx();
    const r = schedule(build<H>('data-parallel-profile-handler'), profilesOf('b'), cx, request(), RP);
    expect(names(r.profileResults.get('b'))).toEqual(['b1']);
    expect((cx.cycleState.get(UPSTREAM_HEADERS) as Map<string, string>).get('x-data-parallel-host-port')).toBe('b1');
  });
  it('more than one profile fails; primaryPort must be a port or 0 (default 8000)', () => {
    expect(() => schedule(build<H>('data-parallel-profile-handler'), profilesOf('a', 'b'), ctx(), request(), RP)).toThrow(/exactly one profile/);
    expect(() => build('data-parallel-profile-handler', { primaryPort: 70000 })).toThrow(/not a port/);
    expect((build('data-parallel-profile-handler', { primaryPort: 0 }) as unknown as { primaryPort: number }).primaryPort).toBe(0);
    expect((build('data-parallel-profile-handler') as unknown as { primaryPort: number }).primaryPort).toBe(8000);
  });
});


