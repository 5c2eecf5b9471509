/**
 * The EndpointPickerConfig loader (GAIE v1.5.0 `config/loader/{configloader,defaults}.go`,
 * `epp.md` §3.1–§3.2): strict decoding, plugin instantiation from the registry with each plugin's
 * parameter schema, the production's defaulting, and validation. The result is everything the
 * request lifecycle (framework/director.ts) needs, with fresh (stateful) plugin instances on every
 * call.
 *
 * `apiVersion: llm-d.ai/v1alpha1` documents go to the llm-d-router v0.10.0 loader (llmd/loader.ts);
 * `inference.networking.x-k8s.io/v1alpha1` keeps GAIE v1.5.0 semantics below (routesim lets the
 * apiVersion select the dialect, where v0.10.0 itself reads the old group as v0.10 with a
 * deprecation log, `llm-d-router.md` §2.1).
 *
 * Defaulting, in the production's order:
 *  1. plugin names default to their type; names must be unique;
 *  2. a `prefix-cache-scorer` without any `approx-prefix-cache-producer` gets one (name = type) built
 *     from the (first) scorer's parameters;
 *  3. no `dataLayer` section → `metrics-data-source` + `core-metrics-extractor`; no `parser` →
 *     `openai-parser` (routesim's metrics come from the gateway's scrape; these are no-ops);
 *  4. no profiles → one `default` profile with every filter, scorer (weight 1) and picker, in config
 *     order (the production iterates a Go map, i.e. a random order);
 *  5. every profile lacking a picker gets a `max-score-picker` (instantiated, name = type, when the
 *     config has none);
 *  6. one profile and no handler → `single-profile-handler`;
 *  7. no `saturationDetector` → a `utilization-detector` with default parameters (the first one the
 *     config declares, else a new one — not added to the default profile);
 *  8. with the `flowControl` gate: band defaults (1 GB, unlimited requests) and the default policies
 *     `global-strict-fairness-policy`, `fcfs-ordering-policy`, `static-usage-limit-policy`.
 */
import { z } from 'zod';
import {
  DEFAULT_BAND_MAX_BYTES,
  DEFAULT_FAIRNESS_POLICY,
  DEFAULT_ORDERING_POLICY,
  DEFAULT_USAGE_LIMIT_POLICY,
} from '../flowcontrol/controller.js';
import type { FlowControlConfig, PriorityBandConfig } from '../flowcontrol/types.js';
import { ParamError, pluginDefinitions, type Dialect, type FactoryContext, type PluginDefinition } from '../framework/registry.js';
import {
  isAdmission,
  isFairnessPolicy,
  isFilter,
  isKvEventListener,
  isOrderingPolicy,
  isPicker,
  isPreRequest,
  isPrepareData,
  isProfileHandler,
  isResponseComplete,
  isSaturationDetector,
  isScorer,
  isUsageLimitPolicy,
  type Admission,
  type Filter,
  type KvEventListener,
  type Picker,
  type Plugin,
  type PreRequest,
  type PrepareData,
  type ProfileHandler,
  type RequestHeaderProcessor,
  type ResponseComplete,
  type ResponseHeaderProcessor,
  type Screener,
  type SaturationDetector,
  type SchedulerProfile,
  type Scorer,
} from '../framework/types.js';
import { registerCatalog } from '../plugins/index.js';
import { parseYamlText } from '../util/userText.js';
import { APPROX_PREFIX_CACHE_PRODUCER } from '../plugins/producer/approxPrefixCache.js';
import { PREFIX_CACHE_SCORER } from '../plugins/scorer/prefixCache.js';
import { defaultConfigYaml } from './defaultConfigYaml.js';
import { ConfigError, didYouMean, joinPath } from './errors.js';
import { API_VERSION, endpointPickerConfigSchema, KNOWN_FEATURE_GATES, LLMD_API_VERSION, type EndpointPickerConfigDoc } from './schema.js';
import { issueToConfigError } from './zodIssues.js';
import { resolveLlmdConfig } from './llmd/loader.js';
import type { ParserEntry } from './llmd/requestHandler.js';

export { ConfigError } from './errors.js';

/** GAIE v1.5.0 `loadDefaultConfig`: the configuration used when none is given. */
export const DEFAULT_CONFIG_YAML = defaultConfigYaml(API_VERSION);

/** Production defaults (`defaults.go`, flow-control registry config). */
export const DEFAULT_SCORER_WEIGHT = 1.0;
export const DEFAULT_SATURATION_DETECTOR = 'utilization-detector';
export const DEFAULT_PICKER = 'max-score-picker';
export const DEFAULT_PROFILE_HANDLER = 'single-profile-handler';
export const DEFAULT_PARSER = 'openai-parser';
export const DEFAULT_DATA_SOURCE = 'metrics-data-source';
export const DEFAULT_EXTRACTOR = 'core-metrics-extractor';

/** A loaded configuration: fresh plugin instances wired the way the production wires them. */
export interface ResolvedConfig {
  /** Every plugin instance by name, in config order (auto-created ones last, in creation order). */
  readonly plugins: ReadonlyMap<string, Plugin>;
  /** Type of each instance (by name). */
  readonly types: ReadonlyMap<string, string>;
  readonly profiles: ReadonlyMap<string, SchedulerProfile>;
  readonly handler: ProfileHandler;
  /** PrepareData producers, topologically ordered by produces/consumes (ties in config order). */
  readonly prepareData: readonly PrepareData[];
  readonly admission: readonly Admission[];
  readonly preRequest: readonly PreRequest[];
  readonly responseComplete: readonly ResponseComplete[];
  readonly kvEventListeners: readonly KvEventListener[];
  readonly saturationDetector: SaturationDetector;
  /** The flow-control configuration when the `flowControl` feature gate is on, else null. */
  readonly flowControl: FlowControlConfig | null;
  readonly featureGates: ReadonlySet<string>;
  /** Instance name of the request parser (no-op in routesim). */
  readonly parser: string;
  /** Data-layer sources and their extractors (instance names; no-op in routesim). */
  readonly dataLayer: readonly { readonly source: string; readonly extractors: readonly string[]; readonly intervalTicks?: number }[];
  /** Which production the config is read as: its apiVersion's (GAIE v1.5.0 or llm-d-router v0.10.0). */
  readonly dialect: Dialect;
  /**
   * Things the EPP accepts but that are most likely mistakes (a negative scorer weight), each as
   * `path: problem (fix: …)`; callers print them as warnings.
   */
  readonly warnings: readonly string[];
  // llm-d-router v0.10.0 only (llmd/loader.ts); absent for GAIE v1.5.0 configs ----------------------
  /** Request parsers in precedence order with their claimed path suffixes (§2.3). */
  readonly parsers?: readonly ParserEntry[];
  readonly requestHeaderProcessors?: readonly RequestHeaderProcessor[];
  readonly screeners?: readonly Screener[];
  readonly responseHeaderProcessors?: readonly ResponseHeaderProcessor[];
  /** v0.10 settings routesim records but that do not change routing. */
  readonly llmd?: {
    /** Every registered gate with its value (defaults included). */
    readonly featureGates: ReadonlyMap<string, boolean>;
    readonly discovery: string | null;
    readonly crossReplicaSyncer: string | null;
    readonly crossReplicaSyncIntervalUs: number | null;
    readonly allowExperimentalPlugins: boolean;
  };
}

export interface LoadOptions {
  /** Plugin definitions by type (default: the registered catalog). */
  readonly catalog?: ReadonlyMap<string, PluginDefinition>;
  /**
   * llm-d-router v0.10.0 `--allow-experimental-plugins` (§2.4): Alpha plugin types load only when
   * true. Default false, as in production; a scenario policy opts in with
   * `allow_experimental_plugins: true`. Ignored for GAIE v1.5.0 configs.
   */
  readonly allowExperimentalPlugins?: boolean;
  /**
   * Read `inference.networking.x-k8s.io/v1alpha1` documents as llm-d-router v0.10.0 does (v0.10
   * semantics, deprecation warning) instead of as GAIE v1.5.0 (the default: in routesim the
   * apiVersion selects the dialect).
   */
  readonly legacyGroupAsV010?: boolean;
}

/** Optional hook on profile handlers: profile names the handler needs to exist. */
export interface RequiresProfiles {
  readonly requiredProfiles: readonly string[];
}

/** The registered catalog of one dialect as a map (registers it on first use). */
export function defaultCatalog(dialect: Dialect = 'gaie-v1.5'): ReadonlyMap<string, PluginDefinition> {
  registerCatalog();
  return new Map(pluginDefinitions(dialect).map((d) => [d.type, d]));
}

/** Parses YAML (or JSON) text into a document; syntax errors become a ConfigError. */
export function parseConfigText(text: string): unknown {
  const r = parseYamlText(text);
  if ('error' in r) throw new ConfigError(r.error.line !== undefined ? `line ${r.error.line}, column ${r.error.col ?? 1}` : '', r.error.problem, r.error.fix);
  return r.value;
}

/**
 * Loads a configuration from text, from an already-parsed document, or (null) the no-config
 * default. `_label` names the config in diagnostics of callers; errors are ConfigErrors whose path
 * is relative to the document.
 */
export function loadPickerConfig(input: { text: string } | { value: unknown } | null, opts: LoadOptions = {}): ResolvedConfig {
  const doc = input === null ? parseConfigText(DEFAULT_CONFIG_YAML) : 'text' in input ? parseConfigText(input.text) : input.value;
  return resolveConfig(doc, opts);
}

// ---------------------------------------------------------------------------------------------

interface Spec {
  readonly name: string;
  readonly type: string;
  readonly params: Record<string, unknown>;
  /** Path of the spec's `parameters` for error messages ('' for auto-created plugins). */
  readonly paramsPath: string;
  /** Path naming the spec (for errors about the plugin itself). */
  readonly path: string;
}

/** Validates and wires a parsed EndpointPickerConfig document. */
export function resolveConfig(input: unknown, opts: LoadOptions = {}): ResolvedConfig {
  if (input === null || input === undefined) throw new ConfigError('', 'the config is empty', 'write an EndpointPickerConfig (apiVersion, kind, plugins, schedulingProfiles)');
  if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError('', 'the config must be a mapping', 'write an EndpointPickerConfig mapping');
  // The apiVersion selects the dialect: llm-d.ai/v1alpha1 → the llm-d-router v0.10.0 loader.
  const apiVersion = (input as { apiVersion?: unknown }).apiVersion;
  if (apiVersion === LLMD_API_VERSION) return resolveLlmdConfig(input, opts);
  if (apiVersion === API_VERSION && opts.legacyGroupAsV010) {
    const c = resolveLlmdConfig({ ...input, apiVersion: LLMD_API_VERSION }, opts);
    return { ...c, warnings: [`apiVersion: ${API_VERSION} is deprecated in llm-d-router v0.10.0 (fix: write ${LLMD_API_VERSION})`, ...c.warnings] };
  }
  const parsed = endpointPickerConfigSchema.safeParse(input);
  if (!parsed.success) {
    const e = issueToConfigError(parsed.error, input, endpointPickerConfigSchema);
    if (e.path === 'data') throw new ConfigError('data', 'unknown field', 'the v1.5.0 field is "dataLayer"');
    throw e;
  }
  const doc: EndpointPickerConfigDoc = parsed.data;
  const dialect: Dialect = doc.apiVersion === LLMD_API_VERSION ? 'llm-d-v0.10' : 'gaie-v1.5';
  const catalog = opts.catalog ?? defaultCatalog(dialect);

  // Feature gates ---------------------------------------------------------------------------------
  const featureGates = new Set<string>();
  (doc.featureGates ?? []).forEach((g, i) => {
    if (!(KNOWN_FEATURE_GATES as readonly string[]).includes(g)) {
      const guess = didYouMean(g, KNOWN_FEATURE_GATES);
      throw new ConfigError(`featureGates[${i}]`, `unknown feature gate "${g}"`, `${guess ? `did you mean "${guess}"? ` : ''}known gates: ${KNOWN_FEATURE_GATES.join(', ')}`);
    }
    featureGates.add(g);
  });
  const flowControlOn = featureGates.has('flowControl');

  // Plugin specs ----------------------------------------------------------------------------------
  const specs: Spec[] = [];
  const specByName = new Map<string, Spec>();
  const addSpec = (s: Spec): void => {
    const other = specByName.get(s.name);
    if (other) {
      throw new ConfigError(
        s.path ? `${s.path}.name` : 'plugins',
        `duplicate plugin name "${s.name}" (also ${other.path || 'an automatically added plugin'})`,
        `give each plugin a unique name (name defaults to the type)`,
      );
    }
    if (!catalog.has(s.type)) {
      const guess = didYouMean(s.type, catalog.keys());
      throw new ConfigError(
        s.path ? `${s.path}.type` : 'plugins',
        `unknown plugin type "${s.type}"`,
        guess ? `did you mean "${guess}"? \`routesim plugins\` lists every type` : '`routesim plugins` lists every type',
      );
    }
    specs.push(s);
    specByName.set(s.name, s);
  };
  (doc.plugins ?? []).forEach((p, i) => {
    addSpec({ name: p.name ?? p.type, type: p.type, params: p.parameters ?? {}, paramsPath: `plugins[${i}].parameters`, path: `plugins[${i}]` });
  });
  const firstOfType = (type: string): Spec | undefined => specs.find((s) => s.type === type);
  const autoSpec = (type: string, params: Record<string, unknown> = {}, paramsPath = ''): Spec => {
    const s: Spec = { name: type, type, params, paramsPath, path: '' };
    addSpec(s);
    return s;
  };

  // (2) the approximate prefix producer, fed the scorer's parameters.
  const prefixScorer = firstOfType(PREFIX_CACHE_SCORER);
  if (prefixScorer && !firstOfType(APPROX_PREFIX_CACHE_PRODUCER)) autoSpec(APPROX_PREFIX_CACHE_PRODUCER, prefixScorer.params, prefixScorer.paramsPath);

  // (3) data layer and parser.
  const dataLayerDoc = doc.dataLayer;
  if (!dataLayerDoc) {
    if (!firstOfType(DEFAULT_DATA_SOURCE)) autoSpec(DEFAULT_DATA_SOURCE);
    if (!firstOfType(DEFAULT_EXTRACTOR)) autoSpec(DEFAULT_EXTRACTOR);
  }
  if (!doc.parser && !firstOfType(DEFAULT_PARSER)) autoSpec(DEFAULT_PARSER);

  // (8, part) flow-control policies: a reference left out names the default policy type, which is
  // instantiated (name = type) unless the config declares a plugin of that name.
  if (flowControlOn) {
    const fc = doc.flowControl ?? {};
    const fairness = fc.defaultPriorityBand?.fairnessPolicyRef ?? DEFAULT_FAIRNESS_POLICY;
    const ordering = fc.defaultPriorityBand?.orderingPolicyRef ?? DEFAULT_ORDERING_POLICY;
    const refs = [fairness, ordering, fc.usageLimitPolicyPluginRef ?? DEFAULT_USAGE_LIMIT_POLICY];
    for (const b of fc.priorityBands ?? []) refs.push(b.fairnessPolicyRef ?? fairness, b.orderingPolicyRef ?? ordering);
    for (const type of [DEFAULT_FAIRNESS_POLICY, DEFAULT_ORDERING_POLICY, DEFAULT_USAGE_LIMIT_POLICY]) {
      if (refs.includes(type) && !specByName.has(type)) autoSpec(type);
    }
  }

  // Instantiation (lazily, so a plugin may reference one declared after it) ----------------------
  const instances = new Map<string, Plugin>();
  const creating = new Set<string>();
  const create = (spec: Spec): Plugin => {
    const have = instances.get(spec.name);
    if (have) return have;
    if (creating.has(spec.name)) {
      throw new ConfigError(spec.path || 'plugins', `plugin "${spec.name}" refers to itself through other plugins`, 'remove the circular reference');
    }
    creating.add(spec.name);
    const def = catalog.get(spec.type)!;
    const schema = def.params.strict();
    const r = schema.safeParse(spec.params);
    if (!r.success) throw issueToConfigError(r.error, spec.params, schema, spec.paramsPath || `${spec.name}.parameters`, 'parameter');
    const ctx: FactoryContext = {
      plugin: (n) => {
        const s = specByName.get(n);
        return s ? create(s) : instances.get(n);
      },
    };
    let plugin: Plugin;
    try {
      plugin = def.create(spec.name, r.data, ctx);
    } catch (err) {
      if (err instanceof ParamError) throw new ConfigError(joinPath(spec.paramsPath || `${spec.name}.parameters`, err.param), err.message, paramFix(def, err.param));
      throw err;
    }
    creating.delete(spec.name);
    instances.set(spec.name, plugin);
    return plugin;
  };
  for (const s of specs) create(s);
  // Keep config order (lazy creation may have created some early).
  const ordered = new Map<string, Plugin>();
  for (const s of specs) ordered.set(s.name, instances.get(s.name)!);
  const addInstance = (type: string): Plugin => {
    const s = autoSpec(type);
    const p = create(s);
    ordered.set(s.name, p);
    return p;
  };

  // Profiles --------------------------------------------------------------------------------------
  interface ProfileDraft {
    name: string;
    filters: Filter[];
    scorers: { scorer: Scorer; weight: number }[];
    picker: Picker | null;
  }
  const drafts: ProfileDraft[] = [];
  const warnings: string[] = [];
  const addToProfile = (d: ProfileDraft, p: Plugin, weight: number | undefined, path: string): void => {
    // GAIE SchedulerProfile.AddPlugins: scorers (weighted), filters, one picker; other kinds ignored.
    if (isScorer(p)) d.scorers.push({ scorer: p, weight: weight ?? DEFAULT_SCORER_WEIGHT });
    if (isScorer(p) && weight !== undefined && weight < 0) {
      // The EPP loads it (no check on the sign) and adds weight × score: the scorer then repels traffic.
      warnings.push(`${path.replace(/\.pluginRef$/, '.weight')}: weight ${weight} of scorer "${p.name}" is negative; the EPP accepts it and subtracts its score, so endpoints it favours are avoided (fix: use a weight ≥ 0 to favour them, or 0 to switch the scorer off)`);
    }
    if (isFilter(p)) d.filters.push(p);
    if (isPicker(p)) {
      if (d.picker) {
        throw new ConfigError(path, `profile "${d.name}" already has the picker "${d.picker.name}"; "${p.name}" would be a second one`, 'keep one picker per profile');
      }
      d.picker = p;
    }
  };
  const profileDocs = doc.schedulingProfiles ?? [];
  if (profileDocs.length === 0) {
    const d: ProfileDraft = { name: 'default', filters: [], scorers: [], picker: null };
    for (const [, p] of ordered) if (isFilter(p) || isScorer(p) || isPicker(p)) addToProfile(d, p, undefined, 'plugins');
    drafts.push(d);
  } else {
    const seen = new Map<string, number>();
    profileDocs.forEach((pd, i) => {
      const prev = seen.get(pd.name);
      if (prev !== undefined) throw new ConfigError(`schedulingProfiles[${i}].name`, `duplicate profile name "${pd.name}" (also schedulingProfiles[${prev}])`, 'give each profile a unique name');
      seen.set(pd.name, i);
      const d: ProfileDraft = { name: pd.name, filters: [], scorers: [], picker: null };
      pd.plugins.forEach((ref, j) => {
        const path = `schedulingProfiles[${i}].plugins[${j}]`;
        const p = ordered.get(ref.pluginRef);
        if (!p) throw refError(`${path}.pluginRef`, ref.pluginRef, ordered.keys());
        addToProfile(d, p, ref.weight, `${path}.pluginRef`);
      });
      drafts.push(d);
    });
  }
  // (5) pickers.
  if (drafts.some((d) => d.picker === null)) {
    let picker = [...ordered.values()].find((p) => p.type === DEFAULT_PICKER && isPicker(p)) as Picker | undefined;
    if (!picker) {
      if (ordered.has(DEFAULT_PICKER)) throw new ConfigError('plugins', `a profile lacks a picker and the name "${DEFAULT_PICKER}" is taken by another plugin type`, 'add a picker to every profile');
      picker = addInstance(DEFAULT_PICKER) as Picker;
    }
    for (const d of drafts) if (d.picker === null) d.picker = picker;
  }
  const profiles = new Map<string, SchedulerProfile>();
  for (const d of drafts) profiles.set(d.name, { name: d.name, filters: d.filters, scorers: d.scorers, picker: d.picker! });

  // (6) profile handler.
  const handlers = [...ordered.values()].filter(isProfileHandler);
  if (handlers.length > 1) {
    throw new ConfigError('plugins', `${handlers.length} profile handlers (${handlers.map((h) => h.name).join(', ')}); exactly one is allowed`, 'keep one profile handler');
  }
  let handler: ProfileHandler;
  if (handlers.length === 1) {
    handler = handlers[0]!;
  } else if (profiles.size === 1) {
    handler = addInstance(DEFAULT_PROFILE_HANDLER) as ProfileHandler;
  } else {
    throw new ConfigError('plugins', `${profiles.size} scheduling profiles but no profile handler`, 'add a profile handler plugin (e.g. pd-profile-handler) or use one profile');
  }
  if (handler.type === DEFAULT_PROFILE_HANDLER && profiles.size > 1) {
    throw new ConfigError('schedulingProfiles', `single-profile-handler "${handler.name}" with ${profiles.size} profiles (${[...profiles.keys()].join(', ')})`, 'use one profile, or a multi-profile handler such as pd-profile-handler');
  }
  const required = (handler as Partial<RequiresProfiles>).requiredProfiles ?? [];
  for (const r of required) {
    if (!profiles.has(r)) {
      throw new ConfigError('schedulingProfiles', `profile handler "${handler.name}" needs a profile named "${r}"`, `add a "${r}" profile (profiles here: ${[...profiles.keys()].join(', ')})`);
    }
  }

  // (7) saturation detector.
  let saturationDetector: SaturationDetector;
  if (doc.saturationDetector) {
    const p = ordered.get(doc.saturationDetector.pluginRef);
    if (!p) throw refError('saturationDetector.pluginRef', doc.saturationDetector.pluginRef, ordered.keys());
    if (!isSaturationDetector(p)) throw new ConfigError('saturationDetector.pluginRef', `plugin "${p.name}" (${p.type}) is not a saturation detector`, 'name a utilization-detector or concurrency-detector plugin');
    saturationDetector = p;
  } else {
    const declared = [...ordered.values()].find((p) => p.type === DEFAULT_SATURATION_DETECTOR && isSaturationDetector(p));
    if (declared) saturationDetector = declared as SaturationDetector;
    else if (ordered.has(DEFAULT_SATURATION_DETECTOR)) throw new ConfigError('plugins', `the name "${DEFAULT_SATURATION_DETECTOR}" is taken by another plugin type`, 'rename that plugin or add a saturationDetector section');
    else saturationDetector = addInstance(DEFAULT_SATURATION_DETECTOR) as SaturationDetector;
  }

  // Data layer and parser -------------------------------------------------------------------------
  const dataLayer: { source: string; extractors: string[] }[] = [];
  if (dataLayerDoc) {
    dataLayerDoc.sources.forEach((s, i) => {
      if (!ordered.has(s.pluginRef)) throw refError(`dataLayer.sources[${i}].pluginRef`, s.pluginRef, ordered.keys());
      s.extractors.forEach((e, j) => {
        if (!ordered.has(e.pluginRef)) throw refError(`dataLayer.sources[${i}].extractors[${j}].pluginRef`, e.pluginRef, ordered.keys());
      });
      dataLayer.push({ source: s.pluginRef, extractors: s.extractors.map((e) => e.pluginRef) });
    });
  } else {
    const src = [...ordered.values()].find((p) => p.type === DEFAULT_DATA_SOURCE)!;
    const ex = [...ordered.values()].find((p) => p.type === DEFAULT_EXTRACTOR)!;
    dataLayer.push({ source: src.name, extractors: [ex.name] });
  }
  let parser: string;
  if (doc.parser) {
    if (!ordered.has(doc.parser.pluginRef)) throw refError('parser.pluginRef', doc.parser.pluginRef, ordered.keys());
    parser = doc.parser.pluginRef;
  } else {
    parser = [...ordered.values()].find((p) => p.type === DEFAULT_PARSER)!.name;
  }

  // Flow control ----------------------------------------------------------------------------------
  let flowControl: FlowControlConfig | null = null;
  if (flowControlOn) {
    const fc = doc.flowControl ?? {};
    const checkRef = (path: string, ref: string, guard: (p: Plugin) => boolean, what: string): string => {
      const p = ordered.get(ref);
      if (!p) throw refError(path, ref, ordered.keys());
      if (!guard(p)) throw new ConfigError(path, `plugin "${ref}" (${p.type}) is not a ${what}`, `name a ${what} plugin`);
      return ref;
    };
    const dflt = fc.defaultPriorityBand ?? {};
    const defaultBand: PriorityBandConfig = {
      priority: 0,
      maxBytes: dflt.maxBytes ?? DEFAULT_BAND_MAX_BYTES,
      maxRequests: dflt.maxRequests ?? 0,
      fairnessPolicyRef: checkRef('flowControl.defaultPriorityBand.fairnessPolicyRef', dflt.fairnessPolicyRef ?? DEFAULT_FAIRNESS_POLICY, isFairnessPolicy, 'fairness policy'),
      orderingPolicyRef: checkRef('flowControl.defaultPriorityBand.orderingPolicyRef', dflt.orderingPolicyRef ?? DEFAULT_ORDERING_POLICY, isOrderingPolicy, 'ordering policy'),
    };
    const bands: PriorityBandConfig[] = [];
    const seenPriority = new Map<number, number>();
    (fc.priorityBands ?? []).forEach((b, i) => {
      const path = `flowControl.priorityBands[${i}]`;
      const prev = seenPriority.get(b.priority);
      if (prev !== undefined) throw new ConfigError(`${path}.priority`, `duplicate band priority ${b.priority} (also flowControl.priorityBands[${prev}])`, 'one band per priority');
      seenPriority.set(b.priority, i);
      bands.push({
        priority: b.priority,
        maxBytes: b.maxBytes ?? defaultBand.maxBytes,
        maxRequests: b.maxRequests ?? defaultBand.maxRequests,
        fairnessPolicyRef: b.fairnessPolicyRef === undefined ? defaultBand.fairnessPolicyRef : checkRef(`${path}.fairnessPolicyRef`, b.fairnessPolicyRef, isFairnessPolicy, 'fairness policy'),
        orderingPolicyRef: b.orderingPolicyRef === undefined ? defaultBand.orderingPolicyRef : checkRef(`${path}.orderingPolicyRef`, b.orderingPolicyRef, isOrderingPolicy, 'ordering policy'),
      });
    });
    flowControl = {
      maxBytes: fc.maxBytes ?? 0,
      maxRequests: fc.maxRequests ?? 0,
      defaultRequestTtlUs: fc.defaultRequestTTL ?? 0,
      defaultPriorityBand: defaultBand,
      priorityBands: bands,
      usageLimitPolicyRef: checkRef('flowControl.usageLimitPolicyPluginRef', fc.usageLimitPolicyPluginRef ?? DEFAULT_USAGE_LIMIT_POLICY, isUsageLimitPolicy, 'usage-limit policy'),
    };
  }

  // Request-control lists -------------------------------------------------------------------------
  const all = [...ordered.values()];
  const types = new Map<string, string>();
  for (const s of specs) types.set(s.name, s.type);
  return {
    plugins: ordered,
    types,
    profiles,
    handler,
    prepareData: orderProducers(all.filter(isPrepareData)),
    ...requestControlHooks(all),
    saturationDetector,
    flowControl,
    featureGates,
    parser,
    dataLayer,
    dialect,
    warnings,
  };
}

/**
 * Orders PrepareData plugins so that every producer of a key runs before its consumers (Kahn's
 * algorithm, ties by config order). A cycle is a config error.
 */
export function orderProducers(producers: readonly PrepareData[]): PrepareData[] {
  const n = producers.length;
  const indegree = new Array<number>(n).fill(0);
  const edges: number[][] = producers.map(() => []);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      if (producers[a]!.produces.some((k) => producers[b]!.consumes.includes(k))) {
        edges[a]!.push(b);
        indegree[b]!++;
      }
    }
  }
  const out: PrepareData[] = [];
  const done = new Array<boolean>(n).fill(false);
  for (let k = 0; k < n; k++) {
    let next = -1;
    for (let i = 0; i < n; i++) {
      if (!done[i] && indegree[i] === 0) {
        next = i;
        break;
      }
    }
    if (next < 0) {
      const cyc = producers.filter((_, i) => !done[i]).map((p) => p.name);
      throw new ConfigError('plugins', `data producers depend on each other in a cycle (${cyc.join(', ')})`, 'remove one of the produces/consumes dependencies');
    }
    done[next] = true;
    out.push(producers[next]!);
    for (const b of edges[next]!) indegree[b]!--;
  }
  return out;
}

export function refError(path: string, ref: string, names: Iterable<string>): ConfigError {
  const list = [...names];
  const guess = didYouMean(ref, list);
  return new ConfigError(path, `no plugin named "${ref}"`, `${guess ? `did you mean "${guess}"? ` : ''}declared plugins: ${list.join(', ') || 'none'}`);
}

export function paramFix(def: PluginDefinition, param: string): string {
  const shape = def.params.shape as Record<string, z.ZodType>;
  const top = param.split('.')[0]!;
  const d = shape[top]?.description;
  return d ? `${top}: ${d}` : `see \`routesim plugins\` for ${def.type}'s parameters`;
}

/** The request-control hook lists of a resolved config, in plugin order (both dialects' loaders). */
export function requestControlHooks(all: readonly Plugin[]): Pick<ResolvedConfig, 'admission' | 'preRequest' | 'responseComplete' | 'kvEventListeners'> {
  return {
    admission: all.filter(isAdmission),
    preRequest: all.filter(isPreRequest),
    responseComplete: all.filter(isResponseComplete),
    kvEventListeners: all.filter(isKvEventListener),
  };
}
