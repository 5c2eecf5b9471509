/**
 * Warnings about input that is accepted (production accepts it too) but is most likely a mistake:
 * one stderr line each, `routesim: warning: FILE: PATH: what (fix: …)`, said once per process even
 * when the same scenario is loaded again.
 */
const said = new Set<string>();

export function warnInput(line: string): void {
  if (said.has(line)) return;
  said.add(line);
  process.stderr.write(`routesim: warning: ${line}\n`);
}

/** Every input warning said so far, in order (the results document carries them as `warnings`). */
export function inputWarnings(): string[] {
  return [...said];
}
