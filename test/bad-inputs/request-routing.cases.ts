/**
 * Request routing fields (issue 10; gateway.md §2.4–2.5): `model`, `path`, `headers` and
 * `objective` at workload level, per tenant and in `sessions:`. Each mistake is one line naming the
 * field and a fix.
 */
import { SMALL } from './fixtures.js';
import type { BadInputCase } from './types.js';

/** SMALL with `lines` added to its workload section. */
function routed(lines: string): string {
  if (!SMALL.includes('workload:\n')) throw new Error('SMALL lacks workload:');
  return SMALL.replace('workload:\n', `workload:\n${lines.trim().split('\n').map((l) => `  ${l}`).join('\n')}\n`);
}

const TENANTS = (tenant: string): string => `name: t
seed: 1
requests: 20
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
  tenants:
    - {name: gold, arrival: {rate: 5}, input: 100, output: 10${tenant}}
policies: [round-robin]
`;

const SESSIONS = (extra: string): string => `name: s
seed: 1
requests: 20
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {rate: 2}
  input: 50
  output: 10
  sessions: {turns: 3${extra}}
policies: [round-robin]
`;

const scen = (name: string, text: string, stderr: RegExp[]): BadInputCase => ({ name, files: { 's.yaml': text }, args: ['run', 's.yaml'], stderr });
const headers = (n: number): string => `{${Array.from({ length: n }, (_, i) => `x-h${i}: v`).join(', ')}}`;

export const cases: readonly BadInputCase[] = [
  scen('request path without a leading slash', routed('path: v1/chat/completions'), [/workload\.path/, /must start with "\/"/, /fix: write e\.g\. path: \/v1\/chat\/completions/]),
  scen('request path with a space', routed('path: "/v1/chat completions"'), [/workload\.path/, /no spaces/]),
  scen('tenant path without a leading slash', TENANTS(', path: chat'), [/workload\.tenants\[0\]\.path/, /must start with "\/"/]),
  scen('header name with a space', routed('headers: {"x tenant": gold}'), [/workload\.headers\.x tenant/, /not a valid header name/, /fix: write e\.g\. x-tenant: gold/]),
  scen('header name with a colon (pseudo-header)', routed('headers: {":authority": a}'), [/workload\.headers/, /not a valid header name/]),
  scen('header names differing only in case', routed('headers: {X-Tenant: a, x-tenant: b}'), [/workload\.headers\.x-tenant/, /same as "X-Tenant"/, /case-insensitive/]),
  scen('header value not a string', routed('headers: {x-tier: 1}'), [/workload\.headers\.x-tier/, /expected a header value \(a string\), got the integer 1/, /fix: write it as a string/]),
  scen('headers not a mapping', routed('headers: [x-tenant]'), [/workload\.headers/, /expected a mapping of header names to values, got a list/]),
  scen('17 headers', routed(`headers: ${headers(17)}`), [/workload\.headers/, /17 headers; a request carries at most 16/, /fix: keep 16 or fewer/]),
  scen('16 headers plus objective', routed(`headers: ${headers(16)}\nobjective: premium`), [/workload\.headers/, /with objective, 17 headers/]),
  scen('tenant headers over the limit with the workload ones', TENANTS(`, headers: ${headers(9)}`).replace('  tenants:', `  headers: {${Array.from({ length: 8 }, (_, i) => `x-w${i}: v`).join(', ')}}\n  tenants:`), [/workload\.tenants\[0\]\.headers/, /with the workload's headers, tenant gold's requests carry 17 headers/]),
  scen('objective and the objective header', routed('objective: premium\nheaders: {x-gateway-inference-objective: batch}'), [/workload\.objective/, /objective and headers\.x-gateway-inference-objective both set/, /fix: remove one of them/]),
  scen('tenant objective and objective header', TENANTS(', objective: a, headers: {X-Gateway-Inference-Objective: b}'), [/workload\.tenants\[0\]\.objective/, /both set the objective header/]),
  scen('sessions objective and objective header', SESSIONS(', objective: a, headers: {x-gateway-inference-objective: b}'), [/workload\.sessions\.objective/, /both set the objective header/]),
  scen('model not a string', routed('model: 3.1'), [/workload\.model/, /expected a model name \(a string\), got the number 3\.1/, /fix: write it as a string/]),
  scen('model empty', routed('model: ""'), [/workload\.model/, /must be non-empty/]),
  scen('tenant model a list', TENANTS(', model: [a, b]'), [/workload\.tenants\[0\]\.model/, /expected a model name \(a string\), got a list/]),
  scen('sessions model a mapping', SESSIONS(', model: {name: x}'), [/workload\.sessions\.model/, /expected a model name \(a string\), got a mapping/]),
  scen('objective not a string', routed('objective: 5'), [/workload\.objective/, /expected an objective name \(a string\), got the integer 5/]),
  scen('misspelt model key', routed('modle: x'), [/workload\.modle/, /did you mean "model"/]),
];
