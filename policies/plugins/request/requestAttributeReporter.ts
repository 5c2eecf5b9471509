/**
 * `request-attribute-reporter` (GAIE v1.5.0, kept in llm-d-router v0.10.0; ResponseBody;
 * `llm-d-router.md` §4.7): evaluates one CEL expression over the response's `usage` and, when the
 * result is a non-zero integer (and the optional condition holds), puts it into the proxy's
 * dynamic metadata under `key` (namespace `envoy.lb`). It has no routing effect, so routesim
 * accepts and validates the configuration and does nothing with it (no CEL is evaluated).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';

export class RequestAttributeReporter implements Plugin {
  readonly type = 'request-attribute-reporter';
  constructor(
    readonly name: string,
    readonly attribute: { readonly namespace: string; readonly name: string; readonly expression: string },
  ) {}
}

const attribute = z.strictObject({
  key: z.strictObject({
    namespace: z.string().min(1).default('envoy.lb').describe('dynamic-metadata namespace'),
    name: z.string().min(1).describe('metadata key'),
  }),
  expression: z.string().min(1).describe('CEL expression over the response usage'),
  condition: z.string().min(1).optional().describe('CEL condition; the attribute is reported only when it holds'),
});

const params = z.strictObject({
  attributes: z.array(attribute).length(1).describe('exactly one {key {namespace = envoy.lb, name}, expression, condition?}'),
});

export const requestAttributeReporter: PluginDefinition<typeof params> = {
  type: 'request-attribute-reporter',
  kinds: ['ResponseBody'],
  source: 'GAIE v1.5.0',
  description:
    'Reports a CEL expression over the response usage as proxy dynamic metadata (non-zero integers only). No routing effect: accepted and validated, inert in routesim.',
  params,
  create: (name, p) => {
    const a = p.attributes[0]!;
    return new RequestAttributeReporter(name, { namespace: a.key.namespace, name: a.key.name, expression: a.expression });
  },
};
