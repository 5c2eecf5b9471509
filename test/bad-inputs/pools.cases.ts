/**
 * Issue 10: pools, routes and the policies that replace a pool's picker. Each case breaks one
 * field of a small valid two-pool scenario.
 */
import type { BadInputCase } from './types.js';
import { SMALL } from './fixtures.js';

const POOLS = `pools:
  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 2}
  - {name: batch, model: Llama-3.1-8B, replicas: [{gpu: A100-80GB, count: 1}]}
`;
const ROUTES = `routes:
  - name: r
    rules:
      - backendRefs: [{name: chat, weight: 9}, {name: batch, weight: 1}]
`;
const WORKLOAD = `workload:
  arrival: {process: poisson, rate: 10}
  input: 100
  output: 10
`;
const base = (over: { pools?: string; routes?: string; policies?: string; extra?: string } = {}): string =>
  `name: p\nseed: 1\nrequests: 20\n${over.pools ?? POOLS}${over.routes ?? ROUTES}${WORKLOAD}${over.policies ?? ''}${over.extra ?? ''}`;

const y = (text: string): Record<string, string> => ({ 's.yaml': text });
const run = ['run', 's.yaml'];

export const cases: readonly BadInputCase[] = [
  { name: 'fleet and pools both given', files: y(`${SMALL}${POOLS}`), args: run, stderr: [/pools/, /either fleet or pools/] },
  { name: 'neither fleet nor pools', files: y(`name: p\nrequests: 5\n${WORKLOAD}policies: [random]\n`), args: run, stderr: [/fleet/, /pools/] },
  { name: 'routes without pools', files: y(`${SMALL}${ROUTES}`), args: run, stderr: [/routes/, /need pools/] },
  { name: 'two pools, no routes', files: y(base({ routes: '' })), args: run, stderr: [/routes/, /no request could reach/] },
  { name: 'duplicate pool names', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1}\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1}\n', routes: 'routes: [{rules: [{backendRefs: [{name: chat}]}]}]\n' })), args: run, stderr: [/pools\[1\]\.name/, /already used/] },
  { name: 'pool name not a DNS label', files: y(base({ pools: 'pools:\n  - {name: Chat_Pool, model: Llama-3.1-8B, gpu: H100, replicas: 1}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.name/, /DNS label/] },
  { name: 'pool replicas count without gpu', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, replicas: 2}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.gpu/, /missing/] },
  { name: 'pool gpu and groups both', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: [{gpu: H100, count: 1}]}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.gpu/, /both/] },
  { name: 'unknown GPU in a replica group', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, replicas: [{gpu: H1000, count: 1}]}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.replicas\[0\]\.gpu/, /H100/] },
  { name: 'replica group count 0', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, replicas: [{gpu: H100, count: 0}]}\n', routes: '' })), args: run, stderr: /pools\[0\]\.replicas\[0\]\.count/ },
  { name: 'replicas as a string', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: four}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.replicas/, /count or a list/] },
  { name: 'label value with a space', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, replicas: [{gpu: H100, count: 1, labels: {llm-d.ai/role: "pre fill"}}]}\n', routes: '' })), args: run, stderr: /pools\[0\]\.replicas\[0\]\.labels/ },
  { name: 'tp not dividing the heads', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, replicas: [{gpu: H100, count: 1, tp: 8}, {gpu: H100, count: 1, tp: 3}]}\n', routes: '' })), args: run, stderr: /pools\[0\]\.replicas\[1\]\.tp/ },
  { name: 'pool model too big for its GPU', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-70B, replicas: [{gpu: L4, count: 1}]}\n', routes: '' })), args: run, stderr: /pools\[0\]/ },
  { name: 'unknown failureMode', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1, failureMode: FailSafe}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.failureMode/, /FailOpen/] },
  { name: 'picker outage ending before it starts', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1, picker_outages: [{from_s: 5, to_s: 2}]}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.picker_outages\[0\]\.to_s/, /not after/] },
  { name: 'picker with a pool key', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1, picker: {type: random, pool: chat}}\n', routes: '' })), args: run, stderr: /pools\[0\]\.picker\.pool/ },
  { name: 'unknown picker type', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1, picker: round-robbin}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.picker/, /round-robin/] },
  { name: 'duplicate objective', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1, objectives: [{name: a, priority: 1}, {name: a, priority: 2}]}\n', routes: '' })), args: run, stderr: /pools\[0\]\.objectives\[1\]\.name/ },
  { name: 'unknown KV transport', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1, kv_transfer: {transport: infiniband}}\n', routes: '' })), args: run, stderr: [/pools\[0\]\.kv_transfer\.transport/, /rdma/] },
  { name: 'negative KV bandwidth', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-8B, gpu: H100, replicas: 1, kv_transfer: {bandwidth_gbps: -1}}\n', routes: '' })), args: run, stderr: /pools\[0\]\.kv_transfer\.bandwidth_gbps/ },
  { name: 'gateway model_rewrites with pools', files: y(base({ extra: 'gateway: {model_rewrites: [{model: a, targets: [{model: b, weight: 1}]}]}\n' })), args: run, stderr: [/gateway\.model_rewrites/, /pools\[<i>\]\.model_rewrites/] },
  { name: 'route to an unknown pool', files: y(base({ routes: 'routes: [{rules: [{backendRefs: [{name: chat2}]}]}]\n' })), args: run, stderr: [/routes\[0\]\.rules\[0\]\.backendRefs\[0\]\.name/, /chat2/] },
  { name: 'policy without pool among two pools', files: y(base({ policies: 'policies: [random]\n' })), args: run, stderr: [/policies\[0\]\.pool/, /chat, batch/] },
  { name: 'policy naming an unknown pool', files: y(base({ policies: 'policies: [{type: random, pool: chatt}]\n' })), args: run, stderr: [/policies\[0\]\.pool/, /unknown pool/] },
  { name: 'fleet policy naming a pool', files: y(SMALL.replace('policies: [round-robin]', 'policies: [{type: random, pool: chat}]')), args: run, stderr: [/policies\[0\]\.pool/, /default/] },
  { name: 'policy replicas with a bad tp', files: y(base({ policies: 'policies: [{type: random, pool: chat, replicas: [{gpu: H100, count: 2, tp: 3}]}]\n' })), args: run, stderr: /policies\[0\]\.replicas\[0\]\.tp/ },
  { name: 'policy replicas model too big', files: y(base({ pools: 'pools:\n  - {name: chat, model: Llama-3.1-70B, gpu: H100, replicas: 1, tp: 4}\n', routes: '', policies: 'policies: [{type: random, pool: chat, replicas: [{gpu: L4, count: 2}]}]\n' })), args: run, stderr: /policies\[0\]/ },

  // --- Accepted as the Gateway API accepts them, but said (exit 0, one warning line) ---------------
  { name: 'a rule whose backends all weigh 0 warns', files: y(base({ routes: 'routes: [{rules: [{matches: [{path: {type: Exact, value: /x}}], backendRefs: [{name: chat, weight: 0}]}, {backendRefs: [{name: chat}, {name: batch}]}]}]\n', policies: 'policies: [{type: random, pool: chat}]\n' }).replace('requests: 20', 'requests: 3')), args: run, stderr: [/^routesim: warning: s\.yaml: routes: every backendRef of rule route-0 has weight 0/, /HTTP 500/], exit: 0 },
  { name: 'a pool no route reaches warns', files: y(base({ routes: 'routes: [{rules: [{backendRefs: [{name: chat}]}]}]\n', policies: 'policies: [{type: random, pool: chat}]\n' }).replace('requests: 20', 'requests: 3')), args: run, stderr: [/^routesim: warning: s\.yaml: pools: no route sends requests to pool batch/], exit: 0 },
  { name: 'a model match no pool serves warns', files: y(base({ routes: 'routes: [{rules: [{matches: [{model: Qwen3-14B}], backendRefs: [{name: chat}]}, {backendRefs: [{name: chat}, {name: batch}]}]}]\n', policies: 'policies: [{type: random, pool: chat}]\n' }).replace('requests: 20', 'requests: 3')), args: run, stderr: [/^routesim: warning: s\.yaml: routes: rule route-0 matches model "Qwen3-14B", which no pool serves/], exit: 0 },
];
