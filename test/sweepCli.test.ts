/**
 * Issue 14, end to end: `--set PATH=VALUE` overrides a field as if the file said it, `--sweep` and a
 * file's `sweep:` paths run a grid whose points equal separate runs, and mistakes are one line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routesim } from './cliHelpers.js';

const SMALL = 'test/fixtures/parallel/small.yaml';
const dir = mkdtempSync(join(tmpdir(), 'routesim-sweep-'));

interface Doc {
  scenario: { fleet: { replicas: number }; workload: { arrival: { rate: number } } };
  policies: { name: string; summary: { ttft_ms: { p99: number }; completed: number } }[];
  grid?: { dimensions: { path: string; values: unknown[] }[]; points: { values: Record<string, unknown>; policies: { name: string; summary: unknown }[] }[] };
}

function runJson(args: string[]): Doc {
  const r = routesim(['run', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Doc;
}

describe('--set', () => {
  it('--set fleet.replicas=4 --set workload.rate=30 runs exactly what a file with those values runs', () => {
    const text = readFileSync(SMALL, 'utf8').replace('replicas: 3', 'replicas: 4').replace('rate: 25', 'rate: 30');
    const edited = join(dir, 'edited.yaml');
    writeFileSync(edited, text);
    const a = runJson([SMALL, '--set', 'fleet.replicas=4', '--set', 'workload.rate=30']);
    const b = runJson([edited]);
    expect(a.scenario.fleet.replicas).toBe(4);
    expect(a.scenario.workload.arrival.rate).toBe(30);
    expect(a.policies.map((p) => p.summary)).toEqual(b.policies.map((p) => p.summary));
  }, 60_000);

  it.each([
    [['--set', 'pools.chat.replicas[0].count=6'], /^routesim: --set pools\.chat\.replicas\[0\]\.count=6: .*\(fix: /],
    [['--set', 'fleet.replicas'], /^routesim: --set fleet\.replicas: missing "=" \(fix: write PATH=VALUE/],
    [['--set', 'fleet.replicas=0'], /^routesim: test\/fixtures\/parallel\/small\.yaml: fleet\.replicas: .*\(set by --set fleet\.replicas=0\)$/],
    [['--set', 'fleet.gpu=H1000'], /^routesim: test\/fixtures\/parallel\/small\.yaml: fleet\.gpu: .*H100.*\(set by --set fleet\.gpu=H1000\)$/],
    [['--sweep', 'fleet.replicas=2,2'], /^routesim: --sweep fleet\.replicas=2,2: the value 2 is given twice/],
    [['--sweep', 'fleet.replicas=2,0'], /^routesim: test\/fixtures\/parallel\/small\.yaml: fleet\.replicas: .*\(set by sweep fleet\.replicas=0\)$/],
    [['--sweep', 'fleet.replicas=2', '--sweep', 'fleet.replicas=3'], /^routesim: --sweep fleet\.replicas: the path is swept twice/],
  ])('%j is one line naming the path, exit 2', (args, message) => {
    const r = routesim(['run', SMALL, ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });
});

describe('--sweep and sweep: paths', () => {
  it('a 2 × 2 grid has 4 points in order (first dimension slowest), each equal to a run with --set', () => {
    const doc = runJson([SMALL, '--sweep', 'fleet.replicas=2,4', '--sweep', 'rate=15,30', '--jobs', '1']);
    expect(doc.grid!.dimensions).toEqual([{ path: 'fleet.replicas', values: [2, 4] }, { path: 'rate', values: [15, 30] }]);
    expect(doc.grid!.points.map((p) => p.values)).toEqual([
      { 'fleet.replicas': 2, rate: 15 },
      { 'fleet.replicas': 2, rate: 30 },
      { 'fleet.replicas': 4, rate: 15 },
      { 'fleet.replicas': 4, rate: 30 },
    ]);
    const alone = runJson([SMALL, '--set', 'fleet.replicas=4', '--set', 'rate=15']);
    expect(doc.grid!.points[2]!.policies.map((p) => p.summary)).toEqual(alone.policies.map((p) => p.summary));
  }, 120_000);

  it('--jobs 2 gives the same grid document as --jobs 1', () => {
    const args = [SMALL, '--sweep', 'fleet.replicas=2,4', '--seeds', '2'];
    const one = routesim(['run', ...args, '--jobs', '1', '--json']);
    const two = routesim(['run', ...args, '--jobs', '2', '--json']);
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  }, 120_000);

  it('sweeping the prefix scorer weight inside the default EPP config: weight 0 routes like the load-only config', () => {
    const yaml = `${readFileSync(SMALL, 'utf8').replace('policies: [round-robin, epp]', 'policies: [{name: gaie, epp: default}, {name: load-only, epp: policies/configs/load-only.yaml}]')}
sweep:
  policies.gaie.epp.schedulingProfiles.default.plugins.prefix-cache-scorer.weight: [0, 3]
`;
    const file = join(dir, 'weights.yaml');
    writeFileSync(file, yaml);
    const doc = runJson([file]);
    const [zero, three] = doc.grid!.points;
    // GAIE v1.5 default = queue 2 + kv-cache 2 + prefix 3; load-only = queue 2 + kv-cache 2 (policies/configs).
    expect(zero!.policies[0]!.summary).toEqual(zero!.policies[1]!.summary);
    // Weight 3 is the default config itself: the grid point equals the base run.
    expect(three!.policies[0]!.summary).toEqual(doc.policies[0]!.summary);
    expect(three!.policies[0]!.summary).not.toEqual(zero!.policies[0]!.summary);
  }, 120_000);
});

describe('runs a grid point leaves unchanged are planned once', () => {
  it('sweeping one policy\'s weight over 0 and its own 3 plans the base runs plus one: that policy at weight 0', async () => {
    const { loadRecipe } = await import('../lab/cells/recipe.js');
    const { planCells, plannedRuns } = await import('../reports/collect.js');
    const { gridPoints } = await import('../sim/scenario/overrides/grid.js');
    const { cellKey } = await import('../lab/cells/cell.js');
    const yaml = readFileSync(SMALL, 'utf8').replace('policies: [round-robin, epp]', 'policies: [round-robin, {name: gaie, epp: default}]');
    const file = join(dir, 'dedupe.yaml');
    writeFileSync(file, yaml);
    const recipe = { path: file, overrides: [], replay: {}, pluginModules: [] };
    const base = loadRecipe(recipe);
    const dimensions = [{ path: 'policies.gaie.epp.schedulingProfiles.default.plugins.prefix-cache-scorer.weight', values: [0, 3] }];
    const points = gridPoints(dimensions);
    const configs = points.map((p) => loadRecipe(recipe, p));
    const configOf = (v: number) => (v === 0 ? base : configs[v - 1]!);
    const plan = { seeds: 2, sweepRates: null, grid: { dimensions, points } };
    // Base: 2 seeds × 2 policies. Weight 0: only gaie differs (2 seeds). Weight 3: the base itself (the inlined default config resolves to the same JSON).
    expect(planCells(base, plan, configOf).map(cellKey)).toEqual(['v0/p0/s11/r25/dt', 'v0/p1/s11/r25/dt', 'v0/p0/s12/r25/d-', 'v0/p1/s12/r25/d-', 'v1/p1/s11/r25/--', 'v1/p1/s12/r25/--']);
    expect(plannedRuns(base, plan, configOf)).toBe(6);
  });
});
