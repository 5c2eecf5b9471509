/**
 * Named routing policies of other production routers (policies.md), as Routers outside the EPP
 * plugin framework: type name → parameter schema (snake_case, every field optional with the
 * documented default, unknown names rejected) and factory.
 */
import { z } from 'zod';
import { ParamError, paramDocs, type ParamDoc, type PluginDefinition } from '../framework/registry.js';
import type { Router } from '../types.js';
import { ConsistentHashBoundedLoadRouter, consistentHashBoundedLoadParams } from './consistentHashBoundedLoad.js';
import { DynamoKvRouter, dynamoKvParams } from './dynamoKv.js';
import { PowerOfTwoRouter, powerOfTwoParams } from './powerOfTwo.js';
import { SglangCacheAwareRouter, sglangCacheAwareParams } from './sglangCacheAware.js';

interface NamedPolicyDefinition<P extends z.ZodObject = z.ZodObject> {
  readonly type: string;
  /** Where the semantics come from. */
  readonly source: string;
  readonly description: string;
  readonly params: P;
  create(params: z.output<P>): Router;
}

function define<P extends z.ZodObject>(d: NamedPolicyDefinition<P>): NamedPolicyDefinition {
  return d as unknown as NamedPolicyDefinition;
}

const DEFINITIONS: readonly NamedPolicyDefinition[] = [
  define({
    type: 'sglang-cache-aware',
    source: 'SGLang router cache_aware (sgl-router/src/policies/cache_aware.rs, tree.rs), CLI defaults',
    description:
      'Approximate character radix tree per worker: below the load-imbalance thresholds route to the longest prefix match if its match rate > cache_threshold, else to the worker with the smallest tree; when imbalanced, to the least-loaded worker (router in-flight counts).',
    params: sglangCacheAwareParams,
    create: (p) => new SglangCacheAwareRouter(p),
  }),
  define({
    type: 'dynamo-kv',
    source: 'NVIDIA Dynamo KV router, classic cost (docs v0.4–0.9)',
    description:
      'Cost = overlap_score_weight × prefill blocks still to compute (prompt blocks minus cached overlap from engine KV events) + router-tracked active blocks incl. this request; argmin (random ties) or softmax at router_temperature.',
    params: dynamoKvParams,
    create: (p) => new DynamoKvRouter(p),
  }),
  define({
    type: 'power-of-two',
    source: 'SGLang router power_of_two / AIBrix power-of-two',
    description: 'Two distinct endpoints sampled at random; the one with fewer router in-flight requests wins (ties: the first sampled).',
    params: powerOfTwoParams,
    create: () => new PowerOfTwoRouter(),
  }),
  define({
    type: 'consistent-hash-bounded-load',
    source: 'Mirrokni, Thorup & Zadimoghaddam (SODA 2018); HAProxy/Envoy hash_balance_factor',
    description:
      'Hash ring with virtual nodes keyed by the prompt prefix (and adapter); walk clockwise to the first endpoint whose in-flight count is below ⌈(1 + epsilon) × total in flight / endpoints⌉.',
    params: consistentHashBoundedLoadParams,
    create: (p) => new ConsistentHashBoundedLoadRouter(p),
  }),
];

const BY_TYPE = new Map(DEFINITIONS.map((d) => [d.type, d]));

/** Type names of the named policies, as written in scenario files. */
export const NAMED_POLICY_TYPES = ['sglang-cache-aware', 'dynamo-kv', 'power-of-two', 'consistent-hash-bounded-load'] as const;
export type NamedPolicyType = (typeof NAMED_POLICY_TYPES)[number];

/** Validates `params` against the type's schema; errors are ParamError naming the parameter. */
export function parseNamedPolicyParams(type: string, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const def = BY_TYPE.get(type);
  if (!def) throw new Error(`unknown named policy type "${type}" (known: ${NAMED_POLICY_TYPES.join(', ')})`);
  const r = def.params.safeParse(params ?? {});
  if (r.success) return r.data as Record<string, unknown>;
  const issue = r.error.issues[0]!;
  const allowed = Object.keys(def.params.shape);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    throw new ParamError(
      key,
      `${type}: unknown parameter "${key}" (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
    );
  }
  const param = issue.path.map(String).join('.') || '(parameters)';
  throw new ParamError(param, `${type}: parameter ${param}: ${issue.message}`);
}

/** A fresh router of a named policy type with validated parameters (defaults filled in). */
export function createNamedRouter(type: string, params: Readonly<Record<string, unknown>> = {}): Router {
  const parsed = parseNamedPolicyParams(type, params);
  return BY_TYPE.get(type)!.create(parsed as never);
}

export interface NamedPolicyDoc {
  readonly type: string;
  readonly source: string;
  readonly description: string;
  readonly params: ParamDoc[];
}

/** Every named policy with its parameters and defaults, for the CLI and the README. */
export function namedPolicyDocs(): NamedPolicyDoc[] {
  return NAMED_POLICY_TYPES.map((t) => {
    const d = BY_TYPE.get(t)!;
    // paramDocs reads only `params` of a definition.
    return { type: d.type, source: d.source, description: d.description, params: paramDocs({ params: d.params } as unknown as PluginDefinition) };
  });
}
