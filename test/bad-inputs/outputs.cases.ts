/**
 * Output paths, commander's own errors, YAML limits and invalid UTF-8 (issue 9 §1, outputs part).
 *
 * Before the fix: an output naming a directory, a path under a regular file, an unwritable place or
 * two outputs naming one file ended in "internal error" after the whole simulation (or silently
 * overwrote one output with another); `--out ''` was ignored and `--out -` wrote a file named "-";
 * commander printed its own `error: …`; invalid UTF-8 became U+FFFD silently.
 *
 * "Unwritable": the tests run as root, which chmod does not stop, so unwritable places are a path
 * under /proc (the kernel refuses to create files there, for root too) and paths under a regular file.
 */
import { SMALL } from './fixtures.js';
import type { BadInputCase } from './types.js';

const S = { 's.yaml': SMALL, 'old.json': '{"old": true}\n', 'file.txt': 'a regular file\n' };
const TRACE = '{"arrival_us":0,"input_tokens":10,"output_tokens":5}\n{"arrival_us":1000,"input_tokens":12,"output_tokens":6}\n';
const T = { 't.jsonl': TRACE, 'file.txt': 'a regular file\n' };
const CHECK = ['check', '--baseline', 'b.json', '--current', 'c.json', '--rules', 'r.yaml'];
const RULES = 'rules:\n  - {metric: ttft_ms.p99, policy: all, max_increase: "10%"}\n';
const PROC = '/proc/routesim-cannot-write-here';

/** One case per (flag, class) for run's four file outputs. */
function runOutputCases(flag: string, example: string): BadInputCase[] {
  return [
    // (--trace-out DIR is fine: it writes DIR.yaml and DIR.csv; its directory case is below.)
    ...(flag === '--trace-out' ? [] : [{ name: `run ${flag} naming a directory`, files: S, dirs: ['outdir'], args: ['run', 's.yaml', flag, 'outdir'], stderr: [/is a directory/, /fix:/], names: flag }]),
    { name: `run ${flag} under a regular file`, files: S, args: ['run', 's.yaml', flag, `file.txt/${example}`], stderr: [/file\.txt is a file, not a directory/], names: flag },
    { name: `run ${flag} in an unwritable place (/proc)`, files: S, args: ['run', 's.yaml', flag, `${PROC}/${example}`], stderr: [/cannot write in \/proc/], names: flag },
    { name: `run ${flag} empty string`, files: S, args: ['run', 's.yaml', flag, ''], stderr: [/the path is empty/], names: flag },
    { name: `run ${flag} naming the scenario it reads`, files: S, args: ['run', 's.yaml', flag, 's.yaml'], stderr: [/would overwrite the input s\.yaml/], names: flag },
  ];
}

export const cases: readonly BadInputCase[] = [
  // --- run: every output class × every output flag --------------------------------------------
  ...runOutputCases('--out', 'results.json'),
  ...runOutputCases('--requests-csv', 'requests.csv'),
  ...runOutputCases('--update-baseline', 'baseline.json'),
  ...runOutputCases('--trace-out', 'run.csv'),
  { name: 'run --out with a trailing slash', files: S, args: ['run', 's.yaml', '--out', 'newdir/'], stderr: /names a directory/, names: '--out' },
  { name: 'run --out and --requests-csv naming one file', files: S, args: ['run', 's.yaml', '--out', 'old.json', '--requests-csv', 'old.json'], stderr: /--out and --requests-csv both write old\.json/, names: '--requests-csv' },
  { name: 'run --out and --update-baseline naming one file', files: S, args: ['run', 's.yaml', '--out', 'x.json', '--update-baseline', './x.json'], stderr: /--out and --update-baseline both write x\.json/, names: '--update-baseline' },
  { name: 'run --trace-out pair colliding with --requests-csv', files: S, args: ['run', 's.yaml', '--requests-csv', 'rec.csv', '--trace-out', 'rec.yaml'], stderr: /both write rec\.csv/, names: '--trace-out' },
  { name: 'run --trace-out whose header path is a directory', files: S, dirs: ['rec.yaml'], args: ['run', 's.yaml', '--trace-out', 'rec.csv'], stderr: /rec\.yaml is a directory/, names: '--trace-out' },
  { name: 'run --trace-out - (a pair of files cannot go to stdout)', files: S, args: ['run', 's.yaml', '--trace-out', '-'], stderr: /stdout\) is not possible here/, names: '--trace-out' },
  { name: 'run --out - together with --json', files: S, args: ['run', 's.yaml', '--out', '-', '--json'], stderr: /already taken by --json/, names: '--out' },
  { name: 'run --out - and --requests-csv - both on stdout', files: S, args: ['run', 's.yaml', '--out', '-', '--requests-csv', '-'], stderr: /already taken by --out -/, names: '--requests-csv' },
  { name: 'run --update-baseline - together with --json', files: S, args: ['run', 's.yaml', '--update-baseline', '-', '--json'], stderr: /already taken by --json/, names: '--update-baseline' },

  // --- check --junit / --markdown (checked before the inputs are read) --------------------------
  { name: 'check --junit naming a directory', files: { 'r.yaml': RULES }, dirs: ['reports'], args: [...CHECK, '--junit', 'reports'], stderr: /is a directory/, names: '--junit' },
  { name: 'check --junit under a regular file', files: { 'r.yaml': RULES, 'file.txt': 'x\n' }, args: [...CHECK, '--junit', 'file.txt/junit.xml'], stderr: /file\.txt is a file, not a directory/, names: '--junit' },
  { name: 'check --junit empty string', files: { 'r.yaml': RULES }, args: [...CHECK, '--junit', ''], stderr: /the path is empty/, names: '--junit' },
  { name: 'check --markdown in an unwritable place (/proc)', files: { 'r.yaml': RULES }, args: [...CHECK, '--markdown', `${PROC}/summary.md`], stderr: /cannot write in \/proc/, names: '--markdown' },
  { name: 'check --markdown naming a directory', files: { 'r.yaml': RULES }, dirs: ['md'], args: [...CHECK, '--markdown', 'md'], stderr: /is a directory/, names: '--markdown' },
  { name: 'check --junit and --markdown naming one file', files: { 'r.yaml': RULES }, args: [...CHECK, '--junit', 'out.txt', '--markdown', 'out.txt'], stderr: /--junit and --markdown both write out\.txt/, names: '--markdown' },
  { name: 'check --junit - and --markdown - both on stdout', files: { 'r.yaml': RULES }, args: [...CHECK, '--junit', '-', '--markdown', '-'], stderr: /already taken by --junit -/, names: '--markdown' },
  { name: 'check --markdown naming the rules file', files: { 'r.yaml': RULES }, args: [...CHECK, '--markdown', 'r.yaml'], stderr: /would overwrite the input r\.yaml/, names: '--markdown' },

  // --- report --out DIR ----------------------------------------------------------------------------
  { name: 'report --out naming a regular file', files: { 'file.txt': 'x\n' }, args: ['report', 'r.json', '--out', 'file.txt'], stderr: /exists and is not a directory/, names: '--out' },
  { name: 'report --out under a regular file', files: { 'file.txt': 'x\n' }, args: ['report', 'r.json', '--out', 'file.txt/report'], stderr: /file\.txt is a file, not a directory/, names: '--out' },
  { name: 'report --out empty string', args: ['report', 'r.json', '--out', ''], stderr: /the path is empty/, names: '--out' },
  { name: 'report --out - (a report is a directory)', args: ['report', 'r.json', '--out', '-'], stderr: /stdout\) is not possible here/, names: '--out' },
  { name: 'report --out in an unwritable place (/proc)', args: ['report', 'r.json', '--out', `${PROC}/report`], stderr: /cannot write in \/proc/, names: '--out' },
  { name: 'report --out containing its input', files: { 'rep/r.json': '{}\n' }, args: ['report', 'rep/r.json', '--out', 'rep'], stderr: /not a routesim report|contains the input/, names: '--out' },

  // --- trace convert / synth OUT, and their format flag -----------------------------------------------
  { name: 'trace convert OUT naming a directory', files: T, dirs: ['out.jsonl'], args: ['trace', 'convert', 't.jsonl', 'out.jsonl'], stderr: /out\.jsonl: is a directory/, names: 'out.jsonl' },
  { name: 'trace convert OUT under a regular file', files: T, args: ['trace', 'convert', 't.jsonl', 'file.txt/out.jsonl'], stderr: /file\.txt is a file, not a directory/, names: 'file.txt/out.jsonl' },
  { name: 'trace convert OUT in an unwritable place (/proc)', files: T, args: ['trace', 'convert', 't.jsonl', `${PROC}/out.jsonl`], stderr: /cannot write in \/proc/, names: `${PROC}/out.jsonl` },
  { name: 'trace convert OUT empty string', files: T, args: ['trace', 'convert', 't.jsonl', ''], stderr: /output path is empty/, names: 'OUT' },
  { name: 'trace convert OUT naming its input', files: T, args: ['trace', 'convert', 't.jsonl', 't.jsonl'], stderr: /would overwrite the input t\.jsonl/ },
  { name: 'trace convert to - without --to-format', files: T, args: ['trace', 'convert', 't.jsonl', '-'], stderr: [/pass --to-format/, /^(?!.*--to[ ,)]).*$/], names: '-' },
  { name: 'trace convert to - as BLIS (a pair of files)', files: T, args: ['trace', 'convert', 't.jsonl', '-', '--to-format', 'blis'], stderr: /stdout\) is not possible here/, names: 'OUT' },
  { name: 'trace convert unknown --to-format', files: T, args: ['trace', 'convert', 't.jsonl', 'o.jsonl', '--to-format', 'parquet'], stderr: [/unknown format "parquet"/, /^(?!.*--to[ :,)]).*$/], names: '--to-format' },
  { name: 'trace convert --to-format inference-perf', files: T, args: ['trace', 'convert', 't.jsonl', 'o.yaml', '--to-format', 'inference-perf'], stderr: [/not written/, /^(?!.*--to[ :,)]).*$/], names: '--to-format' },
  { name: 'trace convert OUT without a known extension', files: T, args: ['trace', 'convert', 't.jsonl', 'o.bin'], stderr: [/pass --to-format/, /^(?!.*--to[ ,)]).*$/], names: 'o.bin' },
  { name: 'trace synth OUT naming a directory', files: S, dirs: ['syn.jsonl'], args: ['trace', 'synth', 's.yaml', 'syn.jsonl'], stderr: /is a directory/, names: 'syn.jsonl' },
  { name: 'trace synth OUT naming its spec', files: S, args: ['trace', 'synth', 's.yaml', 's.yaml'], stderr: /would overwrite the input s\.yaml/ },

  // --- commander's own errors, in the one-line shape ---------------------------------------------------
  { name: 'unknown option', files: S, args: ['run', 's.yaml', '--bogus'], stderr: [/unknown option '--bogus'/, /fix: see routesim run --help/], names: '--bogus' },
  { name: 'unknown option close to a real one', files: S, args: ['run', 's.yaml', '--requests-cvs', 'r.csv'], stderr: [/unknown option/, /did you mean --requests-csv\?/], names: '--requests-cvs' },
  { name: 'unknown command', args: ['rnu'], stderr: [/unknown command 'rnu'/, /did you mean run\?/], names: 'rnu' },
  { name: 'missing argument', args: ['trace', 'convert'], stderr: [/missing required argument 'in'/, /usage: routesim trace convert/], names: 'in' },
  { name: 'excess arguments', files: S, args: ['run', 's.yaml', 'extra.yaml'], stderr: [/too many arguments for 'run'/, /usage: routesim run/], names: 'run' },
  { name: 'option without its value', files: S, args: ['run', 's.yaml', '--out'], stderr: [/argument missing/, /fix:/], names: '--out' },
  { name: 'required option missing', args: ['check', '--baseline', 'b.json'], stderr: [/required option '--current <file>' not specified/, /fix:/], names: '--current' },

  // --- YAML: duplicate keys, alias and depth limits, in every kind of user file ---------------------
  { name: 'duplicate key in a scenario', files: { 's.yaml': SMALL.replace('seed: 1\n', 'seed: 1\nseed: 2\n') }, args: ['run', 's.yaml'], stderr: [/s\.yaml:3:1: duplicate key "seed"/] },
  { name: 'duplicate key in a rules file', files: { 'r.yaml': 'rules:\n  - metric: ttft_ms.p99\n    metric: tpot_ms.p99\n    max_increase: 1\n' }, args: ['check', '--baseline', 'b.json', '--current', 'c.json', '--rules', 'r.yaml'], stderr: [/r\.yaml:3:5: duplicate key "metric"/], names: 'r.yaml' },
  { name: 'duplicate key in a pick case', files: { 'case.yaml': 'endpoints: [{name: a}]\nendpoints: [{name: b}]\nrequests: []\n' }, args: ['pick', 'case.yaml'], stderr: [/case\.yaml:2:1: duplicate key "endpoints"/] },
  {
    name: 'duplicate key in a scenario policy\'s EPP config file',
    files: { 's.yaml': SMALL.replace('policies: [round-robin]', 'policies: [{name: e, epp: cfg.yaml}]'), 'cfg.yaml': 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nkind: Other\n' },
    args: ['run', 's.yaml'],
    stderr: [/cfg\.yaml: line 3, column 1: duplicate key "kind"/],
    names: 'cfg.yaml',
  },
  { name: 'duplicate key in an inference-perf config', files: { 'ip.yaml': 'load: {type: constant}\nload: {type: poisson}\ndata: {type: random}\n' }, args: ['trace', 'inspect', 'ip.yaml'], stderr: /ip\.yaml:2:1: duplicate key "load"/ },
  {
    name: 'duplicate key in a BLIS TraceV2 header',
    files: { 'b.yaml': 'trace_version: 2\ntime_unit: us\ntime_unit: us\n', 'b.csv': 'arrival_time_us,input_tokens,output_tokens\n0,10,5\n' },
    args: ['trace', 'inspect', 'b.csv'],
    stderr: /b\.yaml:3:1: duplicate key "time_unit"/,
    names: 'b.yaml',
  },
  {
    name: 'alias expansion bomb in a scenario',
    files: { 's.yaml': `${SMALL}x0: &a0 [1, 1, 1, 1, 1, 1, 1, 1]\n${Array.from({ length: 8 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(8).fill(`*a${i}`).join(', ')}]`).join('\n')}\n` },
    args: ['run', 's.yaml'],
    stderr: /aliases expand to too many nodes/,
  },
  { name: 'nesting beyond the depth limit in a scenario', files: { 's.yaml': `${SMALL}description: ${'['.repeat(100)}${']'.repeat(100)}\n` }, args: ['run', 's.yaml'], stderr: /nested deeper than 64 levels/ },
  { name: 'nesting deep enough to overflow the parser', files: { 's.yaml': `name: ${'['.repeat(20000)}${']'.repeat(20000)}\n` }, args: ['run', 's.yaml'], stderr: /nested deeper than 64 levels/ },

  // --- invalid UTF-8 in user files: an error naming file and line, never a silent U+FFFD -----------------
  { name: 'invalid UTF-8 in a scenario name', files: { 's.yaml': Buffer.concat([Buffer.from('name: caf'), Buffer.from([0xe9]), Buffer.from(SMALL.slice('name: s'.length))]) }, args: ['run', 's.yaml'], stderr: [/s\.yaml:1:10: invalid UTF-8 \(byte 0xe9\)/, /re-save the file as UTF-8/] },
  {
    name: 'invalid UTF-8 in an adapter name of a trace row',
    files: { 't.jsonl': Buffer.concat([Buffer.from('{"arrival_us":0,"input_tokens":10,"output_tokens":5}\n{"arrival_us":1,"input_tokens":10,"output_tokens":5,"adapter":"lo'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]) },
    args: ['trace', 'inspect', 't.jsonl'],
    stderr: /t\.jsonl: line 2: invalid UTF-8 \(byte 0xc3\)/,
  },
  {
    name: 'invalid UTF-8 in a replayed trace (run)',
    files: {
      's.yaml': 'name: r\nseed: 1\nfleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: t.jsonl}\npolicies: [round-robin]\n',
      't.jsonl': Buffer.concat([Buffer.from(TRACE), Buffer.from('{"arrival_us":2000,"input_tokens":10,"output_tokens":5,"adapter":"'), Buffer.from([0xff]), Buffer.from('"}\n')]),
    },
    args: ['run', 's.yaml'],
    stderr: /t\.jsonl: line 3: invalid UTF-8/,
    names: 't.jsonl',
  },
  {
    name: 'invalid UTF-8 in a BLIS CSV adapter column',
    files: { 'b.csv': Buffer.concat([Buffer.from('arrival_time_us,input_tokens,output_tokens,adapter\n0,10,5,a\n5,10,5,'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]) },
    args: ['trace', 'inspect', 'b.csv'],
    stderr: /b\.csv: line 3: invalid UTF-8 \(byte 0xed\)/,
  },
  { name: 'invalid UTF-8 in a pick case', files: { 'case.yaml': Buffer.concat([Buffer.from('endpoints: [{name: p'), Buffer.from([0xfe]), Buffer.from('}]\nrequests: []\n')]) }, args: ['pick', 'case.yaml'], stderr: /case\.yaml:1:21: invalid UTF-8/ },
  { name: 'invalid UTF-8 in a rules file', files: { 'r.yaml': Buffer.concat([Buffer.from('rules:\n  - {metric: ttft_ms.p99, name: "'), Buffer.from([0x80]), Buffer.from('", max_increase: 1}\n')]) }, args: ['check', '--baseline', 'b.json', '--current', 'c.json', '--rules', 'r.yaml'], stderr: /r\.yaml:2:34: invalid UTF-8/, names: 'r.yaml' },
  {
    name: 'invalid UTF-8 in an EPP config file',
    files: { 's.yaml': SMALL.replace('policies: [round-robin]', 'policies: [{name: e, epp: cfg.yaml}]'), 'cfg.yaml': Buffer.concat([Buffer.from('apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]) },
    args: ['run', 's.yaml'],
    stderr: /cfg\.yaml:3:6: invalid UTF-8/,
    names: 'cfg.yaml',
  },
  { name: 'invalid UTF-8 in a results file', files: { 'r.json': Buffer.concat([Buffer.from('{"routesim": {"version": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}}\n')]) }, args: ['report', 'r.json', '--out', 'rep'], stderr: /r\.json:1:27: invalid UTF-8 \(byte 0xc0\)/ },

  // --- epp: naming a directory ------------------------------------------------------------------------
  { name: 'scenario epp: naming a directory', files: { 's.yaml': SMALL.replace('policies: [round-robin]', 'policies: [{name: e, epp: configs}]') }, dirs: ['configs'], args: ['run', 's.yaml'], stderr: [/policies\[0\]\.epp: config path "configs" is a directory/] },
];
