/**
 * The OpenAI-compatible JSON vLLM answers with (live.md §5.3–5.4): completion and chat responses,
 * their streamed chunks and the usage object. The generated text is deterministic filler: token k
 * of a request is one of eight 4-character words (so the token rule of prompt.ts counts it back as
 * one token), chosen from the prompt's key and k.
 */
import type { ApiKind } from './requestParse.js';

const WORDS = [' the', ' sim', ' and', ' run', ' key', ' map', ' log', ' set'] as const;

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export type FinishReason = 'stop' | 'length';

export function usageOf(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Text of output tokens [from, from + n) of a request whose prompt key is `key`. */
export function outputText(key: number, from: number, n: number): string {
  let s = '';
  for (let k = from; k < from + n; k++) s += WORDS[(key + k * 5) & 7];
  return s;
}

/** What every chunk and response of one request shares. */
export interface ResponseHead {
  readonly kind: ApiKind;
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function responseId(kind: ApiKind, replica: number, n: number): string {
  return `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-r${replica}-${n}`;
}

/** A streamed chunk with `text` (delta content for chat); `role` only on chat's first chunk. */
export function contentChunk(h: ResponseHead, text: string, finish: FinishReason | null, usage?: Usage, role = false): object {
  const choice =
    h.kind === 'chat'
      ? { index: 0, delta: role ? { role: 'assistant', content: text } : { content: text }, logprobs: null, finish_reason: finish }
      : { index: 0, text, logprobs: null, finish_reason: finish, stop_reason: null };
  return { id: h.id, object: chunkObject(h.kind), created: h.created, model: h.model, choices: [choice], ...(usage !== undefined ? { usage } : {}) };
}

/** The final usage-only chunk (`include_usage`): `choices: []`. */
export function usageChunk(h: ResponseHead, usage: Usage): object {
  return { id: h.id, object: chunkObject(h.kind), created: h.created, model: h.model, choices: [], usage };
}

/** The whole non-streamed response. */
export function fullResponse(h: ResponseHead, text: string, finish: FinishReason, usage: Usage): object {
  if (h.kind === 'chat') {
    return {
      id: h.id,
      object: 'chat.completion',
      created: h.created,
      model: h.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: finish, stop_reason: null }],
      usage,
    };
  }
  return {
    id: h.id,
    object: 'text_completion',
    created: h.created,
    model: h.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finish, stop_reason: null }],
    usage,
  };
}

function chunkObject(kind: ApiKind): string {
  return kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
}
