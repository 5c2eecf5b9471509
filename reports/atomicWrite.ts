/**
 * Atomic file output: a reader sees either the old file or the complete new one, never a partial
 * write. Small files go through `write-file-atomic`; large streamed files (requests.csv) go to a
 * temporary file next to the target that is renamed over it on commit.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import writeFileAtomicPkg from 'write-file-atomic';

/** Writes `data` to `path` atomically, creating parent directories first. */
export function writeFileAtomic(path: string, data: string | Buffer): void {
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
  mkdirSync(dirname(path), { recursive: true });
  const tmpPath = `${path}.tmp-${process.pid}-${streamCounter++}`;
  let fd: number | null = openSync(tmpPath, 'w');

  const openFd = (): number => {
    if (fd === null) throw new Error(`atomic stream for ${path} is already closed`);
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
      renameSync(tmpPath, path);
    },
    abort(): void {
      if (fd !== null) {
        closeSync(fd);
        fd = null;
      }
      try {
        unlinkSync(tmpPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
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
