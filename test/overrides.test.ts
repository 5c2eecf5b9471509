/**
 * Scenario overrides (issue 14, sim/scenario/overrides/): paths, name selectors, aliases, EPP
 * config inlining, one-line errors naming the override, and load-time attribution `(set by …)`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyOverrides } from '../sim/scenario/overrides/apply.js';
import { parsePath } from '../sim/scenario/overrides/path.js';
import { parseSetFlag } from '../sim/scenario/overrides/flags.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { collectResults } from '../reports/collect.js';
import { DEFAULT_CONFIG_YAML, parseConfigText } from '../policies/config/loader.js';
import { userErrorOf } from './helpers.js';

const set = (text: string) => parseSetFlag(text);
const apply = (data: unknown, ...sets: string[]): any => applyOverrides(data, sets.map(set), 'x.yaml');

const POOLS = {
  pools: [
    { name: 'llm', model: 'Llama-3.1-8B', replicas: [{ gpu: 'H100', count: 4 }] },
    { name: 'small', model: 'Llama-3.1-8B', replicas: [{ gpu: 'L4', count: 2 }, { gpu: 'L40S', count: 1 }] },
  ],
  policies: ['round-robin', { name: 'g', epp: { plugins: [{ type: 'queue-scorer' }, { type: 'prefix-cache-scorer', name: 'pcs' }], schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'queue-scorer', weight: 2 }, { pluginRef: 'pcs', weight: 3 }] }] } }],
};

describe('override paths', () => {
  it('splits keys, indexes and digit keys; expands the rate aliases', () => {
    expect(parsePath('pools.chat.replicas[0].count')).toEqual([{ key: 'pools' }, { key: 'chat' }, { key: 'replicas' }, { index: 0 }, { key: 'count' }]);
    expect(parsePath('pools.0.model')).toEqual([{ key: 'pools' }, { key: '0' }, { key: 'model' }]);
    expect(parsePath('a[1][2]')).toEqual([{ key: 'a' }, { index: 1 }, { index: 2 }]);
    expect(parsePath('workload.rate')).toEqual([{ key: 'workload' }, { key: 'arrival' }, { key: 'rate' }]);
    expect(parsePath('rate')).toEqual([{ key: 'workload' }, { key: 'arrival' }, { key: 'rate' }]);
    // Only a whole key is an alias: `rates` and `workload.rates` are not.
    expect(parsePath('workload.rates')).toEqual([{ key: 'workload' }, { key: 'rates' }]);
  });

  it.each([
    ['a..b', 'has an empty key'],
    ['a.', 'ends with "."'],
    ['[0].a', 'starts with an index'],
    ['a[x]', '"[x]" in path "a[x]" is not an index'],
    ['a[0', '"[" without "]"'],
    ['a.[0]', 'has "." before "["'],
    ['a[0]b', 'needs a "." after "]"'],
  ])('rejects %s with a one-line error naming the flag and a fix', (path, problem) => {
    const msg = userErrorOf(() => set(`${path}=1`));
    expect(msg.startsWith(`--set ${path}=1: `)).toBe(true);
    expect(msg).toContain(problem);
    expect(msg).toMatch(/\(fix: .+\)$/);
    expect(msg).not.toContain('\n');
  });
});

describe('applyOverrides', () => {
  it('sets nested values, creating missing mapping keys, and leaves the input alone', () => {
    const data = { fleet: { replicas: 4, gpu: 'H100' } };
    const out = apply(data, 'fleet.replicas=6', 'fleet.engine.max_num_seqs=128', 'workload.rate=40');
    expect(out).toEqual({ fleet: { replicas: 6, gpu: 'H100', engine: { max_num_seqs: 128 } }, workload: { arrival: { rate: 40 } } });
    expect(data).toEqual({ fleet: { replicas: 4, gpu: 'H100' } });
    // A null value on the way (an empty YAML key) is replaced by a mapping too.
    expect(apply({ fleet: { engine: null } }, 'fleet.engine.block_size=32')).toEqual({ fleet: { engine: { block_size: 32 } } });
    // Later overrides win.
    expect(apply(data, 'fleet.replicas=6', 'fleet.replicas=8').fleet.replicas).toBe(8);
  });

  it('selects list elements by name, by index and by digit key', () => {
    expect(apply(POOLS, 'pools.small.replicas[1].count=5').pools[1].replicas).toEqual([{ gpu: 'L4', count: 2 }, { gpu: 'L40S', count: 5 }]);
    expect(apply(POOLS, 'pools[0].replicas.0.gpu=B200').pools[0].replicas[0].gpu).toBe('B200');
    expect(apply(POOLS, 'pools.1.model=Qwen').pools[1].model).toBe('Qwen');
    // Replacing a whole element selected by name.
    expect(apply(POOLS, 'policies.round-robin=random').policies[0]).toBe('random');
  });

  it('inside an EPP config: profile by name, plugin entry by pluginRef, then by type', () => {
    const out = apply(POOLS, 'policies.g.epp.schedulingProfiles.default.plugins.queue-scorer.weight=7', 'policies.g.epp.plugins.prefix-cache-scorer.parameters.blockSize=32');
    const epp = out.policies[1].epp;
    expect(epp.schedulingProfiles[0].plugins).toEqual([{ pluginRef: 'queue-scorer', weight: 7 }, { pluginRef: 'pcs', weight: 3 }]);
    // `pcs` is the plugin's name; its type prefix-cache-scorer selects it too.
    expect(epp.plugins[1]).toEqual({ type: 'prefix-cache-scorer', name: 'pcs', parameters: { blockSize: 32 } });
  });

  it('a bare policy name becomes its mapping form when the path goes below it', () => {
    expect(apply(POOLS, 'policies.round-robin.refresh_metrics_ms=20').policies[0]).toEqual({ type: 'round-robin', refresh_metrics_ms: 20 });
    const epp = apply({ policies: ['epp'] }, 'policies.epp.epp.schedulingProfiles.default.plugins.queue-scorer.weight=5').policies[0];
    const expected = parseConfigText(DEFAULT_CONFIG_YAML) as any;
    expected.schedulingProfiles[0].plugins[0].weight = 5;
    expect(epp).toEqual({ epp: expected });
    // A pool's picker likewise.
    const picker = apply({ pools: [{ name: 'a', picker: 'epp' }] }, 'pools.a.picker.epp.schedulingProfiles.default.plugins.queue-scorer.weight=5').pools[0].picker;
    expect(picker).toEqual({ epp: expected });
  });

  it('errors name the override, the place and a fix, on one line', () => {
    const fleet = { fleet: { replicas: 4 }, pools: [{ name: 'llm' }], policies: ['round-robin', 'random', { type: 'random' }] };
    expect(userErrorOf(() => apply(fleet, 'pools.chat.replicas[0].count=6'))).toBe('--set pools.chat.replicas[0].count=6: pools has no element named "chat" (fix: use one of: llm, or an index such as pools[0])');
    expect(userErrorOf(() => apply(fleet, 'pools[3].model=x'))).toBe('--set pools[3].model=x: pools has 1 element, so there is no pools[3] (fix: use an index from 0 to 0, or a name: llm)');
    expect(userErrorOf(() => apply(fleet, 'policies.random.parameters.x=1'))).toBe('--set policies.random.parameters.x=1: policies has 2 elements named "random" (at [1], [2]) (fix: use an index such as policies[1])');
    expect(userErrorOf(() => apply(fleet, 'fleet.replicas.count=1'))).toBe('--set fleet.replicas.count=1: fleet.replicas is the number 4, so it has no field "count" (fix: set fleet.replicas itself, or check the path against the scenario file)');
    expect(userErrorOf(() => apply(fleet, 'fleet[0]=1'))).toBe('--set fleet[0]=1: fleet is a mapping, not a list, so it has no element [0] (fix: name one of its keys instead, e.g. fleet.<key>)');
    expect(userErrorOf(() => apply(fleet, 'fleet.engine[0]=1'))).toBe('--set fleet.engine[0]=1: fleet.engine is not set, so it has no element [0] (fix: set the whole list, e.g. fleet.engine=[…])');
    expect(userErrorOf(() => apply({ pools: [] }, 'pools.a.model=x'))).toBe('--set pools.a.model=x: pools is an empty list, so it has no element named "a" (fix: set the whole list, e.g. pools=[…])');
  });
});

describe('EPP config inlining', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routesim-ovr-'));
  writeFileSync(join(dir, 'mine.yaml'), 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- type: queue-scorer\nschedulingProfiles:\n- name: default\n  plugins:\n  - pluginRef: queue-scorer\n    weight: 4\n');
  const scenarioFile = join(dir, 's.yaml');

  it('reads a file next to the scenario, or in the package, and keeps the name the file gave', () => {
    const out = applyOverrides({ policies: [{ epp: 'mine.yaml' }, { epp: 'policies/configs/load-only.yaml' }] }, [
      set('policies.mine.epp.schedulingProfiles.default.plugins.queue-scorer.weight=9'),
      set('policies.load-only.epp.kind=EndpointPickerConfig'),
    ], scenarioFile) as any;
    expect(out.policies[0]).toEqual({ name: 'mine', epp: { apiVersion: 'inference.networking.x-k8s.io/v1alpha1', kind: 'EndpointPickerConfig', plugins: [{ type: 'queue-scorer' }], schedulingProfiles: [{ name: 'default', plugins: [{ pluginRef: 'queue-scorer', weight: 9 }] }] } });
    // load-only.yaml already says kind: EndpointPickerConfig: the config is unchanged, so the
    // policy keeps its file reference (and the name the file gave it).
    expect(out.policies[1]).toEqual({ name: 'load-only', epp: 'policies/configs/load-only.yaml' });
  });

  it('a config read in place and changed stays inline; one left as it was goes back to its reference', () => {
    const out = applyOverrides({ policies: [{ name: 'a', epp: 'default' }, { name: 'b', epp: 'default' }] }, [
      set('policies.a.epp.schedulingProfiles.default.plugins.prefix-cache-scorer.weight=3'),
      set('policies.b.epp.schedulingProfiles.default.plugins.prefix-cache-scorer.weight=5'),
    ], scenarioFile) as any;
    // GAIE v1.5 default: prefix-cache-scorer weight 3, so a's config is the default itself.
    expect(out.policies[0]).toEqual({ name: 'a', epp: 'default' });
    expect(typeof out.policies[1].epp).toBe('object');
    expect(out.policies[1].epp.schedulingProfiles[0].plugins.find((p: any) => p.pluginRef === 'prefix-cache-scorer').weight).toBe(5);
  });

  it('a missing config file is a one-line error', () => {
    expect(userErrorOf(() => applyOverrides({ policies: [{ name: 'p', epp: 'nope.yaml' }] }, [set('policies.p.epp.kind=x')], scenarioFile))).toBe(
      '--set policies.p.epp.kind=x: policies.p.epp: config file "nope.yaml" not found (looked next to the scenario and in the routesim package) (fix: give a path relative to the scenario file, e.g. policies/configs/gaie-default.yaml, or `default`)',
    );
  });

  const SMALL = `
name: small
seed: 5
requests: 150
fleet: {replicas: 3, gpu: H100, model: Llama-3.1-8B, engine: {num_gpu_blocks: 400}}
workload:
  arrival: {process: poisson, rate: 30}
  shared_prefix: {num_groups: 4, num_prompts_per_group: 3, system_prompt_len: 600, question_len: 40}
  output: {dist: uniform, min: 5, max: 40}
policies:
  - {name: gaie, epp: default}
  - {name: mine, epp: mine.yaml}
`;
  const summaries = (overrides: string[]) => {
    const sc = parseScenario(SMALL, scenarioFile, overrides.map(set));
    return collectResults(sc, { seeds: 1, sweepRates: null }, 't').doc.policies.map((p) => ({ name: p.name, summary: p.summary }));
  };

  it('overriding a weight with its current value runs exactly as the file; another value does not', () => {
    const base = summaries([]);
    // prefix-cache-scorer has weight 3 in the default config; queue-scorer 4 in mine.yaml.
    const same = summaries(['policies.gaie.epp.schedulingProfiles.default.plugins.prefix-cache-scorer.weight=3', 'policies.mine.epp.schedulingProfiles.default.plugins.queue-scorer.weight=4']);
    expect(same).toEqual(base);
    expect(same.map((p) => p.name)).toEqual(['gaie', 'mine']);
    // Without the prefix scorer the picker stops following cached prefixes: the hit rate changes.
    const off = summaries(['policies.gaie.epp.schedulingProfiles.default.plugins.prefix-cache-scorer.weight=0']);
    expect(off[0]!.summary).not.toEqual(base[0]!.summary);
    expect(off[1]).toEqual(base[1]);
  });
});

describe('loading with overrides', () => {
  const q = 'scenarios/quickstart.yaml';
  it('applies them before validation (quickstart: 4 replicas, 45 req/s)', () => {
    const sc = loadScenarioFile(q, [set('fleet.replicas=6'), set('workload.rate=30')]);
    expect(sc.fleet.replicas).toBe(6);
    expect(sc.workload.arrival).toMatchObject({ process: 'poisson', rate: 30 });
    expect(loadScenarioFile(q).fleet.replicas).toBe(4);
  });

  it('an error at, below or on the field holding an overridden path ends with (set by <source>)', () => {
    expect(userErrorOf(() => loadScenarioFile(q, [set('fleet.replicas=0')]))).toMatch(/^scenarios\/quickstart\.yaml: fleet\.replicas: .* \(set by --set fleet\.replicas=0\)$/);
    expect(userErrorOf(() => loadScenarioFile(q, [set('fleet.engine=7')]))).toMatch(/^scenarios\/quickstart\.yaml: fleet\.engine: .*\(set by --set fleet\.engine=7\)$/);
    // The quickstart's 4th policy is load-only: its queue-scorer is plugins[0] of profile 0.
    expect(userErrorOf(() => loadScenarioFile(q, [set('policies.load-only.epp.schedulingProfiles.default.plugins.queue-scorer.weight=x')]))).toMatch(
      /^scenarios\/quickstart\.yaml: policies\[3\]\.epp\.schedulingProfiles\[0\]\.plugins\[0\]\.weight: .*\(set by --set policies\.load-only\.epp\.schedulingProfiles\.default\.plugins\.queue-scorer\.weight=x\)$/,
    );
    // round-robin takes no parameters: the error names policies[1].parameters, which holds the set path.
    expect(userErrorOf(() => loadScenarioFile(q, [set('policies.round-robin.parameters.x=1')]))).toMatch(/^scenarios\/quickstart\.yaml: policies\[1\]\.parameters: .*\(set by --set policies\.round-robin\.parameters\.x=1\)$/);
    expect(userErrorOf(() => loadScenarioFile(q, [set('requests=null')]))).toMatch(/^scenarios\/quickstart\.yaml: requests: neither requests nor duration_s .*\(set by --set requests=null\)$/);
    // pd-disaggregation's pool llm has no picker: the path creates picker: {epp: {schedulingProfiles: …}},
    // which lacks apiVersion; the error is below the mapping the override created.
    expect(userErrorOf(() => loadScenarioFile('scenarios/pd-disaggregation.yaml', [set('pools.llm.picker.epp.schedulingProfiles.default.plugins.queue-scorer.weight=5')]))).toMatch(
      /^scenarios\/pd-disaggregation\.yaml: pools\[0\]\.picker\.epp\.apiVersion: .*\(set by --set pools\.llm\.picker\.epp\.schedulingProfiles\.default\.plugins\.queue-scorer\.weight=5\)$/,
    );
    // Of two overrides, the one whose path the error is on.
    expect(userErrorOf(() => loadScenarioFile(q, [set('fleet.replicas=5'), set('slo.ttft_ms=-1')]))).toMatch(/^scenarios\/quickstart\.yaml: slo\.ttft_ms: .*\(set by --set slo\.ttft_ms=-1\)$/);
    // An error in the file itself, away from every override, is not attributed.
    const bad = readFileSync(q, 'utf8').replace('  ttft_ms: 1000', '  ttft_ms: -1');
    const msg = userErrorOf(() => parseScenario(bad, q, [set('fleet.replicas=5')]));
    expect(msg).toMatch(/^scenarios\/quickstart\.yaml: slo\.ttft_ms: /);
    expect(msg).not.toContain('set by');
  });

  it('the quickstart file is unchanged by loading it with overrides', () => {
    const before = readFileSync(q, 'utf8');
    loadScenarioFile(q, [set('fleet.replicas=6')]);
    expect(readFileSync(q, 'utf8')).toBe(before);
  });
});

describe('applyOverrides invariants', () => {
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    map: fc.dictionary(fc.constantFrom('a', 'b', 'name', 'type', 'c'), tie('value'), { maxKeys: 4 }),
  }));
  const path = fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c', 'x', '0', '1'), fc.nat(3).map((i) => `[${i}]`)), { minLength: 1, maxLength: 4 }).map((segs) => segs.reduce((p, s) => (s.startsWith('[') ? `${p}${s}` : `${p}.${s}`), 'a'));

  it('never mutates the input; [] returns a deep-equal copy', () => {
    fc.assert(
      fc.property(json.map as fc.Arbitrary<Record<string, unknown>>, fc.array(fc.tuple(path, json.value), { maxLength: 3 }), (data, sets) => {
        const snapshot = structuredClone(data);
        const copy = applyOverrides(data, [], 'x.yaml');
        expect(copy).toEqual(data);
        expect(copy).not.toBe(data);
        try {
          const out = applyOverrides(data, sets.map(([p, v]) => ({ path: p, value: v, source: `--set ${p}` })), 'x.yaml');
          if (sets.length > 0) expect(out).not.toBe(data);
        } catch (err) {
          expect((err as Error).name).toBe('OverrideError');
        }
        expect(data).toEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });
});
