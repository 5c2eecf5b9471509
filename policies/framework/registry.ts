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

export interface PluginDefinition<P extends z.ZodObject = z.ZodObject> {
  /** Production type name, e.g. `queue-scorer`. */
  readonly type: string;
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

const registry = new Map<string, PluginDefinition>();

export function registerPlugin<P extends z.ZodObject>(def: PluginDefinition<P>): void {
  if (registry.has(def.type)) throw new Error(`plugin type "${def.type}" registered twice`);
  registry.set(def.type, def as unknown as PluginDefinition);
}

export function pluginDefinition(type: string): PluginDefinition | undefined {
  return registry.get(type);
}

/** Every registered type, sorted by name. */
export function pluginDefinitions(): PluginDefinition[] {
  return [...registry.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
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
