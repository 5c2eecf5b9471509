/**
 * The bounded-number mechanism (sim/scenario/bounds.ts): one range check behind the scenario
 * schema (zod), the flag parser and the trace readers, always stating the range and the unit.
 */
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bounded, flagNumber, fmtNum, MAX_DURATION_S, MAX_REQUESTS, outOfRange, RANGES, rangeText, type Range } from '../sim/scenario/bounds.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { userErrorOf } from './helpers.js';

const errorOf = userErrorOf;

describe('fmtNum', () => {
  it('writes powers of ten and tiny numbers as exponents, others plainly', () => {
    expect(fmtNum(1e-6)).toBe('1e-6');
    expect(fmtNum(1e-300)).toBe('1e-300');
    expect(fmtNum(1e6)).toBe('1e6');
    expect(fmtNum(3.6e6)).toBe('3.6e6');
    expect(fmtNum(1e300)).toBe('1e300');
    // The exponent form would be longer: keep the digits.
    expect(fmtNum(4294967295)).toBe('4294967295');
    expect(fmtNum(0.25)).toBe('0.25');
    expect(fmtNum(1000)).toBe('1000');
    expect(fmtNum(-5)).toBe('-5');
    expect(fmtNum(0)).toBe('0');
  });
});

describe('outOfRange', () => {
  it('states the range and unit with the value (the issue example)', () => {
    expect(outOfRange(1e-300, RANGES.rate)).toBe('must be between 1e-6 and 1e6 req/s, got 1e-300');
    expect(outOfRange(2.5, RANGES.requests)).toBe('must be a whole number between 1 and 1e8 requests, got 2.5');
    expect(outOfRange(0, RANGES.duration)).toBe('must be > 0 and ≤ 1e7 s, got 0');
  });

  it('accepts both ends of an inclusive range and rejects just outside', () => {
    expect(outOfRange(1e-6, RANGES.rate)).toBeNull();
    expect(outOfRange(1e6, RANGES.rate)).toBeNull();
    expect(outOfRange(1e6 * (1 + 1e-15), RANGES.rate)).not.toBeNull();
    expect(outOfRange(0.99e-6, RANGES.rate)).not.toBeNull();
    expect(outOfRange(1e7, RANGES.duration)).toBeNull();
    expect(outOfRange(Number.MIN_VALUE, RANGES.duration)).toBeNull();
  });

  it('rejects NaN and infinities whatever the range', () => {
    for (const r of Object.values(RANGES) as Range[]) {
      expect(outOfRange(Number.NaN, r)).not.toBeNull();
      expect(outOfRange(Infinity, r)).not.toBeNull();
      expect(outOfRange(-Infinity, r)).not.toBeNull();
    }
  });

  it('every range is finite and non-empty', () => {
    for (const [k, r] of Object.entries(RANGES) as [string, Range][]) {
      expect(Number.isFinite(r.min) && Number.isFinite(r.max), k).toBe(true);
      expect(r.max > r.min, k).toBe(true);
    }
  });
});

describe('bounded (zod) and flagNumber agree with outOfRange', () => {
  const ranges = Object.values(RANGES) as Range[];
  /**
   * Values for range `r`: any double (almost never inside a range), doubles inside it, whole numbers
   * inside it (the only in-range values of an integer range), and the edges min, max, min − 1, max + 1.
   */
  const valuesFor = (r: Range): fc.Arbitrary<number> => {
    const lo = Math.ceil(r.min);
    const hi = Math.floor(r.max);
    // fc.integer takes 32-bit bounds; larger ranges draw doubles in range and round them.
    const whole =
      lo >= -0x80000000 && hi <= 0x7fffffff
        ? fc.integer({ min: lo, max: hi })
        : fc
            .double({ min: r.min, max: r.max, noNaN: true })
            .map(Math.round)
            .filter((v) => v >= r.min && v <= r.max);
    return fc.oneof(fc.double(), fc.double({ min: r.min, max: r.max, noNaN: true }), whole, fc.constantFrom(r.min, r.max, r.min - 1, r.max + 1));
  };
  it('for any double and any range (in range, out of range, whole numbers and the edges)', () => {
    let intAccepted = 0;
    let intRejected = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...ranges).chain((r) => fc.tuple(valuesFor(r), fc.constant(r))),
        ([v, r]) => {
          const z = bounded(r).safeParse(v);
          if (r.int === true) {
            if (z.success) intAccepted++;
            else intRejected++;
          }
          const problem = outOfRange(v, r);
          expect(z.success).toBe(Number.isFinite(v) && problem === null);
          if (z.success) {
            expect(v >= r.min && v <= r.max).toBe(true);
            expect(flagNumber('--x', String(v), r) === v).toBe(true); // (-0 reads back as 0)
          } else if (Number.isFinite(v)) {
            // The message is `problem (fix: …)`, split again by the scenario loader.
            expect(z.error.issues[0]!.message).toMatch(new RegExp(`^${problem!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(fix: use `));
            expect(errorOf(() => flagNumber('--x', String(v), r)).startsWith(`--x: ${problem} (fix: pass ${r.int ? '' : 'a value '}${rangeText(r)}, e.g. --x `)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
    // Both paths of integer ranges were exercised (fc.double() alone accepted none in 500 draws).
    expect(intAccepted).toBeGreaterThan(0);
    expect(intRejected).toBeGreaterThan(0);
  });

  it('flagNumber reads trimmed text and names the flag when it is not a number', () => {
    expect(flagNumber('--rate-scale', ' 2 ', RANGES.rateScale)).toBe(2);
    expect(errorOf(() => flagNumber('--jitter', 'lots', RANGES.jitter, '3'))).toBe('--jitter: expected a number between 0 and 3600 s, got "lots" (fix: pass e.g. --jitter 3)');
    expect(errorOf(() => flagNumber('--jitter', '', RANGES.jitter, '3'))).toMatch(/^--jitter: expected a number/);
    expect(errorOf(() => flagNumber('--jitter', '1e300', RANGES.jitter, '3'))).toBe('--jitter: must be between 0 and 3600 s, got 1e300 (fix: pass a value between 0 and 3600 s, e.g. --jitter 3)');
  });
});

describe('scenario fields go through the same check', () => {
  const SMALL = 'requests: 20\nfleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  arrival: {rate: 10}\n  input: 100\n  output: 10\npolicies: [round-robin]\n';
  it('a range error is one line with path, range and a value to use', () => {
    expect(errorOf(() => parseScenario(SMALL.replace('rate: 10', 'rate: 1e-300'), 's.yaml'))).toBe(
      's.yaml: workload.arrival.rate: must be between 1e-6 and 1e6 req/s, got 1e-300 (fix: use a value between 1e-6 and 1e6 req/s, e.g. 1e-6)',
    );
    expect(errorOf(() => parseScenario(SMALL.replace('input: 100', 'input: 1e9'), 's.yaml'))).toBe(
      's.yaml: workload.input: must be a whole number between 1 and 1e6 tokens, got 1e9 (fix: use a whole number between 1 and 1e6 tokens, e.g. 1e6)',
    );
  });

  it('the limits of real use still load: 85k-token prompts, thousands of req/s, week-long runs', () => {
    // 4000 req/s × 600 s = 2.4e6 requests ≤ 1e8; 85,000 + 2,000 tokens ≤ max_model_len 131,072.
    expect(() => parseScenario(SMALL.replace('rate: 10', 'rate: 4000').replace('requests: 20', 'duration_s: 600').replace('input: 100', 'input: 85000').replace('output: 10', 'output: 2000'), 's.yaml')).not.toThrow();
    // A week at 100 req/s: 604,800 s ≤ 1e7 s, 6.05e7 requests ≤ 1e8.
    expect(() => parseScenario(SMALL.replace('rate: 10', 'rate: 100').replace('requests: 20', 'duration_s: 604800'), 's.yaml')).not.toThrow();
  });

  it('every shipped scenario and bench scenario loads (trace scenarios only where ../shared/data is present)', () => {
    for (const dir of ['scenarios', 'bench']) {
      // bench/trace-10m.yaml replays the bench's generated trace (--set workload.trace.path): test/benchTrace.test.ts loads it.
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml') && !(dir === 'bench' && x === 'trace-10m.yaml'))) {
        // Trace scenarios replay files from ../shared/data, which a bare clone may not have.
        const trace = /^\s*(?:path|dir|mlp|attention|all_reduce|table):\s*(\S*shared\/data\S*)/m.exec(readFileSync(`${dir}/${f}`, 'utf8'))?.[1];
        if (trace && !existsSync(join(dir, trace))) {
          console.log(`skipping ${dir}/${f}: its trace ${join(dir, trace)} is absent (../shared/data)`);
          continue;
        }
        expect(() => loadScenarioFile(`${dir}/${f}`), f).not.toThrow();
      }
    }
  });
});

describe('README "Ranges"', () => {
  it('states the ranges the code checks', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### Ranges'), readme.indexOf('## Workloads and traces'));
    for (const k of ['rate', 'stageRate', 'requests', 'duration', 'time', 'wait', 'tokens', 'replicas', 'rateScale', 'loop', 'jitter', 'priority', 'count'] as const) {
      expect(section, k).toContain(`| ${rangeText(RANGES[k]).replace(/ \(fraction of rows\)$/, '')} |`);
    }
    expect(section).toContain(`limited to ${fmtNum(MAX_REQUESTS)} requests`);
    expect(section).toContain(`${fmtNum(MAX_DURATION_S)} s of simulated time`);
  });
});
