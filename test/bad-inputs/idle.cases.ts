/** Runs that would tick forever: requests flow control can never release (no TTL, idle fleet). */
import type { BadInputCase } from './types.js';

const stuck = (limit: string) => `name: stuck
seed: 1
requests: 3
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}
workload: {arrival: {process: constant, rate: 10}, input: 100, output: 5}
policies:
  - name: never
    epp: {apiVersion: inference.networking.x-k8s.io/v1alpha1, kind: EndpointPickerConfig, featureGates: [flowControl], plugins: [{type: queue-scorer}, {type: static-usage-limit-policy, parameters: {threshold: 0}}], flowControl: {usageLimitPolicyPluginRef: static-usage-limit-policy${limit}}}
`;

export const cases: readonly BadInputCase[] = [
  { name: 'usage limit 0 and no TTL: held forever', files: { 'stuck.yaml': stuck('') }, args: ['run', 'stuck.yaml'], stderr: [/policies\[0\] \(never\)/, /can never be dispatched/, /defaultRequestTTL/] },
  { name: 'held forever with --out: nothing written', files: { 'stuck.yaml': stuck('') }, args: ['run', 'stuck.yaml', '--out', 'r.json'], stderr: /can never be dispatched/ },
  { name: 'held forever under --seeds', files: { 'stuck.yaml': stuck('') }, args: ['run', 'stuck.yaml', '--seeds', '2'], stderr: /can never be dispatched/ },
];
