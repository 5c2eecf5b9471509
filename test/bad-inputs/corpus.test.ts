/**
 * Runs every case of the bad-input corpus (test/bad-inputs/*.cases.ts) through the built CLI and
 * checks the promise of DEVELOPERS' "bad input" rule: exit 2, one line `routesim: …` naming the file
 * or flag, no stack trace, no hang, and nothing that existed before the run changed or added.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../cliHelpers.js';
import type { BadInputCase } from './types.js';

const HERE = import.meta.dirname;
const files = readdirSync(HERE).filter((f) => f.endsWith('.cases.ts')).sort();
const groups: Array<[string, readonly BadInputCase[]]> = [];
for (const f of files) {
  const mod = (await import(join(HERE, f))) as { cases: readonly BadInputCase[] };
  groups.push([f.replace(/\.cases\.ts$/, ''), mod.cases]);
}

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Every file under dir with its bytes, so a run that clobbers or adds a file is caught. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out.set(relative(dir, p) + '/', '');
        walk(p);
      } else out.set(relative(dir, p), readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

/** The built CLI in `cwd`, stdin closed, killed after 30 s. */
function run(args: readonly string[], cwd: string): Promise<{ status: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      const killed = err !== null && 'killed' in err && err.killed === true;
      resolve({ status: child.exitCode, stderr, timedOut: killed });
    });
    child.stdin?.end();
  });
}

const FILE_ARG = /\.(ya?ml|json|jsonl|csv|gz)$/;

describe('bad-input corpus', () => {
  it('has at least 150 cases with unique names', () => {
    const names = groups.flatMap(([, cs]) => cs.map((c) => c.name));
    expect(names.length).toBeGreaterThanOrEqual(150);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const [group, cases] of groups) {
    describe.concurrent(group, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const root = mkdtempSync(join(tmpdir(), 'routesim-bad-'));
          roots.push(root);
          for (const d of c.dirs ?? []) mkdirSync(join(root, d), { recursive: true });
          for (const [p, content] of Object.entries(c.files ?? {})) {
            mkdirSync(dirname(join(root, p)), { recursive: true });
            writeFileSync(join(root, p), content);
          }
          const before = snapshot(root);
          const r = await run(c.args, root);
          expect(r.timedOut, 'the CLI must not hang').toBe(false);
          const lines = r.stderr.split('\n').filter((l) => l.length > 0);
          expect(r.status, `stderr: ${r.stderr}`).toBe(c.exit ?? 2);
          expect(lines, 'exactly one line on stderr').toHaveLength(1);
          const line = lines[0]!;
          expect(line).toMatch(/^routesim: /);
          expect(line).not.toMatch(/internal error|\n\s+at |Error:/);
          for (const re of Array.isArray(c.stderr) ? c.stderr : [c.stderr as RegExp]) expect(line).toMatch(re);
          const named = c.names ?? c.args.find((a) => FILE_ARG.test(a));
          if (named !== undefined) expect(line).toContain(named);
          expect(snapshot(root), 'nothing that existed may change, and no file may be left behind').toEqual(before);
        });
      }
    });
  }
});
