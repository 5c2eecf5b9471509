/**
 * The decode cohort (sim/engine/decodeCohort.ts): sequences in quiet decode stretches advance
 * without a batch slot, and whole runs come out identical to stepping every sequence (fast-check,
 * over random fleets with chunked prefill, preemption, priority, prefix sharing, LoRA, CPU and
 * frontend costs, async scheduling, client timeouts, retries, crashes and P/D); a hand-derived
 * case shows which steps give a sequence a slot.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runPolicy } from '../sim/simulation.js';
import { parseScenario } from '../sim/scenario/load.js';
import { Scheduler } from '../sim/engine/scheduler.js';
import { KvCache } from '../sim/engine/kvCache.js';
import { Batch } from '../sim/engine/batch.js';
import { Sequence } from '../sim/engine/sequence.js';
import { CohortPass } from '../sim/engine/cohort/cohortPass.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import type { ItlCounts } from '../sim/metrics/types.js';
import type { Replica } from '../sim/engine/replica.js';
import { req } from './helpers.js';
import { engineOf } from './engineFixtures.js';
import { engineYaml, fleetKnobs, promptYaml, type FleetKnobs } from './randomFleet.js';

interface Case extends FleetKnobs {
  loras: number;
  policy: 'least-requests' | 'gaie';
  output: number;
  cpu: boolean;
  async: boolean;
  timeoutMs: number;
  retry: boolean;
  crash: boolean;
  pd: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  ...fleetKnobs(30),
  loras: fc.constantFrom(0, 0, 2),
  policy: fc.constantFrom('least-requests' as const, 'gaie' as const),
  output: fc.integer({ min: 1, max: 120 }),
  cpu: fc.boolean(),
  async: fc.boolean(),
  timeoutMs: fc.constantFrom(0, 0, 300, 2000),
  retry: fc.boolean(),
  crash: fc.boolean(),
  pd: fc.boolean(),
});

function scenarioYaml(c: Case): string {
  const replicas = c.pd
    ? `[{gpu: H100, count: 1, labels: {llm-d.ai/role: prefill}}, {gpu: H100, count: ${c.replicas}, labels: {llm-d.ai/role: decode}}]`
    : `[{gpu: H100, count: ${c.replicas}}]`;
  const picker = c.pd ? 'policies/configs/llm-d-pd-always.yaml' : c.policy === 'gaie' ? 'default' : null;
  const prompt = promptYaml(c);
  const adapters = c.loras > 0 && !c.pd ? 'adapters: [{name: a, weight: 1}, {name: b, weight: 1}]\n  base_model_weight: 2' : '';
  const timeouts = c.timeoutMs > 0 ? `\n        timeouts: {request: ${c.timeoutMs}ms}` : '';
  const retry = c.retry ? '\n        retry: {attempts: 2, per_try_timeout: 200ms}' : '';
  const cpu = c.cpu ? '\n  cpu: {schedule_us: 300, per_request_us: 7, egress_us_per_step: 120, egress_us_per_request: 40}' : '';
  const events = c.crash ? 'events: [{at_s: 0.05, kind: fail, replica: 0, mode: crash}, {at_s: 0.2, kind: recover, replica: 0}]' : '';
  return `
seed: ${c.seed}
requests: ${c.requests}
pools:
  - name: llm
    model: Llama-3.1-8B
    replicas: ${replicas}
    engine:
${engineYaml(c, '      ')}
      max_loras: ${c.pd ? 0 : c.loras}
      async_scheduling: ${c.async}
routes:
  - name: llm
    rules:
      - backendRefs: [{name: llm}]${timeouts}${retry}
${events}
step_time:
  model: ${c.physics ? 'physics' : 'linear'}${cpu}
workload:
  arrival: {process: gamma, rate: ${c.rate}, cv: 2}
  ${prompt}
  output: {dist: uniform, min: 1, max: ${c.output}}
  priorities: [{priority: 0, weight: 2}, {priority: 3, weight: 1}]
  ${adapters}
policies: [${picker === null ? '{name: p, pool: llm, type: least-requests}' : `{name: p, pool: llm, epp: ${picker}}`}]
`;
}

const asJson = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x] : x));

describe('decode cohort', () => {
  it('gives every run the same results as stepping each sequence', () => {
    // Count the steps that ran members without a slot, so the property cannot pass vacuously.
    const finalise = Batch.prototype.finalise;
    let implicitSteps = 0;
    let runsWithMembers = 0;
    Batch.prototype.finalise = function (this: Batch): void {
      if (this.implicitSeqs > 0) implicitSteps++;
      finalise.call(this);
    };
    // And the allocation class: bulk allocations, and the class dissolved when a free block got a hash.
    const takeUnhashed = KvCache.prototype.takeUnhashed;
    // dissolveClass is private: reached through the prototype.
    const pass = CohortPass.prototype as unknown as { dissolveClass(running: readonly Sequence[], steps: number, lastEmitUs: number): void };
    const dissolveClass = pass.dissolveClass;
    let bulk = 0;
    let runsWithBulk = 0;
    let dissolved = 0;
    KvCache.prototype.takeUnhashed = function (this: KvCache, k: number): void {
      bulk++;
      takeUnhashed.call(this, k);
    };
    pass.dissolveClass = function (this: CohortPass, running: readonly Sequence[], steps: number, lastEmitUs: number): void {
      dissolved++;
      dissolveClass.call(this, running, steps, lastEmitUs);
    };
    try {
      fc.assert(
        fc.property(caseArb, (c) => {
          const s = parseScenario(scenarioYaml(c), 'cohort.yaml');
          const p = s.policies[0]!;
          const before = implicitSteps;
          const bulkBefore = bulk;
          // Every step's shape too (the context range feeds only the profile model's skew blend).
          // (A run of more than 200,000 steps here would be one that never ends: fail, do not hang.)
          const shapes = (into: string[]) => ({
            onStepBegin: (r: Replica, i: number, now: number) => {
              if (into.length > 200_000) throw new Error(`no end in sight: ${JSON.stringify(c)}`);
              into.push(`${i}@${now}:${asJson(r.stepShape)}`);
            },
          });
          const steppedShapes: string[] = [];
          const cohortShapes: string[] = [];
          const stepped = asJson(runPolicy(s, p, shapes(steppedShapes), undefined, { stepByStep: true }));
          expect(implicitSteps).toBe(before);
          const cohort = asJson(runPolicy(s, p, shapes(cohortShapes)));
          if (implicitSteps > before) runsWithMembers++;
          if (bulk > bulkBefore) runsWithBulk++;
          expect(cohort).toBe(stepped);
          expect(cohortShapes).toEqual(steppedShapes);
        }),
        { numRuns: 150 },
      );
    } finally {
      Batch.prototype.finalise = finalise;
      KvCache.prototype.takeUnhashed = takeUnhashed;
      pass.dissolveClass = dissolveClass;
    }
    expect(runsWithMembers).toBeGreaterThan(50);
    expect(runsWithBulk).toBeGreaterThan(20);
    expect(dissolved).toBeGreaterThan(0);
  });

  /**
   * One request alone on a cohort scheduler (block size 16, budget 2048, 1000 µs steps): prompt 20,
   * 40 output tokens. Per step: whether it had a slot, its blocks after scheduling, its registered
   * blocks after completing, the batch shape; and the ITL histogram.
   */
  function alone(caching: boolean, output = 40, cohort = true) {
    const kv = new KvCache(400, 16, caching);
    const sched = new Scheduler(engineOf({ blocks: 400, budget: 2048, caching }), kv, { alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 });
    sched.decodeCohort = cohort;
    const r = req({ id: 0, at: 0, prompt: 20, output });
    const seq = new Sequence(r, newRequestRecord(r), 16);
    sched.add(seq);
    const batch = new Batch();
    const itl: ItlCounts = new Map();
    const slotted: number[] = [];
    const blocksAt: number[] = [];
    const handedAt: number[] = [];
    const registered: number[] = [];
    const shapes: { total: number; batchSize: number; decodeSeqs: number; decodeContext: number }[] = [];
    for (let step = 1, t = 0; sched.hasWork; step++) {
      sched.schedule(t, batch);
      if (batch.size === 1) slotted.push(step);
      blocksAt.push(kv.usedBlocks);
      handedAt.push(seq.blocks.length);
      shapes.push({ total: batch.total, batchSize: batch.shape.batchSize, decodeSeqs: batch.shape.decodeSeqs, decodeContext: batch.shape.decodeContext });
      t += 1000;
      sched.complete(batch, t, 1000, itl);
      registered.push(seq.registeredBlocks);
    }
    return { kv, seq, itl, slotted, blocksAt, handedAt, registered, shapes };
  }

  it('gives a decoding sequence a slot only at its event steps (hand-derived)', () => {
    // No prefix caching. Step 1 prefills the 20 tokens (2 blocks: room for 32) and emits token 1; it
    // joins with 20 computed. Its next event: an allocation when it computes token 33, 32 − 20 = 12
    // steps on (its last token is 40 − 1 − 1 = 38 on; fills do not matter without caching). So steps
    // 2–13 run it without a slot; step 14 allocates block 3 for it, still without a slot. Its next
    // allocation: block 4 for token 49, 16 steps on (step 30); then 64 − 49 = 15 on would be step
    // 45, but its last token (40) comes at step 40: its only slot after the prefill. 40 steps in all.
    const { kv, seq, itl, slotted, blocksAt, handedAt, shapes } = alone(false);
    expect(slotted).toEqual([1, 40]);
    // Blocks held during steps 1–13, 14–29, 30–40 (released at the end).
    expect(blocksAt).toEqual([...Array(13).fill(2), ...Array(16).fill(3), ...Array(11).fill(4)]);
    // At step 14 (13 completed) its next allocation is 16 steps on and its last token 26 on (39
    // completed > 13 + 16): it enters the allocation class, so step 30's block is taken in bulk and
    // handed to it only at its last token (step 40), when it leaves the class.
    expect(handedAt).toEqual([...Array(13).fill(2), ...Array(26).fill(3), 4]);
    shapes.forEach((sh, k) => {
      expect(sh.total).toBe(1);
      expect(sh.batchSize).toBe(1);
      // Every decode step (step k + 1 ≥ 2) has context = tokens computed before it + 1 = 20 + (k − 1) + 1.
      if (k > 0) expect([sh.decodeSeqs, sh.decodeContext]).toEqual([1, 20 + k]);
    });
    // 39 gaps of one step each, all 1000 µs.
    expect([...itl]).toEqual([[1000, 39]]);
    expect(seq.outputDone).toBe(40);
    expect(kv.usedBlocks).toBe(0);
  });

  it('a last token past the second ring: one wake-up without a slot, the same steps as stepping it (hand-derived)', () => {
    // Output 3,000: it joins after step 1 (1 completed) and its last token comes at 2,999 completed
    // (step 3,000). At step 14 it enters the allocation class; queued for its last token from there,
    // past the second ring's last step from window 0 (64 · 32 − 1 = 2,047), it is queued for 2,047
    // instead, woken there without a slot and queued again for 2,999. Blocks: ⌈(20 + 2,999) / 16⌉ = 189.
    const cohort = alone(false, 3000);
    const stepped = alone(false, 3000, false);
    expect(cohort.slotted).toEqual([1, 3000]);
    expect(cohort.blocksAt).toEqual(stepped.blocksAt);
    expect(cohort.shapes).toEqual(stepped.shapes);
    expect([...cohort.itl]).toEqual([...stepped.itl]);
    expect(cohort.blocksAt.at(-1)).toBe(189);
    expect(cohort.handedAt.at(-2)).toBe(3);
    expect(cohort.kv.usedBlocks).toBe(0);
  });

  it('registers a filled block without a slot, in the step it fills (hand-derived)', () => {
    // The same request with prefix caching on (its text is shared content, so every full block
    // registers). The prefill registers block 0 (16 of its 20 tokens). As a member from 20 computed,
    // block 1 fills when it computes token 31 (11 steps on: step 13) and block 2 at token 47 (step
    // 29): both register at those steps' ends without a slot, as do the allocations at steps 14 and
    // 30. Its only slots stay the prefill and its last token (step 40); 3 blocks stay cached after.
    const { kv, slotted, registered } = alone(true);
    expect(slotted).toEqual([1, 40]);
    expect(registered).toEqual([...Array(12).fill(1), ...Array(16).fill(2), ...Array(12).fill(3)]);
    expect(kv.cachedBlocks).toBe(3);
  });
});

describe('cohort ring size', () => {
  it('is the least power of two above the block size, at least 32 (every event step fits, no 512-bucket ring per replica)', async () => {
    const { ringSize } = await import('../sim/engine/cohort/cohortSet.js');
    // An event step is at most bs steps ahead, so bs < ring: 16 → 32, 32 → 64 (32 itself does not fit), 64 → 128.
    expect([1, 8, 16, 31, 32, 33, 64, 128].map(ringSize)).toEqual([32, 32, 32, 32, 64, 64, 128, 256]);
  });

  it('pops each member at its event step, however far (the second ring), drops those that left, and caps past 64 windows (golden)', async () => {
    const { CohortSet } = await import('../sim/engine/cohort/cohortSet.js');
    const { SeqList } = await import('../sim/engine/seqList.js');
    // Block size 16: a ring of 32 steps; the second ring holds 64 windows of 32 steps (2,048 steps).
    const set = new CohortSet(16);
    const member = (id: number, eventStep: number): Sequence => {
      const r = req({ id, at: 0, prompt: 20, output: 4000 });
      const seq = new Sequence(r, newRequestRecord(r), 16);
      seq.cohortEventStep = eventStep;
      seq.runRank = id;
      return seq;
    };
    const near = member(0, 5);
    const nextWindow = member(1, 40);
    const far = member(2, 100);
    const left = member(3, 70);
    const beyond = member(4, 3000);
    for (const m of [near, nextWindow, far, left, beyond]) set.add(m, 0);
    set.remove(left);
    // 3000 is past the last step the second ring reaches from window 0: 64·32 − 1 = 2047.
    expect(beyond.cohortEventStep).toBe(2047);
    const popped: [number, number][] = [];
    const out = new SeqList();
    for (let step = 0; step <= 2100; step++) {
      out.clear();
      set.popEvents(step, out);
      for (let i = 0; i < out.length; i++) popped.push([step, out.at(i).req.id]);
    }
    expect(popped).toEqual([[5, 0], [40, 1], [100, 2], [2047, 4]]);
  });
});
