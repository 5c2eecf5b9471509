/**
 * Reading what users write, the same way everywhere (scenarios, EPP configs, pick cases, rules,
 * trace headers): bytes must be valid UTF-8 (never a silent U+FFFD), and YAML is parsed with
 * duplicate keys rejected, alias expansion and nesting depth bounded, every failure given as a
 * position, a problem and a fix. Pure (no file access), so policies/ and sim/ can both use it;
 * sim/core/userFiles.ts adds the file name.
 */
import { isAlias, isCollection, isNode, LineCounter, parseDocument, visit, type Document } from 'yaml';

/** Most aliases a document may expand (a "billion laughs" file stops here). */
export const MAX_ALIAS_COUNT = 1000;
/** Deepest nesting of mappings and lists accepted. */
export const MAX_DEPTH = 64;

/** Where and what went wrong in a user's text; line and column are 1-based. */
export interface TextProblem {
  readonly line?: number;
  readonly col?: number;
  readonly problem: string;
  readonly fix: string;
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });

/** Byte offset of the first invalid UTF-8 sequence in `b`, or -1. */
export function invalidUtf8Offset(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    const c1 = b[i + 1]!;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return i;
    i += n + 1;
  }
  return -1;
}

/** Line (1-based) and column (1-based, in bytes) of byte `offset` in `b`. */
export function lineOfOffset(b: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (b[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/** The problem with bytes that are not UTF-8 (the first bad byte's line and column). */
export function utf8Problem(b: Uint8Array, offset = invalidUtf8Offset(b)): TextProblem {
  const at = Math.max(0, offset);
  const { line, col } = lineOfOffset(b, at);
  return { line, col, problem: `invalid UTF-8 (byte 0x${(b[at] ?? 0).toString(16).padStart(2, '0')})`, fix: 're-save the file as UTF-8' };
}

/** Decodes UTF-8 strictly; a leading byte-order mark is dropped. */
export function decodeUtf8(b: Uint8Array): { text: string } | { error: TextProblem } {
  try {
    return { text: fatalDecoder.decode(b) };
  } catch {
    return { error: utf8Problem(b) };
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? '').trim();
}

/** Depth of the deepest nesting in `v` (iterative: a hostile document cannot overflow the stack). */
function tooDeep(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d >= max) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x as object)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return false;
}

/**
 * YAML (or JSON) text → plain value. Duplicate keys, syntax errors, alias expansion beyond
 * MAX_ALIAS_COUNT and nesting deeper than MAX_DEPTH are problems with a position where known.
 */
export function parseYamlText(text: string): { value: unknown } | { error: TextProblem } {
  let doc;
  const lineCounter = new LineCounter();
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  } catch (err) {
    if (err instanceof RangeError) return { error: { problem: `nested deeper than ${MAX_DEPTH} levels`, fix: 'flatten the document' } };
    return { error: { problem: `cannot parse YAML: ${firstLine(err)}`, fix: 'check the YAML syntax' } };
  }
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const at = pos ? { line: pos.line, col: pos.col } : {};
    if (/call stack/i.test(err.message)) return { error: { ...at, problem: `nested deeper than ${MAX_DEPTH} levels`, fix: 'flatten the document' } };
    const msg = firstLine(err).replace(/ at line \d+, column \d+:?$/, '');
    if (err.code === 'DUPLICATE_KEY') {
      const key = (text.slice(err.pos[0]).split('\n')[0] ?? '').split(/:(?:\s|$)/)[0]!.trim().replace(/^(["'])(.*)\1$/, '$2');
      return { error: { ...at, problem: `duplicate key${key ? ` ${JSON.stringify(key)}` : ''} (keys must be unique in a mapping)`, fix: 'remove or rename the repeated key' } };
    }
    return { error: { ...at, problem: `YAML syntax error: ${msg}`, fix: 'correct the YAML at that position: check indentation, colons, quotes and brackets' } };
  }
  // A list or mapping as a key (`? [x, y] : z`) would be stringified by toJS with a Node warning.
  let badKey: { line: number; col: number } | null | undefined;
  try {
    badKey = collectionKey(doc, lineCounter);
  } catch (e) {
    if (e instanceof RangeError) return { error: { problem: `nested deeper than ${MAX_DEPTH} levels`, fix: 'flatten the document' } };
    throw e;
  }
  if (badKey !== undefined) return { error: { ...(badKey ?? {}), problem: 'a mapping key must be a plain value, not a list or mapping', fix: 'use a string or number as the key' } };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof RangeError) return { error: { problem: `nested deeper than ${MAX_DEPTH} levels`, fix: 'flatten the document' } };
    const m = firstLine(e);
    if (/alias/i.test(m)) return { error: { problem: `aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT}): ${m}`, fix: 'write the repeated parts out, or use fewer nested anchors and aliases' } };
    return { error: { problem: `cannot read YAML: ${m}`, fix: 'simplify anchors and aliases' } };
  }
  if (tooDeep(value, MAX_DEPTH)) return { error: { problem: `nested deeper than ${MAX_DEPTH} levels`, fix: 'flatten the document' } };
  return { value };
}

/**
 * The position of the first mapping key that is a list or mapping (or an alias of one), null when
 * it has no position, undefined when every key is a scalar.
 */
function collectionKey(doc: Document, lines: LineCounter): { line: number; col: number } | null | undefined {
  let found: { line: number; col: number } | null | undefined;
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      const node = isAlias(key) ? key.resolve(doc) : key;
      if (!isCollection(node)) return undefined;
      const at = isNode(key) && key.range ? lines.linePos(key.range[0]) : null;
      found = at ? { line: at.line, col: at.col } : null;
      return visit.BREAK;
    },
  });
  return found;
}

/** `file:line:col` (or `file`) for a problem's position. */
export function positioned(file: string, p: TextProblem): string {
  return p.line !== undefined ? `${file}:${p.line}${p.col !== undefined ? `:${p.col}` : ''}` : file;
}
