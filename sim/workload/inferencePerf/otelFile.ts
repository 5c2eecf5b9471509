/**
 * One local OTel trace file of `otel_trace_replay` (formats.md §1.4) → its LLM spans. A file is
 * one session record in the OTLP/JSON export shape `{resourceSpans: [{scopeSpans: [{spans: [...]}]}]}`
 * (a bare `{spans: [...]}` is accepted too). A span has `startTimeUnixNano`, `endTimeUnixNano`
 * (strings or integers) and `attributes: [{key, value: {stringValue|intValue|doubleValue|boolValue}}]`;
 * it is an LLM span when it carries `gen_ai.input.messages` (a JSON string: a list of
 * `{role, parts: [{type, content, …}]}` or `{role, content}` messages, GenAI semantic conventions).
 * Tokens come from `gen_ai.usage.input_tokens` (required; alias `prompt_tokens`) and
 * `gen_ai.usage.output_tokens` (alias `completion_tokens`; absent → default_max_tokens). A span is
 * an error when `status.code` is 2 / STATUS_CODE_ERROR or it has `error.type`; a tool call when an
 * output part has type `tool_call` or a finish reason is tool_call(s). Other spans are ignored.
 * Times are made relative to the earliest LLM span's start, in µs.
 */
import { inputError } from '../../core/errors.js';
import { readUserFile } from '../../core/userFiles.js';

export interface OtelMessage {
  /** Canonical text of the message (role + content, key order normalised): equal keys = the same message. */
  readonly key: string;
  /** Characters of its content (token apportioning weight, ≥ 1). */
  readonly chars: number;
}

export interface OtelSpan {
  readonly startUs: number;
  readonly endUs: number;
  readonly input: readonly OtelMessage[];
  readonly output: readonly OtelMessage[];
  readonly inputTokens: number;
  /** null = not recorded. */
  readonly outputTokens: number | null;
  readonly error: boolean;
  readonly toolCall: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** JSON with object keys sorted, so equal messages give equal keys. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function attrValue(v: unknown): unknown {
  if (!isObj(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return typeof v.intValue === 'string' ? Number(v.intValue) : v.intValue;
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if (isObj(v.arrayValue) && Array.isArray(v.arrayValue.values)) return v.arrayValue.values.map(attrValue);
  return undefined;
}

export function readOtelFile(path: string): OtelSpan[] {
  const text = readUserFile(path, 'check trace_directory / trace_files of data.otel_trace_replay');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw inputError(path, '', `not JSON (${(e as Error).message})`, 'give one OTLP/JSON session export per file, or set skip_invalid_files: true');
  }
  return parseOtelDoc(doc, path);
}

export function parseOtelDoc(doc: unknown, file: string): OtelSpan[] {
  const fail = (at: string, problem: string, fix: string): Error => inputError(file, at, problem, `${fix}, or set skip_invalid_files: true`);
  const raw: Array<{ at: string; span: unknown }> = [];
  if (isObj(doc) && Array.isArray(doc.resourceSpans)) {
    doc.resourceSpans.forEach((rs, r) => {
      const ss = isObj(rs) ? rs.scopeSpans : undefined;
      if (!Array.isArray(ss)) throw fail(`resourceSpans[${r}].scopeSpans`, 'missing or not a list', 'give resourceSpans[].scopeSpans[].spans[]');
      ss.forEach((s, k) => {
        const spans = isObj(s) ? s.spans : undefined;
        if (!Array.isArray(spans)) throw fail(`resourceSpans[${r}].scopeSpans[${k}].spans`, 'missing or not a list', 'give resourceSpans[].scopeSpans[].spans[]');
        spans.forEach((span, i) => raw.push({ at: `resourceSpans[${r}].scopeSpans[${k}].spans[${i}]`, span }));
      });
    });
  } else if (isObj(doc) && Array.isArray(doc.spans)) {
    doc.spans.forEach((span, i) => raw.push({ at: `spans[${i}]`, span }));
  } else throw fail('resourceSpans', 'missing: not an OTLP/JSON trace export', 'give {"resourceSpans": [{"scopeSpans": [{"spans": [...]}]}]}');

  const parsed: Array<Omit<OtelSpan, 'startUs' | 'endUs'> & { start: bigint; end: bigint }> = [];
  for (const { at, span } of raw) {
    if (!isObj(span)) throw fail(at, 'a span must be an object', 'give each span as an object');
    const attrs = new Map<string, unknown>();
    if (span.attributes !== undefined) {
      if (!Array.isArray(span.attributes)) throw fail(`${at}.attributes`, 'not a list', 'give attributes as [{key, value: {stringValue|intValue|…}}]');
      for (const a of span.attributes) if (isObj(a) && typeof a.key === 'string') attrs.set(a.key, attrValue(a.value));
    }
    if (!attrs.has('gen_ai.input.messages')) continue;
    const time = (k: 'startTimeUnixNano' | 'endTimeUnixNano'): bigint => {
      const v = span[k];
      if ((typeof v === 'string' && /^\d+$/.test(v)) || (typeof v === 'number' && Number.isInteger(v) && v >= 0)) return BigInt(v);
      throw fail(`${at}.${k}`, v === undefined ? 'missing' : `not an integer nanosecond time: ${JSON.stringify(v)}`, `give ${k} as nanoseconds since the epoch, e.g. "1700000000000000000"`);
    };
    const start = time('startTimeUnixNano');
    const end = time('endTimeUnixNano');
    if (end < start) throw fail(`${at}.endTimeUnixNano`, 'before startTimeUnixNano', 'give end ≥ start');
    const messages = (k: string, required: boolean): OtelMessage[] => {
      const v = attrs.get(k);
      if (v === undefined && !required) return [];
      let list: unknown = v;
      if (typeof v === 'string') {
        try {
          list = JSON.parse(v);
        } catch {
          list = undefined;
        }
      }
      if (!Array.isArray(list) || !list.every(isObj)) throw fail(`${at}.attributes[${k}]`, 'not a JSON list of messages', `give ${k} as a JSON string of [{"role": …, "parts": [{"type": "text", "content": …}]}]`);
      return list.map((m) => messageOf(m));
    };
    const tokens = (keys: string[]): number | null => {
      for (const k of keys) {
        const v = attrs.get(k);
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw fail(`${at}.attributes[${k}]`, `not a token count: ${JSON.stringify(v)}`, `give ${k} as an intValue ≥ 0`);
        return v;
      }
      return null;
    };
    const inputTokens = tokens(['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens']);
    if (inputTokens === null) throw fail(`${at}.attributes[gen_ai.usage.input_tokens]`, 'missing', 'record the prompt length as gen_ai.usage.input_tokens');
    const input = messages('gen_ai.input.messages', true);
    const outRaw = attrs.get('gen_ai.output.messages');
    const output = messages('gen_ai.output.messages', false);
    const status = isObj(span.status) ? span.status.code : undefined;
    const reasons = attrs.get('gen_ai.response.finish_reasons');
    parsed.push({
      start,
      end,
      input,
      output,
      inputTokens,
      outputTokens: tokens(['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens']),
      error: status === 2 || status === 'STATUS_CODE_ERROR' || attrs.has('error.type'),
      toolCall: isToolCall(outRaw, reasons),
    });
  }
  if (parsed.length === 0) throw fail('spans', 'no LLM span (one with attribute gen_ai.input.messages)', 'record the LLM calls with the GenAI semantic conventions');
  const t0 = parsed.reduce((a, s) => (s.start < a ? s.start : a), parsed[0]!.start);
  return parsed.map(({ start, end, ...s }) => ({ ...s, startUs: Number((start - t0) / 1000n), endUs: Number((end - t0) / 1000n) }));
}

function messageOf(m: Obj): OtelMessage {
  const { finish_reason: _drop, ...rest } = m;
  let chars = 0;
  if (typeof m.content === 'string') chars += m.content.length;
  if (Array.isArray(m.parts)) for (const p of m.parts) chars += isObj(p) && typeof p.content === 'string' ? p.content.length : stable(p).length;
  return { key: stable(rest), chars: Math.max(1, chars) };
}

function isToolCall(outRaw: unknown, reasons: unknown): boolean {
  const tool = (r: unknown): boolean => r === 'tool_call' || r === 'tool_calls';
  if (Array.isArray(reasons) && reasons.some(tool)) return true;
  let out: unknown = outRaw;
  if (typeof outRaw === 'string') {
    try {
      out = JSON.parse(outRaw);
    } catch {
      return false;
    }
  }
  if (!Array.isArray(out)) return false;
  return out.some((m) => isObj(m) && (tool(m.finish_reason) || (Array.isArray(m.parts) && m.parts.some((p) => isObj(p) && p.type === 'tool_call'))));
}
