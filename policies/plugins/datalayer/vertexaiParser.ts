/**
 * `vertexai-parser` (llm-d-router v0.10.0; `llm-d-router.md` §4.10, §2.3): claims the gRPC methods
 * `PredictionService/ChatCompletions` (mapped to chat), `PredictionService/StreamRawPredict` and
 * `PredictionService/RawPredict` (JSON inside mapped to the responses path); other methods are raw
 * payloads with response processing skipped. In routesim requests arrive already parsed; the plugin
 * exposes its claims for the request handler's parser selection.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { ParserPlugin } from './v010Common.js';

export const VERTEXAI_PATHS = ['PredictionService/ChatCompletions', 'PredictionService/StreamRawPredict', 'PredictionService/RawPredict'] as const;

const params = z.strictObject({});

export const vertexaiParser: PluginDefinition<typeof params> = {
  type: 'vertexai-parser',
  dialects: ['llm-d-v0.10'],
  kinds: ['Parser'],
  source: 'llm-d-router v0.10.0',
  description: 'Parses Vertex AI PredictionService gRPC calls; claims ChatCompletions, StreamRawPredict, RawPredict. routesim: requests arrive already parsed.',
  params,
  create: (name) => new ParserPlugin('vertexai-parser', name, VERTEXAI_PATHS),
};
