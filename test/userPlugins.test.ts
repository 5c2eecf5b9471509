/**
 * User plugins (issue 13, README "User plugins", cli/pluginModules.ts): a module named in
 * `plugin_modules` registers its types and changes picks; the seeded ctx.rng reaches it; every
 * broken module is one line naming the module with a fix and exit 2; the published API (package.json
 * `exports` → dist/policies/api.d.ts) type-checks the TypeScript and JSDoc examples.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import ts from 'typescript';
import { loadPluginModules } from '../cli/pluginModules.js';
import { runPickCase, runPickCaseFile } from '../policies/harness/pickCase.js';
import { pluginDefinition } from '../policies/framework/registry.js';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { UserError } from '../sim/core/errors.js';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, routesim } from './cliHelpers.js';

const FIX = join(ROOT, 'test', 'fixtures', 'plugins');
const CASE = join(FIX, 'case.yaml');
const EXAMPLES = join(ROOT, 'examples', 'plugins');

const gaieConfig = (plugins: string, refs: string) => `apiVersion: inference.networking.x-k8s.io/v1alpha1
kind: EndpointPickerConfig
plugins: ${plugins}
schedulingProfiles: [{name: default, plugins: ${refs}}]
`;

describe('a user plugin module in process', () => {
  it('registers its types and its filter changes the pick', async () => {
    await loadPluginModules(['./label-filter.js'], CASE);
    expect(pluginDefinition('label-filter')?.kinds).toEqual(['Filter']);
    // Loading the same module again (a second scenario naming it) is a no-op, not a duplicate.
    await loadPluginModules(['./label-filter.js'], CASE);
    const out = runPickCaseFile(CASE);
    expect(out.mismatches).toEqual([]);
    expect(out.results[0]!.target).toBe('pod-b');
    // Control, without the user filter: queue-scorer over {a: 0, b: 2, c: 6}: a (6 − 0)/6 = 1 → pod-a.
    const control = runPickCase({
      config: gaieConfig('[{type: queue-scorer}, {type: max-score-picker}]', '[{pluginRef: queue-scorer}, {pluginRef: max-score-picker}]'),
      endpoints: [
        { name: 'pod-a', metrics: { waiting: 0 } },
        { name: 'pod-b', metrics: { waiting: 2 } },
        { name: 'pod-c', metrics: { waiting: 6 } },
      ],
      requests: [{ model: 'llama', prompt: 'hello', expect: { pick: 'pod-a' } }],
    });
    expect(control.mismatches).toEqual([]);
  });

  it('a user picker draws from the same seeded ctx.rng as the built-ins', async () => {
    await loadPluginModules(['./label-filter.js'], CASE);
    const names = ['pod-a', 'pod-b', 'pod-c', 'pod-d'];
    const run = (seed: number) =>
      runPickCase({
        seed,
        config: gaieConfig('[{type: rng-picker}]', '[{pluginRef: rng-picker}]'),
        endpoints: names.map((name) => ({ name })),
        requests: Array.from({ length: 8 }, () => ({ model: 'llama', prompt: 'x' })),
      }).results.map((r) => r.target);
    // No scorer, no rewrite: the picker is the only consumer of the case's alea(seed) stream, and
    // the scored list is in endpoint order, so request i goes to names[⌊u_i · 4⌋].
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const rng = seedrandom.alea(String(seed));
        expect(run(seed)).toEqual(Array.from({ length: 8 }, () => names[Math.floor(rng() * names.length)]));
      }),
      { numRuns: 25 },
    );
  });

  it('the example scorer scores 1 − kv usage, 0 above its threshold (examples/plugins/pick-case.yaml)', async () => {
    const file = join(EXAMPLES, 'pick-case.yaml');
    await loadPluginModules(['./least-kv-scorer.js'], file);
    const out = runPickCaseFile(file);
    expect(out.mismatches).toEqual([]);
    expect(out.results[0]!.target).toBe('pod-b');
  });

  it('the example scenario loads with the user type in its EPP config', async () => {
    const file = join(EXAMPLES, 'scenario.yaml');
    await loadPluginModules(['./least-kv-scorer.js'], file);
    const s = loadScenarioFile(file);
    expect(s.policies.map((p) => p.name)).toEqual(['epp', 'least-kv']);
  });

  it("a SchedulingError of the module's own copy fails the request (429), as the built-ins' does", async () => {
    const file = join(FIX, 'refusing-case.yaml');
    await loadPluginModules(['./refusing-filter.js'], file);
    const out = runPickCaseFile(file);
    expect(out.mismatches).toEqual([]);
    expect(out.results.map((r) => r.outcome)).toEqual([429, 'dispatched']);
  });

  it.each([
    ['syntax-error.js', /syntax error at line 3: /],
    ['throws.js', /throws on import: PLUGIN_HOME is not set/],
    ['duplicate.js', /plugin type "queue-scorer" already exists \(fix: give your plugin its own type name/],
    ['nothing.js', /exports no plugin definition \(fix: export default a definition/],
    ['no-create.js', /type "half-done-scorer" has no create/],
    ['typescript.ts', /Node 20 cannot load a TypeScript module \(fix: compile it to JavaScript/],
    ['missing.js', /file not found \(fix: paths in plugin_modules are relative to the file naming them/],
  ])('%s is refused with one line naming the module and a fix', async (mod, problem) => {
    const err = await loadPluginModules([`./${mod}`], CASE).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as UserError).message;
    expect(msg).toMatch(problem);
    expect(msg).toContain(`plugin_modules[0]: ${join('test', 'fixtures', 'plugins', mod)}: `);
    expect(msg).toContain('(fix: ');
    expect(msg).not.toContain('\n');
  });
});

describe('routesim with user plugins (built CLI)', () => {
  it('pick runs the example case (exit 0)', () => {
    const r = routesim(['pick', 'examples/plugins/pick-case.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0].target).toBe('pod-b');
  });

  it('run routes differently with the user scorer than with the default EPP', () => {
    const r = routesim(['run', 'examples/plugins/scenario.yaml', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { policies: { name: string; summary: Record<string, unknown> }[] } & Record<string, unknown>;
    const text = JSON.stringify(doc);
    expect(text).toContain('least-kv');
    // Same request stream, different routing: the per-policy documents are not identical.
    const per = (doc.policies ?? []) as unknown[];
    expect(per.length).toBe(2);
    expect(JSON.stringify({ ...(per[0] as object), name: '' })).not.toBe(JSON.stringify({ ...(per[1] as object), name: '' }));
  });

  it('plugins --plugin-module lists the user type with its parameters', () => {
    const r = routesim(['plugins', '--json', '--plugin-module', 'examples/plugins/least-kv-scorer.js']);
    expect(r.code).toBe(0);
    const t = (JSON.parse(r.stdout).plugins as { type: string; kinds: string[]; parameters: { name: string; default: unknown }[] }[]).find((p) => p.type === 'least-kv-scorer');
    expect(t?.kinds).toEqual(['Scorer']);
    expect(t?.parameters).toEqual([expect.objectContaining({ name: 'threshold', default: 1 })]);
  });

  it.each(['syntax-error', 'throws', 'duplicate', 'nothing', 'no-create', 'typescript', 'missing', 'missing-import'])('a scenario naming a broken module (%s) exits 2 with one line, no stack trace', (name) => {
    const r = routesim(['run', `test/fixtures/plugins/bad-${name}.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^routesim: test/fixtures/plugins/bad-${name}\\.yaml: plugin_modules\\[0\\]: test/fixtures/plugins/${name}\\.(js|ts): .*\\(fix: `));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['crash', /plugin "crashing-scorer" \(instance "crashing-scorer"\) score\(\) throws: no weight for pod-a \(fix: /],
    ['shape', /plugin "array-scorer" \(instance "array-scorer"\) score\(\) returned an array \(fix: return a Map/],
  ])('a user scorer failing at run time (%s) is one line naming the module, exit 2', (name, problem) => {
    const r = routesim(['pick', `test/fixtures/plugins/bad-${name}.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^routesim: test\/fixtures\/plugins\/crashing-scorer\.js: /);
    expect(r.stderr).toMatch(problem);
  });

  it.each([1, 2])('a module calling routesim’s registerPlugin itself on import works in the built CLI (--jobs %i)', (jobs) => {
    // self-registering.js imports registerPlugin from `routesim`; it reaches the CLI's (or the
    // worker's) registry only if the package API and the CLI bundle share their modules.
    const r = routesim(['run', 'test/fixtures/plugins/self-registering.yaml', '--jobs', String(jobs), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { policies: { name: string; summary: { replicas: { name: string; requests: number }[] } }[] };
    // The scorer gives 1 only to the endpoint whose name sorts first: every request goes there.
    expect(doc.policies[0]!.summary.replicas.map((x) => [x.name, x.requests])).toEqual([['replica-0', 60], ['replica-1', 0], ['replica-2', 0]]);
    expect(doc.policies[1]!.summary.replicas.every((x) => x.requests > 0)).toBe(true);
  });

  it('with ROUTESIM_DEBUG the stack of a failing user scorer names the dist/ modules, not the bundle’s chunks', () => {
    // bin/routesim.js turns source maps on under ROUTESIM_DEBUG; the bundle maps back to tsc's dist/*.js.
    const r = spawnSync(process.execPath, [BIN, 'pick', 'test/fixtures/plugins/bad-crash.yaml'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ROUTESIM_DEBUG: '1' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/at runProfile \(.*\/dist\/policies\/framework\/scheduler\.js:\d+:\d+\)/);
    expect(r.stderr).not.toMatch(/\/dist\/chunks\//);
  });

  it("a user plugin's ParamError is a config error naming the parameter (exit 2)", () => {
    const r = routesim(['run', 'test/fixtures/plugins/bad-param.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/threshold.*threshold must be within \[0, 1\], got 1\.5/);
  });
});

describe('the published plugin API', () => {
  it('type-checks the TypeScript example and the JSDoc-typed JavaScript one against package.json exports', () => {
    // Resolves `routesim` through the package's own `exports` (self-reference) → dist/policies/api.d.ts.
    const program = ts.createProgram([join(EXAMPLES, 'least-kv-scorer.ts'), join(EXAMPLES, 'least-kv-scorer.js')], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      allowJs: true,
      checkJs: true,
      skipLibCheck: true,
      types: ['node'],
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diags).toEqual([]);
  }, 60_000);
});
