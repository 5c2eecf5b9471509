/**
 * Invariants of the engine over random small fleets and workloads (fast-check):
 * every arrived request ends completed, rejected (by the engine) or dropped (by the gateway: 429
 * shed, 503 flow-control TTL), under baselines, named policies and EPP configurations alike;
 * allocated + free blocks = total after every step, and no block leaks once the run ends; the
 * clock never goes back; TTFT ≥ the request's own prefill time; cached tokens are whole blocks and
 * at most prompt − 1.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runPolicy } from '../sim/simulation.js';
import { parseScenario } from '../sim/scenario/load.js';
import type { Replica } from '../sim/engine/replica.js';
import { engineYaml, fleetKnobs, promptYaml, type FleetKnobs } from './randomFleet.js';

/** Policies under test, as scenario entries: baselines, named routers, and EPP configurations (default, flow control, legacy, precise). */
const POLICY_YAML = {
  'round-robin': 'round-robin',
  random: 'random',
  'least-requests': 'least-requests',
  'sglang-cache-aware': 'sglang-cache-aware',
  'dynamo-kv': 'dynamo-kv',
  'consistent-hash-bounded-load': 'consistent-hash-bounded-load',
  'epp-default': '{name: gaie, epp: default}',
  'epp-flow':
    '{name: flow, epp: {apiVersion: inference.networking.x-k8s.io/v1alpha1, kind: EndpointPickerConfig, featureGates: [flowControl], plugins: [{type: queue-scorer}, {type: prefix-cache-scorer}], flowControl: {defaultRequestTTL: 200ms}}}',
  'epp-legacy': '{name: legacy, epp: policies/configs/legacy-v0.5.yaml}',
  'epp-precise': '{name: precise, epp: policies/configs/llm-d-precise-prefix.yaml}',
} as const;
type PolicyCase = keyof typeof POLICY_YAML;
const POLICIES = Object.keys(POLICY_YAML) as PolicyCase[];

interface Case extends FleetKnobs {
  loras: number;
  policy: PolicyCase;
  refreshMs: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  ...fleetKnobs(20),
  loras: fc.integer({ min: 0, max: 3 }),
  policy: fc.constantFrom(...POLICIES),
  refreshMs: fc.constantFrom(0, 5, 50),
});

function scenarioYaml(c: Case): string {
  const prompt = promptYaml(c);
  const adapters = c.loras > 0 ? `adapters: [{name: a, weight: 2}, {name: b, weight: 1}, {name: c, weight: 1}, {name: d, weight: 1}]\n  base_model_weight: 1` : '';
  return `
seed: ${c.seed}
requests: ${c.requests}
fleet:
  replicas: ${c.replicas}
  gpu: H100
  model: Llama-3.1-8B
  engine:
${engineYaml(c, '    ')}
    max_loras: ${c.loras}
step_time:
  model: ${c.physics ? 'physics' : 'linear'}
gateway: {refresh_metrics_ms: ${c.refreshMs}}
workload:
  arrival: {process: gamma, rate: ${c.rate}, cv: 2}
  ${prompt}
  output: {dist: uniform, min: 1, max: 60}
  priorities: [{priority: 0, weight: 2}, {priority: 3, weight: 1}, {priority: -1, weight: 1}]
  ${adapters}
policies: [${POLICY_YAML[c.policy]}]
`;
}

describe('engine invariants', () => {
  it('hold for random fleets and workloads', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const s = parseScenario(scenarioYaml(c), 'property.yaml');
        const seen = new Set<Replica>();
        let last = -1;
        let problem: string | null = null;
        const run = runPolicy(s, s.policies[0]!, {
          onEvent: (t) => {
            if (t < last) problem ??= `clock went back ${last} → ${t}`;
            last = t;
          },
          onStepEnd: (r) => {
            seen.add(r);
            if (r.kv.usedBlocks + r.kv.freeBlocks !== r.kv.numBlocks) problem ??= 'allocated + free != total';
            problem ??= r.kv.checkInvariants();
          },
        });
        expect(problem).toBeNull();
        expect(run.records.length).toBe(c.requests);
        for (const r of seen) {
          // No leaks: once everything finished, no block is referenced.
          expect(r.kv.usedBlocks).toBe(0);
          expect(r.hasWork).toBe(false);
        }
        const bs = s.fleet.engine.block_size;
        for (const rec of run.records) {
          expect(['completed', 'rejected', 'dropped']).toContain(rec.outcome);
          // Every request ends (response complete, engine rejection or gateway answer) at or after it arrives.
          expect(rec.endUs).toBeGreaterThanOrEqual(rec.arrivalUs);
          if (rec.outcome === 'dropped') {
            // Drop reasons are the fixed codes (the live value is in detail).
            expect(['shed-saturated', 'flow-control-capacity', 'no-endpoint', 'no-candidates', 'flow-control-ttl', 'admission-rejected']).toContain(rec.reason);
            // Only the gateway drops: sheddable requests (429) when saturated, queue TTL (503).
            expect(rec.replica).toBe(-1);
            expect([429, 503]).toContain(rec.status);
            if (rec.status === 429) expect(rec.priority).toBeLessThan(0);
            continue;
          }
          if (rec.outcome === 'rejected') {
            expect(rec.reason).not.toBe('incomplete');
            continue;
          }
          expect(rec.firstTokenUs - rec.arrivalUs).toBeGreaterThanOrEqual(rec.prefillUs);
          expect(rec.prefillUs).toBeGreaterThan(0);
          expect(rec.lastTokenUs).toBeGreaterThanOrEqual(rec.firstTokenUs);
          // The completion overhead (α1) is never negative.
          expect(rec.endUs - rec.lastTokenUs).toBeGreaterThanOrEqual(0);
          expect(rec.cachedTokens % bs).toBe(0);
          expect(rec.cachedTokens).toBeLessThanOrEqual(rec.inputTokens - 1);
          if (!c.caching) expect(rec.cachedTokens).toBe(0);
        }
      }),
      { numRuns: 150 },
    );
  });
});
