/**
 * Start-up of the CLI (issue 15): a command loads only what it needs. `--version`, `--help` and a
 * plain `run` must not load vega / vega-lite (or the report and chart modules); `report` must.
 *
 * Method: the CLI is spawned with `node --import REGISTER` where REGISTER installs a module
 * resolve hook (node:module `register`, stable on Node ≥ 20.6) that appends every URL it resolves
 * to a file. ESM has no module cache to inspect afterwards, and the hook sees every static and
 * dynamic import (node_modules packages included) before it loads, so the list is the exact set
 * of modules the process asked for. The positive controls (main.js itself, a run loading the
 * simulator, and `report` loading vega) show the recorder works, so the negative assertions can fail.
 *
 * dist/cli/main.js is a bundle (scripts/bundle.mjs): its modules are chunks named by hash, so what a
 * module holds is told by its source (a function it defines), not by its path.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, smallScenario } from './cliHelpers.js';

let dir: string;
let register: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'routesim-startup-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { out: process.env.ROUTESIM_TEST_MODULE_LOG } });
`,
  );
  register = pathToFileURL(join(dir, 'register.mjs')).href;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Runs `routesim ...args`; returns its exit code and every module URL it resolved. */
function modulesOf(args: string[]): { code: number | null; stderr: string; modules: string[] } {
  const log = join(dir, `modules-${++runs}.txt`);
  const r = spawnSync(process.execPath, ['--import', register, BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ROUTESIM_TEST_MODULE_LOG: log } });
  const modules = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : [];
  return { code: r.status, stderr: r.stderr, modules };
}

/** The dist/ modules (entries and chunks) among `modules` whose source matches `marker`. */
function defining(modules: readonly string[], marker: RegExp): string[] {
  return modules.filter((u) => u.startsWith('file:') && u.includes('/dist/') && marker.test(readFileSync(fileURLToPath(u), 'utf8')));
}

/** Markers: a function or class only that part of the code defines. */
const SIMULATOR = /\bfunction runPolicy\d*\(/;
const REPORTS = /\bfunction (writeReport|renderSvg)\d*\(/;
const CATALOG = /\bfunction registerCatalog\d*\(/;
const COMMAND_WORK = /\basync function (run|report|capacity|calibrate|validate|merge|serveEngine|servePicker)\d*\(/;
const ZOD = /\$constructor\("ZodError"/;

/** vega, vega-lite and their packages (vega-util, vega-scale, …), or the modules that draw with them. */
function heavy(modules: readonly string[]): string[] {
  return [...modules.filter((u) => /\/node_modules\/vega[-/]/.test(u) || /\/node_modules\/vega-lite\//.test(u)), ...defining(modules, REPORTS)];
}

describe('CLI start-up loads only what the command needs', () => {
  it('--version loads the entry point and no vega, vega-lite, chart or report module', () => {
    const r = modulesOf(['--version']);
    expect(r.code).toBe(0);
    expect(r.modules.some((u) => u.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(heavy(r.modules)).toEqual([]);
    // Nor any command's work (cli/*Action.ts), the simulator, the plugin catalog or zod.
    expect(defining(r.modules, COMMAND_WORK)).toEqual([]);
    expect(defining(r.modules, SIMULATOR)).toEqual([]);
    expect(defining(r.modules, CATALOG)).toEqual([]);
    expect(r.modules.filter((u) => u.includes('/node_modules/zod/'))).toEqual([]);
    expect(defining(r.modules, ZOD)).toEqual([]);
  });

  it('--help and run --help load no vega either', () => {
    for (const args of [['--help'], ['run', '--help'], ['report', '--help']]) {
      const r = modulesOf(args);
      expect(r.code).toBe(0);
      expect(heavy(r.modules)).toEqual([]);
    }
  });

  it('a run loads the simulator but no vega; report on its results does load vega', () => {
    const scenario = join(dir, 'small.yaml');
    writeFileSync(scenario, smallScenario());
    const results = join(dir, 'results.json');
    const run = modulesOf(['run', scenario, '--jobs', '1', '--out', results]);
    expect(run.code).toBe(0);
    expect(defining(run.modules, COMMAND_WORK).length).toBeGreaterThan(0);
    expect(defining(run.modules, SIMULATOR).length).toBeGreaterThan(0);
    expect(defining(run.modules, CATALOG).length + run.modules.filter((u) => u.includes('/node_modules/zod/')).length + defining(run.modules, ZOD).length).toBeGreaterThan(1);
    expect(heavy(run.modules)).toEqual([]);

    const report = modulesOf(['report', results, '--out', join(dir, 'report')]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(report.modules.some((u) => /\/node_modules\/vega-lite\//.test(u))).toBe(true);
    expect(report.modules.some((u) => /\/node_modules\/vega\//.test(u))).toBe(true);
    expect(defining(report.modules, REPORTS).length).toBeGreaterThan(0);
  });

  it('the CLI is bundled: a run resolves a few dozen modules, not the ≈ 480 files of dist/ and its packages', () => {
    const scenario = join(dir, 'small-count.yaml');
    writeFileSync(scenario, smallScenario());
    const run = modulesOf(['run', scenario, '--jobs', '1', '--out', join(dir, 'count.json')]);
    expect(run.code).toBe(0);
    expect(run.modules.filter((u) => u.includes('/dist/chunks/')).length).toBeGreaterThan(0);
    // The hook logs each import it resolves; files are counted once (unbundled it was ≈ 480).
    expect(new Set(run.modules.filter((u) => u.startsWith('file:'))).size).toBeLessThan(120);
  });
});
