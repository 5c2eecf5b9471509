/**
 * llm-d-router v0.10.0 parsers new since GAIE v1.5.0 (`llm-d-router.md` §4.10): `anthropic-parser`
 * (Messages API), `vllmhttp-parser` (`/inference/v1/generate`), `vertexai-parser` (gRPC
 * PredictionService). In routesim they parse nothing (requests arrive parsed); what they keep is
 * which paths they claim (policies/config/llmd/requestHandler.ts PARSER_CLAIMS), so the director
 * answers 400 to a path no configured parser claims.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';

const params = z.strictObject({});

function parser(type: string, description: string): PluginDefinition<typeof params> {
  return {
    type,
    dialects: ['llm-d-v0.10'],
    kinds: ['Parser'],
    source: 'llm-d-router v0.10.0',
    description,
    params,
    create: (name): Plugin => ({ name, type }),
  };
}

export const anthropicParser = parser('anthropic-parser', 'Parses Anthropic Messages bodies (`/messages`, `/messages/count_tokens`). No-op in routesim beyond the paths it claims.');
export const vllmhttpParser = parser('vllmhttp-parser', 'Parses vLLM token-in bodies (`/inference/v1/generate`). No-op in routesim beyond the paths it claims.');
export const vertexaiParser = parser('vertexai-parser', 'Parses Vertex AI PredictionService gRPC calls (ChatCompletions, StreamRawPredict, RawPredict). No-op in routesim beyond the paths it claims.');
