/**
 * Token usage from a model server's response body, as the router reads it (live.md §2.7): each
 * streamed chunk is split on newlines and `data: ` lines that mention `usage` are decoded
 * (`[DONE]` skipped), the last one winning; a non-streamed body is one JSON document. Fields
 * `prompt_tokens` | `input_tokens` and `completion_tokens` | `output_tokens`.
 */

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

function usageOf(doc: unknown): Usage | null {
  const u = (doc as { usage?: Record<string, unknown> } | null)?.usage;
  if (u === null || u === undefined || typeof u !== 'object') return null;
  const p = typeof u.prompt_tokens === 'number' ? u.prompt_tokens : u.input_tokens;
  const c = typeof u.completion_tokens === 'number' ? u.completion_tokens : u.output_tokens;
  if (typeof p !== 'number' || typeof c !== 'number' || !Number.isFinite(p) || !Number.isFinite(c)) return null;
  return { promptTokens: p, completionTokens: c };
}

/** The usage in one SSE chunk (last wins), or null. */
export function usageInSseChunk(chunk: string): Usage | null {
  let last: Usage | null = null;
  for (const line of chunk.split('\n')) {
    const l = line.trim();
    if (!l.startsWith('data:') || !l.includes('usage')) continue;
    const data = l.slice(5).trim();
    if (data === '[DONE]') continue;
    try {
      last = usageOf(JSON.parse(data)) ?? last;
    } catch {
      // a partial event: the production loses it too
    }
  }
  return last;
}

/** The usage of a whole non-streamed JSON body, or null. */
export function usageInJson(body: string): Usage | null {
  try {
    return usageOf(JSON.parse(body));
  } catch {
    return null;
  }
}
