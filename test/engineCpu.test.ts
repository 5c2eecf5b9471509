/**
 * Engine fidelity of issue 12 (calibration.md §1.2, §1.4, §6.4, §6.5): async scheduling's pipeline
 * entry delay, CPU time per step (sync: gpu + cpu, async: max), the frontend egress server, and
 * reserve_full_prompt / watermark admission. Every number is derived by hand from the linear step
 * time of test/helpers.ts: step = 1000 + 10·(prefill tokens) + 100·(decode tokens) µs, no α.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../sim/scenario/load.js';
import { EventKind } from '../sim/core/eventKinds.js';
import type { Replica } from '../sim/engine/replica.js';
import { runPolicy } from '../sim/simulation.js';
import type { StepCpuCosts } from '../sim/scenario/types.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { SimRequest } from '../sim/workload/request.js';
import { linearScenario, req, simulate } from './helpers.js';
import { engineOf } from './engineFixtures.js';
import type { EngineConfig } from '../sim/scenario/types.js';
import { KvCache } from '../sim/engine/kvCache.js';
import { Scheduler } from '../sim/engine/scheduler.js';
import { Sequence } from '../sim/engine/sequence.js';
import { Batch } from '../sim/engine/batch.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import { capacityProblem, kvCapacity, numGpuBlocks } from '../sim/engine/capacity.js';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { DEFAULT_ENGINE } from '../sim/scenario/schema.js';
import { engineYaml } from './randomFleet.js';

const RR = { name: 'rr', type: 'round-robin' as const };

function withCpu(engine: string, cpu: Partial<StepCpuCosts>, requests: SimRequest[]): PolicyRun {
  const s = linearScenario(engine);
  const full: StepCpuCosts = { schedule_us: 0, per_request_us: 0, egress_us_per_step: 0, egress_us_per_request: 0, ...cpu };
  return runPolicy({ ...s, step_time: { ...s.step_time, cpu: full } }, RR, {}, requests);
}

describe('async scheduling: pipeline entry delay (calibration.md §1.4)', () => {
  // A: prompt 100, 10 tokens, at 0: prefill 0 → 2000 (1000 + 10·100); decodes of 1100 µs: 2000 → 3100 → 4200 → …
  // B: prompt 50, 2 tokens, arrives at 2500, inside A's first decode step (residual 3100 − 2500 = 600).
  const two = () => [req({ id: 0, at: 0, prompt: 100, output: 10 }), req({ id: 1, at: 2500, prompt: 50, output: 2 })];

  it('sync: B joins the batch scheduled at the running step’s end (TTFT = residual + its prefill step)', () => {
    const b = simulate('num_gpu_blocks: 100', two()).records[1]!;
    // At 3100: A decode + B prefill 50 = 1000 + 500 + 100 = 1600 → first token at 4700; 600 + 1600 = 2200.
    expect(b.scheduledUs).toBe(3100);
    expect(b.firstTokenUs - b.arrivalUs).toBe(2200);
  });

  it('async: the batch at 3100 was already built, B joins the next one (TTFT = residual + S + its prefill step)', () => {
    const b = simulate('num_gpu_blocks: 100\nasync_scheduling: true', two()).records[1]!;
    // 3100 → 4200: A's decode alone (S = 1100); B joins at 4200: 1600 → 5800; 600 + 1100 + 1600 = 3300.
    expect(b.scheduledUs).toBe(4200);
    expect(b.firstTokenUs - b.arrivalUs).toBe(3300);
  });

  it('leaves decode throughput alone: A’s tokens come at the same times sync and async', () => {
    const sync = simulate('num_gpu_blocks: 100', two()).records[0]!;
    const asy = simulate('num_gpu_blocks: 100\nasync_scheduling: true', two()).records[0]!;
    expect(asy.firstTokenUs).toBe(sync.firstTokenUs);
    // Async only moves B's prefill (same 1600 µs mixed step, one step later): A's end is unchanged.
    expect(asy.lastTokenUs).toBe(sync.lastTokenUs);
  });

  it('an idle engine admits at once, sync and async alike', () => {
    for (const e of ['num_gpu_blocks: 100', 'num_gpu_blocks: 100\nasync_scheduling: true']) {
      const b = simulate(e, [req({ id: 1, at: 2500, prompt: 50, output: 2 })]).records[0]!;
      // 1000 + 10·50 = 1500.
      expect(b.firstTokenUs - b.arrivalUs).toBe(1500);
    }
  });

  it('a request held for the next batch runs at once when nothing else would (no empty step)', () => {
    // A (prompt 100, 1 token) prefills 0 → 2000 and finishes; B arrives at 1000, during it.
    // At 2000 the held B is all there is: admitted then, 2000 + 1500 = 3500, TTFT 2500, as sync.
    for (const e of ['num_gpu_blocks: 100', 'num_gpu_blocks: 100\nasync_scheduling: true']) {
      const b = simulate(e, [req({ id: 0, at: 0, prompt: 100, output: 1 }), req({ id: 1, at: 1000, prompt: 50, output: 1 })]).records[1]!;
      expect(b.firstTokenUs).toBe(3500);
    }
  });
});

describe('CPU time per step (step_time.cpu.schedule_us / per_request_us)', () => {
  // One request, prompt 100, 3 tokens: GPU steps 2000 (prefill), then 1100 per decode.
  const one = () => [req({ id: 0, at: 0, prompt: 100, output: 3 })];

  it('sync: step = gpu + cpu', () => {
    const r = withCpu('num_gpu_blocks: 100', { schedule_us: 300, per_request_us: 50 }, one()).records[0]!;
    // cpu = 300 + 50·1 = 350: prefill 2350, decodes 1450 → 2350, 3800, 5250.
    expect(r.firstTokenUs).toBe(2350);
    expect(r.lastTokenUs).toBe(5250);
  });

  it('async: step = max(gpu, cpu): hidden while below GPU time, the step time once above', () => {
    const hidden = withCpu('num_gpu_blocks: 100\nasync_scheduling: true', { schedule_us: 300, per_request_us: 50 }, one()).records[0]!;
    // max(2000, 350) = 2000; max(1100, 350) = 1100 → 2000, 3100, 4200.
    expect(hidden.firstTokenUs).toBe(2000);
    expect(hidden.lastTokenUs).toBe(4200);
    const bound = withCpu('num_gpu_blocks: 100\nasync_scheduling: true', { schedule_us: 1500, per_request_us: 50 }, one()).records[0]!;
    // cpu = 1550: max(2000, 1550) = 2000; max(1100, 1550) = 1550 → 2000, 3550, 5100.
    expect(bound.firstTokenUs).toBe(2000);
    expect(bound.lastTokenUs).toBe(5100);
  });
});

describe('frontend egress (step_time.cpu.egress_us_*)', () => {
  // Three requests at 0, prompt 100, 3 tokens each: prefill step 1000 + 10·300 = 4000;
  // decode steps 1000 + 3·100 = 1300: engine token times 4000, 5300, 6600.
  const three = () => [0, 1, 2].map((id) => req({ id, at: 0, prompt: 100, output: 3 }));

  it('TTFT grows by e·R when the frontend keeps up with the steps', () => {
    const run = withCpu('num_gpu_blocks: 100', { egress_us_per_request: 200 }, three());
    for (const r of run.records) {
      // 4000 + 3·200 = 4600; next outputs at max(5300, 4600) + 600 = 5900, then 6600 + 600 = 7200.
      expect(r.firstTokenUs).toBe(4600);
      expect(r.lastTokenUs).toBe(7200);
      expect(r.endUs).toBe(7200);
    }
    // ITL between emit times: every gap is the 1300 µs step (2 gaps × 3 requests).
    expect([...run.itl]).toEqual([[1300, 6]]);
    // One request alone: 2000 + 200 = 2200 (e·R with R = 1).
    expect(withCpu('num_gpu_blocks: 100', { egress_us_per_request: 200 }, [req({ id: 9, at: 0, prompt: 100, output: 1 })]).records[0]!.firstTokenUs).toBe(2200);
  });

  it('queues when the frontend is slower than the steps', () => {
    const run = withCpu('num_gpu_blocks: 100', { egress_us_per_step: 100, egress_us_per_request: 1000 }, three());
    for (const r of run.records) {
      // Per step 100 + 3·1000 = 3100: 4000 + 3100 = 7100; max(5300, 7100) + 3100 = 10200; max(6600, 10200) + 3100 = 13300.
      expect(r.firstTokenUs).toBe(7100);
      expect(r.lastTokenUs).toBe(13300);
    }
    expect([...run.itl]).toEqual([[3100, 6]]);
  });

  it('steps that emit nothing do not use the frontend', () => {
    // Prompt 100 in chunks of 64 + 36 (budget 64): chunk 1 emits nothing (1000 + 640 = 1640), chunk 2
    // ends at 1640 + 1360 = 3000 and emits: 3000 + 50 + 200 = 3250.
    const r = withCpu('num_gpu_blocks: 100\nmax_num_batched_tokens: 64\nmax_num_seqs: 8', { egress_us_per_step: 50, egress_us_per_request: 200 }, [
      req({ id: 0, at: 0, prompt: 100, output: 1 }),
    ]).records[0]!;
    expect(r.firstTokenUs).toBe(3250);
  });
});

describe('admission: reserve_full_prompt and watermark (calibration.md §6.5)', () => {
  // 10 blocks of 16, budget 64. A: prompt 64, 10 tokens, at 0: prefill 0 → 1640 with 4 blocks; its
  // decodes then take a 5th block (65 tokens) → 5 free. B: prompt 128 (8 blocks), arrives at 100.
  const base = 'num_gpu_blocks: 10\nblock_size: 16\nmax_num_batched_tokens: 64\nmax_num_seqs: 8';
  const ab = () => [req({ id: 0, at: 0, prompt: 64, output: 10 }), req({ id: 1, at: 100, prompt: 128, output: 2 })];

  it('default: B’s first chunk (63 tokens → 4 blocks ≤ 5 free) is admitted at 1640, and later chunks preempt it', () => {
    const b = simulate(base, ab()).records[1]!;
    expect(b.scheduledUs).toBe(1640);
    // At 3370 B's second chunk needs ⌈126/16⌉ − 4 = 4 blocks, 1 is free: B (last running) is preempted.
    expect(b.preemptions).toBeGreaterThan(0);
  });

  it('reserve_full_prompt: B needs all 8 blocks now (8 > 5 free): it waits for A to finish', () => {
    const run = simulate(`${base}\nreserve_full_prompt: true`, ab());
    const [a, b] = run.records;
    // A: first token 1640, 9 decodes of 1100 → 1640 + 9900 = 11540, when its 5 blocks are freed.
    expect(a!.lastTokenUs).toBe(11540);
    expect(b!.scheduledUs).toBe(11540);
    expect(b!.preemptions).toBe(0);
    // Two chunks of 64: 2 × (1000 + 640) → 11540 + 3280 = 14820.
    expect(b!.firstTokenUs).toBe(14820);
  });

  it('watermark 0.5 keeps ⌊0.5·10⌋ = 5 blocks free while A runs: 4 + 5 > 5, B waits for A as well', () => {
    const b = simulate(`${base}\nwatermark: 0.5`, ab()).records[1]!;
    // At 11540 nothing runs, so the watermark no longer applies.
    expect(b.scheduledUs).toBe(11540);
    expect(b.preemptions).toBe(0);
  });

  it('a preempted request’s whole sequence includes its generated tokens', () => {
    // Scheduler alone: 10 blocks, 6 taken by someone else → 4 free, no prefix caching, budget 64.
    // C: prompt 40, already emitted 40 tokens before its preemption → 80 tokens = 5 blocks whole.
    const admitted = (reserve: boolean): number => {
      const engine: EngineConfig = { ...engineOf({ blocks: 10, budget: 64, caching: false }), reserve_full_prompt: reserve };
      const kv = new KvCache(10, 16, false);
      for (let i = 0; i < 6; i++) kv.allocate();
      const sched = new Scheduler(engine, kv, { alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 });
      const r = req({ id: 5, at: 0, prompt: 40, output: 100 });
      const c = new Sequence(r, newRequestRecord(r), 16);
      c.outputDone = 40;
      sched.add(c);
      const batch = new Batch();
      sched.schedule(0, batch);
      return batch.size;
    };
    // Default: the first chunk, min(80, 64) = 64 tokens = 4 blocks ≤ 4 free → admitted.
    expect(admitted(false)).toBe(1);
    // Reserve: ⌈80/16⌉ = 5 > 4 → not admitted (the prompt alone, ⌈40/16⌉ = 3, would have fit).
    expect(admitted(true)).toBe(0);
  });
});

describe('invariants with the new options on (fast-check)', () => {
  const caseArb = fc.record({
    replicas: fc.integer({ min: 1, max: 2 }),
    blocks: fc.integer({ min: 20, max: 300 }),
    blockSize: fc.constantFrom(8, 16),
    maxSeqs: fc.integer({ min: 1, max: 24 }),
    budget: fc.integer({ min: 32, max: 512 }),
    threshold: fc.constantFrom(0, 24),
    caching: fc.boolean(),
    priority: fc.boolean(),
    async: fc.boolean(),
    reserve: fc.boolean(),
    watermark: fc.constantFrom(0, 0.01, 0.1),
    cpu: fc.record({
      schedule_us: fc.constantFrom(0, 300, 5000),
      per_request_us: fc.constantFrom(0, 40),
      egress_us_per_step: fc.constantFrom(0, 150),
      egress_us_per_request: fc.constantFrom(0, 30, 900),
    }),
    rate: fc.double({ min: 5, max: 400, noNaN: true }),
    requests: fc.integer({ min: 1, max: 60 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    shared: fc.boolean(),
  });
  type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;
  const yaml = (c: Case): string => `
seed: ${c.seed}
requests: ${c.requests}
fleet:
  replicas: ${c.replicas}
  gpu: H100
  model: Llama-3.1-8B
  engine:
${engineYaml(c, '    ')}
    async_scheduling: ${c.async}
    reserve_full_prompt: ${c.reserve}
    watermark: ${c.watermark}
step_time:
  model: linear
  cpu: ${JSON.stringify(c.cpu)}
workload:
  arrival: {process: gamma, rate: ${c.rate}, cv: 2}
  ${c.shared ? 'shared_prefix: {num_groups: 3, num_prompts_per_group: 2, system_prompt_len: 70, question_len: 13}' : 'input: {dist: uniform, min: 1, max: 300}'}
  output: {dist: uniform, min: 1, max: 60}
  priorities: [{priority: 0, weight: 2}, {priority: 3, weight: 1}]
policies: [least-requests]
`;

  it('every request ends exactly once, no KV block leaks, the clock never goes back', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const s = parseScenario(yaml(c), 'property.yaml');
        const seen = new Set<Replica>();
        let last = -1;
        let responses = 0;
        let problem: string | null = null;
        const run = runPolicy(s, s.policies[0]!, {
          onEvent: (t, kind) => {
            if (t < last) problem ??= `clock went back ${last} → ${t}`;
            last = t;
            if (kind === EventKind.ResponseDone) responses++;
          },
          onStepEnd: (r) => {
            seen.add(r);
            problem ??= r.kv.checkInvariants();
          },
        });
        expect(problem).toBeNull();
        expect(run.records.length).toBe(c.requests);
        for (const r of seen) {
          expect(r.kv.usedBlocks).toBe(0);
          expect(r.hasWork).toBe(false);
        }
        let completed = 0;
        for (const rec of run.records) {
          expect(['completed', 'rejected']).toContain(rec.outcome);
          if (rec.outcome !== 'completed') continue;
          completed++;
          expect(rec.firstTokenUs - rec.arrivalUs).toBeGreaterThanOrEqual(rec.prefillUs);
          expect(rec.lastTokenUs).toBeGreaterThanOrEqual(rec.firstTokenUs);
          expect(rec.endUs).toBeGreaterThanOrEqual(rec.lastTokenUs);
        }
        // One ResponseDone per completed request: none ends twice, none is lost.
        expect(responses).toBe(completed);
      }),
      { numRuns: 80 },
    );
  });
});

describe('KV capacity: cuda_graph_memory_gb and kv_cache_memory_gb (calibration.md §5, §6.6)', () => {
  const engine: EngineConfig = { ...DEFAULT_ENGINE, max_cpu_loras: 0 };
  const h100 = getGpu('H100');
  const l2 = getModel('Llama-2-7B');

  it('kv_cache_memory_gb gives the KV cache exactly that: ⌊GiB·2^30 / bytes per block⌋', () => {
    // Llama-2-7B TP1: 8 MiB per block → 10 GiB = 10·1024/8 = 1280 blocks, 7.5 GiB = 960.
    expect(kvCapacity(l2, h100, 1, { ...engine, kv_cache_memory_gb: 10 }).numGpuBlocks).toBe(1280);
    expect(numGpuBlocks(l2, h100, 1, { ...engine, kv_cache_memory_gb: 7.5 })).toBe(960);
    // Llama-3.1-70B TP4: 1.25 MiB per block per GPU → 5 GiB per GPU = 5·1024/1.25 = 4096 blocks.
    expect(kvCapacity(getModel('Llama-3.1-70B'), h100, 4, { ...engine, kv_cache_memory_gb: 5 }).numGpuBlocks).toBe(4096);
    // num_gpu_blocks still wins.
    expect(numGpuBlocks(l2, h100, 1, { ...engine, kv_cache_memory_gb: 10, num_gpu_blocks: 77 })).toBe(77);
  });

  it('cuda_graph_memory_gb is subtracted: 1 GiB = 128 blocks of 8 MiB, 1.25 GiB = 1024 blocks of 1.25 MiB', () => {
    const base = kvCapacity(l2, h100, 1, engine).numGpuBlocks;
    expect(kvCapacity(l2, h100, 1, { ...engine, cuda_graph_memory_gb: 1 }).numGpuBlocks).toBe(base - 128);
    const l70 = getModel('Llama-3.1-70B');
    const base70 = kvCapacity(l70, h100, 4, engine).numGpuBlocks;
    expect(kvCapacity(l70, h100, 4, { ...engine, cuda_graph_memory_gb: 1.25 }).numGpuBlocks).toBe(base70 - 1024);
  });

  it('says so when the CUDA-graph term or kv_cache_memory_gb leaves no block', () => {
    const cg = capacityProblem(l2, h100, 1, { ...engine, cuda_graph_memory_gb: 62 }, [1, 2, 4, 8], [h100]);
    expect(cg?.path).toBe('fleet.engine');
    expect(cg?.problem).toContain('CUDA graphs');
    expect(cg?.fix).toContain('cuda_graph_memory_gb');
    const kvm = capacityProblem(l2, h100, 1, { ...engine, kv_cache_memory_gb: 0.001 }, [1, 2, 4, 8], [h100]);
    expect(kvm?.path).toBe('fleet.engine.kv_cache_memory_gb');
  });

  it('absent settings stay out of the resolved scenario (existing outputs byte-identical)', () => {
    const s = linearScenario('num_gpu_blocks: 100');
    expect(Object.keys(s.fleet.engine)).not.toContain('async_scheduling');
    expect(Object.keys(s.fleet.engine)).not.toContain('kv_cache_memory_gb');
    expect(Object.keys(s.step_time)).not.toContain('cpu');
    const on = parseScenario(
      'requests: 1\nfleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B, engine: {async_scheduling: true, reserve_full_prompt: true, cuda_graph_memory_gb: 0.5}}\nstep_time: {cpu: {egress_us_per_request: 20}}\nworkload: {arrival: {process: poisson, rate: 1}, input: 16, output: 1}\npolicies: [round-robin]',
      'on.yaml',
    );
    expect(on.fleet.engine.async_scheduling).toBe(true);
    expect(on.step_time.cpu).toEqual({ schedule_us: 0, per_request_us: 0, egress_us_per_step: 0, egress_us_per_request: 20 });
  });
});
