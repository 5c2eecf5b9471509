/**
 * `anthropic-parser` (llm-d-router v0.10.0; `llm-d-router.md` §4.10, §2.3): claims `messages` (the
 * Messages body: ≥ 1 message, model and stream read; usage parsed from JSON and SSE responses) and
 * `messages/count_tokens` (raw passthrough, response processing skipped). In routesim requests arrive
 * already parsed; the plugin exposes its claims for the request handler's parser selection.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { ParserPlugin } from './v010Common.js';

export const ANTHROPIC_PATHS = ['messages', 'messages/count_tokens'] as const;

const params = z.strictObject({});

export const anthropicParser: PluginDefinition<typeof params> = {
  type: 'anthropic-parser',
  dialects: ['llm-d-v0.10'],
  kinds: ['Parser'],
  source: 'llm-d-router v0.10.0',
  description: 'Parses Anthropic Messages bodies; claims messages, messages/count_tokens (passthrough). routesim: requests arrive already parsed.',
  params,
  create: (name) => new ParserPlugin('anthropic-parser', name, ANTHROPIC_PATHS),
};
