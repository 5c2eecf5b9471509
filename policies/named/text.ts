/**
 * The request "text" as the character-level routers (SGLang's cache-aware router, production-stack,
 * Ray) see it, without materialising characters.
 *
 * A text is a list of pieces. A string piece is real text (`src` a string, chars `src[off, off+len)`,
 * UTF-16 code units — SGLang counts Unicode scalar values, which differ only for astral characters).
 * A numeric piece is synthetic text: `len` characters of the content with id `src`, starting at
 * character `off`; its character i is identified by (src, off + i). A simulated prompt span of
 * `tokens` tokens of content c is the piece (c, 0, round(tokens × charsPerToken)), so two spans of
 * the same content share exactly their common leading characters.
 *
 * The approximation: two different content ids are taken to differ at their first character (real
 * texts may share a few leading characters, e.g. "You are"), and a synthetic character never equals
 * a real one.
 */
import type { Prompt } from '../framework/types.js';
import type { RouteRequest } from '../types.js';
import { fmix32, hashString, mix32, mixString } from '../util/hash.js';

export interface Piece {
  readonly src: number | string;
  readonly off: number;
  readonly len: number;
}

/** SGLang's `extract_text_for_routing` for chat: the messages' text contents joined with " ". */
function chatText(p: Extract<Prompt, { kind: 'chat' }>): string {
  const parts: string[] = [];
  for (const m of p.messages) {
    if (typeof m.content === 'string') parts.push(m.content);
    else {
      const texts = m.content.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text!);
      if (texts.length > 0) parts.push(texts.join(' '));
    }
  }
  return parts.join(' ');
}

/** The request's text as pieces (empty when the request carries no prompt). */
export function promptPieces(prompt: Prompt | undefined): Piece[] {
  if (!prompt) return [];
  switch (prompt.kind) {
    case 'completion':
      return prompt.text.length > 0 ? [{ src: prompt.text, off: 0, len: prompt.text.length }] : [];
    case 'chat': {
      const t = chatText(prompt);
      return t.length > 0 ? [{ src: t, off: 0, len: t.length }] : [];
    }
    case 'synthetic': {
      const out: Piece[] = [];
      for (const s of prompt.spans) {
        const len = Math.round(s.tokens * prompt.charsPerToken);
        if (len > 0) out.push({ src: s.content >>> 0, off: 0, len });
      }
      return out;
    }
  }
}

export function piecesLength(pieces: readonly Piece[]): number {
  let n = 0;
  for (const p of pieces) n += p.len;
  return n;
}

const TWO_21 = 2097152;

/** Exact map key of character `i` of piece `p` (numeric keys ≥ 0 for synthetic, < 0 for real chars). */
export function charKey(p: Piece, i: number): number | string {
  const at = p.off + i;
  if (typeof p.src === 'string') return -(p.src.charCodeAt(at) + 1);
  return at < TWO_21 ? p.src * TWO_21 + at : `${p.src}:${at}`;
}

/**
 * Number of equal leading characters of `a` (from piece `ai`, char `ao`) and `b` (from `bi`, `bo`),
 * at most `limit`.
 */
export function sharedPrefix(a: readonly Piece[], ai: number, ao: number, b: readonly Piece[], bi: number, bo: number, limit = Infinity): number {
  let shared = 0;
  while (ai < a.length && bi < b.length && shared < limit) {
    const x = a[ai]!;
    const y = b[bi]!;
    const m = Math.min(x.len - ao, y.len - bo, limit - shared);
    let run: number;
    if (typeof x.src === 'number') {
      if (typeof y.src !== 'number' || x.src !== y.src || x.off + ao !== y.off + bo) break;
      run = m;
    } else {
      if (typeof y.src !== 'string') break;
      const xs = x.src;
      const ys = y.src;
      const xo = x.off + ao;
      const yo = y.off + bo;
      run = 0;
      while (run < m && xs.charCodeAt(xo + run) === ys.charCodeAt(yo + run)) run++;
    }
    shared += run;
    if (run < m) break;
    ao += run;
    bo += run;
    if (ao === x.len) {
      ai++;
      ao = 0;
    }
    if (bo === y.len) {
      bi++;
      bo = 0;
    }
  }
  return shared;
}

/** Splits `pieces` after `k` characters (0 < k < total). */
export function splitPieces(pieces: readonly Piece[], k: number): [Piece[], Piece[]] {
  const head: Piece[] = [];
  const tail: Piece[] = [];
  let rest = k;
  for (const p of pieces) {
    if (rest >= p.len) {
      head.push(p);
      rest -= p.len;
    } else if (rest > 0) {
      head.push({ src: p.src, off: p.off, len: rest });
      tail.push({ src: p.src, off: p.off + rest, len: p.len - rest });
      rest = 0;
    } else tail.push(p);
  }
  return [head, tail];
}

/** The pieces of `pieces` from character `from` on (a cursor position: piece index + offset). */
export function slicePieces(pieces: readonly Piece[], pi: number, po: number): Piece[] {
  const out: Piece[] = [];
  for (let i = pi; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (i === pi && po > 0) out.push({ src: p.src, off: p.off + po, len: p.len - po });
    else out.push(p);
  }
  return out;
}

/**
 * Unsigned 32-bit key of the prompt's first `prefixTokens` tokens (0 = the whole prompt) and the
 * request's adapter (the engine's cache is per adapter): for synthetic prompts the (content,
 * tokens) structure of that prefix, for text the first prefixTokens × 4 characters (the EPP's 4
 * characters per token). Equal prefixes give equal keys. Without a prompt: a key of the request id.
 */
export function prefixKey(request: RouteRequest, prefixTokens: number): number {
  let h = request.adapter === null ? 0x2545f491 : mix32(0x2545f491, hashString(request.adapter));
  const p = request.prompt;
  if (!p) return fmix32(mix32(mix32(h, 0x7f4a7c15), request.id | 0));
  if (p.kind === 'synthetic') {
    let rest = prefixTokens > 0 ? prefixTokens : Infinity;
    let n = 0;
    for (const s of p.spans) {
      if (rest <= 0) break;
      const t = Math.min(s.tokens, rest);
      if (t <= 0) continue;
      h = mix32(mix32(h, s.content | 0), t);
      rest -= t;
      n++;
    }
    return fmix32(h ^ n);
  }
  const text = p.kind === 'completion' ? p.text : chatText(p);
  const end = prefixTokens > 0 ? Math.min(text.length, prefixTokens * 4) : text.length;
  return fmix32(mixString(mix32(h, 0x1b873593), text, 0, end) ^ end);
}
