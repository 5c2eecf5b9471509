/** Seed cases that already passed before the hardening issue: unknown keys and typos. */
import type { BadInputCase } from './types.js';

const SMALL = `name: s
seed: 1
requests: 20
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 10}
  input: {dist: fixed, value: 100}
  output: {dist: fixed, value: 10}
policies: [round-robin]
`;

export const cases: readonly BadInputCase[] = [
  { name: 'unknown engine key with a typo', files: { 's.yaml': SMALL.replace('fleet: {', 'fleet: {engine: {max_num_seq: 4}, ') }, args: ['run', 's.yaml'], stderr: [/fleet\.engine\.max_num_seq/, /did you mean "max_num_seqs"/] },
  { name: 'scenario file that does not exist', args: ['run', 'missing.yaml'], stderr: /missing\.yaml/ },
];
