/**
 * Start-up of the CLI (issue 15): a command loads only what it needs. `--version`, `--help` and a
 * plain `run` must not load vega / vega-lite (or the report and chart modules); `report` must.
 *
 * Method: the CLI is spawned with `node --import REGISTER` where REGISTER installs a module
 * resolve hook (node:module `register`, stable on Node ≥ 20.6) that appends every URL it resolves
 * to a file. ESM has no module cache to inspect afterwards, and the hook sees every static and
 * dynamic import (node_modules packages included) before it loads, so the list is the exact set
 * of modules the process asked for. The positive controls (main.js itself, and `report` loading
 * vega) show the recorder works, so the negative assertions can fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

/** vega, vega-lite and their packages (vega-util, vega-scale, …), or the modules that draw with them. */
function heavy(modules: readonly string[]): string[] {
  return modules.filter((u) => /\/node_modules\/vega[-/]/.test(u) || /\/node_modules\/vega-lite\//.test(u) || /\/dist\/reports\/(render|report|charts\/)/.test(u));
}

describe('CLI start-up loads only what the command needs', () => {
  it('--version loads the entry point and no vega, vega-lite, chart or report module', () => {
    const r = modulesOf(['--version']);
    expect(r.code).toBe(0);
    expect(r.modules.some((u) => u.endsWith('/dist/cli/main.js'))).toBe(true);
    expect(heavy(r.modules)).toEqual([]);
    // Nor any command's work (cli/*Action.ts), the plugin catalog or zod.
    expect(r.modules.filter((u) => /\/dist\/cli\/\w+Action\.js$/.test(u) || u.includes('/dist/policies/plugins/') || u.includes('/node_modules/zod/'))).toEqual([]);
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
    expect(run.modules.some((u) => u.endsWith('/dist/cli/runAction.js'))).toBe(true);
    expect(heavy(run.modules)).toEqual([]);

    const report = modulesOf(['report', results, '--out', join(dir, 'report')]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(report.modules.some((u) => /\/node_modules\/vega-lite\//.test(u))).toBe(true);
    expect(report.modules.some((u) => /\/node_modules\/vega\//.test(u))).toBe(true);
  });
});
