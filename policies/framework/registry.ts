/**
 * The plugin registry: factories keyed by production type name (`epp.md` §2), each with its
 * parameter schema, so the config loader can validate parameters and apply the documented
 * defaults, and `routesim plugins` can list every type with its parameters.
 */
import { z } from 'zod';
import type { Plugin } from './types.js';

/** What a factory may ask of the loader while plugins are being instantiated. */
export interface FactoryContext {
  /** Another plugin of the same config, by instance name (plugins are created in config order). */
  plugin(name: string): Plugin | undefined;
}

/**
 * The configuration dialects routesim loads (README "The EPP, exactly"): GAIE v1.5.0's
 * `inference.networking.x-k8s.io/v1alpha1` configs and llm-d-router v0.10.0's `llm-d.ai/v1alpha1`
 * ones (`../shared/reference/llm-d-router.md`). A type whose behaviour changed between the two is
 * registered once per dialect; a type that exists in only one is registered for that one.
 */
export type Dialect = 'gaie-v1.5' | 'llm-d-v0.10';
export const DIALECTS: readonly Dialect[] = ['gaie-v1.5', 'llm-d-v0.10'];

export interface PluginDefinition<P extends z.ZodObject = z.ZodObject> {
  /** Production type name, e.g. `queue-scorer`. */
  readonly type: string;
  /** Dialects this definition serves; absent = every dialect (the type behaves the same in both). */
  readonly dialects?: readonly Dialect[];
  /** llm-d-router v0.10.0 stability (§2.4): an Alpha plugin needs allow-experimental-plugins; absent = Beta. */
  readonly stability?: 'alpha' | 'beta' | 'stable';
  /** Deprecated in v0.10.0: the type to use instead (loads with a warning). */
  readonly deprecatedFor?: string;
  /**
   * llm-d-router v0.10.0 data dependencies (`llm-d-router.md` §2.9 step 5), used by the v0.10 loader
   * (policies/config/llmd/producers.ts). Data keys are `"<DataType>/<producerName>"`, e.g.
   * `PrefixCacheMatchInfoDataKey/approx-prefix-cache-producer`.
   * `requires`: keys an instance with these (parsed) parameters needs some plugin to produce;
   * `produces`: keys the instance writes (a producer writes under its own instance name);
   * `defaultProducerFor`: data types for which this type is the registered default producer: when a
   * required key `"<DataType>/<this type>"` has no producer, the loader instantiates this type with
   * no parameters, named after the type. Absent = none (the loader then uses its built-in table
   * for the production's types, policies/config/llmd/dataKeys.ts).
   */
  readonly requires?: (params: z.output<P>, name: string) => readonly string[];
  readonly produces?: (params: z.output<P>, name: string) => readonly string[];
  readonly defaultProducerFor?: readonly string[];
  /** Interfaces it implements, for documentation (e.g. ['Scorer']). */
  readonly kinds: readonly string[];
  /** Where the semantics come from (e.g. 'GAIE v1.5.0', 'llm-d v0.7.0', 'GAIE v0.5.0', 'routesim'). */
  readonly source: string;
  readonly description: string;
  /** Parameter schema: every field optional with its production default; unknown fields rejected. */
  readonly params: P;
  /** Builds an instance; throws ParamError for the production's cross-field error cases. */
  create(name: string, params: z.output<P>, ctx: FactoryContext): Plugin;
}

/** A plugin parameter the production would refuse (message names the parameter). */
export class ParamError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
  }
}

const registry = new Map<string, PluginDefinition[]>();

const servesDialect = (d: PluginDefinition, dialect: Dialect): boolean => d.dialects === undefined || d.dialects.includes(dialect);

/** Registers a type; the same type may be registered again only for dialects it does not serve yet. */
export function registerPlugin<P extends z.ZodObject>(def: PluginDefinition<P>): void {
  const defs = registry.get(def.type) ?? [];
  const d = def as unknown as PluginDefinition;
  for (const dialect of d.dialects ?? DIALECTS) {
    if (defs.some((o) => servesDialect(o, dialect))) throw new Error(`plugin type "${def.type}" registered twice for ${dialect}`);
  }
  defs.push(d);
  registry.set(def.type, defs);
}

/** The definition of `type` in `dialect` (GAIE v1.5.0 when not given). */
export function pluginDefinition(type: string, dialect: Dialect = 'gaie-v1.5'): PluginDefinition | undefined {
  return registry.get(type)?.find((d) => servesDialect(d, dialect));
}

/**
 * Every registered definition, sorted by type name: those of one dialect when given, else all of
 * them (a type registered per dialect appears once per definition, GAIE's first).
 */
export function pluginDefinitions(dialect?: Dialect): PluginDefinition[] {
  const out: PluginDefinition[] = [];
  for (const defs of registry.values()) for (const d of defs) if (dialect === undefined || servesDialect(d, dialect)) out.push(d);
  const rank = (d: PluginDefinition): number => (d.dialects === undefined ? 0 : DIALECTS.indexOf(d.dialects[0]!) + 1);
  return out.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : rank(a) - rank(b)));
}

export interface ParamDoc {
  readonly name: string;
  readonly type: string;
  readonly default: unknown;
  readonly description: string;
}

/** Parameters of a definition, for `routesim plugins` and the README table. */
export function paramDocs(def: PluginDefinition): ParamDoc[] {
  const out: ParamDoc[] = [];
  for (const [name, schema] of Object.entries(def.params.shape)) {
    const s = schema as z.ZodType;
    let defaultValue: unknown;
    try {
      defaultValue = s.parse(undefined);
    } catch {
      defaultValue = undefined;
    }
    const js = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as { type?: string | string[]; anyOf?: { type?: string }[] };
    const type = Array.isArray(js.type) ? js.type.join('|') : js.type ?? (js.anyOf ?? []).map((a) => a.type ?? 'object').join('|');
    out.push({ name, type: type || 'object', default: defaultValue, description: s.description ?? '' });
  }
  return out;
}
