/**
 * The llm-d-router v0.10.0 EndpointPickerConfig loader (`llm-d-router.md` §2), selected by
 * `apiVersion: llm-d.ai/v1alpha1` (../loader.ts dispatches; the deprecated
 * `inference.networking.x-k8s.io/v1alpha1` group keeps GAIE v1.5.0 semantics in routesim, where the
 * apiVersion selects the dialect — the production would read it as v0.10 with a deprecation log).
 *
 * Order (§2.9): (1) names default to types, deprecated top-level `saturationDetector`/`parser` move
 * into `flowControl.saturationDetector`/`requestHandler.parsers` when those are unset; (2) plugins
 * validated (registered, unique, stability gate §2.4) and instantiated in reference order;
 * (3) system defaults: scheduling, flow-control policies, parsers (§2.3), saturation detector,
 * data layer (§2.5); (4) gates, refs, exactly one profile handler; (5) auto-created data producers.
 */
import type { PluginDefinition } from '../../framework/registry.js';
import {
  isPrepareData,
  isRequestHeaderProcessor,
  isResponseHeaderProcessor,
  isSaturationDetector,
  isScreener,
  type Plugin,
  type SaturationDetector,
} from '../../framework/types.js';
import { ConfigError, didYouMean } from '../errors.js';
import { defaultCatalog, refError, requestControlHooks, type ResolvedConfig } from '../loader.js';
import { issueToConfigError } from '../zodIssues.js';
import { attachNotificationSource, resolveDataLayer } from './dataLayer.js';
import { DEFAULT_SATURATION_DETECTOR } from './defaults.js';
import { addDefaultPolicies, resolveFlowControl } from './flowControl.js';
import { PluginSet } from './pluginSet.js';
import { autoCreateProducers, orderProducersV010 } from './producers.js';
import { resolveProfiles } from './profiles.js';
import { DEFAULT_PARSERS, effectiveParsers } from './requestHandler.js';
import { LLMD_FEATURE_GATES, llmdConfigSchema, REMOVED_FEATURE_GATES, type LlmdConfigDoc } from './schema.js';

export interface LlmdLoadOptions {
  readonly catalog?: ReadonlyMap<string, PluginDefinition>;
  /** `--allow-experimental-plugins` (default false, as in production): Alpha types load only when true. */
  readonly allowExperimentalPlugins?: boolean;
}

/** Feature gates: `name`, `name=true`, `name=false`; unknown or removed gates are errors (§2.2). */
export function resolveFeatureGates(entries: readonly string[]): Map<string, boolean> {
  const values = new Map(Object.entries(LLMD_FEATURE_GATES));
  const known = Object.keys(LLMD_FEATURE_GATES);
  entries.forEach((raw, i) => {
    const m = /^([^=]+?)(?:=(.*))?$/.exec(raw.trim())!;
    const gate = m[1]!.trim();
    const v = m[2]?.trim().toLowerCase();
    const path = `featureGates[${i}]`;
    if ((REMOVED_FEATURE_GATES as readonly string[]).includes(gate)) throw new ConfigError(path, `feature gate "${gate}" was removed in llm-d-router v0.10.0`, `remove it (registered gates: ${known.join(', ')})`);
    if (!known.includes(gate)) {
      const guess = didYouMean(gate, known);
      throw new ConfigError(path, `unknown feature gate "${gate}"`, `${guess ? `did you mean "${guess}"? ` : ''}registered gates: ${known.join(', ')}`);
    }
    if (v !== undefined && v !== 'true' && v !== 'false') throw new ConfigError(path, `"${raw}": the value must be true or false`, `write "${gate}", "${gate}=true" or "${gate}=false"`);
    values.set(gate, v !== 'false');
  });
  return values;
}

/** Validates and wires a parsed `llm-d.ai/v1alpha1` document (already known to carry that apiVersion). */
export function resolveLlmdConfig(input: object, opts: LlmdLoadOptions = {}): ResolvedConfig {
  const parsed = llmdConfigSchema.safeParse(input);
  if (!parsed.success) throw issueToConfigError(parsed.error, input, llmdConfigSchema);
  const doc: LlmdConfigDoc = parsed.data;
  const catalog = opts.catalog ?? defaultCatalog('llm-d-v0.10');
  const warnings: string[] = [];
  const gates = resolveFeatureGates(doc.featureGates ?? []);

  // (1) deprecated top-level fields move into their v0.10 places when those are unset.
  let detectorRef = doc.flowControl?.saturationDetector?.pluginRef;
  let detectorPath = 'flowControl.saturationDetector.pluginRef';
  if (doc.saturationDetector) {
    if (detectorRef === undefined) {
      detectorRef = doc.saturationDetector.pluginRef;
      detectorPath = 'saturationDetector.pluginRef';
      warnings.push('saturationDetector: deprecated top-level field, moved to flowControl.saturationDetector (fix: write it under flowControl)');
    } else warnings.push('saturationDetector: deprecated top-level field ignored because flowControl.saturationDetector is set (fix: remove it)');
  }
  let parserRefs = (doc.requestHandler?.parsers ?? []).map((p) => p.pluginRef);
  let parserPath = 'requestHandler.parsers';
  if (doc.parser) {
    if (parserRefs.length === 0) {
      parserRefs = [doc.parser.pluginRef];
      parserPath = 'parser';
      warnings.push('parser: deprecated top-level field, moved to requestHandler.parsers (fix: write requestHandler: {parsers: [{pluginRef: …}]})');
    } else warnings.push('parser: deprecated top-level field ignored because requestHandler.parsers is set (fix: remove it)');
  }

  // (2) plugins.
  const set = new PluginSet(catalog, opts.allowExperimentalPlugins ?? false, warnings);
  (doc.plugins ?? []).forEach((p, i) => {
    set.add({ name: p.name ?? p.type, type: p.type, params: p.parameters ?? {}, paramsPath: `plugins[${i}].parameters`, path: `plugins[${i}]` });
  });
  set.createAll();

  // (3) system defaults: scheduling, flow-control policies, parsers, saturation detector, data layer.
  const { profiles, handler } = resolveProfiles(doc.schedulingProfiles, set, warnings);
  addDefaultPolicies(set);
  const parserPlugins: Plugin[] = [];
  const refs = parserRefs.length > 0 ? parserRefs : [...DEFAULT_PARSERS];
  refs.forEach((ref, i) => {
    const p = set.get(ref) ?? set.auto(ref, parserRefs.length > 0 ? `${parserPath}[${i}] names no declared plugin, so it is read as a type` : 'default parser');
    if (!set.definition(p.name).kinds.includes('Parser')) throw new ConfigError(parserRefs.length > 0 ? `${parserPath}${parserPath === 'parser' ? '' : `[${i}]`}.pluginRef` : 'requestHandler', `plugin "${p.name}" (${p.type}) is not a request parser`, 'name a parser plugin (openai-parser, anthropic-parser, vllmhttp-parser, passthrough-parser, …)');
    parserPlugins.push(p);
  });
  const { parsers, skipped } = effectiveParsers(parserPlugins);
  for (const s of skipped) warnings.push(`${parserPath}: parser "${s}" is never used (it follows a fallback parser or repeats a parser type) (fix: remove it)`);
  let saturationDetector: SaturationDetector;
  {
    const ref = detectorRef ?? DEFAULT_SATURATION_DETECTOR;
    let p = set.get(ref);
    if (!p) {
      if (detectorRef !== undefined) throw refError(detectorPath, ref, set.byName.keys());
      p = set.auto(DEFAULT_SATURATION_DETECTOR, 'default saturation detector');
    }
    if (!isSaturationDetector(p)) throw new ConfigError(detectorRef !== undefined ? detectorPath : 'plugins', `plugin "${p.name}" (${p.type}) is not a saturation detector`, 'name a utilization-detector or concurrency-detector plugin');
    saturationDetector = p;
  }
  const dataLayer = resolveDataLayer(doc.dataLayer, set, warnings);

  // (4) gates and flow control (refs checked); (5) auto-created producers.
  const flowControl = resolveFlowControl(doc.flowControl, gates.get('flowControl') === true, set, warnings);
  autoCreateProducers(set, catalog);
  attachNotificationSource(set, dataLayer);

  const all = [...set.ordered().values()];
  const types = new Map<string, string>();
  for (const s of set.specs) types.set(s.name, s.type);
  return {
    plugins: set.ordered(),
    types,
    profiles,
    handler,
    prepareData: orderProducersV010(set, all.filter(isPrepareData)),
    ...requestControlHooks(all),
    saturationDetector,
    flowControl,
    featureGates: new Set([...gates].filter(([, on]) => on).map(([g]) => g)),
    parser: parsers[0]!.name,
    dataLayer: dataLayer.sources,
    dialect: 'llm-d-v0.10',
    warnings,
    parsers,
    requestHeaderProcessors: all.filter(isRequestHeaderProcessor),
    screeners: all.filter(isScreener),
    responseHeaderProcessors: all.filter(isResponseHeaderProcessor),
    llmd: {
      featureGates: gates,
      discovery: dataLayer.discovery,
      crossReplicaSyncer: dataLayer.crossReplicaSyncer,
      crossReplicaSyncIntervalUs: dataLayer.crossReplicaSyncIntervalUs,
      allowExperimentalPlugins: opts.allowExperimentalPlugins ?? false,
    },
  };
}
