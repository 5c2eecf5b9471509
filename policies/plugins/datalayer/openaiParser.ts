/**
 * `openai-parser` (GAIE v1.5.0, `epp.md` §1.2/§4): registered so real configs load. In routesim it
 * does nothing: requests reach the picker already parsed (model, prompt or chat messages,
 * headers).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';

class NoOp implements Plugin {
  readonly type = 'openai-parser';
  readonly keepsNoCandidates = true;
  constructor(readonly name: string) {}
}

const params = z.strictObject({});

export const openaiParser: PluginDefinition<typeof params> = {
  type: 'openai-parser',
  dialects: ['gaie-v1.5'],
  kinds: ['Parser'],
  source: 'GAIE v1.5.0',
  description: 'Parses OpenAI completions/chat bodies (the default parser). No-op in routesim: requests arrive already parsed.',
  params,
  create: (name) => new NoOp(name),
};
