/**
 * Prompt text → the engine's token structure, deterministically and without a tokenizer.
 *
 * Token rule: one token per 4 UTF-16 code units of the rendered prompt, rounded up, at least 1
 * (the usual ~4 characters per token of English text). A prompt given as token ids (`prompt: [1, 2,
 * …]`) has one token per id. Chat messages are rendered first with a fixed template,
 * `<|role|>\ncontent\n` per message and `<|assistant|>\n` at the end, so the template's tokens count
 * as in a real server (engine.md: chat templates add prompt tokens the client never sees).
 *
 * Prefix caching: the prompt becomes one segment per KV block (block_size tokens = 4·block_size
 * characters or block_size ids) whose content id hashes that block's text, so two prompts that
 * share their first k·4·block_size characters share k cached blocks in the engine's chained block
 * hashes (sim/engine/blockHasher.ts), exactly as two simulated requests with equal content ids do.
 */
import type { Segment } from '../../sim/workload/request.js';
import { hashInts, hashString } from '../../sim/core/hash.js';

/** Characters per token of the token rule. */
export const CHARS_PER_TOKEN = 4;

/** A prompt as text or as token ids. */
export type PromptInput = { readonly text: string } | { readonly ids: readonly number[] };

export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** The chat template: every message as `<|role|>\ncontent\n`, then the assistant's turn opener. */
export function renderChat(messages: readonly ChatMessage[]): string {
  let out = '';
  for (const m of messages) out += `<|${m.role}|>\n${m.content}\n`;
  return `${out}<|assistant|>\n`;
}

/** Prompt tokens of `p` under the token rule. */
export function countTokens(p: PromptInput): number {
  if ('ids' in p) return Math.max(1, p.ids.length);
  return Math.max(1, Math.ceil(p.text.length / CHARS_PER_TOKEN));
}

/** One segment per KV block of `blockSize` tokens; the last may be shorter. Sum of tokens = countTokens(p). */
export function promptSegments(p: PromptInput, blockSize: number): Segment[] {
  const total = countTokens(p);
  const segments: Segment[] = [];
  for (let start = 0; start < total; start += blockSize) {
    const tokens = Math.min(blockSize, total - start);
    segments.push({ content: blockContent(p, start, tokens), tokens });
  }
  return segments;
}

/** Content id of tokens [start, start + n) of the prompt. */
function blockContent(p: PromptInput, start: number, n: number): number {
  if ('ids' in p) {
    if (p.ids.length === 0) return hashInts(0);
    return hashInts(...p.ids.slice(start, start + n));
  }
  const from = start * CHARS_PER_TOKEN;
  return hashString(p.text.slice(from, from + n * CHARS_PER_TOKEN));
}

/** A deterministic 32-bit key of a prompt (for output text and natural output length). */
export function promptKey(p: PromptInput): number {
  return 'ids' in p ? hashInts(p.ids.length, ...p.ids.slice(0, 64)) : hashString(p.text);
}
