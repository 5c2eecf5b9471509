/**
 * `openai-parser`, llm-d-router v0.10.0 twin (`llm-d-router.md` §4.10, §2.3): claims the paths
 * `chat/completions`, `completions`, `embeddings`, `responses`, `conversations`, the two `…/render`
 * paths, `images/generations`. In routesim requests reach the picker already parsed; the plugin
 * exposes its claims (`paths`, `claims(path)`) for the request handler's parser selection.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { ParserPlugin } from './v010Common.js';

export const OPENAI_PATHS = [
  'chat/completions',
  'completions',
  'embeddings',
  'responses',
  'conversations',
  'chat/completions/render',
  'completions/render',
  'images/generations',
] as const;

const params = z.strictObject({});

export const openaiParserV010: PluginDefinition<typeof params> = {
  type: 'openai-parser',
  dialects: ['llm-d-v0.10'],
  kinds: ['Parser'],
  source: 'llm-d-router v0.10.0',
  description: `Parses OpenAI bodies; claims ${OPENAI_PATHS.join(', ')}. routesim: requests arrive already parsed.`,
  params,
  create: (name) => new ParserPlugin('openai-parser', name, OPENAI_PATHS),
};
