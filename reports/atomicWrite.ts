/**
 * Atomic file output: a reader sees either the old file or the complete new one, never a partial
 * write. Small files go through `write-file-atomic`; large streamed files (requests.csv) go to a
 * temporary file next to the target that is renamed over it on commit.
 *
 * While a command's output plan is active (outputs/plan.ts), a path it declared is written into
 * the plan's temporary file instead, and "commit" only marks it complete: the plan publishes all
 * of the command's outputs together. Writing a path the plan did not declare is a programming
 * error (every output must be checked before the work).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomicPkg from 'write-file-atomic';
import { activePlan, type StagedOutput } from './outputs/plan.js';
import { inputError } from '../sim/core/errors.js';

/** The staged output for `path` when a plan is active (throws for an undeclared path). */
function staged(path: string): StagedOutput | null {
  const plan = activePlan();
  if (plan === null) return null;
  const s = plan.lookup(path);
  if (!s) throw new Error(`output ${path} was not declared to the output plan`);
  return s;
}

/** Writes `data` to `path` atomically, creating parent directories first. */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  const s = staged(path);
  if (s) {
    writeFileSync(s.tmp, data);
    s.ready = true;
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicPkg.sync(path, data);
}

/** A file being written in chunks; nothing is visible at the target path until `commit()`. */
export interface AtomicStream {
  /** Temporary file the chunks go to. */
  readonly tmpPath: string;
  /** Appends a chunk (strings are UTF-8). */
  write(chunk: string | Buffer): void;
  /** Flushes, closes and renames the temporary file over the target. */
  commit(): void;
  /** Closes and deletes the temporary file; the target is left untouched. Safe to call twice. */
  abort(): void;
}

/** Distinguishes several streams opened by one process. */
let streamCounter = 0;

/**
 * Opens `path + '.tmp-<pid>-<n>'` for writing (creating parent directories). After `commit()` or
 * `abort()` the stream is closed and further `write`/`commit` calls throw.
 */
export function openAtomicStream(path: string): AtomicStream {
  const s = staged(path);
  if (s) {
    // A plan's temporary file: commit marks it complete (the plan publishes it), abort un-marks it.
    s.ready = false;
    try {
      return fileStream(s.tmp, s.target.given, () => (s.ready = true), () => (s.ready = false));
    } catch (err) {
      // The staged file's folder went away after the plan staged it (another process removed it).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === undefined) throw err;
      const name = s.target.flag.startsWith('-') ? `${s.target.flag} ${s.target.given}` : s.target.given;
      throw inputError(name, '', `cannot publish the output (${code}); every old file was kept`, 'check the disk and the folders, then run again');
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmpPath = `${path}.tmp-${process.pid}-${streamCounter++}`;
  return fileStream(tmpPath, path, () => renameSync(tmpPath, path), () => {
    try {
      unlinkSync(tmpPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  });
}

/**
 * Chunks into `tmpPath` (opened now): `commit` flushes and closes it, then runs `published`;
 * `abort` closes it if open, then runs `discarded`. After either, `write`/`commit` throw.
 */
function fileStream(tmpPath: string, label: string, published: () => void, discarded: () => void): AtomicStream {
  let fd: number | null = openSync(tmpPath, 'w');
  const openFd = (): number => {
    if (fd === null) throw new Error(`atomic stream for ${label} is already closed`);
    return fd;
  };
  return {
    tmpPath,
    write(chunk: string | Buffer): void {
      const handle = openFd();
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let offset = 0;
      while (offset < buf.length) offset += writeSync(handle, buf, offset, buf.length - offset);
    },
    commit(): void {
      const handle = openFd();
      fsyncSync(handle);
      closeSync(handle);
      fd = null;
      published();
    },
    abort(): void {
      if (fd !== null) {
        closeSync(fd);
        fd = null;
      }
      discarded();
    },
  };
}

/**
 * Writes `files` (relative name → content) as the directory `dir`, replacing it whole. Everything
 * is written into a sibling temporary directory first; then an existing `dir` is renamed aside,
 * the new directory renamed into place and the old one deleted. A reader sees the complete old
 * directory or the complete new one (for the instant between the two renames, none); a failure
 * before the swap removes the temporary directory and leaves `dir` untouched.
 */
export function writeDirectoryAtomic(dir: string, files: ReadonlyMap<string, string | Buffer>): void {
  const s = staged(dir);
  if (s) {
    for (const [name, data] of files) {
      const path = join(s.tmp, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
    s.ready = true;
    return;
  }
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const base = dir.replace(/[\\/]+$/, '').split(/[\\/]/).at(-1) || 'out';
  const tmp = join(parent, `.${base}.tmp-${process.pid}-${streamCounter++}`);
  const old = join(parent, `.${base}.old-${process.pid}-${streamCounter++}`);
  mkdirSync(tmp);
  try {
    for (const [name, data] of files) {
      const path = join(tmp, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  let movedOld = false;
  if (existsSync(dir)) {
    renameSync(dir, old);
    movedOld = true;
  }
  try {
    renameSync(tmp, dir);
  } catch (err) {
    if (movedOld) renameSync(old, dir);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (movedOld) rmSync(old, { recursive: true, force: true });
}
