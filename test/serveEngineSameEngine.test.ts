/**
 * The mock engine is the simulator's engine: the same requests arriving at the same (simulated)
 * times get the same first-token and completion times from the real-time driver (live/engine,
 * stepped by a manual clock here) as from `runPolicy` (sim/simulation.ts), queueing, batching and
 * prefix hits included. Also the prompt rule: token counts and block contents.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import type { SimRequest } from '../sim/workload/request.js';
import { buildMockFleet } from '../live/engine/mockFleet.js';
import { SimClock } from '../live/engine/simClock.js';
import { countTokens, promptSegments, renderChat } from '../live/engine/prompt.js';
import type { TokenSink } from '../live/engine/replicaDriver.js';
import type { Sequence } from '../sim/engine/sequence.js';
import { promptOf, testScenario } from './serveEngineHelpers.js';

describe('serve engine: the same engine as routesim run', () => {
  it('gives every request the simulated first-token and end times (6 requests, max_num_seqs 2, shared prefixes)', () => {
    const scenario = parseScenario(testScenario().replace('replicas: 2', 'replicas: 1'), 'serve-test.yaml');
    const shared = promptOf(300, 'shared');
    const prompts = [shared, promptOf(120, 'b'), `${shared}${promptOf(50, 'tail')}`, promptOf(700, 'c'), shared, promptOf(40, 'd')];
    const arrivalsUs = [0, 5000, 7000, 40000, 41000, 200000];
    const outputs = [8, 3, 12, 5, 2, 6];
    const requests: SimRequest[] = prompts.map((text, id) => ({
      id,
      arrivalUs: arrivalsUs[id]!,
      segments: promptSegments({ text }, 16),
      inputTokens: countTokens({ text }),
      outputTokens: outputs[id]!,
      outputContent: 1000 + id,
      adapter: null,
      adapterRank: 0,
      priority: 0,
      group: -1,
      session: -1,
      turn: 0,
    }));
    const run = runPolicy(scenario, { name: 'round-robin', type: 'round-robin' } as never, {}, requests);
    expect(run.records.every((r) => r.outcome === 'completed')).toBe(true);

    let nowMs = 0;
    const clock = new SimClock(1, () => nowMs);
    const fleet = buildMockFleet(scenario, { speedup: 1, seed: 1, errorRate: 0, slowFactors: new Map(), loraModules: [], naturalTokensMax: 1, clock });
    const driver = fleet.replicas[0]!.driver;
    const seqs: Sequence[] = [];
    const sink: TokenSink = { tokens: () => {}, finished: () => {} };
    try {
      for (const r of requests) {
        nowMs = r.arrivalUs / 1000;
        driver.advance();
        seqs.push(driver.submit(r, sink));
      }
      nowMs = 10_000;
      driver.advance();
    } finally {
      fleet.close();
    }
    const live = seqs.map((s) => [s.rec.firstTokenUs, s.rec.endUs, s.rec.cachedTokens]);
    const simulated = run.records.map((r) => [r.firstTokenUs, r.endUs, r.cachedTokens]);
    expect(live).toEqual(simulated);
    // Not vacuous: queueing happened (request 2 waited for a slot) and request 4 hit the shared prefix.
    expect(seqs[4]!.rec.cachedTokens).toBe(288); // ⌊(300 − 1)/16⌋ = 18 blocks
    expect(seqs[2]!.rec.scheduledUs).toBeGreaterThan(seqs[2]!.rec.enqueueUs);
  });
});

describe('serve engine: prompt rule', () => {
  it('one token per 4 characters (at least 1); segments are whole blocks summing to the count', () => {
    expect(countTokens({ text: 'abcd' })).toBe(1);
    expect(countTokens({ text: 'abcde' })).toBe(2);
    expect(countTokens({ text: 'x' })).toBe(1);
    expect(countTokens({ ids: [5, 6, 7] })).toBe(3);
    // "<|system|>\nbe brief\n" (20) + "<|user|>\nhi\n" (12) + "<|assistant|>\n" (14) = 46 characters → 12 tokens.
    expect(countTokens({ text: renderChat([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }]) })).toBe(12);
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.integer({ min: 1, max: 64 }), (text, bs) => {
        const segs = promptSegments({ text }, bs);
        expect(segs.reduce((n, s) => n + s.tokens, 0)).toBe(countTokens({ text }));
        expect(segs.slice(0, -1).every((s) => s.tokens === bs)).toBe(true);
      }),
    );
  });

  it('prompts sharing their first k·4·block_size characters share exactly k leading block contents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.string({ minLength: 1, maxLength: 100 }), fc.string({ minLength: 1, maxLength: 100 }), (k, a, b) => {
        fc.pre(a[0] !== b[0]);
        const prefix = promptOf(16 * k, 'p');
        const sa = promptSegments({ text: prefix + a }, 16);
        const sb = promptSegments({ text: prefix + b }, 16);
        for (let i = 0; i < k; i++) expect(sa[i]!.content).toBe(sb[i]!.content);
        expect(sa[k]!.content).not.toBe(sb[k]!.content);
      }),
    );
  });
});
