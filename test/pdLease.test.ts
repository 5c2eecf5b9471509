/**
 * A P/D request whose decode pod refuses it (gateway.md §4.7 "decode never pulls"): the request
 * ends rejected, and the KV its prefill leg holds for the pull stays held — stranded — until the
 * NixlConnector lease expires, 30 s on (§4.3 kv_lease_duration), then frees. Before this the blocks
 * were held for ever, and a prefill pod that needed them never ran again (a run that never ended).
 */
import { describe, expect, it } from 'vitest';
import { runPolicy } from '../sim/simulation.js';
import { parseScenario } from '../sim/scenario/load.js';
import { KV_LEASE_US } from '../sim/pd/runs.js';
import type { Replica } from '../sim/engine/replica.js';
import { req } from './helpers.js';

const SCENARIO = `
seed: 1
requests: 2
pools:
  - name: llm
    model: Llama-3.1-8B
    replicas: [{gpu: H100, count: 1, labels: {llm-d.ai/role: prefill}}, {gpu: H100, count: 1, labels: {llm-d.ai/role: decode}}]
    engine: {num_gpu_blocks: 30, block_size: 8, max_num_seqs: 4, max_num_batched_tokens: 512, enable_prefix_caching: false}
step_time: {model: linear}
workload:
  arrival: {process: poisson, rate: 1}
  input: {dist: uniform, min: 1, max: 10}
  output: {dist: uniform, min: 1, max: 10}
policies: [{name: pd, pool: llm, epp: policies/configs/llm-d-pd-always.yaml}]
`;

describe('P/D: KV stranded by a refused decode leg', () => {
  it('is held until the lease expires, then frees and the prefill pod runs again', () => {
    const s = parseScenario(SCENARIO, 'lease.yaml');
    // A: 200-token prompt, 50 output. Its prefill leg (1 output token) fits the 30 blocks and, once
    // its prompt is computed, holds ⌈200/8⌉ = 25 of them; the decode pod refuses the whole request:
    // ⌈250/8⌉ = 32 > 30 blocks (exceeds_kv_capacity). B arrives at 0.1 s with a 100-token prompt:
    // ⌈100/8⌉ = 13 blocks, but only 30 − 25 = 5 are free while A's 25 stay held for the pull that
    // never comes.
    const a = req({ id: 0, at: 0, prompt: 200, output: 50 });
    const b = req({ id: 1, at: 100_000, prompt: 100, output: 10 });
    const held: [number, number][] = [];
    let prefillPod: Replica | null = null;
    const run = runPolicy(s, s.policies[0]!, {
      onStepEnd: (r, t) => {
        if (r.name.includes('0')) prefillPod ??= r;
        if (r === prefillPod) held.push([t, r.heldBlocks]);
      },
    }, [a, b]);
    const [ra, rb] = run.records;
    expect(ra!.outcome).toBe('rejected');
    expect(ra!.reason).toBe('exceeds_kv_capacity');
    expect(rb!.outcome).toBe('completed');
    // A's KV is freed at its refusal + 30 s, not before: B's prefill (on the prefill pod) cannot
    // start earlier, and starts then (the pod is idle): B ends after the lease, within a second of it.
    const expiry = ra!.endUs + KV_LEASE_US;
    expect(KV_LEASE_US).toBe(30_000_000);
    expect(rb!.endUs).toBeGreaterThan(expiry);
    expect(rb!.endUs - expiry).toBeLessThan(1_000_000);
    // The prefill pod steps twice: A's prefill (then 25 blocks held, until the expiry) and, after the
    // expiry, B's (then B's 13 held until B's decoder pulls them).
    expect(held.map(([t, h]) => [t < expiry, h])).toEqual([[true, 25], [false, 13]]);
    expect(run.endUs).toBeLessThan(expiry + 1_000_000);
  });
});
