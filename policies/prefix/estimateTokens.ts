/**
 * llm-d-router v0.10.0 `token-producer`'s **estimate backend** (`llm-d-router.md` §4.1): the
 * request's text flattened to bytes, zero-padded to a multiple of 4 and packed as little-endian
 * uint32 pseudo-tokens (count = ⌈bytes/4⌉), with media appended as N copies of the low 32 bits of
 * xxh64(content) after padding to a token boundary.
 *
 * What routesim's `Prompt` carries, and how it is flattened:
 * - completion: the prompt text (routesim joins a string list with " ", so a request is ONE prompt;
 *   production would give one token list per string);
 * - chat: per message the role string then the raw text, or each text block's text and a media
 *   placeholder per image/video/audio block; no separators, no JSON (routesim's chat requests carry
 *   no `tools`, so nothing is prepended);
 * - synthetic (the simulator's spans of content ids, no bytes): span j is round(tokens_j ×
 *   charsPerToken) bytes of content j — the same byte lengths the GAIE approx producer hashes
 *   (prefix/hashing.ts) — so the pseudo-token count is ⌈Σ bytes/4⌉ and no token array is built.
 *   Block identities are computed from the spans (see v010Hashing.ts).
 *
 * Media (no image decoding offline): an image counts ⌊640·360/1024⌋ = 225 tokens (production decodes
 * base64 data URLs for their real size; routesim always uses the 640×360 default); a video 10 s ×
 * 2 fps × 225 = 4500; audio ⌈len(data + format)/4⌉. The hashed content is the URL string (image,
 * video) or data + format (audio).
 */
import type { ChatMessage, ContentBlock, Prompt, PromptSpan } from '../framework/types.js';
import type { MultimodalFeature } from '../framework/dataKeys.js';
import { utf8, xxh64 } from './xxh64.js';

export const IMAGE_TOKENS = Math.floor((640 * 360) / 1024); // 225
export const VIDEO_TOKENS = 10 * 2 * IMAGE_TOKENS; // 4500

/** One estimate-tokenized prompt: real pseudo-token ids, or a synthetic prompt's spans. */
export type EstimatedPrompt =
  | { readonly kind: 'tokens'; readonly tokens: Uint32Array }
  | { readonly kind: 'synthetic'; readonly spans: readonly PromptSpan[]; readonly charsPerToken: number; readonly count: number; readonly uniqueTail?: boolean };

export interface Estimate {
  readonly prompts: readonly EstimatedPrompt[];
  readonly multimodal: readonly MultimodalFeature[];
}

/** Bytes of a synthetic span (the GAIE producer's rounding). */
export function spanBytes(tokens: number, charsPerToken: number): number {
  return Math.round(tokens * charsPerToken);
}

/** ⌈Σ span bytes / 4⌉. */
export function syntheticTokenCount(spans: readonly PromptSpan[], charsPerToken: number): number {
  let n = 0;
  for (const s of spans) n += spanBytes(s.tokens, charsPerToken);
  return Math.ceil(n / 4);
}

/** Packs bytes (zero-padded to 4) as little-endian uint32 tokens. */
export function packTokens(bytes: Uint8Array): Uint32Array {
  const n = Math.ceil(bytes.length / 4);
  const padded = new Uint8Array(n * 4);
  padded.set(bytes);
  const out = new Uint32Array(n);
  const v = new DataView(padded.buffer);
  for (let i = 0; i < n; i++) out[i] = v.getUint32(i * 4, true);
  return out;
}

type Part = { readonly text: string } | { readonly media: MultimodalFeature['modality']; readonly content: string; readonly n: number };

function blockParts(b: ContentBlock, parts: Part[]): void {
  if (b.type === 'text') parts.push({ text: b.text ?? '' });
  else if (b.image_url !== undefined) parts.push({ media: 'image', content: urlOf(b.image_url), n: IMAGE_TOKENS });
  else if (b.video_url !== undefined) parts.push({ media: 'video', content: urlOf(b.video_url), n: VIDEO_TOKENS });
  else if (b.input_audio !== undefined) {
    const a = b.input_audio as { data?: string; format?: string };
    const content = `${a.data ?? ''}${a.format ?? ''}`;
    parts.push({ media: 'audio', content, n: Math.max(1, Math.ceil(utf8(content).length / 4)) });
  }
}

function urlOf(u: unknown): string {
  if (typeof u === 'string') return u;
  const url = (u as { url?: unknown } | null)?.url;
  return typeof url === 'string' ? url : JSON.stringify(u ?? null);
}

function chatParts(messages: readonly ChatMessage[]): Part[] {
  const parts: Part[] = [];
  for (const m of messages) {
    parts.push({ text: m.role ?? '' });
    if (typeof m.content === 'string') parts.push({ text: m.content });
    else for (const b of m.content) blockParts(b, parts);
  }
  return parts;
}

/** Tokens of text parts and media, in order; media features recorded with their token offsets. */
function tokenize(parts: readonly Part[], features: MultimodalFeature[]): Uint32Array {
  const chunks: Uint32Array[] = [];
  let text = '';
  let count = 0;
  const flush = (): void => {
    if (text === '') return;
    const t = packTokens(utf8(text)); // pads the text to a token boundary
    chunks.push(t);
    count += t.length;
    text = '';
  };
  for (const p of parts) {
    if ('text' in p) {
      text += p.text;
      continue;
    }
    flush();
    const h = Number(xxh64(utf8(p.content)) & 0xffffffffn);
    chunks.push(new Uint32Array(p.n).fill(h));
    features.push({ modality: p.media, hash: h.toString(16).padStart(8, '0'), offset: count, length: p.n });
    count += p.n;
  }
  flush();
  const out = new Uint32Array(count);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** The estimate backend on a routesim prompt. */
export function estimatePrompt(prompt: Prompt): Estimate {
  const multimodal: MultimodalFeature[] = [];
  switch (prompt.kind) {
    case 'completion':
      return { prompts: [{ kind: 'tokens', tokens: packTokens(utf8(prompt.text)) }], multimodal };
    case 'chat': {
      const tokens = tokenize(chatParts(prompt.messages), multimodal);
      return { prompts: [{ kind: 'tokens', tokens }], multimodal };
    }
    case 'synthetic':
      return {
        prompts: [{ kind: 'synthetic', spans: prompt.spans, charsPerToken: prompt.charsPerToken, count: syntheticTokenCount(prompt.spans, prompt.charsPerToken), uniqueTail: prompt.uniqueTail === true }],
        multimodal,
      };
  }
}

export function estimatedCount(p: EstimatedPrompt): number {
  return p.kind === 'tokens' ? p.tokens.length : p.count;
}
