/**
 * Runs that never ended or ran away before the guards: zero-time livelocks (the event loop's
 * same-instant guard, sim/core/runGuards.ts), endless trace loops (traces/endlessLoop.ts), tiny
 * LoRA bandwidths, degenerate gamma CVs, runs in which nothing arrives, and LoRA-only rejections.
 */
import type { BadInputCase } from './types.js';
import { SMALL } from './fixtures.js';

const EPP_NONE = 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins: [{type: by-label-selector, parameters: {matchLabels: {pool: none}}}]\n';
const closed = (extra: string, workload: string, policies: string) => `name: s
seed: 1
duration_s: 10
${extra}fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload: {sessions: {mode: closed, users: 2, turns: 3, think_time_s: 0}, ${workload}}
policies: ${policies}
`;
const row = (t: number) => `{"timestamp": ${t}, "input_length": 100, "output_length": 10, "hash_ids": [1]}\n`;
const looped = (duration: number, trace = 't.jsonl') => `name: s
seed: 1
duration_s: ${duration}
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload: {trace: {path: ${trace}, loop: 0}}
policies: [round-robin]
`;

const lora = (gbps: string) =>
  SMALL.replace('Llama-3.1-8B}', 'Llama-3.1-8B, engine: {max_loras: 1}}\n' + `lora_load: {host_gbps: ${gbps}, disk_gbps: ${gbps}}`).replace('policies:', '  adapters: [{name: a, weight: 1}, {name: b, weight: 1}]\npolicies:');

export const cases: readonly BadInputCase[] = [
  {
    name: 'closed loop, every request dropped at once, think_time_s 0: clock stuck',
    files: { 'e.yaml': EPP_NONE, 's.yaml': closed('', 'input: 100, output: 10', '[{name: n, epp: e.yaml}]') },
    args: ['run', 's.yaml'],
    stderr: [/policies\[0\] \(n\)/, /clock is stuck at 0 s/, /think_time_s > 0/],
  },
  {
    name: 'closed loop, every request rejected by the engine in zero time: clock stuck',
    files: {
      's.yaml': `name: s
seed: 1
duration_s: 10
step_time: {overheads: false}
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B, engine: {max_model_len: 1000}}
workload: {sessions: {mode: closed, users: 2, turns: 3, think_time_s: 0}, input: {dist: empirical, values: [100, 5000], weights: [1, 1000000000]}, output: 10}
policies: [round-robin]
`,
    },
    args: ['run', 's.yaml'],
    stderr: [/clock is stuck at 0 s/, /think_time_s > 0/],
  },
  {
    name: 'endless loop over rows sharing one timestamp: refused at load',
    files: { 't.jsonl': row(0) + row(0), 's.yaml': looped(10) },
    args: ['run', 's.yaml'],
    stderr: [/workload\.trace\.loop/, /all 2 rows of t\.jsonl arrive at 0 s/, /cannot loop/],
  },
  {
    name: 'endless loop over a 1 µs trace for 1000 s: ~1e9 requests refused at load',
    files: { 't.jsonl': row(0) + row(0.001), 's.yaml': looped(1000) },
    args: ['run', 's.yaml'],
    stderr: [/workload\.trace\.loop/, /~1e9 requests/, /limited to 1e8 requests/],
  },
  { name: 'LoRA bandwidth 1e-20 GB/s (hung)', files: { 's.yaml': lora('1e-20') }, args: ['run', 's.yaml'], stderr: [/lora_load\.host_gbps/, /between 0\.001 and 1e12 GB\/s/] },
  { name: 'LoRA bandwidth 1e-12 GB/s (ran to 1.7e11 s)', files: { 's.yaml': lora('1e-12') }, args: ['run', 's.yaml'], stderr: [/lora_load\.host_gbps/, /between 0\.001 and 1e12 GB\/s/] },
  {
    name: 'a pause (spike multiplier 0) pushing 20 requests past 1e7 s',
    files: { 's.yaml': SMALL.replace('rate: 10}', 'rate: 10, spikes: [{at_s: 0, duration_s: 1e7, multiplier: 0}]}') },
    args: ['run', 's.yaml'],
    // 20 requests at 10 req/s take 2 s after the 1e7 s pause: ~10000002 s.
    stderr: [/workload\.arrival\.spikes/, /~10000002 s/, /limited to 1e7 s/],
  },
  { name: 'gamma cv 1e-160 (NaN event time)', files: { 's.yaml': SMALL.replace('process: poisson, rate: 10', 'process: gamma, rate: 10, cv: 1e-160') }, args: ['run', 's.yaml'], stderr: [/workload\.arrival\.cv/, /between 0\.001 and 100/] },
  { name: 'trace synth with gamma cv 1e-160 (null arrival_us rows)', files: { 's.yaml': SMALL.replace('process: poisson, rate: 10', 'process: gamma, rate: 10, cv: 1e-160') }, args: ['trace', 'synth', 's.yaml', 'o.jsonl'], stderr: [/workload\.arrival\.cv/, /between 0\.001 and 100/] },
  {
    name: 'tenant gamma cv 1e-200 (ran with 0 requests)',
    files: { 's.yaml': SMALL.replace(/workload:[\s\S]*policies:/, 'workload:\n  tenants:\n    - {name: a, arrival: {process: gamma, rate: 10, cv: 1e-200}, input: 100, output: 10}\npolicies:') },
    args: ['run', 's.yaml'],
    stderr: [/tenants\[0\]\.arrival\.cv/, /between 0\.001 and 100/],
  },
  {
    name: 'no request arrives: paused for the whole run',
    files: { 's.yaml': SMALL.replace('requests: 20', 'duration_s: 10').replace('rate: 10}', 'rate: 10, spikes: [{at_s: 0, duration_s: 20, multiplier: 0}]}') },
    args: ['run', 's.yaml'],
    stderr: [/s\.yaml: workload: no request arrives within the run/, /multiplier 0/, /fix: raise the rate/],
  },
  {
    name: 'no request arrives: 1e-6 req/s for 1 s',
    files: { 's.yaml': SMALL.replace('requests: 20', 'duration_s: 1').replace('rate: 10}', 'rate: 0.000001}') },
    args: ['run', 's.yaml'],
    stderr: [/workload: no request arrives within the run \(duration_s 1 at 0\.000001 req\/s\)/],
  },
  {
    name: 'every request rejected as lora_not_enabled: the fix says max_loras',
    files: {
      't.jsonl': '{"arrival_us": 0, "input_tokens": 100, "output_tokens": 10, "adapter": "a1"}\n{"arrival_us": 1000, "input_tokens": 100, "output_tokens": 10, "adapter": "a1"}\n',
      's.yaml': 'name: s\nseed: 1\nfleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nworkload: {trace: {path: t.jsonl}}\npolicies: [round-robin]\n',
    },
    args: ['run', 's.yaml'],
    stderr: [/every request \(2\) would be rejected/, /fix: set fleet\.engine\.max_loras ≥ 1/],
  },
  {
    name: 'steps of 1000 s: the clock runs past 2e7 s',
    files: {
      // 4 requests × 10 000 output tokens, one at a time, 1000 s per step: ~4e7 s (ran to the end before).
      's.yaml': SMALL.replace('requests: 20', 'requests: 4\nstep_time: {model: linear, coefficients: {beta0_us: 1000000000}}').replace('replicas: 2, gpu: H100, model: Llama-3.1-8B', 'replicas: 1, gpu: H100, model: Llama-3.1-8B, engine: {max_num_seqs: 1}').replace('value: 10}', 'value: 10000}'),
    },
    args: ['run', 's.yaml'],
    stderr: [/policies\[0\] \(round-robin\): the run reached 2000\d+(\.\d+)? s of simulated time/, /step_time/],
  },
];
