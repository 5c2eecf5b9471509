/**
 * llm-d-router v0.10.0 `token-producer` (renamed from `tokenizer`; `llm-d-router.md` §4.1):
 * writes the request attribute `TokenizedPrompt/<name>` (ctx.cycleState) — per-prompt token counts,
 * multimodal features, cache salt — for the v0.10 producers and filters that consume it.
 *
 * Backends (at most one): `vllm {url, timeout, mmTimeout}` or a bare `modelName` (vLLM `/render`,
 * real tokens), deprecated `udsTokenizerConfig`, or `estimate {image, video}` / no parameters (the
 * auto-created default). routesim is offline: the vLLM and UDS backends are accepted and validated
 * but UNAVAILABLE, so every backend produces the estimate (prefix/estimateTokens.ts documents it,
 * including how the simulator's synthetic spans are tokenized). Precise prefix keys computed from
 * these pseudo-tokens never match an engine, exactly as in production with the estimate backend.
 *
 * cache salt: the body field `cache_salt` arrives in routesim as header `x-routesim-cache-salt`.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import { duration } from '../../framework/params.js';
import { TOKENIZED_PROMPT_TYPE, dataKey } from '../../framework/dataKeys.js';
import type { CycleContext, LLMRequest, PrepareData, SchedEndpoint } from '../../framework/types.js';
import { estimatePrompt } from '../../prefix/estimateTokens.js';
import { estimatedTokenizedPrompt } from '../../prefix/requestTokens.js';

export const TOKEN_PRODUCER = 'token-producer';

const params = z.strictObject({
  vllm: z
    .strictObject({
      url: z.string().default('http://localhost:8000'),
      timeout: duration('5s', 'render timeout'),
      mmTimeout: duration('30s', 'render timeout with media'),
    })
    .optional()
    .describe('vLLM /render backend (real tokens); unavailable offline → estimate'),
  modelName: z.string().optional().describe('bare model name → vLLM /render backend; unavailable offline → estimate'),
  udsTokenizerConfig: z.record(z.string(), z.unknown()).optional().describe('deprecated UDS tokenizer; unavailable offline → estimate'),
  estimate: z
    .strictObject({ image: z.record(z.string(), z.unknown()).optional(), video: z.record(z.string(), z.unknown()).optional() })
    .optional()
    .describe('estimate backend (4-byte pseudo-tokens; media sizes use the defaults: image 225, video 4500 tokens)'),
});

export class TokenProducer implements PrepareData {
  readonly type = TOKEN_PRODUCER;
  readonly produces: readonly string[];
  readonly consumes = [] as const;
  readonly key: string;
  constructor(
    readonly name: string,
    /** The backend production would use ('estimate' is the only one that runs offline). */
    readonly backend: 'vllm' | 'uds' | 'estimate',
  ) {
    this.key = dataKey(TOKENIZED_PROMPT_TYPE, name);
    this.produces = [this.key];
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, _endpoints: readonly SchedEndpoint[]): void {
    ctx.cycleState.set(this.key, estimatedTokenizedPrompt(estimatePrompt(req.prompt), req));
  }
}

function create(name: string, p: z.output<typeof params>): TokenProducer {
  const backends = [p.vllm !== undefined || p.modelName !== undefined, p.udsTokenizerConfig !== undefined, p.estimate !== undefined].filter(Boolean).length;
  if (backends > 1) throw new ParamError('estimate', 'token-producer takes exactly one backend: vllm (or modelName), udsTokenizerConfig, or estimate');
  const backend = p.vllm !== undefined || p.modelName !== undefined ? 'vllm' : p.udsTokenizerConfig !== undefined ? 'uds' : 'estimate';
  return new TokenProducer(name, backend);
}

const description =
  'Writes the request attribute TokenizedPrompt (token count per prompt, media features, cache salt). Estimate backend: ' +
  'flattened text (chat: role + text per message) zero-padded to 4 bytes and packed as uint32 pseudo-tokens (⌈bytes/4⌉), ' +
  'media as N copies of a content hash (image 225, video 4500, audio ⌈len/4⌉). The vLLM /render and UDS backends are ' +
  'accepted but unavailable offline: they produce the estimate too. Synthetic prompts: ⌈Σ round(tokens × charsPerToken)/4⌉.';

export const tokenProducer: PluginDefinition<typeof params> = {
  type: TOKEN_PRODUCER,
  dialects: ['llm-d-v0.10'],
  kinds: ['PrepareData'],
  source: 'llm-d-router v0.10.0',
  description,
  params,
  create,
};

/** The pre-v0.10 name (`tokenizer`), kept as a deprecated alias. */
export const tokenizerAlias: PluginDefinition<typeof params> = {
  type: 'tokenizer',
  dialects: ['llm-d-v0.10'],
  deprecatedFor: TOKEN_PRODUCER,
  kinds: ['PrepareData'],
  source: 'llm-d-router v0.10.0',
  description: `Deprecated name of token-producer. ${description}`,
  params,
  create,
};
