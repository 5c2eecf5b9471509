/**
 * Issue 9, file input/output: outputs that would overwrite an input the command read (an EPP
 * config, a ServeGen windows file, a trace), inputs that are not regular files (/dev/zero never
 * ends), YAML keys that are collections, rules metrics named after Object.prototype members, an
 * empty scenario path, and policy names with control characters.
 */
import { SMALL } from './fixtures.js';
import type { BadInputCase } from './types.js';

/** SMALL with one EPP policy whose config is e.yaml. */
const WITH_EPP = SMALL.replace('policies: [round-robin]', 'policies: [{name: n, epp: e.yaml}]');
/** A minimal EndpointPickerConfig (a valid one, so the run gets as far as its outputs). */
const EPP = `apiVersion: inference.networking.x-k8s.io/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: queue-scorer
- type: max-score-picker
schedulingProfiles:
- name: default
  plugins:
  - pluginRef: queue-scorer
  - pluginRef: max-score-picker
`;
/** SMALL driven by a ServeGen windows file w.csv. */
const SERVEGEN = SMALL.replace(/  arrival: .*\n  input: .*\n  output: .*\n/, '  input: 100\n  output: 10\n  servegen: {path: w.csv, pool: m-large, to_s: 1200}\n');
const WINDOWS = 'category,model,client_id,window_start_s,rate_rps,cv,iat_dist,shape,scale\nlanguage,m-large,0,0,1,1,Gamma,1,1\n';
/** A ServeGen lengths table with its header only (read while the requests stream, after the outputs are prepared). */
const LENGTHS = 'model,client_id,window_start_s,field,p10,p50,p90,p99,max\n';
const TRACE = '{"arrival_us": 0, "input_tokens": 10, "output_tokens": 5}\n{"arrival_us": 1000, "input_tokens": 10, "output_tokens": 5}\n';
const OVERWRITE = /would overwrite the input/;

/** A minimal results document (one policy, every latency figure 1 ms), for `check`. */
function results(): string {
  const lat = { mean: 1, p50: 1, p90: 1, p95: 1, p99: 1 };
  const summary = { arrived: 1, completed: 1, rejected: 0, ttft_ms: lat, tpot_ms: lat, e2e_ms: lat, throughput: { requests_per_s: 1, output_tokens_per_s: 1 }, goodput: { requests_per_s: 1 }, replicas: [{ name: 'r-0', share: 1 }] };
  return JSON.stringify({ routesim: { version: '0.1.0' }, scenario: {}, policies: [{ name: 'p', type: 'round-robin', summary }] });
}
/** `check` of a results file against itself under the rule `{metric: <metric>, max_increase: 0}`. */
const ruleOn = (name: string, metric: string): BadInputCase => ({
  name,
  files: { 'b.json': results(), 'r.yaml': `rules: [{metric: ${metric}, max_increase: 0}]\n` },
  args: ['check', '--baseline', 'b.json', '--current', 'b.json', '--rules', 'r.yaml'],
  stderr: [/rules\[0\]\.metric/, /unknown metric/],
  names: 'r.yaml',
});

export const cases: readonly BadInputCase[] = [
  // 1. outputs may not overwrite any input the command read
  { name: 'run --out overwrites the EPP config', files: { 's.yaml': WITH_EPP, 'e.yaml': EPP }, args: ['run', 's.yaml', '--out', 'e.yaml'], stderr: [/--out e\.yaml/, OVERWRITE], names: 'e.yaml' },
  { name: 'run --requests-csv overwrites the EPP config', files: { 's.yaml': WITH_EPP, 'e.yaml': EPP }, args: ['run', 's.yaml', '--requests-csv', 'e.yaml'], stderr: [/--requests-csv e\.yaml/, OVERWRITE], names: 'e.yaml' },
  { name: 'run --update-baseline overwrites the EPP config', files: { 's.yaml': WITH_EPP, 'e.yaml': EPP }, args: ['run', 's.yaml', '--update-baseline', 'e.yaml'], stderr: [/--update-baseline e\.yaml/, OVERWRITE], names: 'e.yaml' },
  { name: 'run --trace-out e overwrites the EPP config e.yaml', files: { 's.yaml': WITH_EPP, 'e.yaml': EPP }, args: ['run', 's.yaml', '--trace-out', 'e'], stderr: [/--trace-out e/, OVERWRITE], names: 'e.yaml' },
  { name: 'run --requests-csv overwrites the ServeGen windows', files: { 's.yaml': SERVEGEN, 'w.csv': WINDOWS }, args: ['run', 's.yaml', '--requests-csv', 'w.csv'], stderr: [/--requests-csv w\.csv/, OVERWRITE], names: 'w.csv' },
  { name: 'trace synth rewrites the trace its spec reads', files: { 'b.yaml': 'seed: 1\nrequests: 20\nworkload: {trace: {path: t.jsonl}}\n', 't.jsonl': TRACE }, args: ['trace', 'synth', 'b.yaml', 't.jsonl'], stderr: OVERWRITE, names: 't.jsonl' },
  { name: 'run --requests-csv overwrites the ServeGen lengths table', files: { 's.yaml': SERVEGEN.replace('to_s: 1200}', 'to_s: 1200, lengths_path: l.csv}'), 'w.csv': WINDOWS, 'l.csv': LENGTHS }, args: ['run', 's.yaml', '--requests-csv', 'l.csv'], stderr: [/--requests-csv l\.csv/, OVERWRITE], names: 'l.csv' },
  { name: 'trace synth overwrites the ServeGen lengths table', files: { 's.yaml': SERVEGEN.replace('to_s: 1200}', 'to_s: 1200, lengths_path: l.csv}'), 'w.csv': WINDOWS, 'l.csv': LENGTHS }, args: ['trace', 'synth', 's.yaml', 'l.csv'], stderr: OVERWRITE, names: 'l.csv' },
  // 2. inputs that are not regular files
  { name: 'run /dev/zero', args: ['run', '/dev/zero'], stderr: /not a regular file/, names: '/dev/zero' },
  { name: 'pick /dev/zero', args: ['pick', '/dev/zero'], stderr: /not a regular file/, names: '/dev/zero' },
  { name: 'report /dev/zero', args: ['report', '/dev/zero', '--out', 'r'], stderr: /not a regular file/, names: '/dev/zero' },
  { name: 'trace synth /dev/zero', args: ['trace', 'synth', '/dev/zero', 'o.jsonl'], stderr: /not a regular file/, names: '/dev/zero' },
  { name: 'trace inspect /dev/zero', args: ['trace', 'inspect', '/dev/zero', '--format', 'mooncake'], stderr: /not a regular file/, names: '/dev/zero' },
  { name: 'trace convert /dev/zero', args: ['trace', 'convert', '/dev/zero', 'o.jsonl', '--format', 'mooncake'], stderr: /not a regular file/, names: '/dev/zero' },
  { name: 'scenario trace is /dev/zero', files: { 's.yaml': 'name: s\nseed: 1\nfleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}\nworkload: {trace: {path: /dev/zero, format: mooncake}}\npolicies: [round-robin]\n' }, args: ['run', 's.yaml'], stderr: /not a regular file/, names: '/dev/zero' },
  // 3. YAML mapping keys that are lists or mappings (the yaml library would stringify them with a Node warning)
  { name: 'scenario with a list as a key', files: { 's.yaml': `${SMALL}? [x, y] : z\n` }, args: ['run', 's.yaml'], stderr: [/s\.yaml:10:3: /, /a mapping key must be a plain value, not a list or mapping/] },
  { name: 'pick case with a mapping as a key', files: { 'c.yaml': '{? {a: 1} : 5}\n' }, args: ['pick', 'c.yaml'], stderr: [/c\.yaml:1:4: /, /a mapping key must be a plain value/] },
  { name: 'scenario key aliasing a list', files: { 's.yaml': SMALL.replace('name: s', 'name: s\nx: &l [1]\n? *l : 3') }, args: ['run', 's.yaml'], stderr: /a mapping key must be a plain value/ },
  { name: 'EPP config with a mapping as a key', files: { 's.yaml': WITH_EPP, 'e.yaml': `${EPP}? {a: 1} : 5\n` }, args: ['run', 's.yaml'], stderr: [/e\.yaml: line 11, column 3: /, /a mapping key must be a plain value/], names: 'e.yaml' },
  { name: 'rules file with a list as a key', files: { 'r.yaml': 'rules: []\n? [a] : 1\n', 'b.json': '{}', 'c.json': '{}' }, args: ['check', '--baseline', 'b.json', '--current', 'c.json', '--rules', 'r.yaml'], stderr: /a mapping key must be a plain value/, names: 'r.yaml' },
  // 4. rules metrics named after Object.prototype members are unknown metrics, not a TypeError
  ruleOn('rules metric toString', 'toString'),
  ruleOn('rules metric __proto__', '__proto__'),
  ruleOn('rules metric constructor.name', 'constructor.name'),
  ruleOn('rules metric hasOwnProperty.p99', 'hasOwnProperty.p99'),
  // 6. an empty input path is named as such (was ": file not found")
  { name: 'run with an empty scenario path', args: ['run', ''], stderr: /^routesim: the scenario path is empty \(fix: / },
  { name: 'pick with an empty case path', args: ['pick', ''], stderr: /^routesim: the pick case path is empty \(fix: / },
  { name: 'trace inspect with an empty path', args: ['trace', 'inspect', ''], stderr: /^routesim: the trace path is empty \(fix: / },
  { name: 'trace synth with an empty spec path', args: ['trace', 'synth', '', 'o.jsonl'], stderr: /^routesim: the input path is empty \(fix: /, names: 'scenario YAML' },
  { name: 'check with an empty rules path', files: { 'b.json': results() }, args: ['check', '--baseline', 'b.json', '--current', 'b.json', '--rules', ''], stderr: /^routesim: the input path is empty \(fix: /, names: 'rules' },
  // 7. policy names are printable (they head table columns and Markdown rows)
  ...[
    ['a newline', 'a\\nb'],
    ['a tab', 'x\\ty'],
    ['an ANSI escape', '\\e[31mred'],
    ['a C1 control (NEL)', 'a\\Nb'],
    ['"]]>" split by a control character', 'a]\\x01]>b'],
  ].map(([what, yamlEscaped], i): BadInputCase => ({
    name: `policy name with ${what}`,
    files: { 's.yaml': SMALL.replace('policies: [round-robin]', i % 2 === 0 ? `policies: [{name: "${yamlEscaped}", type: round-robin}]` : `policies: [round-robin, {name: "${yamlEscaped}", epp: default}]`) },
    args: ['run', 's.yaml'],
    stderr: [i % 2 === 0 ? /policies\[0\]\.name: / : /policies\[1\]\.name: /, /a policy name must be printable/],
  })),
];
