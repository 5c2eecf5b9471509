/**
 * Issue 9 §2 (every figure means what its name says): the scenario's measurement window
 * (`report.warmup_s`, `report.cooldown_s`) and the new results fields a results reader checks when
 * present (`steady_state`, `window`, `by_class`, `stages`).
 */
import type { BadInputCase } from './types.js';

const BASE = `name: fig
seed: 1
requests: 20
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 10}
  input: 100
  output: 10
policies: [round-robin]
`;

const withReport = (report: string): string => `${BASE}report: ${report}\n`;

/** A minimal valid results document whose first summary gets `extra` merged in. */
function results(extra: Record<string, unknown>): string {
  const lat = { mean: 1, p50: 1, p90: 1, p95: 1, p99: 1 };
  const summary = {
    arrived: 1,
    completed: 1,
    rejected: 0,
    ttft_ms: lat,
    tpot_ms: lat,
    e2e_ms: lat,
    throughput: { requests_per_s: 1, output_tokens_per_s: 1 },
    goodput: { requests_per_s: 1 },
    replicas: [{ name: 'r-0', share: 1 }],
    ...extra,
  };
  return JSON.stringify({ routesim: { version: '0.1.0' }, scenario: {}, policies: [{ name: 'p', type: 'round-robin', summary }] });
}

const CLASS = { arrived: 1, completed: 1, rejected: 0, dropped: 0, ttft_ms: { p50: 1, p90: 1, p99: 1 }, tpot_ms: { p50: 1, p90: 1, p99: 1 }, e2e_ms: { p50: 1, p90: 1, p99: 1 }, goodput: { requests_per_s: 1 } };

export const cases: readonly BadInputCase[] = [
  { name: 'negative warm-up', files: { 's.yaml': withReport('{warmup_s: -5}') }, args: ['run', 's.yaml'], stderr: [/report\.warmup_s/, /must be between 0 and 1e9 s, got -5/] },
  { name: 'warm-up with a unit', files: { 's.yaml': withReport('{warmup_s: "10s"}') }, args: ['run', 's.yaml'], stderr: [/report\.warmup_s/, /number/i] },
  { name: 'negative cool-down', files: { 's.yaml': withReport('{cooldown_s: -1}') }, args: ['run', 's.yaml'], stderr: /report\.cooldown_s/ },
  { name: 'infinite warm-up', files: { 's.yaml': withReport('{warmup_s: .inf}') }, args: ['run', 's.yaml'], stderr: /report\.warmup_s/ },
  { name: 'NaN cool-down', files: { 's.yaml': withReport('{cooldown_s: .nan}') }, args: ['run', 's.yaml'], stderr: /report\.cooldown_s/ },
  { name: 'cool-down as a list', files: { 's.yaml': withReport('{cooldown_s: [1]}') }, args: ['run', 's.yaml'], stderr: /report\.cooldown_s/ },
  { name: 'misspelt warm-up key', files: { 's.yaml': withReport('{warmup: 5}') }, args: ['run', 's.yaml'], stderr: [/report\.warmup/, /warmup_s/] },
  { name: 'null cool-down (only warm-up may be automatic)', files: { 's.yaml': withReport('{cooldown_s: null}') }, args: ['run', 's.yaml'], stderr: /report\.cooldown_s/ },
  {
    name: 'warm-up + cool-down swallow a duration-bounded run',
    files: { 's.yaml': withReport('{warmup_s: 20, cooldown_s: 10}').replace('requests: 20', 'duration_s: 30') },
    args: ['run', 's.yaml'],
    stderr: [/: report: /, /leave nothing of duration_s 30/],
  },
  { name: 'results: steady_state.reached not a boolean', files: { 'r.json': results({ steady_state: { reached: 'no', diverged_at_s: null, detail: '' } }) }, args: ['report', 'r.json', '--out', 'rep'], stderr: /policies\[0\]\.summary\.steady_state\.reached/ },
  { name: 'results: steady_state without its divergence time', files: { 'r.json': results({ steady_state: { reached: false, detail: '' } }) }, args: ['report', 'r.json', '--out', 'rep'], stderr: /steady_state\.diverged_at_s/ },
  { name: 'results: window bound is a string', files: { 'r.json': results({ window: { warmup_s: 0, cooldown_s: 0, from_s: '0', to_s: 1 } }) }, args: ['report', 'r.json', '--out', 'rep'], stderr: /summary\.window\.from_s/ },
  {
    name: 'results: a class without its TTFT block',
    files: { 'r.json': results({ by_class: { priority: { '0': { ...CLASS, ttft_ms: undefined } }, tenant: {}, adapter: {} } }) },
    args: ['report', 'r.json', '--out', 'rep'],
    stderr: /by_class\.priority\.0\.ttft_ms/,
  },
  { name: 'results: by_class missing a dimension', files: { 'r.json': results({ by_class: { priority: { '0': CLASS }, tenant: {} } }) }, args: ['report', 'r.json', '--out', 'rep'], stderr: /by_class\.adapter/ },
  { name: 'results: stages is not a list', files: { 'r.json': results({ stages: { index: 0 } }) }, args: ['report', 'r.json', '--out', 'rep'], stderr: /summary\.stages/ },
  {
    name: 'check: current results with a malformed steady_state',
    files: {
      'base.json': results({}),
      'cur.json': results({ steady_state: { reached: true, diverged_at_s: 'never', detail: '' } }),
      'rules.yaml': 'rules:\n  - {metric: ttft.p99, policy: all, max_increase: "10%"}\n',
    },
    args: ['check', '--baseline', 'base.json', '--current', 'cur.json', '--rules', 'rules.yaml'],
    names: 'cur.json',
    stderr: /steady_state\.diverged_at_s/,
  },
  // A request-count run's arrival span is only known after the run: a warm-up longer than it
  // leaves nothing to measure (every latency null); before, the run exited 0 with null figures.
  { name: 'warm-up longer than the arrivals span', files: { 's.yaml': withReport('{warmup_s: 1000}') }, args: ['run', 's.yaml', '--out', 'r.json'], stderr: [/report\.warmup_s/, /leaves none of the \d+ completed requests/] },
  { name: 'cool-down longer than the arrivals span', files: { 's.yaml': withReport('{warmup_s: 0, cooldown_s: 1000}') }, args: ['run', 's.yaml'], stderr: [/report\.cooldown_s/, /leaves none of the/] },
];
