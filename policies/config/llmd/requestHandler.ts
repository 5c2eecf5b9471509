/**
 * llm-d-router v0.10.0 `requestHandler` (`llm-d-router.md` §2.3): the request parsers in precedence
 * order and the per-request choice by path. In routesim parsers do not parse (requests arrive
 * parsed); what they keep is the routing effect of the choice: no claiming parser and no fallback
 * → HTTP 400.
 */
import type { Plugin } from '../../framework/types.js';

/** The parsers v0.10.0 uses when `requestHandler.parsers` is empty or absent. */
export const DEFAULT_PARSERS = ['openai-parser', 'anthropic-parser', 'vllmhttp-parser'] as const;

/** Path suffixes each production parser claims (§2.3); a parser claiming none is a fallback. */
export const PARSER_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  'openai-parser': ['chat/completions', 'completions', 'embeddings', 'responses', 'conversations', 'chat/completions/render', 'completions/render', 'images/generations'],
  'anthropic-parser': ['messages', 'messages/count_tokens'],
  'vllmhttp-parser': ['inference/v1/generate'],
  'vertexai-parser': ['PredictionService/ChatCompletions', 'PredictionService/StreamRawPredict', 'PredictionService/RawPredict'],
  // The reference names "its gRPC methods" without listing them; these are vLLM's engine service methods.
  'vllmgrpc-parser': ['VllmEngine/Generate', 'VllmEngine/Embed'],
  'passthrough-parser': [],
};

/** A parser plugin may state its claims itself (stubs, user parsers); else PARSER_CLAIMS by type. */
export interface ClaimsPaths {
  readonly claimedPaths: readonly string[];
}

export interface ParserEntry {
  readonly name: string;
  readonly type: string;
  /** Suffixes (slashes trimmed); empty = fallback. */
  readonly claims: readonly string[];
}

const trimSlashes = (s: string): string => s.replace(/^\/+|\/+$/g, '');

export function parserClaims(p: Plugin): readonly string[] {
  const own = (p as Partial<ClaimsPaths>).claimedPaths;
  return (own ?? PARSER_CLAIMS[p.type] ?? []).map(trimSlashes);
}

/**
 * The effective precedence list: a second parser of a type already listed is skipped; entries
 * after the first fallback are ignored. Returns the list and the names dropped (for warnings).
 */
export function effectiveParsers(listed: readonly Plugin[]): { parsers: ParserEntry[]; skipped: string[] } {
  const parsers: ParserEntry[] = [];
  const skipped: string[] = [];
  let fallback = false;
  for (const p of listed) {
    if (fallback || parsers.some((e) => e.type === p.type)) {
      skipped.push(p.name);
      continue;
    }
    const claims = parserClaims(p);
    parsers.push({ name: p.name, type: p.type, claims });
    if (claims.length === 0) fallback = true;
  }
  return { parsers, skipped };
}

/** Request path: `:path`, else `x-original-path`, else `x-forwarded-path`; query stripped; default `/v1/completions`. */
export function requestPath(headers: Readonly<Record<string, string>>): string {
  const raw = headers[':path'] ?? headers['x-original-path'] ?? headers['x-forwarded-path'] ?? '/v1/completions';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

/** The first parser claiming a suffix of `path` (plain suffix test after trimming slashes), else the fallback, else null. */
export function selectParser(parsers: readonly ParserEntry[], path: string): ParserEntry | null {
  const p = trimSlashes(path);
  for (const e of parsers) if (e.claims.some((c) => p.endsWith(c))) return e;
  return parsers.find((e) => e.claims.length === 0) ?? null;
}
