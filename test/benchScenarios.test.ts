/**
 * The benchmark's scenarios (bench/*.yaml) load, and the two issue-15 loads are what the issue
 * names: the reference side-by-side load (8 × H100, Qwen3-14B, 20,000 requests of ~256/256 tokens
 * at 64 req/s, GAIE default) and the cluster-scale one (1M requests on 64 replicas). Speed targets
 * live in bench/bench.ts, never in timed tests: nothing here measures time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { NODE_FLAGS } from '../lab/parallel/heap.js';

// trace-10m.yaml needs the bench's generated trace (--set workload.trace.path): test/benchTrace.test.ts loads it.
const names = readdirSync('bench').filter((f) => f.endsWith('.yaml') && f !== 'trace-10m.yaml');

describe('bench scenarios', () => {
  it.each(names)('%s loads', (f) => {
    const sc = loadScenarioFile(`bench/${f}`);
    expect(sc.policies.length).toBeGreaterThan(0);
  });

  it('side-by-side is the issue\'s reference load', () => {
    const sc = loadScenarioFile('bench/side-by-side.yaml');
    expect(sc.requests).toBe(20000);
    expect(sc.fleet.replicas).toBe(8);
    expect(sc.fleet.gpu).toBe('H100');
    expect(sc.fleet.model).toBe('Qwen3-14B');
    expect(sc.workload.arrival.rate).toBe(64);
    expect(sc.workload.input).toMatchObject({ mean: 256 });
    expect(sc.workload.output).toMatchObject({ mean: 256 });
    expect(sc.policies.map((p) => p.name)).toEqual(['gaie-default']);
  });

  it('million is 1M requests on 64 replicas under the GAIE default and least-requests', () => {
    const sc = loadScenarioFile('bench/million.yaml');
    expect(sc.requests).toBe(1_000_000);
    expect(sc.fleet.replicas).toBe(64);
    expect(sc.policies.map((p) => p.name)).toEqual(['gaie-default', 'least-requests']);
  });

  it('measures with the V8 flags npx routesim runs with (bin/routesim.js shebang)', () => {
    const shebang = readFileSync('bin/routesim.js', 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  });
});
