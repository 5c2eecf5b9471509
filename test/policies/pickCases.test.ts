/**
 * Runs every pick case in test/pick-cases/*.yaml through the harness (policies/harness/) and checks
 * its `expect` blocks; each case derives its expected numbers by hand in comments. Also: the
 * harness reports a wrong expectation (so a case can fail), case errors name the field, and the
 * `routesim pick` / `routesim plugins` commands (built CLI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { pluginDefinitions } from '../../policies/framework/registry.js';
import { registerCatalog } from '../../policies/plugins/index.js';
import { checkExpectations } from '../../policies/harness/expect.js';
import { parsePickCase, PickCaseError, runPickCase, runPickCaseFile } from '../../policies/harness/pickCase.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIR = join(ROOT, 'test', 'pick-cases');
const CASES = readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe('pick cases (test/pick-cases)', () => {
  it('there are cases', () => {
    expect(CASES.length).toBeGreaterThan(0);
  });

  it.each(CASES)('%s', (name) => {
    const file = join(DIR, name);
    const doc = parseYaml(readFileSync(file, 'utf8')) as unknown;
    const c = parsePickCase(doc, file);
    expect(c.requests.some((r) => r.expect), `${name} checks nothing: add expect blocks`).toBe(true);
    const out = runPickCase(doc, { file });
    expect(out.results).toHaveLength(c.requests.length);
    // The library compares the expect blocks (the CLI prints these and exits 1); none may fail.
    expect(out.mismatches).toEqual([]);
  });
});

describe('the harness', () => {
  const worked = join(DIR, 'worked-example-default.yaml');

  it('reports expectations that do not hold', () => {
    const doc = parseYaml(readFileSync(worked, 'utf8')) as { requests: { expect?: Record<string, unknown> }[] };
    doc.requests[2]!.expect = { pick: 'pod-b', totals: { 'pod-a': 4.46 }, scores: { 'queue-scorer': { 'pod-c': 0.5 } }, survivors: { nope: [] }, outcome: 503 };
    const c = parsePickCase(doc);
    const out = runPickCase(doc, { file: worked });
    const errs = checkExpectations(c, out.results);
    expect(out.mismatches).toEqual(errs);
    expect(errs).toEqual([
      'requests[2].expect.outcome: expected 503, got dispatched',
      'requests[2].expect.pick: expected pod-b, got pod-a',
      'requests[2].expect.totals.pod-a: expected 4.46, got 4.45',
      'requests[2].expect.scores.queue-scorer.pod-c: expected 0.5, got 0',
      'requests[2].expect.survivors.nope: no filter of that name ran (ran: none)',
    ]);
  });

  it('is deterministic for a seed', () => {
    const a = runPickCaseFile(worked);
    const b = runPickCaseFile(worked);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('carries plugin state across requests and reports every profile\'s trace', () => {
    const out = runPickCaseFile(worked);
    const r = out.results[2]!;
    expect(r.outcome).toBe('dispatched');
    expect(r.primaryProfile).toBe('default');
    expect(r.profiles.map((p) => p.profile)).toEqual(['default']);
    expect(r.profiles[0]!.scorers.map((s) => [s.scorer, s.weight])).toEqual([
      ['queue-scorer', 2],
      ['kv-cache-utilization-scorer', 2],
      ['prefix-cache-scorer', 3],
    ]);
  });

  const caseError = (doc: unknown): string => {
    try {
      runPickCase(doc, { file: 'c.yaml' });
    } catch (err) {
      if (err instanceof PickCaseError) return `${err.file}: ${err.message}`;
      throw err;
    }
    throw new Error('expected a PickCaseError');
  };
  const base = { endpoints: [{ name: 'a' }], requests: [{ model: 'm', prompt: 'x' }] };

  it.each([
    ['unknown field', { ...base, requests: [{ model: 'm', expct: {} }] }, /^c\.yaml: requests\[0\]\.expct: unknown field \(fix: did you mean "expect"\?/],
    ['metrics for an unknown endpoint', { ...base, requests: [{ model: 'm', metrics: { b: { waiting: 1 } } }] }, /^c\.yaml: requests\[0\]\.metrics\.b: no endpoint named "b"/],
    ['time going back', { ...base, requests: [{ model: 'm', timeMs: 5 }, { model: 'm', timeMs: 4 }] }, /^c\.yaml: requests\[1\]\.timeMs: time goes back/],
    ['prompt and messages', { ...base, requests: [{ model: 'm', prompt: 'x', messages: [{ role: 'user', content: 'x' }] }] }, /^c\.yaml: requests\[0\]: both prompt and messages/],
    ['no endpoints', { requests: base.requests, endpoints: [] }, /^c\.yaml: endpoints: /],
    ['config error inside an inline config', { ...base, config: 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins: [{type: queue-scorr}]\n' }, /^c\.yaml: config\.plugins\[0\]\.type: unknown plugin type "queue-scorr"/],
    ['missing config file', { ...base, config: { path: 'nope/missing.yaml' } }, /^c\.yaml: config\.path: config file "nope\/missing\.yaml" not found/],
    ['wrong metric type', { ...base, endpoints: [{ name: 'a', metrics: { waiting: 'lots' } }] }, /^c\.yaml: endpoints\[0\]\.metrics\.waiting: expected number, got the string "lots"/],
  ])('case error: %s', (_n, doc, re) => {
    expect(caseError(doc)).toMatch(re);
  });

  it('chat messages, headers (lower-cased) and complete: true reach the plugins', () => {
    const out = runPickCase({
      config: `apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins: [{type: queue-scorer}, {type: session-affinity-scorer}]\n`,
      endpoints: [{ name: 'a' }, { name: 'b' }],
      requests: [
        { model: 'm', messages: [{ role: 'user', content: 'hi' }], headers: { 'X-Gateway-Destination-Endpoint-Subset': 'b' }, complete: true },
      ],
    });
    expect(out.results[0]!.target).toBe('b');
    // session-affinity writes x-session-token back when the response completes (§2.12).
    expect(Object.keys(out.results[0]!.responseHeaders ?? {})).toContain('x-session-token');
  });
});

describe('routesim pick / routesim plugins (built CLI)', () => {
  const BIN = join(ROOT, 'bin', 'routesim.js');
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('pick prints one JSON document with the per-request results', () => {
    const r = run(['pick', 'test/pick-cases/worked-example-default.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { routesim: { version: string }; case: string; results: { outcome: string; target?: string }[] };
    expect(doc.routesim.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.case).toBe('test/pick-cases/worked-example-default.yaml');
    expect(doc.results.map((x) => x.target)).toEqual(['pod-c', 'pod-a', 'pod-a']);
  });

  it('every shipped case passes through the CLI: exit 0, nothing on stderr', () => {
    for (const name of ['worked-example-default.yaml', 'empty-candidates.yaml', 'candidates.yaml']) {
      const r = run(['pick', `test/pick-cases/${name}`]);
      expect(r.stderr, name).toBe('');
      expect(r.code, name).toBe(0);
    }
  });

  it('a failing expect block: exit 1, one stderr line per mismatch, the JSON still on stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-pick-'));
    const doc = parseYaml(readFileSync(join(DIR, 'worked-example-default.yaml'), 'utf8')) as { requests: { expect?: Record<string, unknown> }[] };
    // The worked example picks pod-a for request 2 with total 4.45 (epp.md §1.4); plant two wrong
    // expectations there and a right one on request 0 (pod-c).
    doc.requests[2]!.expect = { pick: 'pod-b', totals: { 'pod-a': 4.46 } };
    doc.requests[0]!.expect = { pick: 'pod-c' };
    const f = join(dir, 'case.yaml');
    writeFileSync(f, JSON.stringify(doc));
    const r = run(['pick', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`routesim: ${f}: requests[2].expect.pick: expected pod-b, got pod-a\nroutesim: ${f}: requests[2].expect.totals.pod-a: expected 4.46, got 4.45\n`);
    const out = JSON.parse(r.stdout) as { results: { target?: string }[] };
    expect(out.results.map((x) => x.target)).toEqual(['pod-c', 'pod-a', 'pod-a']);
  });

  it('a request that was not dispatched names its outcome in the mismatch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-pick-'));
    const f = join(dir, 'c.yaml');
    writeFileSync(f, 'endpoints: [{name: a}]\nrequests: [{model: m, headers: {x-gateway-destination-endpoint-subset: ""}, expect: {pick: a}}]\n');
    const r = run(['pick', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`routesim: ${f}: requests[0].expect.pick: expected a, but the outcome was 503 (no endpoint of the requested subset is available)\n`);
    expect((JSON.parse(r.stdout) as { results: { outcome: number }[] }).results[0]!.outcome).toBe(503);
  });

  it('a case mistake is one line naming the file and the field, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-pick-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'endpoints: [{name: a}]\nrequests: [{model: m, promt: hi}]\n');
    const r = run(['pick', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`routesim: ${f}: requests[0].promt: unknown field (fix: did you mean "prompt"? allowed fields here: id, model, prompt, messages, headers, timeMs, metrics, kvEvents, complete, bytes, blockKeys, priority, pinScores, pinSurvivors, rngDraws, expect)\n`);
  });

  it('a mistake in a referenced config file names that file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-pick-'));
    writeFileSync(join(dir, 'epp.yaml'), 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins: [{type: queue-scorer, parameters: {x: 1}}]\n');
    writeFileSync(join(dir, 'case.yaml'), 'config: {path: epp.yaml}\nendpoints: [{name: a}]\nrequests: [{model: m}]\n');
    const r = run(['pick', join(dir, 'case.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^routesim: ${join(dir, 'epp.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: plugins\\[0\\]\\.parameters\\.x: unknown parameter`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('plugins --json lists every registered type with kinds, source and parameters (defaults included)', () => {
    const r = run(['plugins', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { plugins: { type: string; kinds: string[]; source: string; parameters: { name: string; type: string; default: unknown }[] }[] };
    registerCatalog();
    expect(doc.plugins.map((p) => p.type)).toEqual(pluginDefinitions().map((d) => d.type));
    const pd = doc.plugins.find((p) => p.type === 'pd-profile-handler')!;
    expect(pd.kinds).toEqual(['ProfileHandler']);
    expect(pd.source).toBe('llm-d v0.7.0');
    expect(pd.parameters.map((p) => [p.name, p.default])).toEqual([
      ['decodeProfile', 'decode'],
      ['prefillProfile', 'prefill'],
      ['primaryPort', 0],
      ['deciderPluginName', 'prefix-based-pd-decider'],
    ]);
  });

  it('plugins prints a table naming every type', () => {
    const r = run(['plugins']);
    expect(r.code).toBe(0);
    registerCatalog();
    for (const d of pluginDefinitions()) expect(r.stdout).toContain(`${d.type}  [`);
    expect(r.stdout).toMatch(/metrics-data-source {2}\[DataSource\] {2}GAIE v1\.5\.0/);
  });
});
