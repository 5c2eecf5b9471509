/**
 * Issue 10 end to end: a gateway over several pools (routes, weighted backends, model-name routing,
 * FailOpen / FailClose) and P/D disaggregation through the run loop. Golden numbers are derived by
 * hand in the comments; properties check that every request ends exactly once across pools and
 * that no replica keeps a KV block once the run is over.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import type { Replica } from '../sim/engine/replica.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { SimRequest } from '../sim/workload/request.js';
import { req } from './helpers.js';

const LINEAR = `step_time:
  model: linear
  coefficients: {beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100}
  overheads: false
`;

/** Run the scenario's first policy on `requests`, keeping every replica that stepped. */
function run(text: string, requests?: SimRequest[], policy = 0): { out: PolicyRun; replicas: Set<Replica> } {
  const s = parseScenario(text, 'pools.yaml');
  const replicas = new Set<Replica>();
  const out = runPolicy(s, s.policies[policy]!, { onStepEnd: (r) => void replicas.add(r) }, requests);
  return { out, replicas };
}

function pdPool(prefill: number, decode: number, extra = ''): string {
  return `pools:
  - name: llm
    model: Llama-3.1-8B
    replicas:
      - {gpu: H100, count: ${prefill}, labels: {llm-d.ai/role: prefill}}
      - {gpu: H100, count: ${decode}, labels: {llm-d.ai/role: decode}}
    engine: {max_num_seqs: 16, max_num_batched_tokens: 4096, num_gpu_blocks: 400}
    picker: {epp: policies/configs/llm-d-pd-always.yaml}
${extra}`;
}

describe('P/D disaggregation through the run loop', () => {
  it('golden: one disaggregated request on idle pods', () => {
    // Llama-3.1-8B TP1, block 16, linear step time β0 1000 µs, β1 10 µs/prefill token, β2 100 µs/decode token, no α.
    // Prefill leg on the prefill pod: one step of 1024 prompt tokens = 1000 + 10·1024 = 11,240 µs; its
    //   1-token response returns at 11,240 (no α1/α2), the decode leg enters the decode pod at once (α0 = 0).
    // Decode admission at 11,240 (idle pod): pull 1024 tokens × 131,072 B (2·32 layers·8 kv heads·128·2 B)
    //   = 134,217,728 B at 50 GB/s (50,000 B/µs) = 2,684.35 → 2,685 µs, + 50 µs latency: KV present at 13,975.
    // Next step recomputes the last prompt token: 1000 + 10·1 = 1,010 µs → token 1 at 14,985 (TTFT).
    // Token 2: a decode step 1000 + 100·1 = 1,100 µs → 16,085.
    const text = `name: pd\nseed: 1\nrequests: 1\n${pdPool(1, 1)}${LINEAR}workload: {arrival: {process: constant, rate: 1}, input: 16, output: 1}\n`;
    const { out, replicas } = run(text, [req({ id: 0, at: 0, prompt: 1024, output: 2 })]);
    const r = out.records[0]!;
    expect(r.outcome).toBe('completed');
    expect(r.replica).toBe(1);
    expect(r.prefillReplica).toBe(0);
    expect(r.prefillQueueUs).toBe(0);
    expect(r.prefillComputeUs).toBe(11_240);
    expect(r.decodeQueueUs).toBe(0);
    expect(r.kvTransferBytes).toBe(134_217_728);
    expect(r.kvTransferUs).toBe(2_735);
    expect(r.kvReadyUs).toBe(13_975);
    expect(r.firstTokenUs).toBe(14_985);
    expect(r.lastTokenUs).toBe(16_085);
    // The prefill pod freed its blocks after the pull; nothing is held or pulling anywhere.
    for (const rep of replicas) {
      expect(rep.kv.usedBlocks).toBe(0);
      expect(rep.heldBlocks).toBe(0);
      expect(rep.pullingCount).toBe(0);
    }
    expect(out.replicas.map((x) => [x.name, x.role, x.gpu])).toEqual([
      ['replica-0', 'prefill', 'H100'],
      ['replica-1', 'decode', 'H100'],
    ]);
  });

  it('the decode pod pulls only what it does not hold: a repeated prompt pulls one block', () => {
    // Request 0 leaves its 64 prompt blocks in the decode pod's prefix cache (registered at KV arrival
    // for the first 1023 tokens = 63 full blocks, the 64th once token 1024 is computed). Request 1
    // has the same prompt: local hits cap at (1024 − 1) / 16 = 63 blocks, so 1 block = 16 tokens is
    // pulled: 16 × 131,072 = 2,097,152 B = 41.94 → 42 µs + 50 µs.
    const text = `name: pd\nseed: 1\nrequests: 2\n${pdPool(1, 1)}${LINEAR}workload: {arrival: {process: constant, rate: 1}, input: 16, output: 1}\n`;
    const segs: [number, number][] = [[0xbeef, 1024]];
    const { out } = run(text, [req({ id: 0, at: 0, segments: segs, output: 2 }), req({ id: 1, at: 1_000_000, segments: segs, output: 2 })]);
    expect(out.records[1]!.kvTransferBytes).toBe(2_097_152);
    expect(out.records[1]!.kvTransferUs).toBe(92);
  });
});

describe('routes and weighted backends', () => {
  const twoPools = (weights: [number, number], policies = '') => `name: w\nseed: 3\nrequests: 4000\npools:
  - {name: a, model: Llama-3.1-8B, gpu: H100, replicas: 2, picker: round-robin}
  - {name: b, model: Llama-3.1-8B, gpu: H100, replicas: 2, picker: round-robin}
routes:
  - rules: [{backendRefs: [{name: a, weight: ${weights[0]}}, {name: b, weight: ${weights[1]}}]}]
workload: {arrival: {process: poisson, rate: 200}, input: 32, output: 2}
${policies}`;

  it('weight splits converge to their ratio (3:1 within ±0.03 over 2 seeds × 4000 requests)', () => {
    // σ of a share at p = 0.75, n = 8000: √(0.75·0.25/8000) ≈ 0.0048, so ±0.03 is > 6σ.
    let a = 0;
    let n = 0;
    for (const seed of [3, 4]) {
      const { out } = run(twoPools([3, 1]).replace('seed: 3', `seed: ${seed}`));
      for (const r of out.records) {
        n++;
        if (r.pool === 0) a++;
      }
    }
    expect(Math.abs(a / n - 0.75)).toBeLessThan(0.03);
  });

  it('weight 0 is never drawn; every backend at 0 answers 500', () => {
    const { out } = run(twoPools([0, 5]));
    expect(out.records.every((r) => r.pool === 1)).toBe(true);
    const none = run(twoPools([0, 0]));
    expect(none.out.records.every((r) => r.outcome === 'dropped' && r.status === 500 && r.reason === 'no-backend')).toBe(true);
  });

  it('routes by model name (body-based routing) and answers 404 for a model no rule matches', () => {
    const text = `name: m\nseed: 1\nrequests: 300\npools:
  - {name: small, model: Llama-3.1-8B, gpu: H100, replicas: 1, picker: round-robin}
  - {name: big, model: Qwen3-32B, gpu: H100, replicas: 1, picker: round-robin}
routes:
  - rules:
      - {matches: [{model: Llama-3.1-8B}], backendRefs: [{name: small}]}
      - {matches: [{model: Qwen3-32B}], backendRefs: [{name: big}]}
workload:
  tenants:
    - {name: s, model: Llama-3.1-8B, arrival: {process: poisson, rate: 5}, input: 50, output: 5}
    - {name: b, model: Qwen3-32B, arrival: {process: poisson, rate: 5}, input: 50, output: 5}
    - {name: x, model: Mixtral-8x7B, arrival: {process: poisson, rate: 1}, input: 50, output: 5}
`;
    const { out } = run(text);
    const byModel = new Map<string, Set<string>>();
    for (const r of out.records) {
      const k = r.pool < 0 ? `${r.status}:${r.reason}` : String(r.pool);
      byModel.set(r.model, (byModel.get(r.model) ?? new Set()).add(k));
    }
    expect(byModel.get('Llama-3.1-8B')).toEqual(new Set(['0']));
    expect(byModel.get('Qwen3-32B')).toEqual(new Set(['1']));
    expect(byModel.get('Mixtral-8x7B')).toEqual(new Set(['404:no-route']));
    expect(out.records.filter((r) => r.pool >= 0).every((r) => r.outcome === 'completed')).toBe(true);
  });
});

describe('InferenceObjectives and model rewrites apply per pool', () => {
  it('the same objective is sheddable in one pool and critical in the other', () => {
    // Both pools get the same overload (one replica each, ~2× what it serves); requests name the
    // objective `batch`, which pool a maps to priority −1 (sheddable) and pool b to 0 (critical).
    // GAIE's default picker sheds only sheddable requests while its pool is saturated.
    const text = `name: o\nseed: 5\nrequests: 600\npools:
  - {name: a, model: Llama-3.1-8B, gpu: H100, replicas: 1, objectives: [{name: batch, priority: -1}]}
  - {name: b, model: Llama-3.1-8B, gpu: H100, replicas: 1, objectives: [{name: batch, priority: 0}]}
routes:
  - rules: [{backendRefs: [{name: a}, {name: b}]}]
workload:
  objective: batch
  arrival: {process: poisson, rate: 60}
  input: 3000
  output: 300
`;
    const { out } = run(text);
    const drops = [0, 0];
    for (const r of out.records) if (r.outcome === 'dropped') drops[r.pool]! += 1;
    expect(drops[0]).toBeGreaterThan(0);
    expect(drops[1]).toBe(0);
    expect(out.records.filter((r) => r.pool === 0 && r.outcome === 'dropped').every((r) => r.reason === 'shed-saturated' && r.status === 429)).toBe(true);
  });

  it('a model rewrite of one pool serves its adapter there only', () => {
    const text = `name: r\nseed: 1\nrequests: 40\npools:
  - name: a
    model: Llama-3.1-8B
    gpu: H100
    replicas: 1
    engine: {max_loras: 1}
    model_rewrites: [{model: Llama-3.1-8B, targets: [{model: lora-x, weight: 1}]}]
  - {name: b, model: Llama-3.1-8B, gpu: H100, replicas: 1}
routes:
  - rules: [{backendRefs: [{name: a}, {name: b}]}]
workload: {arrival: {process: poisson, rate: 20}, input: 64, output: 4}
`;
    const { out } = run(text);
    const served = new Map<number, Set<string | null>>();
    for (const r of out.records) served.set(r.pool, (served.get(r.pool) ?? new Set()).add(r.adapter));
    expect(served.get(0)).toEqual(new Set(['lora-x']));
    expect(served.get(1)).toEqual(new Set([null]));
    expect(out.records.every((r) => r.outcome === 'completed')).toBe(true);
  });
});

describe('failureMode when the picker is unreachable', () => {
  const outage = (mode: string) => `name: f\nseed: 1\nrequests: 40\npools:
  - {name: p, model: Llama-3.1-8B, gpu: H100, replicas: 3, failureMode: ${mode}, picker_outages: [{from_s: 1, to_s: 2}]}
workload: {arrival: {process: constant, rate: 20}, input: 32, output: 2}
`;
  it('FailClose answers 503 during the outage and routes normally outside it', () => {
    const { out } = run(outage('FailClose'));
    for (const r of out.records) {
      const down = r.arrivalUs >= 1e6 && r.arrivalUs < 2e6;
      if (down) expect([r.outcome, r.status, r.reason]).toEqual(['dropped', 503, 'picker-unavailable']);
      else expect(r.outcome).toBe('completed');
    }
    expect(out.records.some((r) => r.reason === 'picker-unavailable')).toBe(true);
  });
  it('FailOpen sends to the pool\'s pods round-robin during the outage', () => {
    const { out } = run(outage('FailOpen'));
    expect(out.records.every((r) => r.outcome === 'completed')).toBe(true);
    const during = out.records.filter((r) => r.arrivalUs >= 1e6 && r.arrivalUs < 2e6).map((r) => r.replica);
    expect(during.length).toBe(20);
    during.forEach((rep, k) => expect(rep).toBe(k % 3));
  });
});

describe('properties across pools', () => {
  it('every request ends exactly once and no replica keeps a KV block (P/D pool + aggregated pool)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 16, max: 3000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (seed, rate, input, output, prefill, shareDecode) => {
          const text = `name: prop\nseed: ${seed}\nrequests: 60\npools:
  - name: pd
    model: Llama-3.1-8B
    replicas:
      - {gpu: H100, count: ${prefill}, labels: {llm-d.ai/role: prefill}}
      - {gpu: A100-80GB, count: 2, labels: {llm-d.ai/role: decode}}
    engine: {max_num_seqs: 8, max_num_batched_tokens: 2048, num_gpu_blocks: 600}
    picker: {epp: policies/configs/llm-d-pd.yaml}
    kv_transfer: {transport: tcp, shared_by: ${shareDecode ? 'decode' : 'prefill'}}
  - {name: agg, model: Llama-3.1-8B, gpu: H100, replicas: 2, engine: {num_gpu_blocks: 500}}
routes:
  - rules: [{backendRefs: [{name: pd, weight: 2}, {name: agg, weight: 1}]}]
${LINEAR}workload:
  arrival: {process: poisson, rate: ${rate}}
  input: {dist: uniform, min: 16, max: ${input}}
  output: {dist: uniform, min: 1, max: ${output}}
`;
          const { out, replicas } = run(text);
          expect(out.records.length).toBe(60);
          const ids = new Set(out.records.map((r) => r.id));
          expect(ids.size).toBe(60);
          for (const r of out.records) {
            expect(r.reason).not.toBe('incomplete');
            expect(r.endUs).toBeGreaterThanOrEqual(r.arrivalUs);
            if (r.outcome === 'completed' && r.prefillReplica >= 0) {
              expect(r.kvReadyUs).toBeGreaterThanOrEqual(r.dispatchUs);
              expect(r.firstTokenUs).toBeGreaterThan(r.kvReadyUs);
            }
          }
          for (const rep of replicas) {
            expect(rep.kv.usedBlocks).toBe(0);
            expect(rep.heldBlocks).toBe(0);
            expect(rep.pullingCount).toBe(0);
          }
        },
      ),
      { numRuns: 25, seed: 10 },
    );
  });
});
