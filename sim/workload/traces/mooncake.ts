/**
 * Mooncake FAST'25 JSON Lines (`timestamp` ms, `input_length`, `output_length`, `hash_ids`): one
 * id per 512-token block, chained (equal ids at a position ⇒ identical prefix up to that block).
 * Each id becomes one prompt segment whose content is a bijection of the id, 512 tokens long except
 * the last, which holds what `input_length` leaves; so equal id prefixes are identical content for
 * both the engine's KV cache and the router's prefix index.
 */
import { hashInts } from '../../core/hash.js';
import { ContentTag } from '../prompts.js';
import type { Segment } from '../request.js';
import { guardRows, intField, numField, RowProblem, shown } from './fields.js';
import { readLines } from './lines.js';
import { plainRow, type ReadOptions, type TraceRow } from './types.js';

/** Tokens per Mooncake hash block. */
export const MOONCAKE_BLOCK_TOKENS = 512;

/** Content id of Mooncake hash id `id` (a bijection on 32-bit ids). */
export function mooncakeContent(id: number): number {
  return hashInts(ContentTag.traceBlock, id);
}

/** Parse one JSON line as a JSON object, or raise a RowProblem. */
export function jsonObject(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new RowProblem('json', `not valid JSON (${(err as Error).message.split('\n')[0]})`, 'write one JSON object per line');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new RowProblem('json', `expected a JSON object, got ${shown(v)}`, 'write one JSON object per line');
  return v as Record<string, unknown>;
}

export function mooncakeRow(o: Record<string, unknown>, line: number): TraceRow {
  const ms = numField(o.timestamp, 'timestamp', 0, 'arrival in milliseconds from the trace start');
  const input = intField(o.input_length, 'input_length', 1);
  const output = intField(o.output_length, 'output_length', 1);
  const ids = o.hash_ids;
  if (!Array.isArray(ids)) throw new RowProblem('hash_ids', `expected a list of block ids, got ${shown(ids)}`, 'give hash_ids as a list of integers, one per 512-token block');
  const need = Math.ceil(input / MOONCAKE_BLOCK_TOKENS);
  if (ids.length !== need) {
    throw new RowProblem('hash_ids', `has ${ids.length} ids but input_length ${input} needs ⌈${input}/512⌉ = ${need}`, 'give one hash id per 512-token block of the prompt');
  }
  const segments: Segment[] = new Array(need);
  for (let i = 0; i < need; i++) {
    const id = ids[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new RowProblem(`hash_ids[${i}]`, `expected an integer in 0…2³²−1, got ${shown(id)}`, 'give block ids as non-negative integers');
    }
    segments[i] = { content: mooncakeContent(id), tokens: i < need - 1 ? MOONCAKE_BLOCK_TOKENS : input - MOONCAKE_BLOCK_TOKENS * (need - 1) };
  }
  return plainRow(Math.round(ms * 1000), segments, input, output, line);
}

export function* readMooncake(path: string, opts: ReadOptions): Generator<TraceRow> {
  yield* guardRows(path, readLines(path), (l) => (l.text.trim() === '' ? null : mooncakeRow(jsonObject(l.text), l.lineNo)), opts, 'timestamp');
}
