/**
 * `vllmhttp-parser` (llm-d-router v0.10.0; `llm-d-router.md` §4.10, §2.3): claims
 * `inference/v1/generate` only (vLLM's token-in API: `token_ids` required, optional multimodal
 * features; responses and model rewrite as the OpenAI parser). In routesim requests arrive already
 * parsed; the plugin exposes its claim for the request handler's parser selection.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { ParserPlugin } from './v010Common.js';

export const VLLMHTTP_PATHS = ['inference/v1/generate'] as const;

const params = z.strictObject({});

export const vllmhttpParser: PluginDefinition<typeof params> = {
  type: 'vllmhttp-parser',
  dialects: ['llm-d-v0.10'],
  kinds: ['Parser'],
  source: 'llm-d-router v0.10.0',
  description: 'Parses vLLM /inference/v1/generate (token_ids) bodies; claims inference/v1/generate. routesim: requests arrive already parsed.',
  params,
  create: (name) => new ParserPlugin('vllmhttp-parser', name, VLLMHTTP_PATHS),
};
