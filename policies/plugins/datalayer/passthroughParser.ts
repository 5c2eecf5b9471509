/**
 * `passthrough-parser` (GAIE v1.5.0, `epp.md` §1.2/§4): registered so real configs load. In
 * routesim it does nothing: requests reach the picker already parsed.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';

class NoOp implements Plugin {
  readonly type = 'passthrough-parser';
  constructor(readonly name: string) {}
}

const params = z.strictObject({});

export const passthroughParser: PluginDefinition<typeof params> = {
  type: 'passthrough-parser',
  kinds: ['Parser'],
  source: 'GAIE v1.5.0',
  description: 'Forwards bodies unparsed. No-op in routesim: requests arrive already parsed (prefix hashing still sees the prompt).',
  params,
  create: (name) => new NoOp(name),
};
