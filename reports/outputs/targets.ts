/**
 * Output paths, checked before any work: every file a command will write is resolved and checked
 * here (empty path, a directory, a path under a regular file, `-` where it cannot go, two outputs
 * naming one file, an output naming an input) so a mistake is one line before the run, not an
 * "internal error" after it. Writability is proven later by creating the temporary files
 * (plan.ts), which also catches what permission bits cannot (root, /proc, read-only mounts).
 */
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { inputError, UserError } from '../../sim/core/errors.js';
import { inputsRead } from '../../sim/core/inputsRead.js';

/** `-`: the command's stdout. */
export const STDOUT = '-';

/** One output a command was asked to write. */
export interface OutputRequest {
  /** The flag or argument that named it (`--out`, `OUT`), for messages. */
  readonly flag: string;
  /** The path as the user gave it; undefined when the flag was not given. */
  readonly path: string | undefined;
  /** A file (default) or a directory written whole (`routesim report --out`). */
  readonly kind?: 'file' | 'dir';
  /** Whether `-` (stdout) is accepted: only where a single document is written. */
  readonly stdout?: boolean;
  /** Why `-` is refused here (shown in the fix), when `stdout` is false. */
  readonly noStdoutWhy?: string;
  /** The files this output writes when more than the path itself (a TraceV2 pair, one per policy). */
  readonly files?: readonly string[];
  /** An example path for the fix (e.g. results.json). */
  readonly example?: string;
}

/** A checked output target. */
export interface OutputTarget {
  readonly flag: string;
  /** The path as given (`-` for stdout). */
  readonly given: string;
  readonly kind: 'file' | 'dir' | 'stdout';
  /** Absolute path written (symlinks of existing files and parents resolved); '' for stdout. */
  readonly abs: string;
  /** Lookup keys: the path as writers will name it (relative and absolute). */
  readonly keys: readonly string[];
  /** An existing non-regular file such as /dev/null: written in place, not renamed over. */
  readonly special: boolean;
  /** Missing parent directories to create, outermost first. */
  readonly missingDirs: readonly string[];
}

export interface CheckOptions {
  /** Input files of the command: an output may not name one (nor any file read so far: inputsRead). */
  readonly inputs?: readonly string[];
  /** What already writes to stdout (e.g. `--json`), if anything: then `-` is an error. */
  readonly stdoutTakenBy?: string | null;
}

/** `p` relative to the working directory when it lies under it. */
function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

function where(flag: string, path: string): string {
  return flag.startsWith('-') ? `${flag} ${path}` : path;
}

/** `p` with symlinks of its existing part resolved (the missing tail appended). */
function realish(p: string): string {
  const missing: string[] = [];
  let cur = p;
  for (;;) {
    try {
      const real = realpathSync(cur);
      return missing.length === 0 ? real : join(real, ...missing.reverse());
    } catch {
      const up = dirname(cur);
      if (up === cur) return p;
      missing.push(basename(cur));
      cur = up;
    }
  }
}

/** The missing ancestors of `dir` (outermost first); throws when an existing one is not a directory. */
function missingAncestors(dir: string, fail: (problem: string, fix: string) => UserError): string[] {
  const missing: string[] = [];
  let cur = dir;
  for (;;) {
    let st;
    try {
      st = statSync(cur);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        // some ancestor is a file: keep walking up to name it
      } else if (code !== 'ENOENT') throw fail(`cannot use ${shown(cur)} (${code ?? String(err)})`, 'choose another place to write');
      missing.push(cur);
      const up = dirname(cur);
      if (up === cur) break;
      cur = up;
      continue;
    }
    if (!st.isDirectory()) throw fail(`${shown(cur)} is a file, not a directory, so nothing can be written under it`, 'choose a path whose folders are folders');
    break;
  }
  return missing.reverse();
}

function checkDirTarget(abs: string, fail: (problem: string, fix: string) => UserError): void {
  if (!existsSync(abs)) return;
  if (!statSync(abs).isDirectory()) throw fail('exists and is not a directory', 'choose another --out directory');
  const names = readdirSync(abs);
  if (names.length === 0 || (names.includes('index.html') && names.includes('summary.md'))) return;
  throw fail('exists and is not a routesim report (a report directory holds index.html and summary.md), so it will not be replaced', 'choose a new or empty --out directory');
}

/**
 * Checks every requested output (those with a path) and returns the targets, in request order.
 * Throws a UserError naming the flag and the path on the first problem.
 */
export function checkOutputs(requests: readonly OutputRequest[], opts: CheckOptions = {}): OutputTarget[] {
  const targets: OutputTarget[] = [];
  let stdoutBy: string | null = null;
  const given = requests.filter((r) => r.path !== undefined);
  for (const r of given) {
    const path = r.path!;
    const fail = (problem: string, fix: string): UserError => inputError(where(r.flag, path), '', problem, fix);
    const example = r.example ?? (r.kind === 'dir' ? 'report' : 'out.json');
    if (path.trim() === '') throw inputError(r.flag, '', 'the path is empty', `give a ${r.kind === 'dir' ? 'directory' : 'file'} name, e.g. ${r.flag.startsWith('-') ? `${r.flag} ` : ''}${example}${r.stdout ? ', or - for stdout' : ''}`);
    if (path === STDOUT) {
      if (!r.stdout) throw inputError(r.flag, '', '- (stdout) is not possible here', r.noStdoutWhy ?? `give a file name, e.g. ${example}`);
      if (stdoutBy !== null) throw inputError(r.flag, '', `- (stdout) is already taken by ${stdoutBy}`, 'only one output can go to stdout; give the other a file name');
      if (opts.stdoutTakenBy) throw inputError(r.flag, '', `- (stdout) is already taken by ${opts.stdoutTakenBy}`, `drop ${opts.stdoutTakenBy}, or give ${r.flag} a file name`);
      stdoutBy = `${r.flag} -`;
      targets.push({ flag: r.flag, given: path, kind: 'stdout', abs: '', keys: [STDOUT], special: false, missingDirs: [] });
      continue;
    }
    const files = r.kind === 'dir' ? [path] : (r.files ?? [path]);
    for (const f of files) {
      const abs0 = resolve(f);
      if (r.kind !== 'dir' && /[\\/]$/.test(f)) throw fail(`${f} names a directory`, `give a file name, e.g. ${join(f, example)}`);
      let special = false;
      let st;
      try {
        st = lstatSync(abs0);
      } catch {
        st = undefined;
      }
      const abs = realish(abs0);
      if (st !== undefined) {
        const real = statSync(abs, { throwIfNoEntry: false });
        if (r.kind === 'dir') checkDirTarget(abs, fail);
        else if (real?.isDirectory()) throw fail(`${f === path ? '' : `${f} `}is a directory`, `give a file name, e.g. ${join(f, example)}`);
        else if (real && !real.isFile()) special = true;
      }
      const missingDirs = missingAncestors(dirname(abs), fail);
      targets.push({ flag: r.flag, given: path, kind: r.kind === 'dir' ? 'dir' : 'file', abs, keys: [f, abs0, abs], special, missingDirs });
    }
  }
  // Two outputs naming one file, or an output naming an input.
  const seen = new Map<string, OutputTarget>();
  for (const t of targets) {
    if (t.kind === 'stdout') continue;
    const prev = seen.get(t.abs);
    if (prev && !t.special) {
      const same = prev.flag === t.flag ? `${t.flag} writes ${shown(t.abs)} twice` : `${prev.flag} and ${t.flag} both write ${shown(t.abs)}`;
      throw inputError(where(t.flag, t.given), '', same, 'give each output its own file');
    }
    seen.set(t.abs, t);
  }
  // The inputs named by the command, and every file read so far (EPP configs, traces, windows…).
  const inputs = [...(opts.inputs ?? []), ...inputsRead().map(shown)];
  for (const input of inputs) {
    if (!input || input === STDOUT) continue;
    const abs = realish(resolve(input));
    const t = seen.get(abs);
    if (t && !t.special) throw inputError(where(t.flag, t.given), '', `would overwrite the input ${input}`, 'write the output to another file');
    // A directory output containing an input would delete it when replaced.
    for (const d of targets) {
      if (d.kind === 'dir' && (abs + sep).startsWith(d.abs + sep)) throw inputError(where(d.flag, d.given), '', `contains the input ${input}, which replacing the directory would delete`, 'write the report to another directory');
    }
  }
  return targets;
}
