/**
 * An OpenAI request as the EPP's `openai-parser` reads it (live.md §2.4, §5.2): the JSON body's
 * `model`, and `prompt` (completions; a string array joined with " ") or `messages` (chat, ≥ 1),
 * chosen by the request path (`:path`, then x-original-path / x-forwarded-path, default
 * /v1/completions). A body that is not a JSON object, or lacks what its path needs, is a 400
 * (`inference error: BadRequest - …`). Unknown models are not the EPP's business: they are routed
 * and the model server answers 404, as in production.
 */
import { HEADER_FAIRNESS_ID } from '../../policies/framework/director.js';
import type { ChatMessage, LLMRequest, Prompt } from '../../policies/framework/types.js';

export type ParsedBody = { readonly request: LLMRequest } | { readonly badRequest: string };

/** The request path the parser is chosen by. */
export function requestPath(headers: Readonly<Record<string, string>>): string {
  const p = headers[':path'] ?? headers['x-original-path'] ?? headers['x-forwarded-path'] ?? '/v1/completions';
  const q = p.indexOf('?');
  return q >= 0 ? p.slice(0, q) : p;
}

export function parseRequestBody(id: string, headers: Readonly<Record<string, string>>, body: Buffer): ParsedBody {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { badRequest: `error unmarshaling request body: ${(err as Error).message}` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { badRequest: 'request body is not a JSON object' };
  const o = doc as Record<string, unknown>;
  if (typeof o.model !== 'string' || o.model === '') return { badRequest: 'model not found in request body' };
  const chat = requestPath(headers).endsWith('/chat/completions');
  let prompt: Prompt;
  if (chat) {
    if (!Array.isArray(o.messages) || o.messages.length === 0) return { badRequest: 'chat completions request must have at least one message' };
    for (const m of o.messages) {
      if (m === null || typeof m !== 'object' || (typeof (m as ChatMessage).content !== 'string' && !Array.isArray((m as ChatMessage).content))) return { badRequest: 'each chat message needs a content string or content blocks' };
    }
    prompt = { kind: 'chat', messages: o.messages as ChatMessage[] };
  } else {
    const p = o.prompt;
    const text = typeof p === 'string' ? p : Array.isArray(p) && p.every((x) => typeof x === 'string') ? p.join(' ') : null;
    if (text === null || text === '') return { badRequest: 'completions request must have a non-empty prompt (a string or a list of strings)' };
    prompt = { kind: 'completion', text };
  }
  return {
    request: {
      id,
      model: o.model,
      targetModel: o.model,
      headers,
      prompt,
      priority: 0,
      fairnessId: headers[HEADER_FAIRNESS_ID] ?? '',
      requestSizeBytes: body.length,
    },
  };
}
