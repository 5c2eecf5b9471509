/**
 * Warnings about input that is accepted (production accepts it too) but is most likely a mistake:
 * one stderr line each, `routesim: warning: FILE: PATH: what (fix: …)`, said once per process even
 * when the same scenario is loaded again.
 */
const said = new Set<string>();
let muted = false;

export function warnInput(line: string): void {
  if (said.has(line)) return;
  said.add(line);
  if (!muted) process.stderr.write(`routesim: warning: ${line}\n`);
}

/** Keeps warnings off stderr in this thread (worker threads: the main thread already said them). */
export function muteInputWarnings(): void {
  muted = true;
}

/** Every input warning said so far, in order (the results document carries them as `warnings`). */
export function inputWarnings(): string[] {
  return [...said];
}
