/**
 * Issue 11 through the run loop: route timeouts abort the engine's work, retries go where Envoy
 * sends them, failed pods' requests end exactly once, the picker keeps choosing a dead pod until
 * its datastore drops it, rate limits answer 429, and the autoscaler adds replicas that serve only
 * after their start-up. Golden numbers are derived by hand in the comments.
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

function run(text: string, requests?: SimRequest[], policy = 0, onStep?: (r: Replica, t: number) => void): { out: PolicyRun; replicas: Set<Replica> } {
  const s = parseScenario(text, 'churn.yaml');
  const replicas = new Set<Replica>();
  const out = runPolicy(s, s.policies[policy]!, { onStepEnd: (r, t) => { replicas.add(r); onStep?.(r, t); } }, requests);
  return { out, replicas };
}

const pool = (replicas: number, extra = '') => `pools:
  - name: p
    model: Llama-3.1-8B
    replicas: [{gpu: H100, count: ${replicas}}]
    engine: {max_num_seqs: 16, max_num_batched_tokens: 4096, num_gpu_blocks: 400}
    picker: round-robin
${extra}`;

describe('route timeouts', () => {
  it('golden: a request timeout mid-stream frees exactly its blocks at the timeout instant', () => {
    // One 160-token prompt (10 blocks of 16), 1000 output tokens, linear steps, no α.
    // Prefill: 1000 + 10·160 = 2,600 µs → token 1 at 2,600. Each decode step 1000 + 100 = 1,100 µs,
    // so token k at 2,600 + (k − 1)·1,100. The route times out at 50 ms = 50,000 µs: token 44 came at
    // 2,600 + 43·1,100 = 49,900 (the stream had started) → failed 'timeout' at 50,000; the step that
    // was running (49,900 → 51,000) ends without it. Blocks: (160 + 43 computed tokens) → ⌈203/16⌉ = 13
    // before the abort, 0 at once after (they stay cached, free).
    const text = `name: t\nseed: 1\nrequests: 1\n${pool(1)}routes:\n  - rules: [{backendRefs: [{name: p}], timeouts: {request: 50ms}}]\n${LINEAR}workload: {arrival: {process: constant, rate: 1}, input: 16, output: 1}\n`;
    const used: [number, number][] = [];
    const { out, replicas } = run(text, [req({ id: 0, at: 0, prompt: 160, output: 1000 })], 0, (r, t) => used.push([t, r.kv.usedBlocks]));
    const r = out.records[0]!;
    expect([r.outcome, r.reason, r.endUs, r.firstTokenUs]).toEqual(['failed', 'timeout', 50_000, 2_600]);
    expect(used.filter(([t]) => t === 49_900)[0]![1]).toBe(13);
    for (const rep of replicas) expect(rep.kv.usedBlocks).toBe(0);
    // Nothing ran for it after the timeout: the last step that carried it ended at 49,900.
    expect(Math.max(...used.filter(([, u]) => u > 0).map(([t]) => t))).toBe(49_900);
  });

  it('a timeout before the first token is a 504 drop', () => {
    const text = `name: t\nseed: 1\nrequests: 1\n${pool(1)}routes:\n  - rules: [{backendRefs: [{name: p}], timeouts: {request: 1ms}}]\n${LINEAR}workload: {arrival: {process: constant, rate: 1}, input: 16, output: 1}\n`;
    const { out, replicas } = run(text, [req({ id: 0, at: 0, prompt: 160, output: 10 })]);
    const r = out.records[0]!;
    expect([r.outcome, r.status, r.reason, r.endUs]).toEqual(['dropped', 504, 'timeout', 1_000]);
    for (const rep of replicas) expect(rep.kv.usedBlocks).toBe(0);
  });
});

describe('replica failure and the picker datastore', () => {
  const failing = (mode: string, detect: number, retry = '') => `name: f\nseed: 2\nrequests: 200\n${pool(2)}routes:
  - rules: [{backendRefs: [{name: p}], timeouts: {request: 2s}${retry}}]
events:
  - {at_s: 1, kind: fail, replica: 1, mode: ${mode}, detect_s: ${detect}}
${LINEAR}workload: {arrival: {process: constant, rate: 50}, input: 32, output: 20}
`;
  it('a crashed pod refuses connections until the datastore drops it; round-robin keeps sending half there', () => {
    // 50 req/s, one every 20 ms; replica 1 crashes at 1 s, dropped at 1.5 s. Round-robin alternates, so of
    // the 25 requests dispatched in [1 s, 1.5 s) about half go to the dead pod and get 503 at once
    // (no retry policy); afterwards everything goes to replica 0.
    const { out } = run(failing('crash', 0.5));
    const refused = out.records.filter((r) => r.reason === 'upstream-reset');
    // (A request that had not streamed yet when the pod died is refused too: it arrived just before 1 s.)
    expect(refused.every((r) => r.status === 503 && r.outcome === 'dropped' && r.arrivalUs >= 0.95e6 && r.arrivalUs <= 1.5e6)).toBe(true); // an arrival at the detection instant is handled first (event order)
    expect(refused.length).toBeGreaterThanOrEqual(11);
    expect(refused.length).toBeLessThanOrEqual(14);
    expect(out.records.filter((r) => r.arrivalUs > 1.5e6).every((r) => r.outcome === 'completed' && r.replica === 0)).toBe(true);
  });

  it('a hung pod never answers: its requests end at the route timeout; retries to the same pod do not help, re-picking does', () => {
    const hung = run(failing('hang', 0.5)).out;
    const lost = hung.records.filter((r) => r.replica === 1 && r.outcome !== 'completed');
    expect(lost.length).toBeGreaterThan(0);
    for (const r of lost) expect(r.endUs - r.arrivalUs).toBe(2_000_000);
    const same = run(failing('hang', 0.5, ', retry: {attempts: 2, per_try_timeout: 200ms}')).out;
    const repick = run(failing('hang', 0.5, ', retry: {attempts: 2, per_try_timeout: 200ms, repick: true}')).out;
    const bad = (o: PolicyRun) => o.records.filter((r) => r.outcome !== 'completed').length;
    // Same-pod retries hit the hung pod again: requests sent there before detection still fail.
    expect(bad(same)).toBeGreaterThan(0);
    // Re-picking sends the retry through round-robin, which alternates to the live pod.
    expect(bad(repick)).toBeLessThan(bad(same));
    expect(Object.values(same.resilience!.retries).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
  });

  it('property: under random failure timelines every request ends exactly once and surviving replicas hold no blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 3000 }), replica: fc.integer({ min: 0, max: 2 }), mode: fc.constantFrom('crash', 'hang', 'node'), recoverAfter: fc.integer({ min: 100, max: 2000 }) }), { maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        (seed, fails, retry, repick) => {
          const events = fails
            .flatMap((f) => [
              `  - {at_s: ${f.at / 1000}, kind: fail, replica: ${f.replica}, mode: ${f.mode}, detect_s: 0.3}`,
              `  - {at_s: ${(f.at + f.recoverAfter) / 1000}, kind: recover, replica: ${f.replica}}`,
            ])
            .join('\n');
          const text = `name: prop\nseed: ${seed}\nrequests: 80\n${pool(3, '    startup: {scheduling_s: 0, container_s: 0.1, load_s: 0.2, init_s: 0.1, warmup_s: 0.5, warmup_factor: 2}\n')}routes:
  - rules: [{backendRefs: [{name: p}], timeouts: {request: 3s}${retry ? `, retry: {attempts: 2, per_try_timeout: 500ms${repick ? ', repick: true' : ''}}` : ''}}]
${events ? `events:\n${events}\n` : ''}${LINEAR}workload:
  arrival: {process: poisson, rate: 30}
  input: {dist: uniform, min: 16, max: 600}
  output: {dist: uniform, min: 1, max: 60}
`;
          const { out, replicas } = run(text);
          expect(out.records.length).toBe(80);
          expect(new Set(out.records.map((r) => r.id)).size).toBe(80);
          for (const r of out.records) {
            expect(r.reason).not.toBe('incomplete');
            expect(r.endUs).toBeGreaterThanOrEqual(r.arrivalUs);
            if (r.outcome === 'completed') expect(r.lastTokenUs).toBeGreaterThanOrEqual(r.firstTokenUs);
          }
          for (const rep of replicas) {
            expect(rep.kv.usedBlocks).toBe(0);
            expect(rep.inFlight).toBe(0);
          }
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });
});

describe('where retries go', () => {
  const crashTwo = (picker: number, retry: string) => `name: fb\nseed: 3\nrequests: 120\npools:
  - name: p
    model: Llama-3.1-8B
    replicas: [{gpu: H100, count: 2}]
    engine: {max_num_seqs: 16, max_num_batched_tokens: 4096, num_gpu_blocks: 400}
    picker:
      epp:
        apiVersion: inference.networking.x-k8s.io/v1alpha1
        kind: EndpointPickerConfig
        plugins: [{type: queue-scorer}, {type: max-score-picker, parameters: {maxNumOfEndpoints: ${picker}}}]
routes:
  - rules: [{backendRefs: [{name: p}], timeouts: {request: 5s}, retry: {${retry}}}]
events:
  - {at_s: 1, kind: fail, replica: 0, mode: crash, detect_s: 100}
${LINEAR}workload: {arrival: {process: constant, rate: 40}, input: 32, output: 4}
`;
  it('a retry walks the picker\'s endpoint list: with two endpoints it reaches the live pod, with one it hits the dead pod again', () => {
    // Replica 0 crashes at 1 s and stays in the datastore (detection 100 s); its stale metrics keep
    // it a candidate. Every try sent there is refused (503). With maxNumOfEndpoints 2 the retry goes
    // to the second endpoint (replica 1) and completes; with 1 it goes back to replica 0 and fails.
    const two = run(crashTwo(2, 'attempts: 1')).out;
    const one = run(crashTwo(1, 'attempts: 1')).out;
    const refusedTwo = two.records.filter((r) => r.outcome !== 'completed');
    const refusedOne = one.records.filter((r) => r.outcome !== 'completed');
    expect(refusedOne.length).toBeGreaterThan(0);
    expect(refusedOne.every((r) => r.reason === 'upstream-reset' && r.attempts === 2)).toBe(true);
    expect(refusedTwo.length).toBe(0);
    expect(two.records.filter((r) => r.attempts === 2).every((r) => r.replica === 1)).toBe(true);
    expect(two.records.some((r) => r.attempts === 2)).toBe(true);
  });

  it('the picker\'s own 503 is not retried unless retry_picker_errors says so', () => {
    // The pool's picker is down for the first 20 ms (FailClose: 503). One request at 10 ms.
    const text = (extra: string) => `name: pe\nseed: 1\nrequests: 1\n${pool(1, '    failureMode: FailClose\n    picker_outages: [{from_s: 0, to_s: 0.02}]\n')}routes:
  - rules: [{backendRefs: [{name: p}], retry: {attempts: 10${extra}}}]
${LINEAR}workload: {arrival: {process: constant, rate: 1}, input: 16, output: 1}
`;
    const r0 = [req({ id: 0, at: 10_000, prompt: 64, output: 2 })];
    const plain = run(text(''), r0).out.records[0]!;
    expect([plain.outcome, plain.status, plain.reason]).toEqual(['dropped', 503, 'picker-unavailable']);
    const retried = run(text(', retry_picker_errors: true'), [req({ id: 0, at: 10_000, prompt: 64, output: 2 })]).out;
    expect(retried.records[0]!.outcome).toBe('completed');
    expect(retried.records[0]!.dispatchUs).toBeGreaterThanOrEqual(20_000);
    expect(Object.values(retried.resilience!.retries)[0]).toBeGreaterThanOrEqual(1);
  });
});

describe('rolling restart', () => {
  const rollout = (unavailable: number, surge: number) => `name: ro\nseed: 1\nduration_s: 20\npools:
  - name: p
    model: Llama-3.1-8B
    replicas: [{gpu: H100, count: 3}]
    engine: {max_num_seqs: 16, max_num_batched_tokens: 4096, num_gpu_blocks: 400}
    picker: least-requests
    startup: {scheduling_s: 0.5, container_s: 0.5, load_s: 1, init_s: 0, warmup_s: 0, warmup_factor: 1}
events:
  - {at_s: 2, kind: rolling_restart, max_unavailable: ${unavailable}, max_surge: ${surge}}
${LINEAR}workload: {arrival: {process: constant, rate: 20}, input: 64, output: 8}
`;
  it('maxUnavailable 1, no surge: one pod at a time, never fewer than 2 Ready, every pod replaced (2 s start-up each)', () => {
    const { out } = run(rollout(1, 0));
    const tl = out.replicaTimeline![0]!;
    expect(Math.min(...tl.ready)).toBe(2);
    expect(tl.ready.at(-1)).toBe(3);
    // Three replacements of 2 s start-up each, one after the other, from t = 2 s: done at ≈ 8 s.
    const done = tl.t_s[tl.t_s.length - 1]!;
    expect(done).toBeGreaterThanOrEqual(8);
    expect(done).toBeLessThan(8.2);
    expect(out.records.every((r) => r.outcome === 'completed')).toBe(true);
  });
  it('maxSurge 1, maxUnavailable 0: a surge pod first, Ready never below 3, the surge pod leaves at the end', () => {
    const { out } = run(rollout(0, 1));
    const tl = out.replicaTimeline![0]!;
    expect(Math.min(...tl.ready)).toBe(3);
    expect(Math.max(...tl.ready)).toBe(4);
    expect(tl.ready.at(-1)).toBe(3);
    expect(tl.starting.at(-1)).toBe(0);
    expect(out.records.every((r) => r.outcome === 'completed')).toBe(true);
  });
});

describe('rate limits', () => {
  it('a per-tenant token bucket answers 429 to one tenant only', () => {
    // Bucket: 2 tokens, +1 every 100 ms. Tenant a sends 20 req/s (one per 50 ms): at t = 0 and 50 ms it
    // takes the 2 tokens, then one token per 100 ms tick serves every other request → about half of
    // a's later requests get 429. Tenant b sends 2 req/s: never limited.
    const text = `name: r\nseed: 1\nduration_s: 5\n${pool(2)}routes:
  - rules: [{backendRefs: [{name: p}], rate_limits: [{max_tokens: 2, tokens_per_fill: 1, fill_interval: 100ms, header: x-tenant}]}]
${LINEAR}workload:
  tenants:
    - {name: a, headers: {x-tenant: a}, arrival: {process: constant, rate: 20}, input: 32, output: 4}
    - {name: b, headers: {x-tenant: b}, arrival: {process: constant, rate: 2}, input: 32, output: 4}
`;
    const { out } = run(text);
    const a = out.records.filter((r) => r.client === 0);
    const b = out.records.filter((r) => r.client === 1);
    expect(b.every((r) => r.outcome === 'completed')).toBe(true);
    const limited = a.filter((r) => r.reason === 'rate-limited');
    expect(limited.every((r) => r.status === 429 && /retry after \d+ ms/.test(r.detail))).toBe(true);
    expect(limited.length / a.length).toBeGreaterThan(0.4);
    expect(limited.length / a.length).toBeLessThan(0.55);
  });
});

describe('autoscaling', () => {
  it('the HPA adds replicas under load; they serve only after their start-up', () => {
    // Queue target 1 per pod on one tiny replica flooded with requests: the first sync (15 s) sees a
    // long queue and scales up (Pods 4 / 100 % per 15 s ⇒ at most 2 at once); a new replica is Ready
    // 0.5 s later (start-up 0.1 + 0.3 + 0.1) and none of its requests was dispatched before that.
    const text = `name: a\nseed: 1\nduration_s: 40\npools:
  - name: p
    model: Llama-3.1-8B
    replicas: [{gpu: H100, count: 1}]
    engine: {max_num_seqs: 4, max_num_batched_tokens: 2048}
    picker: least-requests
    autoscaling: {metric: queue, target: 1, min_replicas: 1, max_replicas: 4, metric_delay_s: 0}
    startup: {scheduling_s: 0.1, container_s: 0, load_s: 0.3, init_s: 0.1, warmup_s: 0, warmup_factor: 1}
${LINEAR}workload: {arrival: {process: constant, rate: 40}, input: 500, output: 100}
`;
    const { out } = run(text);
    const tl = out.replicaTimeline![0]!;
    expect(tl.t_s[0]).toBe(0);
    expect(tl.ready[0]).toBe(1);
    expect(Math.max(...tl.ready)).toBeGreaterThan(1);
    const firstUp = tl.t_s[tl.ready.findIndex((x) => x > 1)]!;
    expect(firstUp).toBeCloseTo(15.5, 6);
    const onNew = out.records.filter((r) => r.replica >= 1 && r.dispatchUs >= 0);
    expect(onNew.length).toBeGreaterThan(0);
    expect(Math.min(...onNew.map((r) => r.dispatchUs))).toBeGreaterThanOrEqual(15.5e6);
    expect(tl.gpu_seconds.H100).toBeGreaterThan(40);
  });
});
