/**
 * llm-d-router v0.10.0 filters and scorers (`llm-d-router.md` §4.2, §4.3, §5): shipped and derived
 * vectors, and the v0.10 twins' formulas. Derivations are next to the expectations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PREFIX_CACHE_MATCH_INFO } from '../../policies/framework/attributes.js';
import { PEER_ENDPOINT, type Topology } from '../../policies/framework/dataKeys.js';
import { pluginDefinition } from '../../policies/framework/registry.js';
import type { Filter, Scorer, SchedEndpoint } from '../../policies/framework/types.js';
import { registerCatalog } from '../../policies/plugins/index.js';
import { contextLengthAware, contextLengthScore, type ContextLengthAware } from '../../policies/plugins/filter/contextLengthAware.js';
import { endpointAttributeFilter } from '../../policies/plugins/filter/endpointAttribute.js';
import { labelSelectorFilter } from '../../policies/plugins/filter/labelSelector.js';
import { prefixCacheAffinityFilterV010 } from '../../policies/plugins/filter/prefixCacheAffinity.v010.js';
import { sessionAffinityFilter, type SessionAffinityFilter } from '../../policies/plugins/filter/sessionAffinity.js';
import { topologyAffinityFilter } from '../../policies/plugins/filter/topologyAffinity.js';
import { utilizationFilter } from '../../policies/plugins/filter/utilization.js';
import { activeRequestScorerV010 } from '../../policies/plugins/scorer/activeRequest.v010.js';
import { endpointAttributeScorer } from '../../policies/plugins/scorer/endpointAttribute.js';
import { headerLabelAffinityScorer } from '../../policies/plugins/scorer/headerLabelAffinity.js';
import { mmEmbeddingsCacheScorer } from '../../policies/plugins/scorer/mmEmbeddingsCache.js';
import { multiclusterKvCacheUtilizationScorer } from '../../policies/plugins/scorer/multiclusterKvCacheUtilization.js';
import { multiclusterQueueScorer } from '../../policies/plugins/scorer/multiclusterQueue.js';
import { noHitLruScorerV010, type NoHitLruScorerV010 } from '../../policies/plugins/scorer/noHitLru.v010.js';
import { prefixCacheScorerV010, prefixScoreV010 } from '../../policies/plugins/scorer/prefixCache.v010.js';
import { sessionToken } from '../../policies/plugins/scorer/sessionAffinity.js';
import { sessionAffinityScorerV010, type SessionAffinityScorerV010 } from '../../policies/plugins/scorer/sessionAffinity.v010.js';
import { tokenLoadScorerV010 } from '../../policies/plugins/scorer/tokenLoad.v010.js';
import { topologyAffinityScorer } from '../../policies/plugins/scorer/topologyAffinity.js';
import { build, ctx, ep, names, obj, pluginState, req, schedResult } from './loadFixtures.js';

const withAttrs = (name: string, attrs: Record<string, unknown>, labels: Record<string, string> = {}, m = {}): SchedEndpoint => {
  const e = ep(name, m, labels);
  for (const [k, v] of Object.entries(attrs)) e.attributes.set(k, v);
  return e;
};
const PM = 'PrefixCacheMatchInfoDataKey/approx-prefix-cache-producer';
const IFL = 'InFlightLoadDataKey/inflight-load-producer';
const UNC = 'UncachedRequestTokens/inflight-load-producer';
const TP = 'TokenizedPrompt/token-producer';
const TOPO = 'Topology/topology-extractor';
const topo = (host: string, rack = '', zone = '', region = ''): Topology => ({ host, rack, zone, region });

describe('context-length-aware (§4.2)', () => {
  it('derived vectors: len 10 in 0–20 → 0.8940; len 9000 vs 0–2048 → 0.0377', () => {
    // w = 20: 0.3 + 0.7·(0.7/1.002 + 0.3·10/20) = 0.3 + 0.7·(0.698603 + 0.15) = 0.894022
    expect(contextLengthScore('0-20', 10)).toBeCloseTo(0.894022, 6);
    // d = 9000 − 2048 = 6952: 0.3/(1 + 6.952) = 0.037726
    expect(contextLengthScore('0-2048', 9000)).toBeCloseTo(0.037726, 6);
  });
  it('unlabeled 0.5, malformed 0, zero width in range 1, below the range uses the lower bound', () => {
    expect(contextLengthScore(undefined, 5)).toBe(0.5);
    expect(contextLengthScore('abc', 5)).toBe(0);
    expect(contextLengthScore('20-10', 15)).toBe(0);
    expect(contextLengthScore('7-7', 7)).toBe(1);
    // d = 1000 − 500 = 500 → 0.3/1.5 = 0.2
    expect(contextLengthScore('1000-2000', 500)).toBeCloseTo(0.2, 12);
  });
  it('length is the TokenizedPrompt token count (summed over prompts; none → 0)', () => {
    const p = build<ContextLengthAware>(contextLengthAware, { enableFiltering: true });
    const es = [ep('short', {}, { 'llm-d.ai/context-length-range': '0-100' }), ep('long', {}, { 'llm-d.ai/context-length-range': '101-5000' }), ep('any')];
    const c = ctx();
    c.cycleState.set(TP, { tokenCounts: [60, 60], multimodal: [], cacheSalt: '' });
    expect(names(p.filter(c, req(), es))).toEqual(['long', 'any']);
    // 120 in 101–5000: w 4899 → 0.3 + 0.7·(0.7/1.4899 + 0.3·4880/4899) = 0.3 + 0.7·(0.469830 + 0.298836) = 0.838066
    expect(obj(p.score(c, req(), es)).long).toBeCloseTo(0.838066, 5);
    expect(names(p.filter(ctx(), req(), es))).toEqual(['short', 'any']); // no TokenizedPrompt → 0 tokens
    const off = build<Filter>(contextLengthAware);
    expect(off.filter(c, req(), es)).toBe(es);
  });
  it('property: in-range scores lie in [0.3, 1], out-of-range in (0, 0.3]', () => {
    fc.assert(
      fc.property(fc.nat(10000), fc.nat(10000), fc.nat(30000), (a, b, len) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const s = contextLengthScore(`${lo}-${hi}`, len);
        if (len >= lo && len <= hi) return s >= 0.3 - 1e-12 && s <= 1 + 1e-12;
        return s > 0 && s <= 0.3;
      }),
    );
  });
});

describe('endpoint-attribute-scorer (§4.3 shipped vectors)', () => {
  const A = 'GPUUtilization/dcgm-extractor';
  const es = (vals: (number | undefined)[]) => vals.map((v, i) => withAttrs(`e${i}`, v === undefined ? {} : { [A]: v }));
  const sc = (params: object, vals: (number | undefined)[]) => obj(build<Scorer>(endpointAttributeScorer, { attributeKey: A, ...params }).score(ctx(), req(), es(vals)));
  it('10, 5, 0 lower-is-better → 0, 0.5, 1; higher → 1, 0.5, 0', () => {
    expect(sc({ algorithm: { type: 'linear_lower_is_better' } }, [10, 5, 0])).toEqual({ e0: 0, e1: 0.5, e2: 1 });
    expect(sc({ algorithm: { type: 'linear_higher_is_better' } }, [10, 5, 0])).toEqual({ e0: 1, e1: 0.5, e2: 0 });
  });
  it('7, 7 adaptive → 1, 1; missing attribute → 0', () => {
    expect(sc({ algorithm: { type: 'linear_lower_is_better', normalization: { adaptiveRange: {} } } }, [7, 7, undefined])).toEqual({ e0: 1, e1: 1, e2: 0 });
  });
  it('fixed 0–10: equal values scored by their position; out-of-range values clamped', () => {
    const fixed = { type: 'linear_lower_is_better', normalization: { fixedRange: { min: 0, max: 10 } } };
    // 3 → 1 − 0.3 = 0.7 (both); 15 → n 1 → 0; −5 → n 0 → 1
    expect(sc({ algorithm: fixed }, [3, 3, 15, -5])).toEqual({ e0: 0.7, e1: 0.7, e2: 0, e3: 1 });
  });
  it('rejects both normalizations and min ≥ max', () => {
    expect(() => build(endpointAttributeScorer, { attributeKey: A, algorithm: { type: 'linear_lower_is_better', normalization: { fixedRange: { min: 0, max: 1 }, adaptiveRange: {} } } })).toThrow(/at most one/);
    expect(() => build(endpointAttributeScorer, { attributeKey: A, algorithm: { type: 'linear_lower_is_better', normalization: { fixedRange: { min: 1, max: 1 } } } })).toThrow(/min < max/);
    expect(() => build(endpointAttributeScorer, { algorithm: { type: 'linear_lower_is_better' } })).toThrow();
  });
  it('property: scores in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: undefined }), { minLength: 1, maxLength: 8 }), fc.boolean(), (vals, lower) => {
        const s = sc({ algorithm: { type: lower ? 'linear_lower_is_better' : 'linear_higher_is_better' } }, vals);
        return Object.values(s).every((x) => x >= 0 && x <= 1);
      }),
    );
  });
});

describe('endpoint-attribute-filter (§4.2)', () => {
  const A = 'GPUUtilization/dcgm-extractor';
  const es = () => [withAttrs('a', { [A]: 0.2 }), withAttrs('b', { [A]: 0.9 }), withAttrs('c', {})];
  const f = (p: object) => build<Filter>(endpointAttributeFilter, { attribute: A, algorithm: { type: 'threshold', threshold: { operator: 'LessThan', value: 0.5 } }, ...p });
  it('keeps value OP threshold; missing kept iff Pass', () => {
    expect(names(f({}).filter(ctx(), req(), es()))).toEqual(['a', 'c']);
    expect(names(f({ onMissing: 'Fail' }).filter(ctx(), req(), es()))).toEqual(['a']);
  });
  it('empty → original iff fallbackOnEmpty', () => {
    const t = { type: 'threshold', threshold: { operator: 'GreaterThan', value: 5 } };
    const list = es();
    expect(f({ onMissing: 'Fail', algorithm: t }).filter(ctx(), req(), list)).toEqual([]);
    expect(f({ onMissing: 'Fail', algorithm: t, fallbackOnEmpty: true }).filter(ctx(), req(), list)).toBe(list);
  });
});

describe('topology affinity (§4.2, §4.3)', () => {
  // Shipped vector: peer {h1,r1,z1,reg1}; candidates same host, {h2,r1}, {h3,r3,z3,reg3}; minAffinity rack → first two.
  const peer = withAttrs('peer', { [TOPO]: topo('h1', 'r1', 'z1', 'reg1') });
  const cands = () => [
    withAttrs('same-host', { [TOPO]: topo('h1', 'r1', 'z1', 'reg1') }),
    withAttrs('same-rack', { [TOPO]: topo('h2', 'r1') }),
    withAttrs('far', { [TOPO]: topo('h3', 'r3', 'z3', 'reg3') }),
    withAttrs('zone', { [TOPO]: topo('h4', 'r4', 'z1', 'reg1') }),
    withAttrs('region', { [TOPO]: topo('h5', 'r5', 'z5', 'reg1') }),
    ep('no-topology'),
  ];
  const withPeer = () => {
    const c = ctx();
    c.cycleState.set(PEER_ENDPOINT, peer);
    return c;
  };
  it('filter minAffinity rack keeps the same host and the same rack; no topology dropped', () => {
    expect(names(build<Filter>(topologyAffinityFilter, { minAffinity: 'rack' }).filter(withPeer(), req(), cands()))).toEqual(['same-host', 'same-rack']);
    expect(names(build<Filter>(topologyAffinityFilter).filter(withPeer(), req(), cands()))).toEqual(['same-host']);
  });
  it('filter: no peer or empty result → all', () => {
    const list = cands();
    expect(build<Filter>(topologyAffinityFilter).filter(ctx(), req(), list)).toBe(list);
    const only = [withAttrs('far', { [TOPO]: topo('h3', 'r3', 'z3', 'reg3') })];
    expect(build<Filter>(topologyAffinityFilter).filter(withPeer(), req(), only)).toBe(only);
  });
  it('scorer: host 1, rack 0.2, zone 0.05, region 0.02, none 0; no peer → 0', () => {
    const s = build<Scorer>(topologyAffinityScorer);
    expect(obj(s.score(withPeer(), req(), cands()))).toEqual({ 'same-host': 1, 'same-rack': 0.2, far: 0, zone: 0.05, region: 0.02, 'no-topology': 0 });
    expect(Object.values(obj(s.score(ctx(), req(), cands())))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('utilization-filter (§4.2 shipped cases)', () => {
  const es = () => [
    withAttrs('at-cap', { [IFL]: { requests: 4, tokens: 0 } }, {}, { waitingQueueSize: 2 }),
    withAttrs('over', { [IFL]: { requests: 5, tokens: 0 } }, {}, { waitingQueueSize: 0 }),
    withAttrs('queue-over', {}, {}, { waitingQueueSize: 3 }),
  ];
  const conditions = [
    { metric: 'active-requests', maxValue: 4 },
    { metric: 'waiting-queue', maxValue: 2 },
  ];
  it('keeps endpoints at/below every cap; missing in-flight reads 0', () => {
    expect(names(build<Filter>(utilizationFilter, { conditions }).filter(ctx(), req(), es()))).toEqual(['at-cap']);
  });
  it('all dropped → empty unless fallbackOnEmpty', () => {
    const tight = [{ metric: 'kv-cache-utilization', maxValue: -1 }];
    const list = es();
    expect(build<Filter>(utilizationFilter, { conditions: tight }).filter(ctx(), req(), list)).toEqual([]);
    expect(build<Filter>(utilizationFilter, { conditions: tight, fallbackOnEmpty: true }).filter(ctx(), req(), list)).toBe(list);
  });
  it('needs at least one condition', () => {
    expect(() => build(utilizationFilter, { conditions: [] })).toThrow();
  });
});

describe('prefix-cache-scorer v0.10 (§5 vectors)', () => {
  const info = (match: number, total: number, blockSize: number) => ({ match, total, blockSize });
  it('(5,10,1) → 0.5; (2,10,1) → 0.2; w 0.5 scale 100: (5,10,1) → 0.25125, (50,100,1) → 0.375', () => {
    expect(prefixScoreV010(info(5, 10, 1), 0, 8192)).toBe(0.5);
    expect(prefixScoreV010(info(2, 10, 1), 0, 8192)).toBe(0.2);
    // 0.5·(5/100)² + 0.5·0.5 = 0.00125 + 0.25
    expect(prefixScoreV010(info(5, 10, 1), 0.5, 100)).toBeCloseTo(0.25125, 12);
    // 0.5·(50/100)² + 0.5·0.5 = 0.125 + 0.25
    expect(prefixScoreV010(info(50, 100, 1), 0.5, 100)).toBeCloseTo(0.375, 12);
    expect(prefixScoreV010(info(0, 0, 64), 0.5, 100)).toBe(0);
  });
  it('reads the producer key, falls back to the GAIE attribute for the default key, 0 without info', () => {
    const s = build<Scorer>(prefixCacheScorerV010, { matchLengthWeight: 1, matchLengthScaleTokens: 256 });
    const es = [
      withAttrs('v010', { [PM]: info(2, 4, 64) }),
      withAttrs('gaie', { [PREFIX_CACHE_MATCH_INFO]: { matchBlocks: 1, totalBlocks: 4, blockSizeTokens: 64 } }),
      ep('none'),
    ];
    // w 1: min(1, 2·64/256)² = 0.25; min(1, 64/256)² = 0.0625
    expect(obj(s.score(ctx(), req(), es))).toEqual({ v010: 0.25, gaie: 0.0625, none: 0 });
    const other = build<Scorer>(prefixCacheScorerV010, { prefixMatchInfoProducerName: 'mine' });
    expect(obj(other.score(ctx(), req(), es))).toEqual({ v010: 0, gaie: 0, none: 0 });
  });
  it('rejects v1.5.0 producer fields and a non-positive scale with a weight', () => {
    expect(() => build(prefixCacheScorerV010, { blockSizeTokens: 16 })).toThrow();
    expect(() => build(prefixCacheScorerV010, { matchLengthWeight: 1.5 })).toThrow();
    expect(() => build(prefixCacheScorerV010, { matchLengthWeight: 0.5, matchLengthScaleTokens: 0 })).toThrow(/matchLengthScaleTokens/);
  });
});

describe('token-load-scorer and active-request-scorer v0.10 (§5)', () => {
  it('token-load adds UncachedRequestTokens to the in-flight tokens', () => {
    const s = build<Scorer>(tokenLoadScorerV010, { queueThresholdTokens: 4000 });
    const es = [withAttrs('a', { [IFL]: { requests: 1, tokens: 1000 }, [UNC]: 1000 }), withAttrs('b', { [UNC]: 192 }), ep('idle'), withAttrs('full', { [IFL]: { requests: 9, tokens: 9000 } })];
    // a: 1 − 2000/4000 = 0.5; b: 1 − 192/4000 = 0.952; idle 1; full: min(9000, 4000) → 0
    expect(obj(s.score(ctx(), req(), es))).toEqual({ a: 0.5, b: 0.952, idle: 1, full: 0 });
  });
  it('active-request: max over the candidates, maxBusyScore 1 by default, idleThreshold', () => {
    const es = [0, 2, 4].map((n, i) => withAttrs(`e${i}`, { [IFL]: { requests: n, tokens: 0 } }));
    // max 4: e1 (4−2)/4 = 0.5, e2 0
    expect(obj(build<Scorer>(activeRequestScorerV010).score(ctx(), req(), es))).toEqual({ e0: 1, e1: 0.5, e2: 0 });
    expect(obj(build<Scorer>(activeRequestScorerV010, { idleThreshold: 2, maxBusyScore: 0.5 }).score(ctx(), req(), es))).toEqual({ e0: 1, e1: 1, e2: 0 });
    expect(obj(build<Scorer>(activeRequestScorerV010, { requestTimeout: '5s' }).score(ctx(), req(), es.slice(0, 2)))).toEqual({ e0: 1, e1: 0 });
  });
});

describe('no-hit-lru-scorer v0.10 (§5)', () => {
  it('cold = no candidate matched; cold requests rotate over the LRU; warm 0.5', () => {
    const s = build<NoHitLruScorerV010>(noHitLruScorerV010);
    const st = pluginState();
    const es = [ep('a'), ep('b'), ep('c')];
    const c1 = ctx({ state: st });
    const r1 = req();
    // never used, in order: 1, 0.5, 0
    expect(obj(s.score(c1, r1, es))).toEqual({ a: 1, b: 0.5, c: 0 });
    s.preRequest(c1, r1, schedResult({ default: [es[0]!] }));
    // a used (position 0); b, c never used: b 1, c 0.5, a 1 − (2 + 0)/2 = 0
    const r2 = req();
    expect(obj(s.score(ctx({ state: st }), r2, es))).toEqual({ a: 0, b: 1, c: 0.5 });
    const warm = [withAttrs('a', { [PM]: { match: 1, total: 3, blockSize: 64 } }), ep('b')];
    expect(obj(s.score(ctx({ state: st }), req(), warm))).toEqual({ a: 0.5, b: 0.5 });
  });
});

describe('prefix-cache-affinity-filter v0.10 (§5)', () => {
  const sticky = (tokens: number) => withAttrs('sticky', { [PM]: { match: 9, total: 10, blockSize: 64 }, [IFL]: { requests: 1, tokens } });
  const cold = () => withAttrs('cold', { [PM]: { match: 0, total: 10, blockSize: 64 } });
  it('defaults: no exploration draw effect, TTFT from in-flight tokens / 15928 tok/s, penalty 18000 ms', () => {
    const f = build<Filter>(prefixCacheAffinityFilterV010);
    // 286704 tokens / 15928 = 18 s = 18000 ms: not > 18000 → sticky kept
    expect(names(f.filter(ctx({ rng: () => 0 }), req(), [sticky(286704), cold()]))).toEqual(['sticky']);
    // 286720 / 15928 · 1000 = 18001.0 ms > 18000 → stickiness broken
    expect(names(f.filter(ctx({ rng: () => 0 }), req(), [sticky(286720), cold()]))).toEqual(['sticky', 'cold']);
  });
  it('latencyPredictor mode never breaks stickiness (no predictions)', () => {
    const f = build<Filter>(prefixCacheAffinityFilterV010, { ttftSource: 'latencyPredictor' });
    expect(names(f.filter(ctx({ rng: () => 0.5 }), req(), [sticky(1e9), cold()]))).toEqual(['sticky']);
  });
});

describe('label-selector-filter, header-label-affinity, mm and multicluster scorers', () => {
  it('label-selector-filter: no fail-open', () => {
    const f = build<Filter>(labelSelectorFilter, { matchLabels: { tier: 'gold' } });
    expect(names(f.filter(ctx(), req(), [ep('a', {}, { tier: 'gold' }), ep('b')]))).toEqual(['a']);
    expect(f.filter(ctx(), req(), [ep('b')])).toEqual([]);
  });
  it('header-label-affinity: label equals header → 1; empty header → all 0', () => {
    const s = build<Scorer>(headerLabelAffinityScorer, { headerName: 'X-Tenant', labelKey: 'tenant' });
    const es = [ep('a', {}, { tenant: 'x' }), ep('b', {}, { tenant: 'y' })];
    expect(obj(s.score(ctx(), req({ headers: { 'x-tenant': 'x' } }), es))).toEqual({ a: 1, b: 0 });
    expect(obj(s.score(ctx(), req({ headers: { 'x-tenant': '' } }), es))).toEqual({ a: 0, b: 0 });
    expect(() => build(headerLabelAffinityScorer, { headerName: 'x' })).toThrow();
  });
  it('mm-embeddings-cache: matched/total; no info → 0', () => {
    const K = 'EncoderCacheMatchInfo/mm-embeddings-cache-producer';
    const es = [withAttrs('a', { [K]: { matched: 1, total: 4 } }), ep('b')];
    expect(obj(build<Scorer>(mmEmbeddingsCacheScorer).score(ctx(), req(), es))).toEqual({ a: 0.25, b: 0 });
  });
  it('multicluster queue (min–max, missing left out) and kv utilization (1 − u)', () => {
    const Q = 'llm-d.ai/multicluster-queue-size';
    const U = 'llm-d.ai/multicluster-kv-cache-utilization';
    const es = [withAttrs('a', { [Q]: 2, [U]: 0.25 }), withAttrs('b', { [Q]: 10 }), withAttrs('c', { [Q]: 6 }), ep('d')];
    // min 2, max 10: (10−2)/8 = 1, 0, (10−6)/8 = 0.5
    expect(obj(build<Scorer>(multiclusterQueueScorer).score(ctx(), req(), es))).toEqual({ a: 1, b: 0, c: 0.5 });
    expect(obj(build<Scorer>(multiclusterKvCacheUtilizationScorer).score(ctx(), req(), es))).toEqual({ a: 0.75 });
  });
});

describe('session affinity v0.10 (§4.2, §4.3)', () => {
  it('encoded header: filter keeps the decoded endpoint, scorer 1 for it; response header of the server', () => {
    const es = [ep('p-0'), ep('p-1')];
    const r = req({ headers: { 'x-session-token': sessionToken('p-1') } });
    const f = build<SessionAffinityFilter>(sessionAffinityFilter);
    expect(names(f.filter(ctx(), r, es))).toEqual(['p-1']);
    expect(f.filter(ctx(), req({ headers: { 'x-session-token': sessionToken('gone') } }), es)).toBe(es);
    const s = build<SessionAffinityScorerV010>(sessionAffinityScorerV010);
    expect(obj(s.score(ctx(), r, es))).toEqual({ 'p-0': 0, 'p-1': 1 });
    const headers = new Map<string, string>();
    s.processResponseHeaders(ctx(), r, { endpoint: 'p-0', result: schedResult({ default: [es[0]!] }), headers });
    expect(headers.get('x-session-token')).toBe(Buffer.from('default/p-0').toString('base64'));
  });
  it('profileName: header from that profile\'s pick, nothing if it has none', () => {
    const es = [ep('d'), ep('p')];
    const s = build<SessionAffinityScorerV010>(sessionAffinityScorerV010, { profileName: 'prefill' });
    const h1 = new Map<string, string>();
    s.processResponseHeaders(ctx(), req(), { endpoint: 'd', result: schedResult({ decode: [es[0]!], prefill: [es[1]!] }), headers: h1 });
    expect(h1.get('x-session-token')).toBe(sessionToken('p'));
    const h2 = new Map<string, string>();
    s.processResponseHeaders(ctx(), req(), { endpoint: 'd', result: schedResult({ decode: [es[0]!] }), headers: h2 });
    expect(h2.size).toBe(0);
  });
  it('session_id: bind, keep while present, rebind only when the bound endpoint was not a candidate, expire after the TTL', () => {
    const f = build<SessionAffinityFilter>(sessionAffinityFilter, { strategy: 'session_id', sessionIdConfig: { evictionTtlSeconds: 60, evictionSweepSeconds: 10 } });
    const st = pluginState();
    const [a, b] = [ep('a'), ep('b')];
    const step = (nowUs: number, cands: SchedEndpoint[], pick: SchedEndpoint, headers = { 'x-session-id': ' s1 ' }) => {
      const c = ctx({ state: st, nowUs });
      const r = req({ headers });
      const kept = names(f.filter(c, r, cands));
      f.core.preRequest(c, r, schedResult({ default: [pick] }));
      return kept;
    };
    expect(step(0, [a, b], a)).toEqual(['a', 'b']); // unbound → all; binds a
    expect(f.core.binding('s1')).toBe('a');
    expect(step(1e6, [a, b], b)).toEqual(['a']); // bound a present → only a; pick b does not rebind
    expect(f.core.binding('s1')).toBe('a');
    expect(step(2e6, [b], b)).toEqual(['b']); // a absent → all (b); rebinds to b
    expect(f.core.binding('s1')).toBe('b');
    // idle 2 s → 100 s > 60 s TTL: swept
    expect(step(100e6, [a, b], a)).toEqual(['a', 'b']);
    expect(f.core.binding('s1')).toBe('a');
  });
  it('session_id from a request attribute; sources need exactly one of header/attribute', () => {
    const s = build<SessionAffinityScorerV010>(sessionAffinityScorerV010, { strategy: 'session_id', sessionIdConfig: { sources: [{ attribute: 'agent-identity' }] } });
    const c = ctx();
    c.cycleState.set('agent-identity', 'agent-7');
    const r = req();
    const es = [ep('a'), ep('b')];
    expect(obj(s.score(c, r, es))).toEqual({ a: 0, b: 0 });
    s.preRequest(c, r, schedResult({ default: [es[1]!] }));
    const c2 = ctx();
    c2.cycleState.set('agent-identity', 'agent-7');
    expect(obj(s.score(c2, req(), es))).toEqual({ a: 0, b: 1 });
    expect(() => build(sessionAffinityFilter, { strategy: 'session_id', sessionIdConfig: { sources: [{ header: 'a', attribute: 'b' }] } })).toThrow(/exactly one/);
  });
});

describe('registration (§2.4, §5)', () => {
  registerCatalog();
  it('v0.10 twins serve llm-d-v0.10; the GAIE definitions keep gaie-v1.5', () => {
    for (const t of ['prefix-cache-scorer', 'token-load-scorer', 'active-request-scorer', 'no-hit-lru-scorer', 'session-affinity-scorer', 'prefix-cache-affinity-filter']) {
      expect(pluginDefinition(t, 'llm-d-v0.10')?.source).toBe('llm-d-router v0.10.0');
      expect(pluginDefinition(t, 'gaie-v1.5')?.source).not.toBe('llm-d-router v0.10.0');
    }
    expect(pluginDefinition('label-selector-filter', 'gaie-v1.5')).toBeUndefined();
    expect(pluginDefinition('by-label-selector', 'llm-d-v0.10')?.deprecatedFor).toBe('label-selector-filter');
    expect(pluginDefinition('by-label', 'llm-d-v0.10')?.deprecatedFor).toBe('label-selector-filter');
  });
  it('Alpha exactly as §2.4 lists among this group', () => {
    const alpha = ['session-affinity-filter', 'session-affinity-scorer', 'endpoint-attribute-filter', 'endpoint-attribute-scorer', 'topology-affinity-filter', 'topology-affinity-scorer', 'utilization-filter', 'header-label-affinity-scorer', 'multicluster-session-affinity-filter', 'multicluster-queue-scorer', 'multicluster-kv-cache-utilization-scorer', 'multicluster-prefix-cache-scorer'];
    for (const t of alpha) expect(pluginDefinition(t, 'llm-d-v0.10')?.stability, t).toBe('alpha');
    for (const t of ['label-selector-filter', 'context-length-aware', 'mm-embeddings-cache-scorer', 'prefix-cache-scorer', 'token-load-scorer']) expect(pluginDefinition(t, 'llm-d-v0.10')?.stability, t).toBeUndefined();
  });
});
