/**
 * Outputs are all-or-nothing (reports/outputs): a failing output leaves every old file untouched and
 * no temporary file behind, also when the process is killed mid-run; `-` is stdout; a closed stdout
 * ends the command quietly. Plus the strict UTF-8 check every user file goes through.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openAtomicStream, writeFileAtomic } from '../reports/atomicWrite.js';
import { prepareOutputs } from '../reports/outputs/plan.js';
import { UserError } from '../sim/core/errors.js';
import { decodeUtf8, invalidUtf8Offset, lineOfOffset, parseYamlText } from '../policies/util/userText.js';
import { BIN, routesim } from './cliHelpers.js';
import { SMALL as BASE_SMALL } from './bad-inputs/fixtures.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'routesim-outputs-'));
  roots.push(d);
  return d;
}
/** Names in `dir` (recursively) that look like a temporary or backup file of an output. */
function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    // Dirent types, not a stat per name: the watcher may delete a temporary file between the listing and a stat.
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (/\.(tmp|old)-/.test(e.name)) out.push(join(d, e.name));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

/** The corpus's small scenario with 40 requests and two policies. */
const SMALL = BASE_SMALL.replace('requests: 20', 'requests: 40').replace('policies: [round-robin]', 'policies: [round-robin, least-requests]');
/** Long enough (several seconds) that a signal or a sabotage lands mid-simulation. */
const LONG = SMALL.replace('requests: 40', 'requests: 400000').replace('rate: 10', 'rate: 60');

describe('output plan (in process)', () => {
  it('a second output that fails at publication leaves the first one\'s old content and no temporary file', () => {
    const dir = tempDir();
    const first = join(dir, 'first.json');
    writeFileSync(first, 'old\n');
    mkdirSync(join(dir, 'sub'));
    const plan = prepareOutputs([
      { flag: '--out', path: first },
      { flag: '--requests-csv', path: join(dir, 'sub', 'second.csv') },
    ]);
    writeFileAtomic(first, 'new\n');
    const s = openAtomicStream(join(dir, 'sub', 'second.csv'));
    s.write('a,b\n');
    s.commit();
    // The second output's folder disappears before publication: its rename must fail …
    rmSync(join(dir, 'sub'), { recursive: true });
    expect(() => plan.commit()).toThrow(UserError);
    // … after the first was already renamed into place, which is rolled back.
    expect(readFileSync(first, 'utf8')).toBe('old\n');
    expect(leftovers(dir)).toEqual([]);
  });

  it('abort leaves old files, removes temporary files and the folders it created', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), 'old\n');
    const plan = prepareOutputs([
      { flag: '--out', path: join(dir, 'a.json') },
      { flag: '--requests-csv', path: join(dir, 'new', 'deep', 'r.csv') },
    ]);
    expect(existsSync(join(dir, 'new', 'deep'))).toBe(true);
    expect(leftovers(dir)).toHaveLength(2);
    writeFileAtomic(join(dir, 'a.json'), 'new\n');
    plan.abort();
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('commit publishes every output together and removes the backups', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.json'), 'old\n');
    const plan = prepareOutputs([
      { flag: '--out', path: join(dir, 'a.json') },
      { flag: '--junit', path: join(dir, 'x', 'b.xml') },
    ]);
    writeFileAtomic(join(dir, 'a.json'), 'new a\n');
    writeFileAtomic(join(dir, 'x', 'b.xml'), 'new b\n');
    plan.commit();
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('new a\n');
    expect(readFileSync(join(dir, 'x', 'b.xml'), 'utf8')).toBe('new b\n');
    expect(leftovers(dir)).toEqual([]);
  });

  it('a path the plan did not declare cannot be written while it is active', () => {
    const dir = tempDir();
    const plan = prepareOutputs([{ flag: '--out', path: join(dir, 'a.json') }]);
    try {
      expect(() => writeFileAtomic(join(dir, 'other.json'), 'x')).toThrow(/not declared/);
    } finally {
      plan.abort();
    }
  });

  it('a staged stream whose folder vanished before it opened is the one-line publish error, not an internal one', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const target = join(dir, 'sub', 'req.csv');
    const plan = prepareOutputs([{ flag: '--requests-csv', path: target }]);
    try {
      rmSync(join(dir, 'sub'), { recursive: true, force: true });
      let err: unknown;
      try {
        openAtomicStream(target);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(`--requests-csv ${target}: cannot publish the output (ENOENT); every old file was kept (fix: check the disk and the folders, then run again)`);
    } finally {
      plan.abort();
    }
  });

  it('a symlink and its target are one file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real.json'), 'x');
    symlinkSync(join(dir, 'real.json'), join(dir, 'link.json'));
    expect(() => prepareOutputs([
      { flag: '--out', path: join(dir, 'real.json') },
      { flag: '--update-baseline', path: join(dir, 'link.json') },
    ])).toThrow(/--out and --update-baseline both write/);
    expect(leftovers(dir)).toEqual([]);
  });
});

/** Spawns the CLI; resolves with exit code, signal, stdout and stderr. */
function spawnCli(args: string[], cwd: string, onStart?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onStart?.(child);
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

describe('outputs of the CLI', () => {
  it('SIGTERM mid-run: status 143 (killed by the signal), old files untouched, no temporary file left', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'long.yaml'), LONG);
    writeFileSync(join(dir, 'out.json'), 'old out\n');
    writeFileSync(join(dir, 'req.csv'), 'old csv\n');
    const r = await spawnCli(['run', 'long.yaml', '--out', 'out.json', '--requests-csv', 'req.csv'], dir, (child) => {
      // Once the outputs are staged (their temporary files exist) the simulation is running.
      void waitFor(() => leftovers(dir).length === 2, 20_000).then(() => setTimeout(() => child.kill('SIGTERM'), 300));
    });
    expect(r.signal === 'SIGTERM' || r.code === 143, `code ${r.code} signal ${r.signal}: ${r.stderr}`).toBe(true);
    // The watcher deletes the temporary files once the process is gone.
    expect(await waitFor(() => leftovers(dir).length === 0, 5000), leftovers(dir).join(', ')).toBe(true);
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('old out\n');
    expect(readFileSync(join(dir, 'req.csv'), 'utf8')).toBe('old csv\n');
    expect(readdirSync(dir).sort()).toEqual(['long.yaml', 'out.json', 'req.csv']);
  }, 60_000);

  it('a run whose second output cannot be published keeps the first output\'s old content (exit 2, one line)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'long.yaml'), LONG.replace('requests: 400000', 'requests: 60000'));
    writeFileSync(join(dir, 'out.json'), 'old out\n');
    mkdirSync(join(dir, 'sub'));
    const r = await spawnCli(['run', 'long.yaml', '--out', 'out.json', '--requests-csv', 'sub/req.csv'], dir, () => {
      // Sabotage: the CSV's folder vanishes while the simulation runs.
      void waitFor(() => leftovers(dir).length === 2, 20_000).then(() => rmSync(join(dir, 'sub'), { recursive: true, force: true }));
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^routesim: --requests-csv sub\/req\.csv: cannot publish the output \(ENOENT\); every old file was kept/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('old out\n');
    expect(leftovers(dir)).toEqual([]);
  }, 60_000);

  it('routesim run --json | head -1: a closed stdout ends quietly with status 0', async () => {
    const r = await spawnCli(['run', '--json'], tempDir(), (child) => {
      child.stdout!.once('data', () => child.stdout!.destroy());
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('--out - writes the results document to stdout instead of the table (the same bytes as --json), and no file named -', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 's.yaml'), SMALL);
    const viaDash = routesim(['run', 's.yaml', '--out', '-'], dir);
    const viaJson = routesim(['run', 's.yaml', '--json'], dir);
    expect(viaDash.code, viaDash.stderr).toBe(0);
    expect(viaDash.stdout).toBe(viaJson.stdout);
    expect(JSON.parse(viaDash.stdout).policies).toHaveLength(2);
    expect(readdirSync(dir)).toEqual(['s.yaml']);
  });

  it('--requests-csv - writes the CSV to stdout, the same bytes as the file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 's.yaml'), SMALL);
    const r = routesim(['run', 's.yaml', '--requests-csv', '-'], dir);
    const f = routesim(['run', 's.yaml', '--requests-csv', 'r.csv'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(f.code, f.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(dir, 'r.csv'), 'utf8'));
    // Header + 40 requests × 2 policies.
    expect(r.stdout.trim().split('\n')).toHaveLength(1 + 80);
  });

  it('trace convert to - (with --to-format) prints what the file would hold', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.jsonl'), '{"arrival_us":0,"input_tokens":10,"output_tokens":5}\n{"arrival_us":1000,"input_tokens":12,"output_tokens":6}\n');
    const r = routesim(['trace', 'convert', 't.jsonl', '-', '--to-format', 'azure'], dir);
    const f = routesim(['trace', 'convert', 't.jsonl', 'o.csv', '--to-format', 'azure'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(f.code, f.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(dir, 'o.csv'), 'utf8'));
    expect(r.stdout.split('\n')[0]).toBe('TIMESTAMP,ContextTokens,GeneratedTokens');
  });

  it('--out /dev/null writes into the device instead of replacing it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 's.yaml'), SMALL);
    const r = routesim(['run', 's.yaml', '--out', '/dev/null'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('output paths are checked before the simulation: a bad one fails at once, even for a long run', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'long.yaml'), LONG);
    mkdirSync(join(dir, 'd'));
    const t0 = Date.now();
    const r = routesim(['run', 'long.yaml', '--out', 'ok.json', '--requests-csv', 'd'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('routesim: --requests-csv d: is a directory (fix: give a file name, e.g. d/requests.csv)\n');
    // The simulation alone takes seconds; the check well under that (generous for a loaded machine).
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(readdirSync(dir).sort()).toEqual(['d', 'long.yaml']);
  });
});

describe('strict UTF-8 and YAML of user files (policies/util/userText.ts)', () => {
  it('invalidUtf8Offset agrees with the WHATWG fatal decoder on arbitrary bytes', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        let ok = true;
        try {
          fatal.decode(b);
        } catch {
          ok = false;
        }
        expect(invalidUtf8Offset(b) === -1).toBe(ok);
      }),
      { numRuns: 2000 },
    );
  });

  it('names the first bad byte\'s line and column', () => {
    // "a\nbc" then 0xff: line 2, column 3 (bytes b, c, then the bad one).
    const b = Buffer.from([0x61, 0x0a, 0x62, 0x63, 0xff]);
    expect(invalidUtf8Offset(b)).toBe(4);
    expect(lineOfOffset(b, 4)).toEqual({ line: 2, col: 3 });
    expect(decodeUtf8(b)).toEqual({ error: { line: 2, col: 3, problem: 'invalid UTF-8 (byte 0xff)', fix: 're-save the file as UTF-8' } });
    // A valid multi-byte text decodes; a BOM is dropped.
    expect(decodeUtf8(Buffer.from('\ufeffcafé ✓', 'utf8'))).toEqual({ text: 'café ✓' });
  });

  it('YAML: duplicate keys name the key and position; depth is bounded; plain documents parse', () => {
    // Line 2 is `b: {c: 1, c: 2}`: the second c is its 11th character.
    expect(parseYamlText('a: 1\nb: {c: 1, c: 2}\n')).toEqual({ error: { line: 2, col: 11, problem: 'duplicate key "c" (keys must be unique in a mapping)', fix: 'remove or rename the repeated key' } });
    // The top mapping is level 1, so 63 nested lists make 64 levels (the limit, accepted), 64 make 65.
    expect(parseYamlText(`x: ${'['.repeat(64)}${']'.repeat(64)}`)).toMatchObject({ error: { problem: 'nested deeper than 64 levels' } });
    expect(parseYamlText(`x: ${'['.repeat(63)}${']'.repeat(63)}`)).toHaveProperty('value');
    expect(parseYamlText('a: &x [1, 2]\nb: *x\n')).toEqual({ value: { a: [1, 2], b: [1, 2] } });
  });
});
