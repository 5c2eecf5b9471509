/**
 * The allocation-free paths of the per-request EPP cycle give what the plain ones give: built-in
 * scorers' scoreInto = score, max-score-picker's pickTotals = pick (same draws), candidates' lazy
 * attribute map, the director's reuse of candidates between requests, multi-key plugin state.
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { loadPickerConfig } from '../../policies/config/loader.js';
import { PREFIX_CACHE_MATCH_INFO } from '../../policies/framework/attributes.js';
import { Candidate, SpareCandidates } from '../../policies/framework/candidate.js';
import { EndpointPicker, TtlPluginState, type PoolEndpoint } from '../../policies/framework/director.js';
import { keepsNoCandidates } from '../../policies/framework/directorUtil.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../policies/framework/types.js';
import { MaxScorePicker } from '../../policies/plugins/picker/maxScore.js';
import { KvCacheUtilizationScorer } from '../../policies/plugins/scorer/kvCacheUtilization.js';
import { PrefixCacheScorer } from '../../policies/plugins/scorer/prefixCache.js';
import { QueueScorer } from '../../policies/plugins/scorer/queue.js';
import { RunningRequestsSizeScorer } from '../../policies/plugins/scorer/runningRequestsSize.js';
import { HEAD, testCatalog } from './frameworkStubs.js';
import { metrics } from './loadFixtures.js';

const REQ: LLMRequest = { id: 'r', model: 'm', targetModel: 'm', headers: {}, prompt: { kind: 'completion', text: 'x' }, priority: 0, fairnessId: '', requestSizeBytes: null };

function ctx(rng: () => number = () => 0.5): CycleContext {
  return { nowUs: 0, rng, cycleState: new Map(), pluginState: new TtlPluginState() };
}

const endpointArb = fc.record({
  scraped: fc.boolean(),
  waiting: fc.integer({ min: 0, max: 6 }),
  running: fc.integer({ min: 0, max: 6 }),
  kv: fc.double({ min: -0.5, max: 1.5, noNaN: false }),
  match: fc.integer({ min: -1, max: 8 }),
  total: fc.integer({ min: 0, max: 8 }),
});

type EndpointSpec = { scraped: boolean; waiting: number; running: number; kv: number; match: number; total: number };

function candidates(specs: EndpointSpec[]): Candidate[] {
  return specs.map((s, index) => {
    const c = new Candidate({ name: `e${index}`, index, labels: {}, metrics: s.scraped ? metrics({ waitingQueueSize: s.waiting, runningRequestsSize: s.running, kvCacheUsagePercent: s.kv }) : null });
    if (s.match >= 0) c.setPrefixMatch(s.match, s.total, 16);
    return c;
  });
}

describe('built-in scorers: scoreInto writes what score maps', () => {
  const scorers: Scorer[] = [new QueueScorer('q'), new RunningRequestsSizeScorer('r'), new KvCacheUtilizationScorer('k'), new PrefixCacheScorer('p')];
  it('for any candidates (unscraped, NaN usage, missing or empty prefix info), position by position', () => {
    fc.assert(
      fc.property(fc.array(endpointArb, { minLength: 1, maxLength: 12 }), (specs) => {
        for (const s of scorers) {
          const eps = candidates(specs);
          const out = new Float64Array(eps.length + 3).fill(-7);
          s.scoreInto!(ctx(), REQ, eps, out);
          const m = s.score(ctx(), REQ, candidates(specs));
          eps.forEach((e, i) => expect(Object.is(out[i], m.get(e.name)), `${s.type} ${e.name}: ${out[i]} vs ${m.get(e.name)}`).toBe(true));
          expect(out[eps.length]).toBe(-7); // nothing written past the candidates
        }
      }),
    );
  });

  it('queue: waiting 0, 2, 4 → (4−q)/4 = 1, 0.5, 0; prefix: 3 of 4 blocks → 0.75, 0 blocks → 0, no info → 0', () => {
    const eps = candidates([0, 2, 4].map((waiting, i) => ({ scraped: true, waiting, running: 0, kv: 0, match: [3, 2, -1][i]!, total: [4, 0, 0][i]! })));
    const out = new Float64Array(3);
    new QueueScorer('q').scoreInto(ctx(), REQ, eps, out);
    expect([...out]).toEqual([1, 0.5, 0]);
    new PrefixCacheScorer('p').scoreInto(ctx(), REQ, eps, out);
    expect([...out]).toEqual([0.75, 0, 0]);
  });
});

describe('max-score-picker: pickTotals picks as pick, with the same draws', () => {
  it('for any totals with ties, maxNumOfEndpoints 1 and 2', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0.5, 1, 2, 2.5), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 2 }), fc.string(), (scores, max, seed) => {
        const eps = scores.map((_, index) => new Candidate({ name: `e${index}`, index, labels: {}, metrics: null }));
        const p = new MaxScorePicker('m', max);
        const draws = [0, 0];
        const run = (k: number) => {
          const r = seedrandom.alea(seed);
          return ctx(() => (draws[k]!++, r()));
        };
        const totals = new Float64Array(scores.length + 2).fill(99); // longer than the candidates, as the scheduler's reused array
        totals.set(scores);
        const fast = p.pickTotals(run(0), eps, totals).targetEndpoints.map((e) => e.name);
        const slow = p.pick(run(1), eps.map((endpoint, i) => ({ endpoint, score: scores[i]! }))).targetEndpoints.map((e) => e.name);
        expect(fast).toEqual(slow);
        expect(draws[0]).toBe(draws[1]);
      }),
    );
  });
});

describe('Candidate: attributes made on first use', () => {
  const pool: PoolEndpoint = { name: 'a', index: 0, labels: { role: 'x' }, metrics: null };

  it('a pending prefix match reads back as one PrefixCacheMatchInfo object, before the keys set later', () => {
    const c = new Candidate(pool);
    c.setPrefixMatch(3, 4, 16);
    expect(c.prefixMatchRatio()).toBe(0.75);
    c.attributes.set('other', 1);
    const info = c.attributes.get(PREFIX_CACHE_MATCH_INFO);
    expect(info).toEqual({ matchBlocks: 3, totalBlocks: 4, blockSizeTokens: 16 });
    expect(c.attributes.get(PREFIX_CACHE_MATCH_INFO)).toBe(info);
    expect([...c.attributes.keys()]).toEqual([PREFIX_CACHE_MATCH_INFO, 'other']);
    c.setPrefixMatch(1, 4, 16); // the map exists: written there
    expect(c.attributes.get(PREFIX_CACHE_MATCH_INFO)).toEqual({ matchBlocks: 1, totalBlocks: 4, blockSizeTokens: 16 });
    expect(c.prefixMatchRatio()).toBe(0.25);
  });

  it('static pool attributes are copied; renew forgets the request attributes and takes the new metrics', () => {
    const m1 = metrics({ waitingQueueSize: 1 });
    const c = new Candidate({ ...pool, metrics: m1, attributes: new Map([['zone', 'z1']]) });
    expect([...c.attributes]).toEqual([['zone', 'z1']]);
    c.attributes.set('k', 2);
    const m2 = metrics({ waitingQueueSize: 2 });
    c.renew({ ...pool, metrics: m2 });
    expect(c.metrics).toBe(m2);
    expect(c.attributes.size).toBe(0);
    c.setPrefixMatch(2, 2, 16);
    c.renew(pool);
    expect(c.prefixMatchRatio()).toBe(0);
    expect(c.attributes.has(PREFIX_CACHE_MATCH_INFO)).toBe(false);
  });
});

describe('the director reuses candidates only where nothing keeps them', () => {
  it('SpareCandidates: the same objects next request, except a kept target, which stays as it was', () => {
    const m1 = metrics({ waitingQueueSize: 1 });
    const poolAt = (m: ReturnType<typeof metrics>): PoolEndpoint[] => ['a', 'b', 'c'].map((name, index) => ({ name, index, labels: {}, metrics: m }));
    const s = new SpareCandidates();
    const first = [...s.renew(poolAt(m1))] as Candidate[];
    first[1]!.setPrefixMatch(1, 2, 16);
    s.keepTargets({ primaryProfileName: 'p', profileResults: new Map([['p', { targetEndpoints: [first[1]!] }]]) });
    const m2 = metrics({ waitingQueueSize: 2 });
    const second = s.renew(poolAt(m2));
    expect(second[0]).toBe(first[0]);
    expect(second[2]).toBe(first[2]);
    expect(second[1]).not.toBe(first[1]);
    expect(second.map((e) => e.metrics)).toEqual([m2, m2, m2]);
    expect(first[1]!.metrics).toBe(m1);
    expect(first[1]!.prefixMatchRatio()).toBe(0.5);
  });

  it('the default config allows reuse; one user plugin (no keepsNoCandidates) turns it off', () => {
    expect(keepsNoCandidates(loadPickerConfig(null))).toBe(true);
    const withUser = loadPickerConfig(
      { text: `${HEAD}plugins:\n- {name: u, type: test-scorer, parameters: {scores: {a: 1}}}\nschedulingProfiles:\n- {name: default, plugins: [{pluginRef: u}]}\n` },
      { catalog: testCatalog() },
    );
    expect(keepsNoCandidates(withUser)).toBe(false);
  });

  it('default config: a dispatched target keeps its metrics and prefix info while later requests run', () => {
    const p = new EndpointPicker(loadPickerConfig(null), { rng: seedrandom.alea('1') });
    const m = [metrics({ waitingQueueSize: 0 }), metrics({ waitingQueueSize: 5 })];
    const pool: PoolEndpoint[] = ['a', 'b'].map((name, index) => ({ name, index, labels: {}, metrics: m[index]! }));
    const req = (id: string): LLMRequest => ({ ...REQ, id, prompt: { kind: 'completion', text: 'y'.repeat(200) } });
    const d1 = p.handleRequest(req('1'), pool, 0);
    if (d1.kind !== 'dispatch') throw new Error(d1.kind);
    const t1 = d1.result.profileResults.get(d1.result.primaryProfileName)!.targetEndpoints[0]!;
    expect(t1.name).toBe('a'); // queue 0 < 5
    const info1 = t1.attributes.get(PREFIX_CACHE_MATCH_INFO);
    const busy: PoolEndpoint[] = pool.map((e, i) => ({ ...e, metrics: metrics({ waitingQueueSize: 10 - 5 * i }) }));
    for (let i = 2; i < 6; i++) {
      const d = p.handleRequest(req(String(i)), busy, i);
      if (d.kind !== 'dispatch') throw new Error(d.kind);
      const t: SchedEndpoint = d.result.profileResults.get(d.result.primaryProfileName)!.targetEndpoints[0]!;
      expect(t).not.toBe(t1);
    }
    expect(t1.metrics).toBe(m[0]);
    expect(t1.attributes.get(PREFIX_CACHE_MATCH_INFO)).toBe(info1);
  });
});

describe('a transient caller (the simulated gateway): targets are renewed when nothing reads results', () => {
  const pool = (round: number): PoolEndpoint[] =>
    ['a', 'b', 'c', 'd'].map((name, index) => ({ name, index, labels: {}, metrics: metrics({ waitingQueueSize: (index * 7 + round * 3) % 5, kvCacheUsagePercent: ((index + round) % 4) / 4 }) }));
  const req = (i: number): LLMRequest => ({ ...REQ, id: String(i), prompt: { kind: 'completion', text: `${'s'.repeat(64 * (i % 3))}${i}`.padEnd(200, 'z') } });

  it('the same picks and draws as a caller that keeps results, with no new candidate object after the first request', () => {
    const kept = new EndpointPicker(loadPickerConfig(null), { rng: seedrandom.alea('7') });
    const transient = new EndpointPicker(loadPickerConfig(null), { rng: seedrandom.alea('7') });
    const keptTargets = new Set<SchedEndpoint>();
    const transientTargets = new Set<SchedEndpoint>();
    for (let i = 0; i < 40; i++) {
      const a = kept.handleRequest(req(i), pool(i), i * 1000);
      const b = transient.handleRequest(req(i), pool(i), i * 1000, { transient: true });
      if (a.kind !== 'dispatch' || b.kind !== 'dispatch') throw new Error(`${a.kind} ${b.kind}`);
      expect([b.target, b.index]).toEqual([a.target, a.index]);
      keptTargets.add(a.result.profileResults.get(a.result.primaryProfileName)!.targetEndpoints[0]!);
      transientTargets.add(b.result.profileResults.get(b.result.primaryProfileName)!.targetEndpoints[0]!);
      if (i % 3 === 2) for (const p of [kept, transient]) p.responseComplete(String(i - 1), 'a', i * 1000 + 500);
    }
    expect(keptTargets.size).toBe(40); // each result keeps its own target
    expect(transientTargets.size).toBeLessThanOrEqual(4); // one candidate per pool position, renewed
    expect(transient.inFlightCount).toBe(kept.inFlightCount);
    expect(transient.inFlightCount).toBe(40 - 13);
  });

  it('a plugin reading results after dispatch keeps each target as dispatched, transient or not', () => {
    // A ResponseComplete plugin that says it keeps no candidates (as a built-in would) gets the
    // result at the end of the response: its target must still be the one dispatched.
    const seen: string[] = [];
    const reader = {
      type: 'result-reader',
      name: 'result-reader',
      keepsNoCandidates: true,
      responseComplete: (_c: CycleContext, r: LLMRequest, info: { result: { primaryProfileName: string; profileResults: ReadonlyMap<string, { targetEndpoints: readonly SchedEndpoint[] } | null> } }) => {
        const t = info.result.profileResults.get(info.result.primaryProfileName)!.targetEndpoints[0]!;
        seen.push(`${r.id}:${t.name}:${t.metrics?.waitingQueueSize}`);
      },
    };
    const config = loadPickerConfig(null);
    const withReader = { ...config, responseComplete: [...config.responseComplete, reader] } as typeof config;
    const p = new EndpointPicker(withReader, { rng: seedrandom.alea('7') });
    const dispatched: string[] = [];
    for (let i = 0; i < 12; i++) {
      const d = p.handleRequest(req(i), pool(i), i * 1000, { transient: true });
      if (d.kind !== 'dispatch') throw new Error(d.kind);
      const t = d.result.profileResults.get(d.result.primaryProfileName)!.targetEndpoints[0]!;
      dispatched.push(`${i}:${t.name}:${t.metrics?.waitingQueueSize}`);
    }
    for (let i = 0; i < 12; i++) p.responseComplete(String(i), 'a', 20_000);
    expect(seen).toEqual(dispatched);
  });
});

describe('plugin state: the first key inline, more keys in a map', () => {
  it('reads back every key of a request, overwrites, and answers undefined for absent keys', () => {
    const s = new TtlPluginState();
    s.write('r1', 'a', 1);
    s.write('r1', 'b', 2);
    s.write('r1', 'c', 3);
    s.write('r1', 'a', 4);
    s.write('r2', 'b', 5);
    expect([s.read('r1', 'a'), s.read('r1', 'b'), s.read('r1', 'c'), s.read('r1', 'd'), s.read('r2', 'b'), s.read('r2', 'a')]).toEqual([4, 2, 3, undefined, 5, undefined]);
    s.delete('r1');
    expect(s.read('r1', 'b')).toBeUndefined();
    expect(s.size).toBe(1);
  });

  it('golden: undefined written to the only key frees the entry; with more keys it stays', () => {
    const s = new TtlPluginState();
    s.write('r1', 'a', 1);
    s.write('r2', 'a', 1);
    s.write('r2', 'b', 2);
    s.write('r3', 'a', undefined); // nothing to keep
    expect(s.size).toBe(2);
    s.write('r1', 'a', undefined);
    s.write('r2', 'a', undefined);
    expect(s.size).toBe(1);
    expect([s.read('r1', 'a'), s.read('r2', 'a'), s.read('r2', 'b')]).toEqual([undefined, undefined, 2]);
  });

  it('reads what a map of maps would hold, whatever writes (undefined among them), reads and deletes (fast-check)', () => {
    const op = fc.record({
      kind: fc.constantFrom('write', 'write', 'read', 'delete'),
      id: fc.constantFrom('r1', 'r2', 'r3'),
      key: fc.constantFrom('a', 'b', 'c'),
      value: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const s = new TtlPluginState();
        const model = new Map<string, Map<string, unknown>>();
        for (const o of ops) {
          if (o.kind === 'write') {
            s.write(o.id, o.key, o.value);
            if (!model.has(o.id)) model.set(o.id, new Map());
            model.get(o.id)!.set(o.key, o.value);
          } else if (o.kind === 'delete') {
            s.delete(o.id);
            model.delete(o.id);
          }
          for (const id of ['r1', 'r2', 'r3']) for (const key of ['a', 'b', 'c']) expect(s.read(id, key)).toBe(model.get(id)?.get(key));
          // Never more entries than requests the model holds (a freed one answers as absent).
          expect(s.size).toBeLessThanOrEqual(model.size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
