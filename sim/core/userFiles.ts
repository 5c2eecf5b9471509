/**
 * The one place user files are read as text: strict UTF-8 (an invalid byte is an error naming the
 * file, line and column, never a silent U+FFFD) and YAML through policies/util/userText.ts
 * (duplicate keys, alias and depth limits), every failure one `routesim: FILE…: what (fix: …)` line.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { decodeUtf8, parseYamlText, positioned } from '../../policies/util/userText.js';
import { inputError, readProblem, UserError } from './errors.js';
import { noteInput } from './inputsRead.js';

/**
 * Reads a text file the user named; a failure is one line naming the file and the fix. Only a
 * regular file is read (a FIFO or device such as /dev/zero would block or never end). The file is
 * noted as an input (inputsRead.ts), so no output of the command may overwrite it.
 */
export function readUserFile(path: string, fix: string): string {
  if (path.trim() === '') throw new UserError(`the input path is empty (fix: ${fix})`);
  let bytes: Buffer;
  let fd: number | null = null;
  try {
    // Non-blocking, so opening a FIFO without a writer does not wait; no effect on regular files.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    // A FIFO, device (/dev/zero) or socket never ends or blocks: refuse it before reading.
    if (!st.isFile() && !st.isDirectory()) throw inputError(path, '', 'not a regular file', fix);
    bytes = readFileSync(fd);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw inputError(path, '', readProblem(err), fix);
  } finally {
    if (fd !== null) closeSync(fd);
  }
  noteInput(path);
  const r = decodeUtf8(bytes);
  if ('error' in r) throw inputError(positioned(path, r.error), '', r.error.problem, r.error.fix);
  return r.text;
}

/** The error for a YAML problem in `file`. */
function yamlError(file: string, text: string): UserError | { value: unknown } {
  const r = parseYamlText(text);
  if ('error' in r) return inputError(positioned(file, r.error), '', r.error.problem, r.error.fix);
  return r;
}

/** Parses YAML `text` of `file` (duplicate keys, syntax, aliases, depth → one-line errors). */
export function parseUserYaml(text: string, file: string): unknown {
  const r = yamlError(file, text);
  if (r instanceof Error) throw r;
  return r.value;
}

/** Reads and parses a YAML file the user named. */
export function readUserYaml(path: string, fix: string): unknown {
  return parseUserYaml(readUserFile(path, fix), path);
}

/** A user's JSON file, parsed; one line naming the file when it is not valid JSON (`fix` says what to give). */
export function readUserJson(path: string, fix: string): unknown {
  const text = readUserFile(path, fix);
  try {
    return JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) throw inputError(path, '', 'not valid JSON', fix);
    throw err;
  }
}
