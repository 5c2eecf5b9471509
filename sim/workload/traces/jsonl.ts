/**
 * routesim's own request format, JSON Lines, one request per line (README "Workloads and traces"):
 *
 *   {"arrival_us": 1500000, "input_tokens": 1100, "output_tokens": 80,
 *    "segments": [[3735928559, 512], [4027431614, 512]], "output_content": 12345,
 *    "session": 7, "turn": 2, "group": 3, "client": 1, "adapter": "a1", "priority": 0,
 *    "model": "llama-3.1-8b-instruct"}
 *
 * Only `arrival_us`, `input_tokens` and `output_tokens` are required. `segments` lists the prompt's
 * shared structure as [content id, tokens] pairs (same id = same text); the input tokens they do not
 * cover are unique to the request. `model` is the model name in the request body (gateway.md §2.5;
 * absent = the workload's). Every reader can convert into this format without loss of what
 * the simulator uses.
 */
import { closest } from '../../scenario/schema.js';
import { fmtNum, RANGES } from '../../scenario/bounds.js';
import type { Segment, SimRequest } from '../request.js';
import { uniqueContentOf } from '../prompts.js';
import { guardRows, intField, MAX_TRACE_US, RowProblem, shown } from './fields.js';
import { readLines } from './lines.js';
import { jsonObject } from './mooncake.js';
import type { ReadOptions, TraceRow } from './types.js';

export const JSONL_KEYS = ['arrival_us', 'input_tokens', 'output_tokens', 'segments', 'output_content', 'session', 'turn', 'group', 'client', 'adapter', 'priority', 'model'] as const;

function optInt(v: unknown, field: string, min: number, dflt: number): number {
  return v === undefined || v === null ? dflt : intField(v, field, min, 'an id');
}

function contentId(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RowProblem(field, `expected a content id (integer in 0…2³²−1), got ${shown(v)}`, 'give content ids as unsigned 32-bit integers');
  }
  return v;
}

export function jsonlRow(o: Record<string, unknown>, line: number): TraceRow {
  for (const k of Object.keys(o)) {
    if (!(JSONL_KEYS as readonly string[]).includes(k)) {
      const guess = closest(k, JSONL_KEYS);
      throw new RowProblem(k, `unknown key ${JSON.stringify(k)}`, `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}allowed keys are ${JSONL_KEYS.join(', ')}`);
    }
  }
  const timeUs = intField(o.arrival_us, 'arrival_us', 0, 'integer microseconds from the trace start', MAX_TRACE_US);
  const input = intField(o.input_tokens, 'input_tokens', 1);
  const output = intField(o.output_tokens, 'output_tokens', 1);
  const segments: Segment[] = [];
  let covered = 0;
  if (o.segments !== undefined) {
    if (!Array.isArray(o.segments)) throw new RowProblem('segments', `expected a list of [content, tokens] pairs, got ${shown(o.segments)}`, 'write segments as [[content id, tokens], …]');
    o.segments.forEach((s: unknown, i) => {
      if (!Array.isArray(s) || s.length !== 2) throw new RowProblem(`segments[${i}]`, `expected a [content, tokens] pair, got ${shown(s)}`, 'write segments as [[content id, tokens], …]');
      const tokens = intField(s[1], `segments[${i}][1]`, 1);
      segments.push({ content: contentId(s[0], `segments[${i}][0]`), tokens });
      covered += tokens;
    });
    if (covered > input) throw new RowProblem('segments', `cover ${covered} tokens, more than input_tokens ${input}`, 'make the segment lengths sum to at most input_tokens');
  }
  const adapter = o.adapter;
  if (adapter !== undefined && adapter !== null && (typeof adapter !== 'string' || adapter === '')) {
    throw new RowProblem('adapter', `expected an adapter name or null, got ${shown(adapter)}`, 'give the LoRA adapter name as a string');
  }
  const priority = o.priority;
  if (priority !== undefined && priority !== null && !(typeof priority === 'number' && Number.isInteger(priority) && Math.abs(priority) <= RANGES.priority.max)) {
    throw new RowProblem('priority', `expected an integer between ${fmtNum(RANGES.priority.min)} and ${fmtNum(RANGES.priority.max)}, got ${shown(priority)}`, 'give priority as an integer (higher is more important, < 0 sheddable)');
  }
  const model = o.model;
  if (model !== undefined && model !== null && (typeof model !== 'string' || model === '' || /[\u0000-\u001f\u007f]/.test(model))) {
    throw new RowProblem('model', `expected a model name or null, got ${shown(model)}`, 'give the model name in the request body as a non-empty string');
  }
  const row: TraceRow = {
    timeUs,
    segments,
    uniqueTokens: input - covered,
    inputTokens: input,
    outputTokens: output,
    outputContent: o.output_content === undefined || o.output_content === null ? null : contentId(o.output_content, 'output_content'),
    session: optInt(o.session, 'session', -1, -1),
    turn: optInt(o.turn, 'turn', 0, 0),
    group: optInt(o.group, 'group', -1, -1),
    client: optInt(o.client, 'client', -1, -1),
    adapter: (adapter as string | null | undefined) ?? null,
    priority: (priority as number | null | undefined) ?? null,
    line,
  };
  return typeof model === 'string' ? { ...row, model } : row;
}

export function* readJsonl(path: string, opts: ReadOptions): Generator<TraceRow> {
  yield* guardRows(path, readLines(path), (l) => (l.text.trim() === '' ? null : jsonlRow(jsonObject(l.text), l.lineNo)), opts, 'arrival_us');
}

/**
 * One JSONL line (with newline) for request `r`. A trailing segment unique to the request
 * (`uniqueContentOf(r.id)`, how generators and replays make unique prompts) is left implicit.
 */
export function jsonlLine(r: SimRequest): string {
  const segs = r.segments;
  let n = segs.length;
  if (n > 0 && segs[n - 1]!.content === uniqueContentOf(r.id)) n--;
  const o: Record<string, unknown> = { arrival_us: r.arrivalUs, input_tokens: r.inputTokens, output_tokens: r.outputTokens };
  if (n > 0) o.segments = segs.slice(0, n).map((s) => [s.content, s.tokens]);
  o.output_content = r.outputContent;
  if (r.session >= 0) {
    o.session = r.session;
    o.turn = r.turn;
  }
  if (r.group >= 0) o.group = r.group;
  if ((r.client ?? -1) >= 0) o.client = r.client;
  if (r.adapter !== null) o.adapter = r.adapter;
  o.priority = r.priority;
  if (r.model !== undefined) o.model = r.model;
  return `${JSON.stringify(o)}\n`;
}
