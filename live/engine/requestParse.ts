/**
 * Validates an OpenAI `/v1/completions` or `/v1/chat/completions` body into what the mock engine
 * needs (live.md §5.2): model, prompt, output cap, ignore_eos / min_tokens, streaming options,
 * priority. Anything malformed is an HttpProblem 400 naming the field, as vLLM answers.
 * Unsupported by the mock (and said so in the message): several prompts in one request, n > 1.
 */
import { HttpProblem } from '../http/errors.js';
import { renderChat, type ChatMessage, type PromptInput } from './prompt.js';

export type ApiKind = 'completion' | 'chat';

export interface ParsedRequest {
  readonly kind: ApiKind;
  readonly model: string;
  readonly prompt: PromptInput;
  /** The client's cap on output tokens; null = the default (16 for completions, max_model_len − prompt for chat). */
  readonly maxTokens: number | null;
  readonly minTokens: number;
  readonly ignoreEos: boolean;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly continuousUsage: boolean;
  readonly priority: number;
}

/** Completions' max_tokens default (vLLM engine/protocol.py). */
export const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

export function parseRequest(kind: ApiKind, body: Record<string, unknown>): ParsedRequest {
  const model = body.model;
  if (typeof model !== 'string' || model === '') throw new HttpProblem(400, 'model must be a non-empty string', 'model');
  const prompt = kind === 'chat' ? chatPrompt(body.messages) : completionPrompt(body.prompt);
  const maxTokens =
    kind === 'chat' ? (optInt(body, 'max_completion_tokens', 1) ?? optInt(body, 'max_tokens', 1)) : (optInt(body, 'max_tokens', 1) ?? COMPLETIONS_DEFAULT_MAX_TOKENS);
  const n = optInt(body, 'n', 1);
  if (n !== null && n !== 1) throw new HttpProblem(400, 'n > 1 is not supported by routesim\'s mock engine', 'n');
  const stream = optBool(body, 'stream') ?? false;
  const opts = body.stream_options;
  let includeUsage = false;
  let continuousUsage = false;
  if (opts !== undefined && opts !== null) {
    if (!stream) throw new HttpProblem(400, 'Stream options can only be defined when `stream=True`.', 'stream_options');
    if (typeof opts !== 'object' || Array.isArray(opts)) throw new HttpProblem(400, 'stream_options must be an object', 'stream_options');
    const o = opts as Record<string, unknown>;
    includeUsage = optBool(o, 'include_usage', 'stream_options.include_usage') ?? true;
    continuousUsage = optBool(o, 'continuous_usage_stats', 'stream_options.continuous_usage_stats') ?? false;
  }
  const minTokens = optInt(body, 'min_tokens', 0) ?? 0;
  if (maxTokens !== null && minTokens > maxTokens) throw new HttpProblem(400, `min_tokens (${minTokens}) must be less than or equal to max_tokens (${maxTokens})`, 'min_tokens');
  const priority = body.priority === undefined || body.priority === null ? 0 : body.priority;
  if (typeof priority !== 'number' || !Number.isInteger(priority)) throw new HttpProblem(400, 'priority must be an integer', 'priority');
  return {
    kind,
    model,
    prompt,
    maxTokens,
    minTokens,
    ignoreEos: optBool(body, 'ignore_eos') ?? false,
    stream,
    includeUsage,
    continuousUsage,
    priority,
  };
}

function completionPrompt(p: unknown): PromptInput {
  if (typeof p === 'string') {
    if (p === '') throw new HttpProblem(400, 'prompt must not be empty', 'prompt');
    return { text: p };
  }
  if (Array.isArray(p)) {
    if (p.length === 0) throw new HttpProblem(400, 'prompt must not be empty', 'prompt');
    if (p.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) return { ids: p as number[] };
    if (p.length === 1) return completionPrompt(p[0]);
    throw new HttpProblem(400, 'several prompts in one request are not supported by routesim\'s mock engine (send one request per prompt)', 'prompt');
  }
  throw new HttpProblem(400, 'prompt must be a string, a list of token ids or a list of one string', 'prompt');
}

function chatPrompt(m: unknown): PromptInput {
  if (!Array.isArray(m) || m.length === 0) throw new HttpProblem(400, 'messages must be a non-empty list', 'messages');
  const messages: ChatMessage[] = m.map((x, i) => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new HttpProblem(400, `messages[${i}] must be an object`, 'messages');
    const o = x as Record<string, unknown>;
    if (typeof o.role !== 'string') throw new HttpProblem(400, `messages[${i}].role must be a string`, 'messages');
    return { role: o.role, content: contentText(o.content, i) };
  });
  return { text: renderChat(messages) };
}

/** A message's content: a string, null, or a list of parts whose `text` fields are joined. */
function contentText(c: unknown, i: number): string {
  if (c === undefined || c === null) return '';
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) {
    return c.map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join('');
  }
  throw new HttpProblem(400, `messages[${i}].content must be a string or a list of parts`, 'messages');
}

function optInt(o: Record<string, unknown>, key: string, min: number): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new HttpProblem(400, `${key} must be an integer ≥ ${min}`, key);
  return v;
}

function optBool(o: Record<string, unknown>, key: string, name = key): boolean | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'boolean') throw new HttpProblem(400, `${name} must be true or false`, name);
  return v;
}
