/**
 * The CI gate cannot be fooled (issue 9 §3): rules whose direction can never catch a regression,
 * baselines of different work (scenario, seeds, trace contents), edited or malformed workload
 * fingerprints, and malformed expect blocks in pick cases. Before the fix every rules and work case
 * here was compared silently (exit 0 or 1); the pick cases guard the expect schema now that
 * `routesim pick` acts on expect blocks.
 */
import { workHash } from '../../reports/fingerprint.js';
import { withPath } from '../helpers.js';
import type { BadInputCase } from './types.js';

// --- results documents -----------------------------------------------------------------------

const SCENARIO = {
  name: 'gate',
  seed: 5,
  requests: 60,
  duration_s: null,
  fleet: { replicas: 2, gpu: 'H100', model: 'Llama-3.1-8B' },
  gateway: { refresh_metrics_ms: 50 },
  workload: { arrival: { process: 'poisson', rate: 20, cv: 1 }, adapters: [], priorities: [] },
  policies: [{ name: 'round-robin', type: 'round-robin' }],
  slo: { ttft_ms: 500, tpot_ms: null },
  seeds: 1,
  report: { sample_ms: 1000, window_ms: 5000 },
};
type Sc = Record<string, unknown>;

const set = (s: Sc, path: string, value: unknown): Sc => withPath(s, path, value);

const LAT = { mean: 10, p50: 10, p90: 10, p95: 10, p99: 10 };
const SUMMARY = {
  arrived: 60,
  completed: 60,
  rejected: 0,
  ttft_ms: LAT,
  tpot_ms: LAT,
  e2e_ms: LAT,
  throughput: { duration_s: 3, requests_per_s: 20, input_tokens_per_s: 2000, output_tokens_per_s: 400 },
  goodput: { requests_per_s: 20, fraction: 1 },
  replicas: [{ name: 'replica-0', share: 1 }],
};

const TRACE_A = { field: 'workload.source.path', name: 't.csv', bytes: 1000, sha256: 'a'.repeat(64) };
const TRACE_B = { field: 'workload.source.path', name: 't.csv', bytes: 1000, sha256: 'b'.repeat(64) };

/** A results document as `routesim run --out` writes it (fingerprint consistent with the echo unless overridden). */
function results(scenario: Sc = SCENARIO, opts: { seeds?: number[]; files?: unknown[]; fingerprint?: unknown; legacy?: boolean } = {}): string {
  const seeds = opts.seeds ?? [scenario.seed as number];
  const doc = {
    routesim: { version: '0.1.0' },
    scenario: seeds.length > 1 ? { ...scenario, seeds: seeds.length } : scenario,
    policies: [
      {
        name: 'round-robin',
        type: 'round-robin',
        summary: SUMMARY,
        ...(seeds.length > 1 ? { repeats: seeds.map((seed) => ({ seed, summary: SUMMARY })) } : {}),
      },
    ],
    ...(seeds.length > 1 ? { seeds } : {}),
    ...(opts.legacy ? {} : { workload_fingerprint: opts.fingerprint ?? { scheme: 1, hash: workHash(scenario), seeds, files: opts.files ?? [] } }),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

const RULES_OK = 'rules:\n  - {metric: ttft.p99, max_increase: 5%}\n  - {metric: goodput, max_decrease: 0}\n';
const BASE = results();

/** `routesim check` of cur.json against base.json with these rules. */
function check(name: string, cur: string, stderr: RegExp | RegExp[], opts: { base?: string; rules?: string; names?: string } = {}): BadInputCase {
  return {
    name,
    files: { 'base.json': opts.base ?? BASE, 'cur.json': cur, 'rules.yaml': opts.rules ?? RULES_OK },
    args: ['check', '--baseline', 'base.json', '--current', 'cur.json', '--rules', 'rules.yaml'],
    stderr,
    names: opts.names ?? 'cur.json',
  };
}

/** A rules file with one rule that cannot catch a regression of its figure. */
function wrongDirection(metric: string, dir: 'increase' | 'decrease', resolved: string, extra = ''): BadInputCase {
  const other = dir === 'increase' ? 'decrease' : 'increase';
  return check(`max_${dir} on ${metric}${extra ? ` (${extra})` : ''}`, BASE, [new RegExp(`rules\\[0\\]\\.max_${dir}: ${resolved.replace(/\./g, '\\.')} is better when (higher|lower)`), new RegExp(`fix: write max_${other}: `)], {
    rules: `rules:\n  - {metric: ${metric}, max_${dir}: 5%${extra}}\n`,
    names: 'rules.yaml',
  });
}

const DIFFERENT_WORK = /cur\.json: workload_fingerprint: ran different work than the baseline base\.json/;
const work = (name: string, cur: string, diff: RegExp, base?: string): BadInputCase => check(`baseline of different work: ${name}`, cur, [DIFFERENT_WORK, diff, /--allow-workload-change/], base === undefined ? {} : { base });

// --- pick cases ------------------------------------------------------------------------------

const PICK_HEAD = 'endpoints: [{name: a}, {name: b}]\nrequests:\n  - model: m\n    prompt: hi\n';
const pick = (name: string, expectYaml: string, stderr: RegExp | RegExp[]): BadInputCase => ({
  name: `pick case: ${name}`,
  files: { 'case.yaml': `${PICK_HEAD}    expect: ${expectYaml}\n` },
  args: ['pick', 'case.yaml'],
  stderr,
});

export const cases: readonly BadInputCase[] = [
  // Rules that can never fail.
  wrongDirection('goodput', 'increase', 'goodput.requests_per_s'),
  wrongDirection('goodput.fraction', 'increase', 'goodput.fraction'),
  wrongDirection('throughput', 'increase', 'throughput.requests_per_s'),
  wrongDirection('throughput.output_tokens_per_s', 'increase', 'throughput.output_tokens_per_s'),
  wrongDirection('completed', 'increase', 'completed'),
  wrongDirection('cache_hit_rate', 'increase', 'prefix_cache_hit_rate'),
  wrongDirection('ttft.p99', 'decrease', 'ttft_ms.p99'),
  wrongDirection('e2e.p50', 'decrease', 'e2e_ms.p50'),
  wrongDirection('itl_ms.p95', 'decrease', 'itl_ms.p95'),
  wrongDirection('rejected', 'decrease', 'rejected'),
  wrongDirection('dropped', 'decrease', 'dropped'),
  wrongDirection('lora_loads', 'decrease', 'lora_loads'),
  wrongDirection('by_class.priority.0.ttft_ms.p99', 'decrease', 'by_class.priority.0.ttft_ms.p99'),
  wrongDirection('tpot.p99', 'decrease', 'tpot_ms.p99', ', name: "TPOT must stay low"'),
  check('a wrong-direction rule after two good ones', BASE, [/rules\[2\]\.max_increase: goodput\.requests_per_s is better when higher/, /fix: write max_decrease: 1 /], {
    rules: `${RULES_OK}  - {metric: goodput, max_increase: 1}\n`,
    names: 'rules.yaml',
  }),

  // Baselines of different work.
  work('another arrival rate', results(set(SCENARIO, 'workload.arrival.rate', 40)), /workload\.arrival\.rate: 20 in the baseline, 40 here/),
  work('another request count', results(set(SCENARIO, 'requests', 120)), /requests: 60 in the baseline, 120 here/),
  work('another fleet size', results(set(SCENARIO, 'fleet.replicas', 4)), /fleet\.replicas: 2 in the baseline, 4 here/),
  work('another scrape interval', results(set(SCENARIO, 'gateway.refresh_metrics_ms', 0)), /gateway\.refresh_metrics_ms: 50 in the baseline, 0 here/),
  work('another SLO', results(set(SCENARIO, 'slo.ttft_ms', 250)), /slo\.ttft_ms: 500 in the baseline, 250 here/),
  work('another seed', results(set(SCENARIO, 'seed', 6)), /seeds: \[5\] in the baseline, \[6\] here/),
  work('another seed set of the same size', results(set(SCENARIO, 'seed', 6), { seeds: [6, 7, 8] }), /seeds: \[5, 6, 7\] in the baseline, \[6, 7, 8\] here/, results(SCENARIO, { seeds: [5, 6, 7] })),
  work('more seeds', results(SCENARIO, { seeds: [5, 6, 7] }), /seeds: \[5\] in the baseline, \[5, 6, 7\] here/),
  work('a trace with other contents', results(SCENARIO, { files: [TRACE_B] }), /workload\.source\.path: contents differ: t\.csv \(1000 bytes, sha256 aaaaaaaaaaaa…\) in the baseline, t\.csv \(1000 bytes, sha256 bbbbbbbbbbbb…\) here/, results(SCENARIO, { files: [TRACE_A] })),
  work('a trace where the baseline had none', results(SCENARIO, { files: [TRACE_A] }), /workload\.source\.path: contents differ: no file in the baseline, t\.csv/),
  work('an old baseline without a fingerprint, of another rate', results(set(SCENARIO, 'workload.arrival.rate', 30)), /workload\.arrival\.rate: 20 in the baseline, 30 here/, results(SCENARIO, { legacy: true })),

  // Edited or malformed fingerprints.
  check('a fingerprint hash that does not match the scenario echo', results(SCENARIO, { fingerprint: { scheme: 1, hash: workHash(set(SCENARIO, 'requests', 1)), seeds: [5], files: [] } }), /cur\.json: workload_fingerprint\.hash: does not match the scenario echoed in the same file/),
  check('fingerprint seeds that disagree with the document', results(SCENARIO, { fingerprint: { scheme: 1, hash: workHash(SCENARIO), seeds: [9], files: [] } }), /cur\.json: workload_fingerprint\.seeds: \[9\] do not match the seeds the file reports \(\[5\]\)/),
  check('a fingerprint scheme from the future', results(SCENARIO, { fingerprint: { scheme: 99, hash: workHash(SCENARIO), seeds: [5], files: [] } }), /cur\.json: workload_fingerprint\.scheme: fingerprint scheme 99 is newer/),
  check('a fingerprint hash that is not SHA-256 hex', results(SCENARIO, { fingerprint: { scheme: 1, hash: 'deadbeef', seeds: [5], files: [] } }), /cur\.json: workload_fingerprint\.hash: /),
  check('a fingerprint file without its sha256', results(SCENARIO, { fingerprint: { scheme: 1, hash: workHash(SCENARIO), seeds: [5], files: [{ field: 'workload.source.path', name: 't.csv', bytes: 10 }] } }), /cur\.json: workload_fingerprint\.files\[0\]\.sha256: /),
  check('a fingerprint that is a list', results(SCENARIO, { fingerprint: [1, 2] }), /cur\.json: workload_fingerprint: /),
  check('a baseline fingerprint with seeds as strings', results(), /base\.json: workload_fingerprint\.seeds\[0\]: /, { base: results(SCENARIO, { fingerprint: { scheme: 1, hash: workHash(SCENARIO), seeds: ['5'], files: [] } }), names: 'base.json' }),

  // Malformed expect blocks in pick cases.
  pick('an unknown expect key', '{picks: a}', /case\.yaml: requests\[0\]\.expect\.picks: unknown field/),
  pick('an outcome that is no HTTP status the picker gives', '{outcome: 418}', /case\.yaml: requests\[0\]\.expect\.outcome: /),
  pick('a pick that is a number', '{pick: 3}', /case\.yaml: requests\[0\]\.expect\.pick: /),
  pick('profiles.picked that is a string', '{profiles: {default: {picked: a}}}', /case\.yaml: requests\[0\]\.expect\.profiles\.default\.picked: /),
  pick('a total that is not a number', '{totals: {a: high}}', /case\.yaml: requests\[0\]\.expect\.totals\.a: /),
  // Expectations that can never hold are mistakes in the case (exit 2), not picker failures (exit 1).
  pick('expects a pick of an endpoint the case lacks', '{pick: zzz}', [/requests\[0\]\.expect\.pick/, /no endpoint named "zzz"/]),
  pick('expects totals for an endpoint the case lacks', '{totals: {zzz: 1}}', [/requests\[0\]\.expect\.totals\.zzz/, /can never hold/]),
  pick('expects a fallback the case lacks', '{fallbacks: [a, zzz]}', /requests\[0\]\.expect\.fallbacks\[1\]/),
  pick('expects survivors the case lacks', '{survivors: {f: [zzz]}}', /requests\[0\]\.expect\.survivors\.f\[0\]/),
  pick('expects a negative saturation', '{saturation: -1}', [/requests\[0\]\.expect\.saturation/, /never negative/]),
  { name: 'pick case with no requests', files: { 'case.yaml': 'endpoints: [{name: a}]\nrequests: []\n' }, args: ['pick', 'case.yaml'], stderr: [/requests: needs at least 1 item/, /fix: /] },
  { name: 'pick case with an empty model name', files: { 'case.yaml': "endpoints: [{name: a}]\nrequests: [{model: ''}]\n" }, args: ['pick', 'case.yaml'], stderr: [/requests\[0\]\.model: must not be empty/, /fix: /] },
];
