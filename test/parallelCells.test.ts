/**
 * Issue 14: independent cells (policy × seed × sweep point) run on worker threads with --jobs N;
 * the output is byte-identical to --jobs 1, and failures inside a worker are still one line.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routesim } from './cliHelpers.js';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { planCells, type ExperimentPlan } from '../reports/collect.js';
import { LocalExecutor } from '../lab/cells/executor.js';
import { PoolExecutor, parseJobsFlag } from '../lab/parallel/pool.js';
import { cellKey } from '../lab/cells/cell.js';

const SMALL = 'test/fixtures/parallel/small.yaml';

describe('--jobs: cells on worker threads', () => {
  it('the results JSON, requests CSV and table are byte-identical with --jobs 1 and --jobs 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-jobs-'));
    const out = (j: number) => {
      const r = routesim(['run', SMALL, '--seeds', '3', '--sweep-rate', '15,35', '--jobs', String(j), '--out', join(dir, `r${j}.json`), '--requests-csv', join(dir, `r${j}.csv`)]);
      expect(r.code, r.stderr).toBe(0);
      return { json: readFileSync(join(dir, `r${j}.json`), 'utf8'), csv: readFileSync(join(dir, `r${j}.csv`), 'utf8'), table: r.stdout };
    };
    const one = out(1);
    const two = out(2);
    expect(two.json).toBe(one.json);
    expect(two.csv).toBe(one.csv);
    expect(two.table).toBe(one.table);
    // 2 policies × 3 seeds × (base + 2 other rates) simulations went into the document.
    const doc = JSON.parse(one.json) as { seeds: number[]; sweep: unknown[]; policies: { repeats: unknown[] }[] };
    expect(doc.seeds).toEqual([11, 12, 13]);
    expect(doc.sweep).toHaveLength(2);
    expect(doc.policies.map((p) => p.repeats.length)).toEqual([3, 3]);
  }, 120_000);

  it('a worker cell returns exactly what the same cell returns in this thread', async () => {
    const scenario = loadScenarioFile(SMALL);
    const plan: ExperimentPlan = { seeds: 2, sweepRates: [15] };
    const cells = planCells(scenario, plan);
    // Base point: 2 seeds × 2 policies with profiles (primary = first seed), then rate 15 without.
    expect(cells.map(cellKey)).toEqual([
      'v0/p0/s11/r25/dt', 'v0/p1/s11/r25/dt', 'v0/p0/s12/r25/d-', 'v0/p1/s12/r25/d-',
      'v0/p0/s11/r15/--', 'v0/p1/s11/r15/--', 'v0/p0/s12/r15/--', 'v0/p1/s12/r15/--',
    ]);
    const pick = [cells[0]!, cells[7]!];
    const here = new LocalExecutor(() => scenario).runSync(pick);
    const pool = new PoolExecutor({ path: SMALL, overrides: [], replay: {}, pluginModules: [] }, () => [], 2);
    try {
      const done: number[] = [];
      const there = await pool.run(pick, (i) => done.push(i));
      expect(JSON.stringify(there)).toBe(JSON.stringify(here));
      expect(done.sort()).toEqual([0, 1]);
      expect(there[0]!.timeseries).toBeDefined();
      expect(there[1]!.distributions).toBeUndefined();
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a user plugin that throws inside a worker is one line naming the module, exit 2, as with --jobs 1', () => {
    const a = routesim(['run', 'test/fixtures/parallel/crash-run.yaml', '--jobs', '2']);
    const b = routesim(['run', 'test/fixtures/parallel/crash-run.yaml', '--jobs', '1']);
    expect(a.code).toBe(2);
    expect(a.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/^routesim: test\/fixtures\/plugins\/crashing-scorer\.js: .*score\(\) throws/);
    expect(a.stderr).toBe(b.stderr);
    expect(a.stdout).toBe('');
  }, 60_000);

  it.each(['0', '-1', '2.5', 'many', '257'])('--jobs %s is one line naming the flag, exit 2', (v) => {
    const r = routesim(['run', SMALL, '--jobs', v]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^routesim: --jobs: .*\(fix: pass e\.g\. --jobs \d+/);
  });

  it('without --jobs the default is the machine\'s cores', () => {
    expect(parseJobsFlag(undefined)).toBeGreaterThanOrEqual(1);
    expect(parseJobsFlag(' 3 ')).toBe(3);
  });
});
