/**
 * Golden engine cases. Every expected number is derived by hand in the comments from the linear
 * step time used by `linearScenario`: step = 1000 + 10·(prefill tokens) + 100·(decode tokens) µs.
 */
import { describe, expect, it } from 'vitest';
import { runPolicy } from '../sim/simulation.js';
import type { Replica } from '../sim/engine/replica.js';
import { linearScenario, req, simulate } from './helpers.js';

const RR = { name: 'rr', type: 'round-robin' as const };

describe('one request on an idle replica', () => {
  it('prefills in one step, then decodes one token per step', () => {
    const run = simulate('num_gpu_blocks: 100', [req({ id: 0, at: 0, prompt: 100, output: 4 })]);
    const r = run.records[0]!;
    // Prefill 100 tokens: 1000 + 10·100 = 2000 µs → first token at 2000.
    expect(r.firstTokenUs).toBe(2000);
    // Three decode steps of 1000 + 100 = 1100 µs: tokens at 3100, 4200, 5300.
    expect(r.lastTokenUs).toBe(5300);
    expect(r.prefillUs).toBe(2000);
    expect(r.cachedTokens).toBe(0);
    expect(r.outcome).toBe('completed');
    expect([...run.itl]).toEqual([[1100, 3]]);
  });

  it('adds the α overheads where they belong', () => {
    const s = linearScenario('num_gpu_blocks: 100', '');
    const withAlpha = { ...s, step_time: { ...s.step_time, overheads: { alpha0_us: 500, alpha1_us: 70, alpha2_us: 30 } } };
    const r = runPolicy(withAlpha, RR, {}, [req({ id: 0, at: 0, prompt: 100, output: 4 })]).records[0]!;
    // Enqueued at α0 = 500; engine first token at 500 + 2000 = 2500, seen at +α2 → 2530.
    expect(r.enqueueUs).toBe(500);
    expect(r.firstTokenUs).toBe(2530);
    // Engine last token at 2500 + 3·1100 = 5800, seen at +α2 → 5830; response complete at
    // 5800 + α2 + α1 = 5900, so the completion overhead is 5900 − 5830 = 70 = α1.
    expect(r.lastTokenUs).toBe(5830);
    expect(r.endUs).toBe(5900);
  });

  it('splits a long prompt into chunks of max_num_batched_tokens', () => {
    const r = simulate('num_gpu_blocks: 100\nmax_num_batched_tokens: 64\nmax_num_seqs: 8', [req({ id: 0, at: 0, prompt: 100, output: 2 })]).records[0]!;
    // Chunks 64 + 36: (1000 + 640) + (1000 + 360) = 3000 → first token; one decode 1100 → 4100.
    expect(r.firstTokenUs).toBe(3000);
    expect(r.prefillUs).toBe(3000);
    expect(r.lastTokenUs).toBe(4100);
  });

  it('caps one prefill per step with long_prefill_token_threshold', () => {
    const r = simulate('num_gpu_blocks: 100\nlong_prefill_token_threshold: 40', [req({ id: 0, at: 0, prompt: 100, output: 1 })]).records[0]!;
    // Chunks 40 + 40 + 20: 1400 + 1400 + 1200 = 4000.
    expect(r.firstTokenUs).toBe(4000);
  });
});

describe('prefix cache', () => {
  const SYS = 0x5151;
  it('cuts a repeated prompt’s prefill by exactly its whole cached blocks', () => {
    // Both prompts are the same 40-token system segment + the same 10-token question (50 tokens).
    const prompt: [number, number][] = [[SYS, 40], [0x7777, 10]];
    const run = simulate('num_gpu_blocks: 100', [req({ id: 0, at: 0, segments: prompt, output: 2 }), req({ id: 1, at: 1_000_000, segments: prompt, output: 2 })]);
    const [a, b] = run.records;
    // First: prefill 50 → 1000 + 500 = 1500.
    expect(a!.firstTokenUs).toBe(1500);
    // Second: at most floor((50 − 1)/16) = 3 whole blocks = 48 tokens hit; 2 tokens left → 1000 + 20 = 1020.
    expect(b!.cachedTokens).toBe(48);
    expect(b!.firstTokenUs - b!.arrivalUs).toBe(1020);
    // The saving is 48 tokens × 10 µs = 480 µs.
    expect(a!.firstTokenUs - a!.arrivalUs - (b!.firstTokenUs - b!.arrivalUs)).toBe(480);
    // vllm:prefix_cache_queries/hits count prompt tokens: 50 + 50 looked up, 48 found.
    expect(run.replicas[0]!.prefixQueryTokens).toBe(100);
    expect(run.replicas[0]!.prefixHitTokens).toBe(48);
  });

  it('always computes the last prompt token, even when every block is cached', () => {
    const prompt: [number, number][] = [[SYS, 48]];
    const run = simulate('num_gpu_blocks: 100', [req({ id: 0, at: 0, segments: prompt, output: 1 }), req({ id: 1, at: 1_000_000, segments: prompt, output: 1 })]);
    const b = run.records[1]!;
    // 48 tokens = 3 full blocks, but at most 47 may be cached → 2 blocks = 32 tokens; 16 computed: 1160.
    expect(b.cachedTokens).toBe(32);
    expect(b.firstTokenUs - b.arrivalUs).toBe(1160);
  });

  it('does not share cache across LoRA adapters', () => {
    const prompt: [number, number][] = [[SYS, 40], [0x7777, 10]];
    const run = simulate('num_gpu_blocks: 100\nmax_loras: 2', [req({ id: 0, at: 0, segments: prompt, output: 1, adapter: 'a' }), req({ id: 1, at: 1_000_000, segments: prompt, output: 1, adapter: 'b' })]);
    expect(run.records[1]!.cachedTokens).toBe(0);
  });

  it('reports nothing cached with enable_prefix_caching off', () => {
    const prompt: [number, number][] = [[SYS, 40], [0x7777, 10]];
    const run = simulate('num_gpu_blocks: 100\nenable_prefix_caching: false', [req({ id: 0, at: 0, segments: prompt, output: 1 }), req({ id: 1, at: 1_000_000, segments: prompt, output: 1 })]);
    expect(run.records[1]!.cachedTokens).toBe(0);
    expect(run.records[1]!.firstTokenUs - run.records[1]!.arrivalUs).toBe(1500);
  });
});

describe('preemption when KV blocks run out', () => {
  it('preempts the last running request in recompute mode and resumes it later', () => {
    // 3 blocks of 16 tokens. A (prompt 16, 20 out) at 0; B (prompt 16, 20 out) at 1 µs.
    const preemptAt: number[] = [];
    let last = 0;
    const onStepEnd = (r: Replica, t: number): void => {
      if (r.scheduler.preemptions > last) {
        last = r.scheduler.preemptions;
        preemptAt.push(t);
      }
    };
    const run = simulate('num_gpu_blocks: 3', [req({ id: 0, at: 0, prompt: 16, output: 20 }), req({ id: 1, at: 1, prompt: 16, output: 20 })], {
      observer: { onStepEnd },
    });
    const [a, b] = run.records;
    // t=0: A prefills 16 (1 block) → 1160, A token 1.
    expect(a!.firstTokenUs).toBe(1160);
    // t=1160: A decodes (needs block 2); B admitted with the last free block, prefill 16:
    //   1000 + 160 + 100 = 1260 → 2420: A token 2, B token 1 (TTFT 2420 − 1 = 2419).
    expect(b!.firstTokenUs).toBe(2420);
    // t=2420: B needs a 2nd block, none free → B (last running) is preempted; A decodes alone.
    //   The step that follows is the one ending 1100 µs later.
    expect(preemptAt).toEqual([2420 + 1100]);
    expect(b!.preemptions).toBe(1);
    // A: tokens 3…20 one per 1100 µs after 2420 → 2420 + 18·1100 = 22220.
    expect(a!.lastTokenUs).toBe(22220);
    // B waits (a hit on its freed block still needs 2 blocks, 1 free) until A frees its 3 at 22220;
    // by then A's 3rd block evicted B's cached block, so B recomputes 16 prompt + 1 output = 17 tokens:
    //   1000 + 170 = 1170 → 23390 (token 2); 18 decodes → 23390 + 18·1100 = 43190.
    expect(b!.lastTokenUs).toBe(43190);
    // Its own prefill time is the one step that computed its prompt before its first token.
    expect(b!.prefillUs).toBe(1260);
    expect(run.replicas[0]!.preemptions).toBe(1);
  });
});

describe('LoRA slots', () => {
  it('max_loras limits a batch: a second adapter is skipped, not blocking the base model behind it', () => {
    // max_loras 1; loads cost 500 µs (bandwidths so high the size term rounds away); rank 16 → the
    // multi-adapter factor is 1 + 0.035·A.
    const snapshots = new Map<number, ReturnType<Replica['snapshot']>>();
    const run = simulate(
      'num_gpu_blocks: 100\nmax_loras: 1',
      [
        req({ id: 0, at: 0, prompt: 16, output: 3, adapter: 'a1' }),
        req({ id: 1, at: 1, prompt: 16, output: 2, adapter: 'a2' }),
        req({ id: 2, at: 2, prompt: 16, output: 2 }),
      ],
      {
        extra: 'lora_load: {base_us: 500, host_gbps: 1000000000, disk_gbps: 1000000000}',
        observer: { onStepEnd: (r, t) => snapshots.set(t, r.snapshot(t)) },
      },
    );
    const [a, b, c] = run.records;
    // t=0: A alone, load a1 (500) + (1000 + 160)·1.035 = 1200.6 → 1201 ⇒ 1701.
    expect(a!.firstTokenUs).toBe(1701);
    // t=1701: B (a2) skipped since a1 holds the only slot; C (base) admitted behind it:
    //   (1000 + 160 + 100)·1.035 = 1304.1 → 1304 ⇒ 3005.
    expect(c!.firstTokenUs).toBe(3005);
    // t=3005: A and C decode: (1000 + 200)·1.035 = 1242 ⇒ 4247; A (3 tokens) and C (2) finish.
    expect(a!.lastTokenUs).toBe(4247);
    expect(c!.lastTokenUs).toBe(4247);
    // t=4247: B alone, load a2 (500) + 1201 ⇒ 5948; decode 1100·1.035 = 1138.5 → 1139 ⇒ 7087.
    expect(b!.firstTokenUs).toBe(5948);
    expect(b!.lastTokenUs).toBe(7087);
    expect(run.replicas[0]!.loraLoads).toBe(2);
    // What /metrics shows right after the step ending at 3005: A (a1) and C (base) running, B (a2) waiting.
    expect(snapshots.get(3005)).toMatchObject({ runningRequestsSize: 2, waitingQueueSize: 1, activeModels: ['a1'], waitingModels: ['a2'], maxActiveModels: 1 });
    // After A and C finish at 4247, only B waits; its adapter is not running yet.
    expect(snapshots.get(4247)).toMatchObject({ runningRequestsSize: 0, waitingQueueSize: 1, activeModels: [], waitingModels: ['a2'] });
  });
});

describe('requests that can never fit are rejected at arrival', () => {
  it('names the reason', () => {
    const run = simulate('num_gpu_blocks: 4\nmax_model_len: 100', [
      req({ id: 0, at: 0, prompt: 90, output: 20 }), // 110 > max_model_len 100
      req({ id: 1, at: 1, prompt: 60, output: 10 }), // 70 tokens need 5 blocks > 4
      req({ id: 2, at: 2, prompt: 16, output: 2, adapter: 'x' }), // LoRA off
      req({ id: 3, at: 3, prompt: 16, output: 2 }),
    ]);
    expect(run.records.map((r) => [r.outcome, r.reason])).toEqual([
      ['rejected', 'exceeds_max_model_len'],
      ['rejected', 'exceeds_kv_capacity'],
      ['rejected', 'lora_not_enabled'],
      ['completed', ''],
    ]);
  });
});

describe('priority scheduling', () => {
  it('admits the higher priority waiting request first', () => {
    // max_num_seqs 1 serialises requests. A (prio 0) runs; then B (prio 0) and C (prio 5) wait.
    const run = simulate('num_gpu_blocks: 100\nmax_num_seqs: 1\nscheduling: priority', [
      req({ id: 0, at: 0, prompt: 16, output: 1 }),
      req({ id: 1, at: 1, prompt: 16, output: 1, priority: 0 }),
      req({ id: 2, at: 2, prompt: 16, output: 1, priority: 5 }),
    ]);
    // Each is one 1160 µs prefill step: A ends 1160, then C 2320, then B 3480.
    expect(run.records.map((r) => r.lastTokenUs)).toEqual([1160, 3480, 2320]);
  });
});
