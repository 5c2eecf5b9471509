/**
 * Synchronous, chunked reading of text trace files in constant memory, so a trace can feed the
 * simulation's synchronous request stream (runPolicy pulls from an Iterator) without loading the
 * file: one 64 KiB buffer plus the current partial line.
 *
 * Gzip input is detected by its magic bytes (whatever the extension). zlib has no public
 * synchronous streaming API, so a gzipped file is inflated once per process into a temporary file
 * by a child `node` process running `stream.pipeline(createReadStream, createGunzip,
 * createWriteStream)` (public APIs, constant memory); every later read of the same file in this
 * process reuses it, and the temporary directory is removed when the process exits.
 */
import { spawnSync } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { closeSync, constants, fstatSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { inputError, readProblem, UserError } from '../../core/errors.js';
import { noteInput } from '../../core/inputsRead.js';
import { invalidUtf8Offset, utf8Problem } from '../../../policies/util/userText.js';
import { openAtomicStream, type AtomicStream } from '../../../reports/atomicWrite.js';

const CHUNK = 1 << 20;

/**
 * Bytes read at a time (issue 15). Chunks of 1 MiB churned 2–4 MiB malloc blocks (the decoder's
 * UTF-16 buffer, an external string: Node makes one above 1,031,913 bytes) that glibc kept: ≈ 100
 * MB of fragmented C heap on a streamed 2M-row replay. At 64 KiB an ASCII chunk is one string in
 * V8's young generation, which dies there: chunks above 128 KiB go to the large-object space, part
 * of the old generation, whose garbage (two strings a chunk) forced a full collection every few
 * seconds.
 */
const READ_CHUNK = 1 << 16;

/** `line` without a final `\r` (the rest of a `\r\n` ending). */
function withoutCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** One line of a text file without its line terminator; `lineNo` is 1-based. */
export interface Line {
  readonly text: string;
  readonly lineNo: number;
}

/** Whether `path` starts with the gzip magic bytes. Throws a UserError when it cannot be read. */
export function isGzip(path: string): boolean {
  const fd = openForRead(path);
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Opens a regular file for reading (noted as an input: no output may overwrite it). */
function openForRead(path: string): number {
  if (path.trim() === '') throw new UserError('the trace path is empty (fix: give the path of a trace file)');
  let fd: number | null = null;
  try {
    if (statSync(path).isDirectory()) throw inputError(path, '', 'is a directory', 'give the path of a trace file');
    // Non-blocking open so a FIFO without a writer cannot hang; a device such as /dev/zero never ends.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) throw inputError(path, '', 'not a regular file', 'give the path of a trace file');
    noteInput(path);
    return fd;
  } catch (err) {
    if (fd !== null) closeSync(fd);
    if (err instanceof UserError) throw err;
    throw inputError(path, '', readProblem(err), 'check the path (paths in a scenario are relative to the scenario file)');
  }
}

let tempDir: string | null = null;
let tempCounter = 0;
const inflated = new Map<string, string>();

function scratchDir(): string {
  if (tempDir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-trace-'));
    tempDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return tempDir;
}

const GUNZIP_SCRIPT = `
const { pipeline } = require('node:stream');
const fs = require('node:fs');
const zlib = require('node:zlib');
pipeline(fs.createReadStream(process.argv[1]), zlib.createGunzip(), fs.createWriteStream(process.argv[2]), (e) => {
  if (e) { process.stderr.write(String(e.message).split('\\n')[0]); process.exit(1); }
});`;

/**
 * A plain-text path with the content of `path`: `path` itself, or (gzip) its inflated temporary
 * copy, made on first use and reused while the file's size and modification time are unchanged.
 */
export function plainTextPath(path: string): string {
  if (!isGzip(path)) return path;
  const st = statSync(path);
  const key = `${resolve(path)}\0${st.size}\0${st.mtimeMs}`;
  const hit = inflated.get(key);
  if (hit !== undefined) return hit;
  const out = join(scratchDir(), `${tempCounter++}.txt`);
  const r = spawnSync(process.execPath, ['-e', GUNZIP_SCRIPT, path, out], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (r.status !== 0) {
    rmSync(out, { force: true });
    const why = (r.stderr || r.error?.message || `exit status ${r.status}`).trim();
    throw inputError(path, '', `cannot decompress gzip data (${why})`, 'check that the file is a complete .gz file, e.g. with gzip -t');
  }
  inflated.set(key, out);
  return out;
}

/**
 * The lines of `path` (gzip or plain UTF-8; `\n` or `\r\n` endings), read in 64 KiB chunks. A final
 * line without a terminator is yielded; an empty file yields nothing. Closing the generator early
 * closes the file. Bytes that are not UTF-8 are a UserError naming the line (never a U+FFFD).
 */
export function* readLines(path: string): Generator<Line> {
  const fd = openForRead(plainTextPath(path));
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    // Until the first chunk with a byte ≥ 0x80 the decoder holds no partial sequence, so an
    // all-ASCII chunk is read as Latin-1 (the same characters), skipping its UTF-16 buffer.
    let ascii = true;
    const decode = (bytes: Uint8Array | undefined, stream: boolean): string => {
      try {
        return decoder.decode(bytes, { stream });
      } catch {
        // Position of the first bad byte in this chunk (an incomplete sequence at the end: its start).
        const chunk = bytes ?? new Uint8Array(0);
        const at = Math.max(0, invalidUtf8Offset(chunk));
        let line = lineNo + 1;
        for (let i = 0; i < at; i++) if (chunk[i] === 0x0a) line++;
        throw inputError(path, `line ${line}`, utf8Problem(chunk, at).problem, 're-save the file as UTF-8');
      }
    };
    let carry = '';
    let lineNo = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, READ_CHUNK, null);
      if (n === 0) break;
      const bytes = buf.subarray(0, n);
      if (ascii && !isAscii(bytes)) ascii = false;
      const text = ascii ? buf.toString('latin1', 0, n) : decode(bytes, true);
      let start = 0;
      let i = text.indexOf('\n');
      if (carry.length > 0) {
        // The line begun in the previous chunk: joined here, not by copying this chunk behind it.
        if (i < 0) {
          carry += text;
          continue;
        }
        const line = carry + text.slice(0, i);
        carry = '';
        yield { text: withoutCr(line), lineNo: ++lineNo };
        start = i + 1;
        i = text.indexOf('\n', start);
      }
      for (; i >= 0; i = text.indexOf('\n', start)) {
        const end = i > start && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
        yield { text: text.slice(start, end), lineNo: ++lineNo };
        start = i + 1;
      }
      carry = text.slice(start);
    }
    carry += decode(undefined, false);
    if (carry.length > 0) yield { text: withoutCr(carry), lineNo: ++lineNo };
  } finally {
    closeSync(fd);
  }
}

/** One CSV record: its fields and the (first) line it starts on. */
export interface CsvRecord {
  readonly fields: string[];
  readonly lineNo: number;
}

/**
 * RFC 4180 records from lines: fields separated by commas, optionally double-quoted with `""` for
 * a quote; a quoted field may span lines (its newline is kept as `\n`). Blank lines are skipped.
 * A quoted field still open at the end of the file is a UserError naming the line it starts on.
 */
export function* csvRecords(lines: Iterable<Line>, file: string): Generator<CsvRecord> {
  let pending: string | null = null;
  let startLine = 0;
  for (const { text, lineNo } of lines) {
    const record: string = pending === null ? text : `${pending}\n${text}`;
    if (pending === null) startLine = lineNo;
    if (pending === null && text.trim() === '') continue;
    if (record.indexOf('"') < 0) {
      pending = null;
      yield { fields: record.split(','), lineNo: startLine };
      continue;
    }
    const fields = splitQuoted(record);
    if (fields === null) {
      pending = record;
      continue;
    }
    pending = null;
    yield { fields, lineNo: startLine };
  }
  if (pending !== null) throw inputError(file, `line ${startLine}`, 'a quoted field is never closed', 'close the field with a double quote (write "" for a quote inside it)');
}

/** Fields of one record containing quotes, or null when a quoted field is still open at the end. */
function splitQuoted(s: string): string[] | null {
  const out: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atStart = true;
  while (i < s.length) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && atStart) {
      quoted = true;
      atStart = false;
      i++;
      continue;
    }
    if (c === ',') {
      out.push(field);
      field = '';
      atStart = true;
      i++;
      continue;
    }
    field += c;
    atStart = false;
    i++;
  }
  if (quoted) return null;
  out.push(field);
  return out;
}

/** A CSV field, quoted when it contains a comma, quote or newline. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A text file written in chunks and published atomically (reports/atomicWrite.ts). A path ending
 * in `.gz` is gzip-compressed, 1 MiB at a time: the result is a multi-member gzip file, which
 * gunzip, zcat and every zlib reader decompress as one stream.
 */
export interface TextSink {
  write(text: string): void;
  commit(): void;
  abort(): void;
}

export function openTextSink(path: string): TextSink {
  const gz = path.endsWith('.gz');
  const out: AtomicStream = openAtomicStream(path);
  let buffered: string[] = [];
  let size = 0;
  let written = false;
  const flush = (): void => {
    if (size === 0 && (written || !gz)) return; // an empty .gz still gets one (empty) gzip member
    const text = buffered.join('');
    out.write(gz ? gzipSync(Buffer.from(text, 'utf8'), { level: 6 }) : text);
    written = true;
    buffered = [];
    size = 0;
  };
  return {
    write(text: string): void {
      buffered.push(text);
      size += text.length;
      if (size >= CHUNK) flush();
    },
    commit(): void {
      if (size > 0 || !written) flush();
      out.commit();
    },
    abort(): void {
      buffered = [];
      size = 0;
      out.abort();
    },
  };
}
