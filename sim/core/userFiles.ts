/**
 * The one place user files are read as text: strict UTF-8 (an invalid byte is an error naming the
 * file, line and column, never a silent U+FFFD) and YAML through policies/util/userText.ts
 * (duplicate keys, alias and depth limits), every failure one `routesim: FILE…: what (fix: …)` line.
 */
import { readFileSync } from 'node:fs';
import { decodeUtf8, parseYamlText, positioned } from '../../policies/util/userText.js';
import { inputError, readProblem, type UserError } from './errors.js';

/** Reads a text file the user named; a failure is one line naming the file and the fix. */
export function readUserFile(path: string, fix: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw inputError(path, '', readProblem(err), fix);
  }
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
