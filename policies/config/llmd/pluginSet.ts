/**
 * Plugin declarations and instantiation for the llm-d-router v0.10.0 loader (`llm-d-router.md`
 * §2.9 steps 1–2): names default to the type and are unique, types must be registered in the
 * dialect's catalog, parameters are decoded strictly, and instances are created in the topological
 * order of plugin-to-plugin references (a plugin asking for another through the factory context
 * creates it first, so declaration order does not matter, #1876). Stability gate (§2.4): an Alpha
 * type fails unless experimental plugins are allowed; a deprecated type loads with a warning.
 */
import { ParamError, type FactoryContext, type PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';
import { ConfigError, didYouMean, joinPath } from '../errors.js';
import { paramFix } from '../loader.js';
import { issueToConfigError } from '../zodIssues.js';
import { DEPRECATED_TYPES, isAlphaType } from './defaults.js';

export interface Spec {
  readonly name: string;
  readonly type: string;
  readonly params: Record<string, unknown>;
  /** Path of the spec's `parameters` ('' for auto-created plugins). */
  readonly paramsPath: string;
  /** Path naming the spec ('' for auto-created plugins). */
  readonly path: string;
  /** Why the loader added it (auto-created plugins), for messages. */
  readonly reason?: string;
}

export class PluginSet {
  readonly specs: Spec[] = [];
  readonly byName = new Map<string, Spec>();
  /** Instances by name, in creation order. */
  private readonly instances = new Map<string, Plugin>();
  /** Parsed parameters by name. */
  readonly parsedParams = new Map<string, Record<string, unknown>>();
  private readonly creating = new Set<string>();

  constructor(
    private readonly catalog: ReadonlyMap<string, PluginDefinition>,
    private readonly allowExperimental: boolean,
    private readonly warnings: string[],
  ) {}

  definition(name: string): PluginDefinition {
    return this.catalog.get(this.byName.get(name)!.type)!;
  }

  add(s: Spec): Spec {
    const where = s.path ? `${s.path}.type` : 'plugins';
    const other = this.byName.get(s.name);
    if (other) {
      throw new ConfigError(s.path ? `${s.path}.name` : 'plugins', `duplicate plugin name "${s.name}" (also ${other.path || 'an automatically added plugin'})`, 'give each plugin a unique name (name defaults to the type)');
    }
    const def = this.catalog.get(s.type);
    if (!def) {
      const guess = didYouMean(s.type, this.catalog.keys());
      const what = s.reason ? `unknown plugin type "${s.type}" (${s.reason})` : `unknown plugin type "${s.type}"`;
      throw new ConfigError(where, what, guess ? `did you mean "${guess}"? \`routesim plugins\` lists every llm-d-v0.10 type` : '`routesim plugins` lists every llm-d-v0.10 type');
    }
    const alpha = def.stability !== undefined ? def.stability === 'alpha' : isAlphaType(def.type);
    if (alpha && !this.allowExperimental) {
      throw new ConfigError(where, `plugin type "${s.type}" is Alpha and experimental plugins are not allowed (llm-d-router --allow-experimental-plugins=false)`, 'set `allow_experimental_plugins: true` on the scenario policy (pick case: `allowExperimentalPlugins: true`; the EPP flag --allow-experimental-plugins=true), or use a Beta type');
    }
    const replacement = def.deprecatedFor ?? DEPRECATED_TYPES[def.type];
    if (replacement) this.warnings.push(`${where}: plugin type "${s.type}" is deprecated in llm-d-router v0.10.0 (fix: use "${replacement}")`);
    this.specs.push(s);
    this.byName.set(s.name, s);
    return s;
  }

  /** Adds a plugin the loader creates (name = type unless given, no parameters) and instantiates it. */
  auto(type: string, reason: string, name = type): Plugin {
    return this.create(this.add({ name, type, params: {}, paramsPath: '', path: '', reason }));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Plugin | undefined {
    const s = this.byName.get(name);
    return s ? this.create(s) : undefined;
  }

  create(spec: Spec): Plugin {
    const have = this.instances.get(spec.name);
    if (have) return have;
    if (this.creating.has(spec.name)) throw new ConfigError(spec.path || 'plugins', `plugin "${spec.name}" refers to itself through other plugins`, 'remove the circular reference');
    this.creating.add(spec.name);
    const def = this.catalog.get(spec.type)!;
    const schema = def.params.strict();
    const at = spec.paramsPath || `${spec.name}.parameters`;
    const r = schema.safeParse(spec.params);
    if (!r.success) throw issueToConfigError(r.error, spec.params, schema, at, 'parameter');
    const ctx: FactoryContext = { plugin: (n) => this.get(n) };
    let plugin: Plugin;
    try {
      plugin = def.create(spec.name, r.data, ctx);
    } catch (err) {
      if (err instanceof ParamError) throw new ConfigError(joinPath(at, err.param), spec.reason && !spec.paramsPath ? `${err.message} (auto-created: ${spec.reason})` : err.message, paramFix(def, err.param));
      throw err;
    }
    this.creating.delete(spec.name);
    this.parsedParams.set(spec.name, r.data as Record<string, unknown>);
    this.instances.set(spec.name, plugin);
    return plugin;
  }

  createAll(): void {
    for (const s of this.specs) this.create(s);
  }

  /** Every instance in declaration order (auto-created ones after, in creation order). */
  ordered(): Map<string, Plugin> {
    const out = new Map<string, Plugin>();
    for (const s of this.specs) out.set(s.name, this.create(s));
    return out;
  }
}
