/**
 * Atomic file output: a reader sees either the old file or the complete new one, never a partial
 * write. Small files go through `write-file-atomic`; large streamed files (requests.csv) go to a
 * temporary file next to the target that is renamed over it on commit.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
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
