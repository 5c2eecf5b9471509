/**
 * A mistake in what the user gave us (a file, a field, a flag). The CLI prints its message as one
 * line and exits 2; no stack trace. Messages name the file, the field and the fix.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * A mistake found while a scenario runs rather than while it loads (e.g. requests flow control can
 * never release). The simulator does not know the file; the CLI prefixes the scenario's path.
 */
export class ScenarioRunError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioRunError';
  }
}

/** Build the standard one-line message: `file: path: problem (fix)`. */
export function inputError(file: string, path: string, problem: string, fix: string): UserError {
  const where = path ? `${file}: ${path}` : file;
  return new UserError(`${where}: ${problem}${fix ? ` (fix: ${fix})` : ''}`);
}

/** Why a file could not be read, in words (from a Node fs error). */
export function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read file (${code ?? String(err)})`;
}

export { readUserFile } from './userFiles.js';
