/**
 * A command's outputs as one all-or-nothing transaction. `prepareOutputs` checks every output path
 * (targets.ts) and creates each output's temporary file (or directory) next to its target before
 * any work, which proves the place is writable. The writers (atomicWrite.ts) then write into those
 * temporary files, and `commit()` renames them all into place — rolling back the ones already
 * renamed if a later one fails — or `abort()` deletes them. One failure therefore leaves every old
 * file untouched and no temporary file behind.
 *
 * A signal (Ctrl-C, SIGTERM) ends the process at once, even in the middle of a synchronous
 * simulation, with the shell's status 130 / 143: no JavaScript signal handler runs, as one would
 * only run after the simulation returned. The temporary files are instead removed by a tiny
 * detached `sh` watcher started with their names (reaper.ts), which waits for this process to end
 * and deletes whatever of them is left (nothing, after a commit or an abort).
 *
 * `-` targets (stdout) are staged in the system's temporary directory and copied to stdout on
 * commit, after every file has been renamed.
 */
import { closeSync, copyFileSync, linkSync, mkdirSync, openSync, readSync, renameSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { inputError } from '../../sim/core/errors.js';
import { startReaper } from './reaper.js';
import { checkOutputs, type CheckOptions, type OutputRequest, type OutputTarget } from './targets.js';

export { STDOUT, type OutputRequest } from './targets.js';

/** One staged output. */
export interface StagedOutput {
  readonly target: OutputTarget;
  /** Temporary file (or directory) the writer writes to. */
  readonly tmp: string;
  /** Set by the writer when the content is complete. */
  ready: boolean;
}

let counter = 0;
let active: OutputPlan | null = null;

/** The plan being written, if any (atomicWrite.ts routes declared paths to it). */
export function activePlan(): OutputPlan | null {
  return active;
}

/** Aborts the plan being written, if any (the CLI's error path). */
export function abortActivePlan(): void {
  active?.abort();
}

function why(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

export class OutputPlan {
  private readonly staged: StagedOutput[] = [];
  private readonly byKey = new Map<string, StagedOutput>();
  private readonly createdDirs: string[] = [];
  private done = false;

  constructor(targets: readonly OutputTarget[]) {
    const tmps: string[] = [];
    const tmpOf = (t: OutputTarget): string => {
      const n = `${process.pid}-${counter++}`;
      if (t.kind === 'stdout' || t.special) return join(tmpdir(), `routesim-out.tmp-${n}`);
      if (t.kind === 'dir') return join(dirname(t.abs), `.${basename(t.abs)}.tmp-${n}`);
      return `${t.abs}.tmp-${n}`;
    };
    const plan = targets.map((t) => ({ t, tmp: tmpOf(t) }));
    const dirs = [...new Set(targets.flatMap((t) => t.missingDirs))].sort((a, b) => a.length - b.length);
    for (const p of plan) tmps.push(p.tmp);
    // The watcher first, so a signal while the temporary files are created still removes them.
    if (tmps.length > 0) startReaper(tmps, [...dirs].reverse());
    let current: OutputTarget | undefined;
    let place = '';
    try {
      for (const d of dirs) {
        current = targets.find((t) => t.missingDirs.includes(d));
        place = dirname(d);
        try {
          mkdirSync(d);
          this.createdDirs.push(d);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
      for (const { t, tmp } of plan) {
        current = t;
        place = dirname(tmp);
        if (t.kind === 'dir') mkdirSync(tmp);
        else closeSync(openSync(tmp, 'wx'));
        const s: StagedOutput = { target: t, tmp, ready: false };
        this.staged.push(s);
        for (const k of t.keys) this.byKey.set(k, s);
      }
    } catch (err) {
      this.abort();
      const t = current ?? targets[0]!;
      throw inputError(t.flag.startsWith('-') ? `${t.flag} ${t.given}` : t.given, '', `cannot write in ${place} (${why(err)})`, 'choose a writable place');
    }
    active = this;
  }

  /** The staged output a writer names by `path`, if declared. */
  lookup(path: string): StagedOutput | undefined {
    return this.byKey.get(path) ?? this.byKey.get(resolve(path));
  }

  /** Whether some output goes to stdout. */
  get usesStdout(): boolean {
    return this.staged.some((s) => s.target.kind === 'stdout');
  }

  /**
   * Publishes every output whose writer finished: files renamed over their targets (an old file is
   * kept as a hard link until all renames succeeded, and put back if one fails), special files
   * (e.g. /dev/null) written in place, then stdout. Outputs never written are dropped.
   */
  commit(): void {
    if (this.done) throw new Error('output plan already finished');
    const renamed: Array<{ s: StagedOutput; backup: string | null; oldDir?: string }> = [];
    try {
      for (const s of this.staged) {
        if (!s.ready || s.target.kind === 'stdout' || s.target.special) continue;
        const t = s.target;
        if (t.kind === 'dir') {
          const old = join(dirname(t.abs), `.${basename(t.abs)}.old-${process.pid}-${counter++}`);
          let moved = false;
          try {
            renameSync(t.abs, old);
            moved = true;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
          try {
            renameSync(s.tmp, t.abs);
          } catch (err) {
            if (moved) renameSync(old, t.abs);
            throw err;
          }
          renamed.push({ s, backup: null, ...(moved ? { oldDir: old } : {}) });
          continue;
        }
        let backup: string | null = `${t.abs}.old-${process.pid}-${counter++}`;
        try {
          linkSync(t.abs, backup);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') backup = null;
          else copyFileSync(t.abs, backup);
        }
        try {
          renameSync(s.tmp, t.abs);
        } catch (err) {
          if (backup) unlinkSync(backup);
          throw err;
        }
        renamed.push({ s, backup });
      }
    } catch (err) {
      for (const r of renamed.reverse()) {
        const t = r.s.target;
        try {
          if (t.kind === 'dir') {
            rmSync(t.abs, { recursive: true, force: true });
            if (r.oldDir) renameSync(r.oldDir, t.abs);
          } else if (r.backup) renameSync(r.backup, t.abs);
          else unlinkSync(t.abs);
        } catch {
          // best effort: keep rolling back the others
        }
      }
      this.abort();
      throw inputError(renamed.length < this.staged.length ? this.describe(this.staged.find((s) => s.ready && !renamed.some((r) => r.s === s))) : 'output', '', `cannot publish the output (${why(err)}); every old file was kept`, 'check the disk and the folders, then run again');
    }
    for (const r of renamed) {
      if (r.backup) rmSync(r.backup, { force: true });
      if (r.oldDir) rmSync(r.oldDir, { recursive: true, force: true });
    }
    for (const s of this.staged) {
      if (!s.ready || !s.target.special) continue;
      const fd = openSync(s.target.abs, 'w');
      try {
        copyInto(s.tmp, fd);
      } finally {
        closeSync(fd);
      }
    }
    for (const s of this.staged) if (s.ready && s.target.kind === 'stdout') copyInto(s.tmp, 1);
    this.finish();
  }

  /** Deletes every temporary file and directory created; targets are untouched. Safe to call twice. */
  abort(): void {
    if (this.done) return;
    this.finish();
  }

  private describe(s: StagedOutput | undefined): string {
    if (!s) return 'output';
    return s.target.flag.startsWith('-') ? `${s.target.flag} ${s.target.given}` : s.target.given;
  }

  private finish(): void {
    this.done = true;
    for (const s of this.staged) {
      rmSync(s.tmp, { recursive: true, force: true });
    }
    for (const d of [...this.createdDirs].reverse()) {
      try {
        rmdirSync(d);
      } catch {
        // not empty: an output now lives there
      }
    }
    if (active === this) active = null;
  }
}

/** Copies a staged file to `out` (stdout or a special file), synchronously, in 1 MiB chunks. */
function copyInto(path: string, out: number): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      let off = 0;
      while (off < n) {
        try {
          off += writeSync(out, buf, off, n - off);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks `requests` and stages every output (see the module comment). The returned plan is also
 * the active one, which atomicWrite's writers use for the declared paths until commit or abort.
 */
export function prepareOutputs(requests: readonly OutputRequest[], opts: CheckOptions = {}): OutputPlan {
  if (active) throw new Error('an output plan is already active');
  return new OutputPlan(checkOutputs(requests, opts));
}
