/**
 * Sweep grids (issue 14): `--set` / `--sweep` flag parsing, the grid's dimensions and points, the
 * `sweep:` schema (rates unchanged, any other key a path with values) and load-time checks of
 * every grid value.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSetFlag, parseSweepFlag } from '../sim/scenario/overrides/flags.js';
import { gridPoints, sweepDimensions } from '../sim/scenario/overrides/grid.js';
import { parseScenario } from '../sim/scenario/load.js';
import { userErrorOf } from './helpers.js';

describe('--set PATH=VALUE', () => {
  it.each([
    ['fleet.replicas=6', 6],
    ['fleet.gpu=H100', 'H100'],
    ['report.warmup_s=null', null],
    ['fleet.engine.enable_prefix_caching=true', true],
    ['workload.rate=2.5', 2.5],
    ['x=[1, 2]', [1, 2]],
    ['x={a: 1, b: [c]}', { a: 1, b: ['c'] }],
    ['name="6"', '6'],
    ['description=a=b', 'a=b'],
  ])('%s', (text, value) => {
    const o = parseSetFlag(text);
    expect(o).toEqual({ path: text.slice(0, text.indexOf('=')), value, source: `--set ${text}` });
  });

  it('errors name the flag and give an example', () => {
    expect(userErrorOf(() => parseSetFlag('fleet.replicas'))).toBe('--set fleet.replicas: missing "=" (fix: write PATH=VALUE, e.g. --set fleet.replicas=6)');
    expect(userErrorOf(() => parseSetFlag('=6'))).toBe('--set =6: the path before "=" is empty (fix: name a field, e.g. --set fleet.replicas=6)');
    expect(userErrorOf(() => parseSetFlag('fleet.replicas='))).toBe('--set fleet.replicas=: the value is empty (fix: give a value; write null to unset a field, e.g. --set fleet.replicas=6)');
    expect(userErrorOf(() => parseSetFlag('x=[1'))).toMatch(/^--set x=\[1: YAML syntax error: .*\(fix: .*e\.g\. --set fleet\.replicas=6\)$/);
  });
});

describe('--sweep PATH=V1,V2,…', () => {
  it('splits on top-level commas only', () => {
    expect(parseSweepFlag('fleet.replicas=4,6,8')).toEqual({ path: 'fleet.replicas', values: [4, 6, 8] });
    expect(parseSweepFlag('fleet.gpu=H100,L40S')).toEqual({ path: 'fleet.gpu', values: ['H100', 'L40S'] });
    expect(parseSweepFlag('x=[1,2],{a: 1, b: 2},"c,d",7')).toEqual({ path: 'x', values: [[1, 2], { a: 1, b: 2 }, 'c,d', 7] });
    expect(parseSweepFlag('x=5')).toEqual({ path: 'x', values: [5] });
  });

  it('rejects duplicates, empty values and unbalanced brackets', () => {
    expect(userErrorOf(() => parseSweepFlag('fleet.replicas=4,6,4'))).toBe('--sweep fleet.replicas=4,6,4: the value 4 is given twice (fix: give each value once, e.g. --sweep fleet.replicas=4,6,8)');
    // Mappings equal up to key order are the same value.
    expect(userErrorOf(() => parseSweepFlag('x={a: 1, b: 2},{b: 2, a: 1}'))).toMatch(/^--sweep x=.*: the value \{"b":2,"a":1\} is given twice/);
    expect(userErrorOf(() => parseSweepFlag('x=4,,6'))).toBe('--sweep x=4,,6: value 2 "": the value is empty (fix: give a value; write null to unset a field; separate values by single commas, e.g. --sweep fleet.replicas=4,6,8)');
    expect(userErrorOf(() => parseSweepFlag('x=[1,2'))).toBe('--sweep x=[1,2: unbalanced brackets or quotes in the values (fix: close every [, { and quote, e.g. --sweep fleet.replicas=4,6,8)');
    expect(userErrorOf(() => parseSweepFlag('4,6'))).toBe('--sweep 4,6: missing "=" (fix: write PATH=VALUE, e.g. --sweep fleet.replicas=4,6,8)');
  });
});

describe('grid points', () => {
  it('dimensions are the non-rates keys in file order', () => {
    expect(sweepDimensions({ 'fleet.replicas': [4, 6], rates: [20], 'fleet.gpu': ['H100'] })).toEqual([
      { path: 'fleet.replicas', values: [4, 6] },
      { path: 'fleet.gpu', values: ['H100'] },
    ]);
    expect(sweepDimensions({ rates: [20] })).toEqual([]);
    expect(sweepDimensions(null)).toEqual([]);
  });

  it('the first dimension varies slowest; sources name each value', () => {
    const pts = gridPoints([{ path: 'fleet.replicas', values: [4, 6] }, { path: 'fleet.gpu', values: ['H100', 'L40S', 'six'] }]);
    expect(pts.map((p) => p.map((o) => o.value))).toEqual([
      [4, 'H100'], [4, 'L40S'], [4, 'six'],
      [6, 'H100'], [6, 'L40S'], [6, 'six'],
    ]);
    expect(pts[4]).toEqual([
      { path: 'fleet.replicas', value: 6, source: 'sweep fleet.replicas=6' },
      { path: 'fleet.gpu', value: 'L40S', source: 'sweep fleet.gpu=L40S' },
    ]);
    // A string that would read back as another type is quoted; lists and mappings are JSON (YAML flow).
    expect(gridPoints([{ path: 'x', values: ['6', [1, 2], { a: 'b' }] }]).map((p) => p[0]!.source)).toEqual(['sweep x="6"', 'sweep x=[1,2]', 'sweep x={"a":"b"}']);
    expect(gridPoints([])).toEqual([]);
  });

  it('size is the product of the value counts and every combination appears once', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (counts) => {
        const dims = counts.map((n, d) => ({ path: `d${d}`, values: Array.from({ length: n }, (_, i) => i) }));
        const pts = gridPoints(dims);
        expect(pts.length).toBe(counts.reduce((a, b) => a * b, 1));
        // Point k, read as a mixed-radix number with the first dimension most significant, is k.
        pts.forEach((p, k) => {
          expect(p.map((o) => o.path)).toEqual(dims.map((d) => d.path));
          expect(p.reduce((acc, o, d) => acc * counts[d]! + (o.value as number), 0)).toBe(k);
        });
      }),
    );
  });
});

describe('sweep: in the scenario file', () => {
  const Q = readFileSync('scenarios/quickstart.yaml', 'utf8');
  const file = 'scenarios/quickstart.yaml';
  const withSweep = (sweep: string) => `${Q}\nsweep:\n${sweep}`;

  it('rates alone resolve as before: {rates} without dimensions', () => {
    const sc = parseScenario(withSweep('  rates: [20, 40]\n'), file);
    expect(sc.sweep).toEqual({ rates: [20, 40] });
    expect(Object.keys(sc.sweep!)).toEqual(['rates']);
    expect(parseScenario(Q, file).sweep).toBeNull();
  });

  it('other keys are grid dimensions in file order, beside rates', () => {
    const sc = parseScenario(withSweep('  fleet.replicas: [4, 6, 8]\n  rates: [20, 40]\n  policies.gaie-default.epp.schedulingProfiles.default.plugins.prefix-cache-scorer.weight: [1, 3, 5]\n'), file);
    expect(sc.sweep).toEqual({
      rates: [20, 40],
      dimensions: [
        { path: 'fleet.replicas', values: [4, 6, 8] },
        { path: 'policies.gaie-default.epp.schedulingProfiles.default.plugins.prefix-cache-scorer.weight', values: [1, 3, 5] },
      ],
    });
    // The scenario itself is the file's: 4 replicas.
    expect(sc.fleet.replicas).toBe(4);
    expect(parseScenario(withSweep('  fleet.gpu: [H100, L40S]\n'), file).sweep).toEqual({ dimensions: [{ path: 'fleet.gpu', values: ['H100', 'L40S'] }] });
  });

  it('every value is checked at load: FILE: sweep.<path>[<k>]: …', () => {
    expect(userErrorOf(() => parseScenario(withSweep('  fleet.replicas: [4, 6, 0]\n'), file))).toMatch(/^scenarios\/quickstart\.yaml: sweep\.fleet\.replicas\[2\]: must be a whole number between 1 and 1000 replicas, got 0 \(fix: .+\)$/);
    expect(userErrorOf(() => parseScenario(withSweep('  fleet.gpu: [H100, L40]\n'), file))).toMatch(/^scenarios\/quickstart\.yaml: sweep\.fleet\.gpu\[1\]: unknown GPU "L40" \(fix: did you mean "L40S"\?/);
    expect(userErrorOf(() => parseScenario(withSweep('  policies.nope.refresh_metrics_ms: [20]\n'), file))).toBe(
      'scenarios/quickstart.yaml: sweep.policies.nope.refresh_metrics_ms[0]: policies has no element named "nope" (fix: use one of: gaie-default, round-robin, random, load-only, or an index such as policies[0])',
    );
    // A value whose problem is elsewhere keeps the path of the problem.
    expect(userErrorOf(() => parseScenario(withSweep('  fleet: [{replicas: 4, gpu: H100, model: Llama-3.1-8B, tp: 3}]\n'), file))).toMatch(/^scenarios\/quickstart\.yaml: sweep\.fleet\[0\]: fleet\.tp: /);
    // Rates stay in the checked scenario: 4e7 requests at 1 req/s take 4e7 s, over the 1e7 s limit
    // (at the file's 45 req/s they take ~8.9e5 s, which is fine without rates).
    expect(userErrorOf(() => parseScenario(withSweep('  rates: [1]\n  requests: [40000000]\n'), file))).toMatch(/^scenarios\/quickstart\.yaml: sweep\.requests\[0\]: sweep\.rates\[0\]: at 1 req\/s, 40000000 requests arrive over ~4e7 s/);
    expect(parseScenario(withSweep('  requests: [40000000]\n'), file).sweep).toEqual({ dimensions: [{ path: 'requests', values: [40000000] }] });
  });

  it('shape errors: empty list, not a list, bad path, no key, sweeping the sweep', () => {
    expect(userErrorOf(() => parseScenario(withSweep('  fleet.gpu: []\n'), file))).toBe('scenarios/quickstart.yaml: sweep.fleet.gpu: the list of values is empty (fix: give at least one value, e.g. fleet.replicas: [4, 6, 8])');
    expect(userErrorOf(() => parseScenario(withSweep('  fleet.gpu: H100\n'), file))).toBe('scenarios/quickstart.yaml: sweep.fleet.gpu: expected a list of values, got the string "H100" (fix: write PATH: [v1, v2, …], e.g. fleet.replicas: [4, 6, 8])');
    expect(userErrorOf(() => parseScenario(withSweep('  "fleet..gpu": [H100]\n'), file))).toBe('scenarios/quickstart.yaml: sweep.fleet..gpu: path "fleet..gpu" has an empty key (fix: separate keys by one dot, e.g. pools.chat.replicas[0].count)');
    expect(userErrorOf(() => parseScenario(`${Q}\nsweep: {}\n`, file))).toBe('scenarios/quickstart.yaml: sweep: the sweep has no key (fix: add rates: [20, 40] (offered loads) and/or PATH: [values], e.g. fleet.replicas: [4, 6, 8])');
    expect(userErrorOf(() => parseScenario(withSweep('  sweep.rates: [[20]]\n'), file))).toBe('scenarios/quickstart.yaml: sweep.sweep.rates: a sweep cannot change the sweep section (fix: sweep a field of the scenario, e.g. fleet.replicas: [4, 6, 8])');
    // sweep.rates keeps its own checks.
    expect(userErrorOf(() => parseScenario(withSweep('  rates: []\n'), file))).toMatch(/^scenarios\/quickstart\.yaml: sweep\.rates: /);
    expect(userErrorOf(() => parseScenario(withSweep('  rates: [-5]\n'), file))).toMatch(/^scenarios\/quickstart\.yaml: sweep\.rates\[0\]: /);
  });
});
