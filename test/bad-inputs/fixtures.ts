/** Inputs shared by the corpus's case files. */

/** A small valid scenario (20 requests on 2 replicas, round-robin) for cases to break one way. */
export const SMALL = `name: s
seed: 1
requests: 20
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 10}
  input: {dist: constant, value: 100}
  output: {dist: constant, value: 10}
policies: [round-robin]
`;
