/**
 * The EndpointPickerConfig loader (`epp.md` §3.1–§3.2): the production's defaulting, the wiring of
 * plugin instances into profiles and request-control lists, every error case with the field's path,
 * and the ready configs in policies/configs/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadPickerConfig, orderProducers, type ResolvedConfig } from '../../policies/config/loader.js';
import { parseQuantity } from '../../policies/config/schema.js';
import type { PrepareData } from '../../policies/framework/types.js';
import { HEAD, SettableDetector, testCatalog } from './frameworkStubs.js';

const ROOT = resolve(import.meta.dirname, '../..');
const catalog = testCatalog();
const load = (yaml: string): ResolvedConfig => loadPickerConfig({ text: HEAD + yaml }, { catalog });

/** The ConfigError message a config produces (fails the test when it loads). */
function errorOf(yaml: string, raw = false): string {
  try {
    loadPickerConfig({ text: raw ? yaml : HEAD + yaml }, { catalog });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

const profileSummary = (c: ResolvedConfig) =>
  [...c.profiles.values()].map((p) => ({
    name: p.name,
    filters: p.filters.map((f) => f.name),
    scorers: p.scorers.map((s) => [s.scorer.name, s.weight]),
    picker: p.picker.name,
  }));

describe('defaults (GAIE v1.5.0 loadDefaultConfig and defaults.go)', () => {
  it('no config: queue 2, kv 2, prefix 3, max-score picker, single handler, implicit producer, utilization detector, openai parser', () => {
    const c = loadPickerConfig(null, { catalog });
    expect(profileSummary(c)).toEqual([
      { name: 'default', filters: [], scorers: [['queue-scorer', 2], ['kv-cache-utilization-scorer', 2], ['prefix-cache-scorer', 3]], picker: 'max-score-picker' },
    ]);
    expect(c.handler.type).toBe('single-profile-handler');
    expect(c.saturationDetector.type).toBe('utilization-detector');
    expect(c.prepareData.map((p) => p.type)).toEqual(['approx-prefix-cache-producer']);
    expect(c.types.get('approx-prefix-cache-producer')).toBe('approx-prefix-cache-producer');
    expect(c.parser).toBe('openai-parser');
    expect(c.dataLayer).toEqual([{ source: 'metrics-data-source', extractors: ['core-metrics-extractor'] }]);
    expect(c.flowControl).toBeNull();
  });

  it('policies/configs/gaie-default.yaml wires exactly like the no-config default', () => {
    const file = loadPickerConfig({ text: readFileSync(join(ROOT, 'policies/configs/gaie-default.yaml'), 'utf8') }, { catalog });
    const dflt = loadPickerConfig(null, { catalog });
    expect(profileSummary(file)).toEqual(profileSummary(dflt));
    expect([...file.types.entries()].sort()).toEqual([...dflt.types.entries()].sort());
  });

  it('every load makes fresh plugin instances (plugins are stateful)', () => {
    const a = loadPickerConfig(null, { catalog });
    const b = loadPickerConfig(null, { catalog });
    expect(a.plugins.get('prefix-cache-scorer')).not.toBe(b.plugins.get('prefix-cache-scorer'));
  });

  it('names default to the type; weights default to 1.0 and keep fractions', () => {
    const c = load(`
plugins:
- type: test-scorer
- {name: other, type: test-scorer}
schedulingProfiles:
- name: p
  plugins: [{pluginRef: test-scorer}, {pluginRef: other, weight: 2.5}]
`);
    expect(profileSummary(c)[0]!.scorers).toEqual([
      ['test-scorer', 1],
      ['other', 2.5],
    ]);
  });

  it('no profiles: one "default" profile with every filter, scorer (weight 1) and picker in config order; the auto detector is not in it', () => {
    const c = load(`
plugins:
- {name: s2, type: test-scorer}
- {name: f1, type: test-filter}
- {name: prod, type: test-producer}
- {name: s1, type: test-scorer}
- {name: pk, type: random-picker}
`);
    expect(profileSummary(c)).toEqual([{ name: 'default', filters: ['f1'], scorers: [['s2', 1], ['s1', 1]], picker: 'pk' }]);
    expect(c.saturationDetector.type).toBe('utilization-detector');
  });

  it('a profile without a picker gets max-score-picker; an existing max-score-picker instance is reused', () => {
    const c = load(`
plugins:
- {name: s, type: test-scorer}
- {name: r, type: random-picker}
- {name: my-max, type: max-score-picker, parameters: {maxNumOfEndpoints: 2}}
- {type: test-decider}
- {type: disagg-profile-handler, parameters: {deciders: {prefill: test-decider}}}
schedulingProfiles:
- {name: decode, plugins: [{pluginRef: s}]}
- {name: prefill, plugins: [{pluginRef: s}, {pluginRef: r}]}
`);
    const s = profileSummary(c);
    expect(s.map((p) => p.picker)).toEqual(['my-max', 'r']);
    expect(c.plugins.has('max-score-picker')).toBe(false);
  });

  it('no picker anywhere: one max-score-picker (name = type) is instantiated and shared', () => {
    const c = load(`
plugins: [{type: test-scorer}, {type: test-decider}, {type: pd-profile-handler, parameters: {deciderPluginName: test-decider}}]
schedulingProfiles:
- {name: decode, plugins: [{pluginRef: test-scorer}]}
- {name: prefill, plugins: [{pluginRef: test-scorer}]}
`);
    const [d, p] = [...c.profiles.values()];
    expect(d!.picker.type).toBe('max-score-picker');
    expect(d!.picker).toBe(p!.picker);
    expect(c.plugins.get('max-score-picker')).toBe(d!.picker);
  });

  it('one profile and no handler → single-profile-handler (name = type)', () => {
    const c = load(`
plugins: [{type: test-scorer}]
schedulingProfiles: [{name: only, plugins: [{pluginRef: test-scorer}]}]
`);
    expect(c.handler.type).toBe('single-profile-handler');
    expect(c.plugins.get('single-profile-handler')).toBe(c.handler);
  });

  it('a prefix-cache-scorer gets an approx-prefix-cache-producer built from its own parameters; an explicit producer suppresses it', () => {
    // Record what the auto producer is created with by substituting a recording definition.
    const seen: unknown[] = [];
    const cat = new Map(catalog);
    const real = cat.get('approx-prefix-cache-producer')!;
    cat.set('approx-prefix-cache-producer', {
      ...real,
      create: (name, p, ctx) => {
        seen.push({ name, p });
        return real.create(name, p, ctx);
      },
    });
    const cfg = `plugins:\n- {type: prefix-cache-scorer, parameters: {blockSizeTokens: 32, maxPrefixBlocksToMatch: 10}}\n`;
    loadPickerConfig({ text: HEAD + cfg }, { catalog: cat });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'approx-prefix-cache-producer', p: { blockSizeTokens: 32, maxPrefixBlocksToMatch: 10 } });

    seen.length = 0;
    const c = loadPickerConfig(
      { text: HEAD + `plugins:\n- {type: prefix-cache-scorer}\n- {name: mine, type: approx-prefix-cache-producer, parameters: {blockSizeTokens: 8}}\n` },
      { catalog: cat },
    );
    expect(seen).toEqual([{ name: 'mine', p: expect.objectContaining({ blockSizeTokens: 8 }) }]);
    expect(c.prepareData.map((p) => p.name)).toEqual(['mine']);
  });

  it('saturation detector: a declared utilization-detector is used as the default; saturationDetector.pluginRef picks another', () => {
    const a = load(`plugins: [{type: test-scorer}, {name: ud, type: utilization-detector, parameters: {queueDepthThreshold: 7}}]\n`);
    expect(a.saturationDetector).toBe(a.plugins.get('ud'));
    const b = load(`plugins: [{type: test-scorer}, {name: d, type: test-detector, parameters: {value: 0.5}}]\nsaturationDetector: {pluginRef: d}\n`);
    expect(b.saturationDetector).toBeInstanceOf(SettableDetector);
    expect(b.plugins.has('utilization-detector')).toBe(false);
  });

  it('flow control: off by default; the gate with no section gives the production defaults and instantiates the default policies', () => {
    expect(load(`plugins: [{type: test-scorer}]\nflowControl: {maxRequests: 3}\n`).flowControl).toBeNull();
    const c = load(`featureGates: [flowControl]\nplugins: [{type: test-scorer}]\n`);
    expect(c.flowControl).toEqual({
      maxBytes: 0,
      maxRequests: 0,
      defaultRequestTtlUs: 0,
      defaultPriorityBand: { priority: 0, maxBytes: 1_000_000_000, maxRequests: 0, fairnessPolicyRef: 'global-strict-fairness-policy', orderingPolicyRef: 'fcfs-ordering-policy' },
      priorityBands: [],
      usageLimitPolicyRef: 'static-usage-limit-policy',
    });
    for (const t of ['global-strict-fairness-policy', 'fcfs-ordering-policy', 'static-usage-limit-policy']) expect(c.types.get(t)).toBe(t);
  });

  it('flow control: quantities, Go durations, bands inherit the default band, policy refs resolve', () => {
    const c = load(`
featureGates: [flowControl]
plugins: [{type: test-scorer}, {name: rr, type: round-robin-fairness-policy}, {name: edf, type: edf-ordering-policy}]
flowControl:
  maxBytes: 1Gi
  maxRequests: 100
  defaultRequestTTL: 30s
  defaultPriorityBand: {maxRequests: 50, orderingPolicyRef: edf}
  priorityBands: [{priority: 10, maxBytes: "2M", fairnessPolicyRef: rr}]
`);
    const fc = c.flowControl!;
    expect(fc.maxBytes).toBe(2 ** 30);
    expect(fc.maxRequests).toBe(100);
    expect(fc.defaultRequestTtlUs).toBe(30e6);
    expect(fc.defaultPriorityBand).toMatchObject({ maxBytes: 1e9, maxRequests: 50, orderingPolicyRef: 'edf', fairnessPolicyRef: 'global-strict-fairness-policy' });
    expect(fc.priorityBands).toEqual([{ priority: 10, maxBytes: 2e6, maxRequests: 50, fairnessPolicyRef: 'rr', orderingPolicyRef: 'edf' }]);
    expect(c.plugins.has('fcfs-ordering-policy')).toBe(false);
  });

  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('1Gi')).toBe(1073741824);
    expect(parseQuantity('500M')).toBe(5e8);
    expect(parseQuantity('1e9')).toBe(1e9);
    expect(parseQuantity(1234)).toBe(1234);
    expect(parseQuantity('1 GB')).toBeNull();
    expect(parseQuantity(-1)).toBeNull();
  });

  it('request-control lists are in config order; a plugin implementing several hooks is in each list', () => {
    const c = load(`
plugins:
- {type: test-scorer}
- {name: r2, type: test-recorder}
- {name: a1, type: test-admission}
- {name: r1, type: test-recorder}
- {name: a0, type: test-admission}
`);
    expect(c.preRequest.map((p) => p.name)).toEqual(['r2', 'r1']);
    expect(c.responseComplete.map((p) => p.name)).toEqual(['r2', 'r1']);
    expect(c.kvEventListeners.map((p) => p.name)).toEqual(['r2', 'r1']);
    expect(c.admission.map((p) => p.name)).toEqual(['a1', 'a0']);
  });

  it('PrepareData producers run producers before consumers, ties in config order', () => {
    const c = load(`
plugins:
- {type: test-scorer}
- {name: x, type: test-producer, parameters: {consumes: [k], produces: [j]}}
- {name: free, type: test-producer}
- {name: y, type: test-producer, parameters: {produces: [k]}}
- {name: z, type: test-producer, parameters: {consumes: [j]}}
`);
    // y → x → z is forced; "free" has no edges and comes first by config order among the ready ones.
    expect(c.prepareData.map((p) => p.name)).toEqual(['free', 'y', 'x', 'z']);
  });

  it('a producer cycle is an error', () => {
    const p = (name: string, produces: string[], consumes: string[]) => ({ type: 't', name, produces, consumes, prepareRequestData() {} }) as PrepareData;
    expect(() => orderProducers([p('a', ['x'], ['y']), p('b', ['y'], ['x'])])).toThrow(/cycle \(a, b\)/);
  });

  it('a plugin may reference one declared after it (created on demand)', () => {
    const c = load(`
plugins:
- {type: test-scorer}
- {type: pd-profile-handler, parameters: {deciderPluginName: late}}
- {name: late, type: test-decider}
schedulingProfiles:
- {name: decode, plugins: [{pluginRef: test-scorer}]}
- {name: prefill, plugins: [{pluginRef: test-scorer}]}
`);
    expect([...c.plugins.keys()].slice(0, 3)).toEqual(['test-scorer', 'pd-profile-handler', 'late']);
  });
});

describe('errors name the field, the problem and the fix', () => {
  const cases: [string, string, RegExp][] = [
    [
      'unknown field in a profile entry',
      `plugins: [{type: test-scorer}, {name: b, type: test-scorer}]\nschedulingProfiles: [{name: p, plugins: [{pluginRef: test-scorer}, {pluginRef: b, wieght: 2}]}]\n`,
      /^schedulingProfiles\[0\]\.plugins\[1\]\.wieght: unknown field \(fix: did you mean "weight"\? allowed fields here: pluginRef, weight\)$/,
    ],
    ['unknown top-level field', `plugin: []\n`, /^plugin: unknown field \(fix: did you mean "plugins"\?/],
    ['the docs\' "data" section', `data: {sources: []}\n`, /^data: unknown field \(fix: the v1.5.0 field is "dataLayer"\)$/],
    ['unknown plugin type', `plugins: [{type: queue-scorr}]\n`, /^plugins\[0\]\.type: unknown plugin type "queue-scorr" \(fix: did you mean "queue-scorer"\?/],
    ['missing type', `plugins: [{name: x}]\n`, /^plugins\[0\]\.type: missing required field/],
    ['duplicate name', `plugins: [{type: test-scorer}, {type: test-scorer}]\n`, /^plugins\[1\]\.name: duplicate plugin name "test-scorer" \(also plugins\[0\]\)/],
    [
      'missing pluginRef target',
      `plugins: [{type: test-scorer}]\nschedulingProfiles: [{name: p, plugins: [{pluginRef: tset-scorer}]}]\n`,
      /^schedulingProfiles\[0\]\.plugins\[0\]\.pluginRef: no plugin named "tset-scorer" \(fix: did you mean "test-scorer"\?/,
    ],
    [
      'weight of the wrong type',
      `plugins: [{type: test-scorer}]\nschedulingProfiles: [{name: p, plugins: [{pluginRef: test-scorer, weight: two}]}]\n`,
      /^schedulingProfiles\[0\]\.plugins\[0\]\.weight: expected number, got the string "two" \(fix: write a number\)$/,
    ],
    [
      'two profile handlers',
      `plugins: [{type: test-scorer}, {type: single-profile-handler}, {name: h2, type: single-profile-handler}]\n`,
      /^plugins: 2 profile handlers \(single-profile-handler, h2\); exactly one is allowed/,
    ],
    [
      'single handler with two profiles',
      `plugins: [{type: test-scorer}, {type: single-profile-handler}]\nschedulingProfiles: [{name: a, plugins: [{pluginRef: test-scorer}]}, {name: b, plugins: [{pluginRef: test-scorer}]}]\n`,
      /^schedulingProfiles: single-profile-handler "single-profile-handler" with 2 profiles \(a, b\)/,
    ],
    [
      'two profiles and no handler',
      `plugins: [{type: test-scorer}]\nschedulingProfiles: [{name: a, plugins: [{pluginRef: test-scorer}]}, {name: b, plugins: [{pluginRef: test-scorer}]}]\n`,
      /^plugins: 2 scheduling profiles but no profile handler/,
    ],
    ['duplicate profile', `plugins: [{type: test-scorer}]\nschedulingProfiles: [{name: a}, {name: a}]\n`, /^schedulingProfiles\[1\]\.name: duplicate profile name "a"/],
    [
      'two pickers in one profile',
      `plugins: [{type: random-picker}, {type: max-score-picker}]\nschedulingProfiles: [{name: a, plugins: [{pluginRef: random-picker}, {pluginRef: max-score-picker}]}]\n`,
      /^schedulingProfiles\[0\]\.plugins\[1\]\.pluginRef: profile "a" already has the picker "random-picker"/,
    ],
    ['ParamError from a factory', `plugins: [{type: test-param, parameters: {blockSize: 64, blockSizeTokens: 0}}]\n`, /^plugins\[0\]\.parameters\.blockSizeTokens: must be > 0 when blockSize is set/],
    ['unknown parameter', `plugins: [{type: test-param, parameters: {blocksize: 64}}]\n`, /^plugins\[0\]\.parameters\.blocksize: unknown parameter \(fix: did you mean "blockSize"\?/],
    ['parameter of the wrong type', `plugins: [{type: test-param, parameters: {blockSize: big}}]\n`, /^plugins\[0\]\.parameters\.blockSize: expected number, got the string "big"/],
    [
      'a real plugin\'s range check (utilization-detector kvCacheUtilThreshold in (0, 1])',
      `plugins: [{type: test-scorer}, {type: utilization-detector, parameters: {kvCacheUtilThreshold: 1.5}}]\n`,
      /^plugins\[1\]\.parameters\.kvCacheUtilThreshold: /,
    ],
    ['unknown feature gate', `featureGates: [flowcontrol]\nplugins: [{type: test-scorer}]\n`, /^featureGates\[0\]: unknown feature gate "flowcontrol" \(fix: did you mean "flowControl"\?/],
    ['saturation detector of the wrong kind', `plugins: [{type: test-scorer}]\nsaturationDetector: {pluginRef: test-scorer}\n`, /^saturationDetector\.pluginRef: plugin "test-scorer" \(test-scorer\) is not a saturation detector/],
    ['saturation detector missing', `plugins: [{type: test-scorer}]\nsaturationDetector: {pluginRef: nope}\n`, /^saturationDetector\.pluginRef: no plugin named "nope"/],
    [
      'flow-control policy of the wrong kind',
      `featureGates: [flowControl]\nplugins: [{type: test-scorer}]\nflowControl: {defaultPriorityBand: {orderingPolicyRef: test-scorer}}\n`,
      /^flowControl\.defaultPriorityBand\.orderingPolicyRef: plugin "test-scorer" \(test-scorer\) is not a ordering policy/,
    ],
    ['bad TTL', `plugins: [{type: test-scorer}]\nflowControl: {defaultRequestTTL: soon}\n`, /^flowControl\.defaultRequestTTL: "soon" is not a duration/],
    ['bad quantity', `plugins: [{type: test-scorer}]\nflowControl: {maxBytes: lots}\n`, /^flowControl\.maxBytes: "lots" is not a byte quantity/],
    [
      'P/D handler without its prefill profile',
      `plugins: [{type: test-scorer}, {type: test-decider}, {type: pd-profile-handler, parameters: {deciderPluginName: test-decider}}]\nschedulingProfiles: [{name: decode, plugins: [{pluginRef: test-scorer}]}]\n`,
      /^schedulingProfiles: profile handler "pd-profile-handler" needs a profile named "prefill"/,
    ],
    [
      'P/D handler naming a missing decider',
      `plugins: [{type: test-scorer}, {type: pd-profile-handler}]\nschedulingProfiles: [{name: decode}, {name: prefill}]\n`,
      /^plugins\[1\]\.parameters\.deciderPluginName: no plugin named "prefix-based-pd-decider"/,
    ],
    [
      'disagg handler naming a non-decider',
      `plugins: [{type: test-scorer}, {type: disagg-profile-handler, parameters: {deciders: {prefill: test-scorer}}}]\nschedulingProfiles: [{name: decode}, {name: prefill}]\n`,
      /^plugins\[1\]\.parameters\.deciders\.prefill: plugin "test-scorer" \(test-scorer\) is not a P\/D decider/,
    ],
  ];
  it.each(cases)('%s', (_name, yaml, re) => {
    expect(errorOf(yaml)).toMatch(re);
  });

  it('apiVersion and kind are required and checked', () => {
    expect(errorOf('kind: EndpointPickerConfig\nplugins: []\n', true)).toMatch(/^apiVersion: missing required field/);
    expect(errorOf('apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: Config\n', true)).toMatch(/^kind: expected "EndpointPickerConfig", got the string "Config"/);
  });

  it('YAML syntax errors and empty documents are one-line errors', () => {
    expect(errorOf('plugins: [\n', true)).toMatch(/^line \d+, column \d+: YAML syntax error: .* \(fix: correct the YAML at that position.*\)$/);
    expect(errorOf('', true)).toMatch(/^the config is empty/);
    for (const m of [errorOf('plugins: [\n', true), errorOf(`plugins: [{type: queue-scorr}]\n`)]) expect(m).not.toContain('\n');
  });
});

describe('ready configs (policies/configs/)', () => {
  const dir = join(ROOT, 'policies/configs');
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

  it('ships the production configs of epp.md §3.2', () => {
    expect(files).toEqual(expect.arrayContaining(['gaie-default.yaml', 'gaie-v1.0.yaml', 'legacy-v0.5.yaml', 'llm-d-pd.yaml', 'llm-d-precise-prefix.yaml']));
  });

  it.each(files)('%s loads with the real catalog and says where it comes from', (f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    expect(text.startsWith('#')).toBe(true);
    const c = loadPickerConfig({ text });
    expect(c.profiles.size).toBeGreaterThan(0);
  });

  it('gaie-v1.0.yaml: the three scorers at weight 1, prefix with 64-char blocks', () => {
    const c = loadPickerConfig({ text: readFileSync(join(dir, 'gaie-v1.0.yaml'), 'utf8') });
    expect(profileSummary(c)[0]!.scorers.map(([, w]) => w)).toEqual([1, 1, 1]);
  });

  it('llm-d-pd.yaml: decode and prefill profiles under the disagg handler, prefix ×2 and queue ×1 each', () => {
    const c = loadPickerConfig({ text: readFileSync(join(dir, 'llm-d-pd.yaml'), 'utf8') });
    expect(c.handler.type).toBe('disagg-profile-handler');
    const s = profileSummary(c);
    expect(s.map((p) => p.name).sort()).toEqual(['decode', 'prefill']);
    for (const p of s) {
      expect(p.scorers).toEqual([['prefix-cache-scorer', 2], ['queue-scorer', 1]]);
      expect(p.filters).toEqual([`${p.name}-filter`]);
    }
  });

  it('legacy-v0.5.yaml: one profile [low-latency-filter] with random-picker and no scorers', () => {
    const c = loadPickerConfig({ text: readFileSync(join(dir, 'legacy-v0.5.yaml'), 'utf8') });
    expect(profileSummary(c)).toEqual([{ name: 'default', filters: ['low-latency-filter'], scorers: [], picker: 'random-picker' }]);
  });
});
