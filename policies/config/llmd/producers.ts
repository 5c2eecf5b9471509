/**
 * llm-d-router v0.10.0 auto-created data producers (`llm-d-router.md` §2.9 step 5): while some
 * plugin requires a data key nobody produces, the registered default producer for the key's data
 * type is instantiated with no parameters (name = type). A required key without a default producer,
 * or naming a producer instance that does not exist, is a startup error.
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type { PrepareData } from '../../framework/types.js';
import { orderProducers } from '../loader.js';
import { ConfigError } from '../errors.js';
import { dataTypeOf, defaultProducerType, producedKeys, producerOf, requiredKeys } from './dataKeys.js';
import type { PluginSet } from './pluginSet.js';

/** Required keys of every plugin in the set, with who requires them (declaration order). */
function unmet(set: PluginSet): { key: string; by: string; path: string } | null {
  const produced = new Set<string>();
  for (const s of set.specs) {
    set.create(s);
    for (const k of producedKeys(set.definition(s.name), set.parsedParams.get(s.name) ?? {}, s.name)) produced.add(k);
  }
  for (const s of set.specs) {
    for (const k of requiredKeys(set.definition(s.name), set.parsedParams.get(s.name) ?? {}, s.name)) {
      if (!produced.has(k)) return { key: k, by: s.name, path: s.path || 'plugins' };
    }
  }
  return null;
}

export function autoCreateProducers(set: PluginSet, catalog: ReadonlyMap<string, PluginDefinition>): void {
  for (let guard = 0; guard < 64; guard++) {
    const u = unmet(set);
    if (!u) return;
    const type = dataTypeOf(u.key);
    const producer = producerOf(u.key);
    const dflt = defaultProducerType(type, catalog);
    if (dflt === undefined) {
      throw new ConfigError(u.path, `plugin "${u.by}" requires data "${u.key}" and no plugin produces it (${type} has no default producer)`, `declare a plugin named "${producer}" that produces ${type}`);
    }
    if (producer !== dflt || set.has(producer)) {
      throw new ConfigError(u.path, `plugin "${u.by}" requires data "${u.key}" but no plugin named "${producer}" produces ${type}`, `declare a ${dflt} (or another ${type} producer) named "${producer}", or drop the producer-name parameter to use the default "${dflt}"`);
    }
    set.auto(dflt, `default producer of ${type}, required by "${u.by}"`);
  }
  throw new ConfigError('plugins', 'data producers keep requiring new producers', 'declare the producers explicitly');
}

/**
 * PrepareData plugins in produce/consume DAG order (§2.9 last step; ties in declaration order):
 * edges come from the instances' own `produces`/`consumes` and from the definitions' data keys
 * (`produces`/`requires`, or the built-in table), so token-producer runs before the approximate
 * prefix producer that reads TokenizedPrompt.
 */
export function orderProducersV010(set: PluginSet, producers: readonly PrepareData[]): PrepareData[] {
  const views = producers.map((p) => {
    const def = set.definition(p.name);
    const params = set.parsedParams.get(p.name) ?? {};
    return { p, view: { ...p, name: p.name, produces: [...p.produces, ...producedKeys(def, params, p.name)], consumes: [...p.consumes, ...requiredKeys(def, params, p.name)] } as PrepareData };
  });
  const back = new Map(views.map((v) => [v.view, v.p]));
  return orderProducers(views.map((v) => v.view)).map((v) => back.get(v)!);
}
