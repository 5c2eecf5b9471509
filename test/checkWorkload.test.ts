/**
 * The gate cannot be fooled into comparing different work: the workload fingerprint written with
 * every results document (reports/fingerprint.ts) — what it ignores (policies, labels, output-only
 * fields, key order, where the trace lives) and what it catches (rate, fleet, SLO, seeds, trace
 * contents) — and `routesim check` refusing a baseline of different work (exit 2, one line) unless
 * --allow-workload-change, old baselines without a fingerprint (a note, still compared), and
 * edited fingerprints.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkWorkload, firstDifference } from '../reports/check/workload.js';
import { canonicalJson, fileIdentity, workHash, workloadFingerprint } from '../reports/fingerprint.js';
import type { ResultsDocument } from '../reports/results.js';
import { parseResults } from '../reports/resultsFile.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { routesim, smallScenario } from './cliHelpers.js';
import { withPath } from './helpers.js';

const SCENARIO = {
  name: 'fp',
  description: 'a scenario',
  seed: 7,
  requests: 100,
  duration_s: null,
  fleet: { replicas: 2, gpu: 'H100', model: 'Llama-3.1-8B' },
  workload: { arrival: { process: 'poisson', rate: 20, cv: 1 }, adapters: [], priorities: [] },
  policies: [{ name: 'rr', type: 'round-robin' }],
  slo: { ttft_ms: 500, tpot_ms: null },
  seeds: 1,
  sweep: null,
  report: { sample_ms: 1000, window_ms: 5000 },
};
type Sc = Record<string, unknown>;
/** The same object with its keys in reverse order at every level. */
const reversed = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(reversed) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;

describe('the workload fingerprint', () => {
  const h = workHash(SCENARIO);

  it('is canonical JSON: keys sorted at every level, arrays kept in order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [{ f: 1, e: 2 }, 3] } })).toBe('{"a":{"c":[{"e":2,"f":1},3],"d":2},"b":1}');
    expect(workHash(reversed(SCENARIO))).toBe(h);
  });

  it.each([
    ['the policies', 'policies', [{ name: 'lr', type: 'least-requests' }, { name: 'x', type: 'epp' }]],
    ['the name', 'name', 'other'],
    ['the description', 'description', ''],
    ['the repetition count (the seed set is kept apart)', 'seeds', 5],
    ['the seed (likewise)', 'seed', 8],
    ['a sweep (extra runs the gate does not read)', 'sweep', { rates: [10, 40] }],
    ['time-series sampling', 'report', { sample_ms: 250, window_ms: 1000 }],
    ['a warm-up of 0 (the default)', 'report', { sample_ms: 1000, window_ms: 5000, warmup_s: 0 }],
  ])('ignores %s', (_what, path, value) => {
    expect(workHash(withPath(SCENARIO, path, value))).toBe(h);
  });

  it.each([
    ['the arrival rate', 'workload.arrival.rate', 40],
    ['the request count', 'requests', 101],
    ['the fleet', 'fleet.replicas', 3],
    ['the SLO (it defines goodput)', 'slo.ttft_ms', 400],
    ['a warm-up (it moves the measurement window)', 'report', { sample_ms: 1000, window_ms: 5000, warmup_s: 30 }],
  ])('changes with %s', (_what, path, value) => {
    expect(workHash(withPath(SCENARIO, path, value))).not.toBe(h);
  });

  it('property: any JSON value hashes the same whatever its key order, and any policy list leaves the work unchanged', () => {
    const shuffleKeys = (v: unknown, r: () => number): unknown =>
      Array.isArray(v)
        ? v.map((x) => shuffleKeys(x, r))
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).sort(() => r() - 0.5).map(([k, x]) => [k, shuffleKeys(x, r)]))
          : v;
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (v, seed) => {
        let s = seed;
        const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        expect(canonicalJson(shuffleKeys(v, r))).toBe(canonicalJson(v));
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.string(), type: fc.string(), parameters: fc.dictionary(fc.string(), fc.jsonValue()) })), (policies) => {
        expect(workHash({ ...SCENARIO, policies })).toBe(h);
      }),
    );
  });

  it('ignores where a trace lives but not its format; the file is fingerprinted by contents', () => {
    const src = { kind: 'trace', path: '/data/a/t.csv', format: 'azure', rate_scale: 1 };
    const a = withPath(SCENARIO, 'workload.source', src);
    expect(workHash(withPath(a, 'workload.source.path', 'elsewhere/t.csv'))).toBe(workHash(a));
    expect(workHash(withPath(a, 'workload.source.format', 'mooncake'))).not.toBe(workHash(a));
  });

  it('identifies a file by base name, size and SHA-256 of its contents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-fp-'));
    writeFileSync(join(dir, 't.csv'), 'abc');
    // SHA-256("abc") is the FIPS 180-2 test vector.
    expect(fileIdentity('workload.source.path', join(dir, 't.csv'))).toEqual({ field: 'workload.source.path', name: 't.csv', bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
    const sc = withPath(SCENARIO, 'workload.source', { kind: 'trace', path: join(dir, 't.csv'), format: 'azure' }) as unknown as ScenarioConfig;
    expect(workloadFingerprint(sc, [7, 8])).toMatchObject({ scheme: 1, hash: workHash(sc), seeds: [7, 8], files: [{ name: 't.csv', bytes: 3 }] });
    // Without a seed list: the scenario's own seed.
    expect(workloadFingerprint(sc).seeds).toEqual([7]);
  });

  it('names the first differing field', () => {
    expect(firstDifference({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } })).toBe('a.c: 2 in the baseline, 3 here');
    expect(firstDifference({ a: [1, 2] }, { a: [1] })).toBe('a: 2 entries in the baseline, 1 here');
    expect(firstDifference({ a: 1 }, { a: 1, z: 'x' })).toBe('z: absent in the baseline, "x" here');
    expect(firstDifference({ a: 1 }, { a: 1 })).toBeNull();
  });
});

/** A parsed results document of `scenario` over `seeds`, with a fingerprint unless `legacy`. */
function doc(scenario: Sc, opts: { seeds?: number[]; files?: unknown[]; legacy?: boolean; fingerprint?: unknown } = {}): ResultsDocument {
  const seeds = opts.seeds ?? [scenario.seed as number];
  const summary = { completed: 1, rejected: 0, ttft_ms: { p50: 1, p90: 1, p99: 1 }, tpot_ms: { p50: 1, p90: 1, p99: 1 }, e2e_ms: { p50: 1, p90: 1, p99: 1 }, throughput: { requests_per_s: 1, output_tokens_per_s: 1 }, goodput: { requests_per_s: 1 }, replicas: [] };
  const fp = opts.fingerprint ?? { scheme: 1, hash: workHash(scenario), seeds, files: opts.files ?? [] };
  return parseResults(
    {
      routesim: { version: 'test' },
      scenario,
      policies: [{ name: 'rr', type: 'round-robin', summary }],
      ...(seeds.length > 1 ? { seeds } : {}),
      ...(opts.legacy ? {} : { workload_fingerprint: fp }),
    },
    'x.json',
  );
}
const check = (b: ResultsDocument, c: ResultsDocument, allowChange = false) => checkWorkload({ baseline: b, baselineFile: 'base.json', current: c, currentFile: 'cur.json', allowChange });
const FILE = (sha: string, bytes = 3) => ({ field: 'workload.source.path', name: 't.csv', bytes, sha256: sha.repeat(64) });

describe('checkWorkload', () => {
  const base = doc(SCENARIO);

  it('same work: nothing to say', () => {
    expect(check(base, doc(withPath(SCENARIO, 'policies', [])))).toEqual([]);
  });

  it.each([
    ['a different rate', doc(withPath(SCENARIO, 'workload.arrival.rate', 40)), 'workload.arrival.rate: 20 in the baseline, 40 here'],
    ['a different seed', doc(withPath(SCENARIO, 'seed', 8)), 'seeds: [7] in the baseline, [8] here'],
    ['a different seed set', doc(SCENARIO, { seeds: [7, 8] }), 'seeds: [7] in the baseline, [7, 8] here'],
  ])('refuses %s, naming the current file and the field', (_what, cur, diff) => {
    expect(() => check(base, cur)).toThrow(`cur.json: workload_fingerprint: ran different work than the baseline base.json (${diff}) (fix: `);
  });

  it('refuses a trace with different contents, naming the file both times', () => {
    expect(() => check(doc(SCENARIO, { files: [FILE('a')] }), doc(SCENARIO, { files: [FILE('b', 4)] }))).toThrow(
      /workload\.source\.path: contents differ: t\.csv \(3 bytes, sha256 aaaaaaaaaaaa…\) in the baseline, t\.csv \(4 bytes, sha256 bbbbbbbbbbbb…\) here/,
    );
  });

  it('--allow-workload-change compares, with one note naming the difference', () => {
    expect(check(base, doc(withPath(SCENARIO, 'workload.arrival.rate', 40)), true)).toEqual([
      'note: cur.json: comparing different work than the baseline base.json because of --allow-workload-change (workload.arrival.rate: 20 in the baseline, 40 here)',
    ]);
  });

  it('an old baseline without a fingerprint: compared from its scenario echo, with a note', () => {
    const old = doc(SCENARIO, { legacy: true });
    const notes = check(old, doc(SCENARIO, { files: [FILE('a')] }));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^note: base\.json: has no workload_fingerprint .*not its trace contents/);
    // The echo still catches a changed scenario.
    expect(() => check(old, doc(withPath(SCENARIO, 'requests', 50)))).toThrow(/requests: 100 in the baseline, 50 here/);
  });

  it.each([
    ['a hash that does not match the echo', { scheme: 1, hash: workHash(withPath(SCENARIO, 'requests', 5)), seeds: [7], files: [] }, /^cur\.json: workload_fingerprint\.hash: does not match the scenario echoed in the same file/],
    ['seeds that do not match the document', { scheme: 1, hash: workHash(SCENARIO), seeds: [8], files: [] }, /^cur\.json: workload_fingerprint\.seeds: \[8\] do not match the seeds the file reports \(\[7\]\)/],
    ['a newer scheme', { scheme: 2, hash: 'x' }, /^cur\.json: workload_fingerprint\.scheme: fingerprint scheme 2 is newer/],
    ['a hash that is not SHA-256 hex', { scheme: 1, hash: 'abc', seeds: [7], files: [] }, /^cur\.json: workload_fingerprint\.hash: /],
    ['a file without its hash', { scheme: 1, hash: workHash(SCENARIO), seeds: [7], files: [{ field: 'workload.source.path', name: 't', bytes: 1 }] }, /^cur\.json: workload_fingerprint\.files\[0\]\.sha256: /],
    ['not an object', 'abc', /^cur\.json: workload_fingerprint: /],
  ])('refuses an edited or malformed fingerprint: %s', (_what, fp, re) => {
    expect(() => check(base, doc(SCENARIO, { fingerprint: fp }))).toThrow(re);
  });
});

describe('routesim check on real runs (built CLI)', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'routesim-gate-'));
  const w = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const run = (scenario: string, out: string, ...flags: string[]) => {
    const r = routesim(['run', scenario, '--out', out, ...flags], dir);
    expect(r.code, r.stderr).toBe(0);
    return out;
  };
  const rules = w('rules.yaml', 'rules:\n  - {metric: ttft.p99, max_increase: 5%}\n  - {metric: goodput, max_decrease: 0}\n');
  const check = (b: string, c: string, ...flags: string[]) => routesim(['check', '--baseline', b, '--current', c, '--rules', rules, ...flags], dir);
  const oneLine = (stderr: string) => {
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0]!;
  };

  const small = w('small.yaml', smallScenario());
  const base = run(small, 'base.json');

  it('the same work compares (exit 0, nothing on stderr), even with other policies alongside', () => {
    const again = run(w('more.yaml', smallScenario().replace('policies: [round-robin, least-requests]', 'policies: [random, least-requests, round-robin]')), 'more.json');
    const r = check(base, again);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('routesim check: all 4 checks passed');
  });

  it('a planted rate change is refused: exit 2, one line, nothing on stdout; allowed with a note', () => {
    const faster = run(w('fast.yaml', smallScenario().replace('rate: 20', 'rate: 40')), 'fast.json');
    const r = check(base, faster);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toMatch(/^routesim: fast\.json: workload_fingerprint: ran different work than the baseline base\.json \(workload\.arrival\.rate: 20 in the baseline, 40 here\) \(fix: .*--allow-workload-change\)$/);
    const allowed = check(base, faster, '--allow-workload-change', '--markdown', 'allowed.md');
    expect(allowed.code).not.toBe(2);
    // The CI summary says so too.
    expect(readFileSync(join(dir, 'allowed.md'), 'utf8')).toMatch(/^## routesim check: .*\n\n> note: fast\.json: comparing different work than the baseline base\.json because of --allow-workload-change/);
    expect(oneLine(allowed.stderr)).toMatch(/^routesim: note: fast\.json: comparing different work than the baseline base\.json because of --allow-workload-change \(workload\.arrival\.rate/);
    expect(allowed.stdout).toMatch(/routesim check: .*checks/);
  });

  it('a different seed set is refused', () => {
    const b2 = run(small, 'seeds2.json', '--seeds', '2');
    const b3 = run(small, 'seeds3.json', '--seeds', '3');
    // smallScenario has seed 5: seeds 5, 6 against 5, 6, 7.
    expect(oneLine(check(b2, b3).stderr)).toMatch(/workload_fingerprint: .*\(seeds: \[5, 6\] in the baseline, \[5, 6, 7\] here\)/);
  });

  it('a trace with changed contents at the same path is refused', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ timestamp: i * 50, input_length: 200, output_length: 10, hash_ids: [i % 3] })).join('\n') + '\n';
    w('t.jsonl', rows(30));
    const sc = w('trace.yaml', 'name: tr\nseed: 1\nfleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  trace: {path: t.jsonl}\npolicies: [round-robin]\n');
    const a = run(sc, 'ta.json');
    expect((JSON.parse(readFileSync(join(dir, a), 'utf8')) as { workload_fingerprint: { files: { name: string }[] } }).workload_fingerprint.files.map((f) => f.name)).toEqual(['t.jsonl']);
    w('t.jsonl', rows(31));
    const b = run(sc, 'tb.json');
    expect(oneLine(check(a, b).stderr)).toMatch(/\(workload\.source\.path: contents differ: t\.jsonl \(\d+ bytes, sha256 [0-9a-f]{12}…\) in the baseline, t\.jsonl \(\d+ bytes, sha256 [0-9a-f]{12}…\) here\)/);
  });

  it('an old baseline without a fingerprint is compared with a note', () => {
    const old = JSON.parse(readFileSync(join(dir, base), 'utf8')) as Record<string, unknown>;
    delete old.workload_fingerprint;
    w('old.json', JSON.stringify(old));
    const r = check('old.json', base);
    expect(r.code).toBe(0);
    expect(oneLine(r.stderr)).toMatch(/^routesim: note: old\.json: has no workload_fingerprint/);
  });
});
