/**
 * Every command the README shows in a ```sh block runs: each `npx routesim …` line (also after
 * `npm ci &&`) is run in order, in one scratch directory that sees the repository's scenarios,
 * policies, examples and pick cases, so a later line can read what an earlier one wrote. A line
 * must exit 0 unless it ends with a comment `# exits N`. Lines that need the shared trace data
 * (`../shared/data`, or a scenario replaying it) are skipped, with a printed reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './cliHelpers.js';

/** The README's shell commands that invoke routesim, in order, with their expected exit status. */
export function readmeCommands(readme: string): Array<{ line: string; args: string[]; exit: number }> {
  const out: Array<{ line: string; args: string[]; exit: number }> = [];
  const blocks = readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm);
  for (const b of blocks) {
    for (const raw of b[1]!.split('\n')) {
      const exit = Number(/#\s*exits (\d+)/.exec(raw)?.[1] ?? 0);
      const cmd = raw.replace(/\s#.*$/, '').trim();
      const at = cmd.indexOf('npx routesim');
      if (at < 0) continue;
      out.push({ line: raw.trim(), args: splitWords(cmd.slice(at + 'npx routesim'.length)), exit });
    }
  }
  return out;
}

/** Splits a command line on spaces, honouring single and double quotes. */
function splitWords(s: string): string[] {
  const words: string[] = [];
  for (const m of s.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** Scenarios that replay ../shared/data traces (the README's trace scenarios). */
const NEEDS_DATA = /shared\/data|scenarios\/(azure-|mooncake-)/;

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const commands = readmeCommands(README);
const work = mkdtempSync(join(tmpdir(), 'routesim-readme-'));
for (const d of ['scenarios', 'policies', 'examples', 'test', 'bench']) symlinkSync(join(ROOT, d), join(work, d));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README commands', () => {
  it('the README shows every subcommand at least once', () => {
    const used = new Set(commands.map((c) => c.args.filter((a) => !a.startsWith('-')).slice(0, c.args[0] === 'trace' ? 2 : 1).join(' ')));
    for (const sub of ['run', 'pick', 'plugins', 'report', 'check', 'trace inspect', 'trace convert', 'trace synth']) expect([...used]).toContain(sub);
  });

  for (const c of commands) {
    it(c.line, (ctx) => {
      if (NEEDS_DATA.test(c.line)) {
        console.log(`skipping README command (needs ../shared/data): ${c.line}`);
        ctx.skip();
      }
      const r = spawnSync(process.execPath, [BIN, ...c.args], { cwd: work, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 << 20 });
      expect(r.error).toBeUndefined();
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.status, r.stderr).toBe(c.exit);
    }, 180_000);
  }
});
