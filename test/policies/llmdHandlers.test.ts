/**
 * llm-d-router v0.10.0 profile handlers, deciders, header processors, screeners and admitters
 * (`llm-d-router.md` §4.5, §4.7, §5): unit tests calling the plugins directly (the v0.10 director
 * lifecycle arrives separately), with every expected number derived in the comments. Alpha types
 * are built from their definitions (not through the loader, which gates them on
 * allow-experimental-plugins).
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, loadPickerConfig, type ResolvedConfig } from '../../policies/config/loader.js';
import { TtlPluginState } from '../../policies/framework/director.js';
import { dataKey, PEER_ENDPOINT, type TokenizedPrompt } from '../../policies/framework/dataKeys.js';
import { pluginDefinition, type FactoryContext, type PluginDefinition } from '../../policies/framework/registry.js';
import { schedule, type SchedulingTrace } from '../../policies/framework/scheduler.js';
import {
  SchedulingError,
  type CycleContext,
  type LLMRequest,
  type Plugin,
  type ProfileRunResult,
  type SchedEndpoint,
  type SchedulerProfile,
  type SchedulingResult,
} from '../../policies/framework/types.js';
import type { EndpointMetrics } from '../../policies/types.js';
import { ProbabilisticAdmitter } from '../../policies/plugins/admission/probabilisticAdmitter.js';
import { DISAGG_DECISION, UPSTREAM_HEADERS } from '../../policies/plugins/profile/disaggAttributes.js';
import { parseStageOrder } from '../../policies/plugins/profile/disaggProfileHandler.v010.js';
import { AGENT_IDENTITY } from '../../policies/plugins/request/agentIdentity.js';
import { z } from 'zod';
import { KeepFilter, testCatalog } from './frameworkStubs.js';

const V010 = 'apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\n';
const catalog = new Map(defaultCatalog('llm-d-v0.10'));
for (const [type, def] of testCatalog()) if (type.startsWith('test-')) catalog.set(type, def);

/** A stage decider with a fixed answer that records the endpoint it was asked with (null allowed). */
class StageStub implements Plugin {
  readonly type = 'test-stage-decider';
  readonly asked: (string | null)[] = [];
  constructor(readonly name: string, readonly answer: boolean) {}
  disaggregate(_c: CycleContext, _r: LLMRequest, e: SchedEndpoint | null): boolean {
    this.asked.push(e?.name ?? null);
    return this.answer;
  }
}
const stageStubParams = z.strictObject({ answer: z.boolean().default(false) });
catalog.set('test-stage-decider', {
  type: 'test-stage-decider',
  kinds: ['PdDecider'],
  source: 'test',
  description: 'fixed answer, records the endpoint',
  params: stageStubParams,
  create: (name, p) => new StageStub(name, (p as z.output<typeof stageStubParams>).answer),
} as PluginDefinition);

function ctx(rng: () => number = seedrandom.alea('1')): CycleContext {
  return { nowUs: 0, rng, cycleState: new Map(), pluginState: new TtlPluginState() };
}
const never = (): number => {
  throw new Error('no random draw expected');
};
function request(headers: Record<string, string> = {}, priority = 0): LLMRequest {
  return { id: 'r1', model: 'm', targetModel: 'm', headers, prompt: { kind: 'completion', text: 'x' }, priority, fairnessId: '', requestSizeBytes: null };
}
function metrics(waiting: number, kv: number): EndpointMetrics {
  return { waitingQueueSize: waiting, runningRequestsSize: 0, kvCacheUsagePercent: kv, activeModels: [], waitingModels: [], maxActiveModels: 0, cacheBlockSize: 16, cacheNumGpuBlocks: 0, prefixCacheQueriesTotal: 0, prefixCacheHitsTotal: 0, updateTimeUs: 0 };
}
function ep(name: string, labels: Record<string, string> = {}, m: EndpointMetrics | null = null, index = 0): SchedEndpoint {
  return { name, index, labels, metrics: m, attributes: new Map() };
}
/** Builds a plugin of the v0.10 catalog from raw parameters (through its schema). */
function build<T extends Plugin>(type: string, params: Record<string, unknown> = {}, others: Record<string, Plugin> = {}): T {
  const def = pluginDefinition(type, 'llm-d-v0.10') as PluginDefinition;
  const fctx: FactoryContext = { plugin: (n) => others[n] };
  return def.create(type, def.params.strict().parse(params), fctx) as T;
}
const names = (r: ProfileRunResult | null | undefined): string[] => (r?.targetEndpoints ?? []).map((e) => e.name);
const tokens = (counts: number[], multimodal: TokenizedPrompt['multimodal'] = []): TokenizedPrompt => ({ tokenCounts: counts, multimodal, cacheSalt: '' });
const TOKENS_KEY = dataKey('TokenizedPrompt', 'token-producer');
const MATCH_KEY = dataKey('PrefixCacheMatchInfoDataKey', 'approx-prefix-cache-producer');

describe('registration (dialects, stability, deprecation)', () => {
  it('the P/D handler, decider and headers handler have a GAIE and a v0.10 definition', () => {
    for (const t of ['disagg-profile-handler', 'prefix-based-pd-decider', 'disagg-headers-handler']) {
      expect(pluginDefinition(t, 'gaie-v1.5')!.source, t).not.toBe('llm-d-router v0.10.0');
      expect(pluginDefinition(t, 'llm-d-v0.10')!.source, t).toBe('llm-d-router v0.10.0');
    }
  });
  it('v0.10-only types are absent from GAIE; alpha and deprecated ones say so (§2.4)', () => {
    defaultCatalog();
    for (const t of ['header-profile-handler', 'data-parallel-profile-handler', 'prefill-header-handler', 'agent-identity', 'disaggregatedset-rollout-screener', 'probabilistic-admitter', 'always-disagg-multimodal-decider']) {
      expect(pluginDefinition(t, 'gaie-v1.5'), t).toBeUndefined();
      expect(pluginDefinition(t, 'llm-d-v0.10'), t).toBeDefined();
    }
    expect(['header-profile-handler', 'agent-identity', 'disaggregatedset-rollout-screener'].map((t) => pluginDefinition(t, 'llm-d-v0.10')!.stability)).toEqual(['alpha', 'alpha', 'alpha']);
    expect(pluginDefinition('probabilistic-admitter', 'llm-d-v0.10')!.stability).toBeUndefined();
    expect(pluginDefinition('prefill-header-handler', 'llm-d-v0.10')!.deprecatedFor).toBe('disagg-profile-handler');
    expect(pluginDefinition('disagg-headers-handler', 'llm-d-v0.10')!.deprecatedFor).toBe('disagg-profile-handler');
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
  const h = build<Plugin & SchedulerProfile['picker'] & import('../../policies/framework/types.js').ProfileHandler>('header-profile-handler');
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
    const h2 = build<import('../../policies/framework/types.js').ProfileHandler>('header-profile-handler', { headerName: 'X-Pool', defaultProfile: 'a' });
    const trace: SchedulingTrace = { profiles: [] };
    schedule(h2, profilesOf('a', 'b'), ctx(), request({ 'x-pool': 'b' }), RP, trace);
    expect(trace.profiles.map((p) => p.profile)).toEqual(['b']);
    expect(() => schedule(h2, profilesOf('a', 'b'), ctx(), request(), RP.slice(1))).toThrow(SchedulingError);
  });
});

describe('data-parallel-profile-handler (§4.5)', () => {
  type H = import('../../policies/framework/types.js').ProfileHandler;
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
