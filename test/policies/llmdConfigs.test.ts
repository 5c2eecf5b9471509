/**
 * The shipped llm-d-router v0.10.0 example configs (policies/configs/llm-d-v0.10/, `llm-d-router.md`
 * §2.10–§2.11): every file loads (Alpha ones only with allowExperimentalPlugins, as production
 * without --allow-experimental-plugins refuses them, §2.4 / §7 item 2), except
 * epp-mm-embeddings-cache-config, shipped with the `cacheSizeInMB` defect (§7 item 1), which must
 * fail with a one-line error naming the field. Each resolves to the profiles, scorer weights,
 * picker, handler and producers (auto-created ones included, §2.9 step 5) of the §2.11 table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadPickerConfig, type ResolvedConfig } from '../../policies/config/loader.js';

const DIR = join(__dirname, '..', '..', 'policies', 'configs', 'llm-d-v0.10');
const text = (f: string): string => readFileSync(join(DIR, f), 'utf8');
const load = (f: string, allowExperimentalPlugins = false): ResolvedConfig => loadPickerConfig({ text: text(f) }, { allowExperimentalPlugins });
const errorOf = (f: string, allowExperimentalPlugins = false): string => {
  try {
    load(f, allowExperimentalPlugins);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error(`${f}: expected a ConfigError`);
};

/** Files with Alpha types (§2.4) and the first Alpha plugin the stability gate reports. */
const ALPHA: Record<string, string> = {
  'payload-agnostic.yaml': 'session-affinity-scorer',
  'pd-topology-epp-config.yaml': 'topology-extractor',
  'epp-burst-prefix-cache-config.yaml': 'burst-prefix-cache-producer',
  'sim-epp-gpu-config.yaml': 'dcgm-data-source',
  'soft-reflective-ceiling-epp-config.yaml': 'soft-reflective-ceiling-policy',
};
const DEFECTIVE = 'epp-mm-embeddings-cache-config.yaml';

/** Profile → [filters, [scorer, weight] pairs, picker], read off the §2.11 table. */
type Shape = Record<string, [string[], [string, number][], string]>;
const shape = (c: ResolvedConfig): Shape =>
  Object.fromEntries([...c.profiles].map(([n, p]) => [n, [p.filters.map((f) => f.name), p.scorers.map((s) => [s.scorer.name, s.weight] as [string, number]), p.picker.name]]));
const typeList = (c: ResolvedConfig): string[] => [...c.types.values()];
const producers = (c: ResolvedConfig): string[] => c.prepareData.map((p) => p.name);
const keyOf = (c: ResolvedConfig, name: string): string => (c.plugins.get(name) as unknown as { key: string }).key;
const PREFIX = 'PrefixCacheMatchInfoDataKey';

describe('every shipped llm-d-v0.10 config loads (§2.11; stability gate §2.4)', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

  it('there are the 8 earlier files + 14 §2.11 examples + 2 perf configs, each with a header naming its source', () => {
    expect(files).toHaveLength(24);
    for (const f of files) {
      const head = text(f).split('\n')[0]!;
      expect(head, f).toMatch(/^# llm-d-router v0\.10\.0 /);
      expect(text(f), f).toMatch(/apiVersion: llm-d\.ai\/v1alpha1/);
    }
  });

  it.each(files.filter((f) => f !== DEFECTIVE))('%s loads as llm-d-v0.10; Alpha files only with allowExperimentalPlugins', (f) => {
    const alpha = ALPHA[f];
    if (alpha) {
      expect(errorOf(f)).toMatch(new RegExp(`plugin type "${alpha}" is Alpha and experimental plugins are not allowed .*allow_experimental_plugins: true`));
      const c = load(f, true);
      expect(c.dialect).toBe('llm-d-v0.10');
      expect(c.llmd!.allowExperimentalPlugins).toBe(true);
    } else {
      const c = load(f);
      expect(c.dialect).toBe('llm-d-v0.10');
      expect(c.warnings, f).toEqual([]);
    }
  });

  it('epp-mm-embeddings-cache-config fails as shipped (§7 item 1), with or without experimental plugins, naming the field', () => {
    for (const allow of [false, true]) {
      expect(errorOf(DEFECTIVE, allow)).toBe('plugins[1].parameters.cacheSizeInMB: unknown parameter (fix: remove it; allowed parameters here: cacheSizeInMBPerServer)');
    }
    // With the field renamed it resolves to the table's content.
    const fixed = loadPickerConfig({ text: text(DEFECTIVE).replace(/^    cacheSizeInMB: 2048$/m, '    cacheSizeInMBPerServer: 2048') });
    expect(shape(fixed)).toEqual({
      default: [['decode-filter'], [['mm-embeddings-cache-scorer', 4], ['prefix-cache-scorer', 10], ['queue-scorer', 1]], 'max-score-picker'],
    });
    expect(keyOf(fixed, 'prefix-cache-scorer')).toBe(`${PREFIX}/precise-prefix-cache-producer`);
    expect(producers(fixed)).toEqual(['token-producer', 'mm-embeddings-cache-producer', 'precise-prefix-cache-producer']);
  });
});

describe('each config resolves to the §2.11 table', () => {
  it('dp-epp-config: D, prefix [2], MS, data-parallel-profile-handler {primaryPort 8000}; auto approx + token', () => {
    const c = load('dp-epp-config.yaml');
    expect(shape(c)).toEqual({ default: [['decode-filter'], [['prefix-cache-scorer', 2]], 'max-score-picker'] });
    expect(c.handler.type).toBe('data-parallel-profile-handler');
    expect((c.handler as unknown as { primaryPort: number }).primaryPort).toBe(8000);
    expect(producers(c)).toEqual(['token-producer', 'approx-prefix-cache-producer']);
  });

  it('pd-topology-epp-config: pd + topology-extractor; prefill adds topology filter and scorer [1]', () => {
    const c = load('pd-topology-epp-config.yaml', true);
    expect(shape(c)).toEqual({
      prefill: [['prefill-filter', 'topology-affinity-filter'], [['prefix-cache-scorer', 2], ['queue-scorer', 1], ['topology-affinity-scorer', 1]], 'max-score-picker'],
      decode: [['decode-filter'], [['prefix-cache-scorer', 2], ['queue-scorer', 1]], 'max-score-picker'],
    });
    expect(c.handler.type).toBe('disagg-profile-handler');
    const st = (c.handler as unknown as { stages: { order: string; prefillDecider: { name: string } | null; encodeDecider: unknown } }).stages;
    expect([st.order, st.prefillDecider?.name, st.encodeDecider]).toEqual(['decode-first', 'prefix-based-pd-decider', null]);
    expect(keyOf(c, 'topology-affinity-filter')).toBe('Topology/topology-extractor');
    // explicit approx{16384}: ⌊16384/64⌋ = 256 blocks; no second approx producer; token producer auto-created.
    expect(typeList(c).filter((t) => t === 'approx-prefix-cache-producer')).toHaveLength(1);
    const approx = c.plugins.get('approx-prefix-cache-producer') as unknown as { config: { maxPrefixTokensToMatch: number; lruCapacityPerServer: number } };
    expect([approx.config.maxPrefixTokensToMatch, approx.config.lruCapacityPerServer]).toEqual([16384, 31250]);
    expect(producers(c)).toContain('topology-extractor');
    expect(producers(c).filter((p) => p !== 'topology-extractor')).toEqual(['token-producer', 'approx-prefix-cache-producer']);
    expect(typeList(c)).toContain('endpoint-notification-source'); // topology-extractor attaches to it (§2.5)
  });

  it('sim-e-pd / sim-e-p-d: encode + decode (+ prefill) profiles; deciders encode = multimodal, prefill = prefix-based {16}', () => {
    const epd = load('sim-e-pd-epp-config.yaml');
    expect(shape(epd)).toEqual({ encode: [['encode-filter'], [], 'max-score-picker'], decode: [['decode-filter'], [], 'max-score-picker'] });
    const s1 = (epd.handler as unknown as { stages: { encodeDecider: { type: string } | null; prefillDecider: unknown } }).stages;
    expect([s1.encodeDecider?.type, s1.prefillDecider]).toEqual(['always-disagg-multimodal-decider', null]);
    const e_p_d = load('sim-e-p-d-epp-config.yaml');
    expect(shape(e_p_d)).toEqual({
      encode: [['encode-filter'], [], 'max-score-picker'],
      prefill: [['prefill-filter'], [['queue-scorer', 1]], 'max-score-picker'],
      decode: [['decode-filter'], [['queue-scorer', 1]], 'max-score-picker'],
    });
    const s2 = (e_p_d.handler as unknown as { stages: { encodeDecider: { type: string }; prefillDecider: { type: string } } }).stages;
    expect([s2.encodeDecider.type, s2.prefillDecider.type]).toEqual(['always-disagg-multimodal-decider', 'prefix-based-pd-decider']);
    // the disagg handler requires the default approx key and TokenizedPrompt → both auto-created
    for (const c of [epd, e_p_d]) expect(producers(c)).toEqual(['token-producer', 'approx-prefix-cache-producer']);
  });

  it('epp-precise-prefix-cache-config: token {vllm}, notification source, metrics, precise {64}; D, prefix→precise [2], kv [1], queue [1], MS', () => {
    const c = load('epp-precise-prefix-cache-config.yaml');
    expect(shape(c)).toEqual({ default: [['decode-filter'], [['prefix-cache-scorer', 2], ['kv-cache-utilization-scorer', 1], ['queue-scorer', 1]], 'max-score-picker'] });
    expect(keyOf(c, 'prefix-cache-scorer')).toBe(`${PREFIX}/precise-prefix-cache-producer`);
    expect((c.plugins.get('precise-prefix-cache-producer') as unknown as { blockSizeTokens: number }).blockSizeTokens).toBe(64);
    expect(producers(c)).toEqual(['token-producer', 'precise-prefix-cache-producer']); // no approx: nothing needs the default key
    // the precise producer attaches itself to the endpoint-notification-source (§2.5)
    expect(c.dataLayer).toEqual([
      { source: 'metrics-data-source', extractors: ['core-metrics-extractor'], intervalTicks: 1 },
      { source: 'endpoint-notification-source', extractors: ['precise-prefix-cache-producer'] },
    ]);
  });

  it('sim-epp-kvcache / sim-epp-tokenizer-vllm-http: precise {16, zmq}, D, prefix→precise [10], MS; the second with hashSeed "42"', () => {
    for (const [f, seed] of [['sim-epp-kvcache-config.yaml', ''], ['sim-epp-tokenizer-vllm-http-config.yaml', '42']] as const) {
      const c = load(f);
      expect(shape(c), f).toEqual({ default: [['decode-filter'], [['prefix-cache-scorer', 10]], 'max-score-picker'] });
      expect(keyOf(c, 'prefix-cache-scorer')).toBe(`${PREFIX}/precise-prefix-cache-producer`);
      const p = c.plugins.get('precise-prefix-cache-producer') as unknown as { blockSizeTokens: number; p: { tokenProcessorConfig: { hashSeed: string }; kvEventsConfig: { zmqEndpoint?: string } } };
      expect([p.blockSizeTokens, p.p.tokenProcessorConfig.hashSeed, p.p.kvEventsConfig.zmqEndpoint], f).toEqual([16, seed, 'tcp://0.0.0.0:5557']);
      expect(producers(c), f).toEqual(['token-producer', 'precise-prefix-cache-producer']);
    }
  });

  it('sim-epp-no-hit-lru: precise {5}, prefix→precise [2], no-hit-lru {2048} [1] on the default approx key (auto-created)', () => {
    const c = load('sim-epp-no-hit-lru.yaml');
    expect(shape(c)).toEqual({ default: [['decode-filter'], [['prefix-cache-scorer', 2], ['no-hit-lru-scorer', 1]], 'max-score-picker'] });
    expect((c.plugins.get('no-hit-lru-scorer') as unknown as { lruSize: number }).lruSize).toBe(2048);
    expect(keyOf(c, 'no-hit-lru-scorer')).toBe(`${PREFIX}/approx-prefix-cache-producer`);
    expect((c.plugins.get('precise-prefix-cache-producer') as unknown as { blockSizeTokens: number }).blockSizeTokens).toBe(5);
    expect(producers(c)).toEqual(['token-producer', 'precise-prefix-cache-producer', 'approx-prefix-cache-producer']);
  });

  it('epp-burst-prefix-cache-config: token, burst {100, −1, 0}, prefix→burst [2], load-aware [1], D, MS', () => {
    const c = load('epp-burst-prefix-cache-config.yaml', true);
    expect(shape(c)).toEqual({ default: [['decode-filter'], [['prefix-cache-scorer', 2], ['load-aware-scorer', 1]], 'max-score-picker'] });
    expect(keyOf(c, 'prefix-cache-scorer')).toBe(`${PREFIX}/burst-prefix-cache-producer`);
    const b = (c.plugins.get('burst-prefix-cache-producer') as unknown as { p: { windowDurationMs: number; maxPerReplica: number; minColocateBlocks: number } }).p;
    expect([b.windowDurationMs, b.maxPerReplica, b.minColocateBlocks]).toEqual([100, -1, 0]);
    expect(producers(c)).toEqual(['token-producer', 'burst-prefix-cache-producer']);
  });

  it('sim-epp-gpu-config: dcgm source {9400, 1 s} + extractor; attribute filter and scorer [2] on GPUUtilization; kv [1]; D, MS', () => {
    const c = load('sim-epp-gpu-config.yaml', true);
    expect(shape(c)).toEqual({ default: [['decode-filter', 'endpoint-attribute-filter'], [['endpoint-attribute-scorer', 2], ['kv-cache-utilization-scorer', 1]], 'max-score-picker'] });
    // interval 1 s at the 50 ms base tick = 20 ticks (§2.5); the default metrics source is injected too
    expect(c.dataLayer).toEqual([
      { source: 'dcgm-data-source', extractors: ['dcgm-extractor'], intervalTicks: 20 },
      { source: 'metrics-data-source', extractors: ['core-metrics-extractor'], intervalTicks: 1 },
    ]);
    expect(producers(c)).toEqual([]);
  });

  it('probabilistic-admitter-epp-config: admitter, random-picker, neutralised utilization-detector', () => {
    const c = load('probabilistic-admitter-epp-config.yaml');
    expect(shape(c)).toEqual({ default: [[], [], 'random-picker'] });
    expect(c.admission.map((a) => a.type)).toEqual(['probabilistic-admitter']);
    expect(c.saturationDetector.type).toBe('utilization-detector');
    const p = (c.saturationDetector as unknown as { params: { queueDepthThreshold: number; kvCacheUtilThreshold: number } }).params;
    expect([p.queueDepthThreshold, p.kvCacheUtilThreshold]).toEqual([999999999, 1]);
    expect(c.flowControl).toBeNull();
  });

  it('sim-program-aware-config: gate flowControl; program-aware-fairness on the default band; queue [1], MS', () => {
    const c = load('sim-program-aware-config.yaml');
    expect(shape(c)).toEqual({ default: [[], [['queue-scorer', 1]], 'max-score-picker'] });
    expect(c.flowControl!.defaultPriorityBand.fairnessPolicyRef).toBe('program-aware-fairness');
    expect(c.flowControl!.usageLimitPolicyRef).toBe('static-usage-limit-policy');
  });

  it('soft-reflective-ceiling-epp-config: gate flowControl; queue 2, kv 2, prefix 3; usage limit soft-reflective-ceiling-policy', () => {
    const c = load('soft-reflective-ceiling-epp-config.yaml', true);
    expect(shape(c)).toEqual({ default: [[], [['queue-scorer', 2], ['kv-cache-utilization-scorer', 2], ['prefix-cache-scorer', 3]], 'max-score-picker'] });
    expect(c.flowControl!.usageLimitPolicyRef).toBe('soft-reflective-ceiling-policy');
    expect(producers(c)).toEqual(['token-producer', 'approx-prefix-cache-producer']);
  });

  it('perf configs: approx {100000} with queue 2, kv 2, prefix 3, no-hit-lru 2; precise (speculative) with active 4, kv 2, prefix→precise 2, no-hit-lru 2', () => {
    const a = load('perf-approx-prefix-config.yaml');
    expect(shape(a)).toEqual({ default: [[], [['queue-scorer', 2], ['kv-cache-utilization-scorer', 2], ['prefix-cache-scorer', 3], ['no-hit-lru-scorer', 2]], 'max-score-picker'] });
    expect((a.plugins.get('approx-prefix-cache-producer') as unknown as { config: { maxPrefixTokensToMatch: number } }).config.maxPrefixTokensToMatch).toBe(100000);
    expect(producers(a)).toEqual(['token-producer', 'approx-prefix-cache-producer']);
    const p = load('perf-precise-prefix-config.yaml');
    expect(shape(p)).toEqual({ default: [[], [['active-request-scorer', 4], ['kv-cache-utilization-scorer', 2], ['prefix-cache-scorer', 2], ['no-hit-lru-scorer', 2]], 'max-score-picker'] });
    expect(keyOf(p, 'prefix-cache-scorer')).toBe(`${PREFIX}/precise-prefix-cache-producer`);
    expect((p.plugins.get('precise-prefix-cache-producer') as unknown as { p: { speculativeIndexing: boolean } }).p.speculativeIndexing).toBe(true);
    expect(new Set(producers(p))).toEqual(new Set(['token-producer', 'precise-prefix-cache-producer', 'approx-prefix-cache-producer', 'inflight-load-producer']));
    expect(producers(p)[0]).toBe('token-producer');
  });
});

describe('the two configs production ships under the deprecated x-k8s.io group (§2.1, §2.11)', () => {
  const legacy = (f: string): string => text(f).replace('apiVersion: llm-d.ai/v1alpha1', 'apiVersion: inference.networking.x-k8s.io/v1alpha1');

  it.each(['probabilistic-admitter-epp-config.yaml', 'sim-program-aware-config.yaml'])('%s: the old group with legacyGroupAsV010 resolves like the shipped llm-d.ai copy, plus a deprecation warning', (f) => {
    const ours = load(f);
    const old = loadPickerConfig({ text: legacy(f) }, { legacyGroupAsV010: true });
    expect(old.dialect).toBe('llm-d-v0.10');
    expect([...old.types]).toEqual([...ours.types]);
    expect(shape(old)).toEqual(shape(ours));
    expect(old.warnings[0]).toMatch(/^apiVersion: inference\.networking\.x-k8s\.io\/v1alpha1 is deprecated in llm-d-router v0\.10\.0/);
  });

  it('without the option the old group is read as GAIE v1.5.0, which has no probabilistic-admitter', () => {
    expect(() => loadPickerConfig({ text: legacy('probabilistic-admitter-epp-config.yaml') })).toThrow(ConfigError);
  });
});
