/**
 * Removal of an interrupted command's temporary files. A detached `sh` (its own session, so a
 * terminal's Ctrl-C does not reach it) is started with the temporary paths; it blocks reading a
 * pipe from this process until the pipe closes — which happens when this process ends, however it
 * ends (normal exit, SIGINT, SIGTERM, even SIGKILL) — then deletes those paths and removes the
 * directories created for the outputs if they are empty. After a commit or an abort none of the
 * paths exists any more, so the watcher does nothing. It costs one fork of `sh` per command that
 * writes files, and nothing in the simulation.
 */
import { spawn } from 'node:child_process';

const SCRIPT = 'cat >/dev/null; for p in "$@"; do case "$p" in D:*) rmdir -- "${p#D:}" 2>/dev/null;; *) rm -rf -- "$p";; esac; done';

/** Starts the watcher for `paths` (files or directories) and `dirs` (removed only when empty, in order). */
export function startReaper(paths: readonly string[], dirs: readonly string[]): void {
  if (process.platform === 'win32') return;
  try {
    const child = spawn('/bin/sh', ['-c', SCRIPT, 'routesim-cleanup', ...paths, ...dirs.map((d) => `D:${d}`)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.on('error', () => {});
    child.stdin.on('error', () => {});
    child.unref();
    (child.stdin as unknown as { unref(): void }).unref();
  } catch {
    // no sh: an interrupted run may leave a temporary file, as before
  }
}
