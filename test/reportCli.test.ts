/**
 * `routesim run --seeds / --sweep-rate / --update-baseline`, `routesim report` and a gate on real
 * simulated results, through the built CLI (bin/routesim.js → dist/).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { routesim, smallScenario } from './cliHelpers.js';

const dir = mkdtempSync(join(tmpdir(), 'routesim-reportcli-'));
const file = (name: string, text?: string): string => {
  const p = join(dir, name);
  if (text !== undefined) writeFileSync(p, text);
  return p;
};
const scenario = file('small.yaml', smallScenario(2));

describe('routesim run with seeds and sweeps', { timeout: 60_000 }, () => {
  it('--seeds 3 prints mean ± CI, writes repeats, statistics, comparisons and the same file as --update-baseline', () => {
    const out = file('seeds.json');
    const base = file('baseline.json');
    const csv = file('seeds.csv');
    const r = routesim(['run', scenario, '--seeds', '3', '--out', out, '--update-baseline', base, '--requests-csv', csv]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('3 seeds (5–7): mean ± 95 % confidence half-width');
    expect(r.stdout).toMatch(/^round-robin\s+\d+\.\d ± \d+\.\d\s/m);
    // Either verdict on the paired comparisons, over the three seeds.
    expect(r.stdout).toMatch(/^(no significant differences between policies|significant differences) \(paired t test over 3 seeds, p < 0\.05\)/m);
    expect(readFileSync(base, 'utf8')).toBe(readFileSync(out, 'utf8'));
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.seeds).toEqual([5, 6, 7]);
    expect(doc.scenario.seeds).toBe(3);
    for (const p of doc.policies) {
      expect(p.repeats.map((x: { seed: number }) => x.seed)).toEqual([5, 6, 7]);
      expect(p.repeats[0].summary).toEqual(p.summary);
      // The stats of a figure are those of the three seeds' values.
      const values = p.repeats.map((x: { summary: { ttft_ms: { p99: number } } }) => x.summary.ttft_ms.p99);
      expect(p.stats['ttft_ms.p99'].n).toBe(3);
      expect(p.stats['ttft_ms.p99'].mean).toBeCloseTo(values.reduce((a: number, b: number) => a + b, 0) / 3, 3);
      expect(p.distributions.ttft_ms).toHaveLength(101);
      expect(p.timeseries.replicas).toHaveLength(2);
    }
    expect(doc.comparisons.length).toBe(6); // one pair of policies × six figures
    // The per-request CSV holds the first seed's run only: header + 2 policies × 60 requests.
    expect(readFileSync(csv, 'utf8').trim().split('\n')).toHaveLength(1 + 2 * 60);
  });

  it('reads seeds: and sweep: from the scenario; --sweep-rate overrides', () => {
    const sc = file('sweep.yaml', smallScenario(2, 'seeds: 2\nsweep: {rates: [10, 20, 40]}'));
    const a = routesim(['run', sc, '--json']);
    expect(a.code, a.stderr).toBe(0);
    const doc = JSON.parse(a.stdout);
    expect(doc.seeds).toEqual([5, 6]);
    expect(doc.sweep.map((p: { rate: number }) => p.rate)).toEqual([10, 20, 40]);
    // The point at the scenario's own rate is the main run.
    expect(doc.sweep[1].policies[0].summary).toEqual(doc.policies[0].summary);
    const b = routesim(['run', sc, '--seeds', '1', '--sweep-rate', '15,25']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/^sweep over offered load$/m);
    expect(b.stdout).toMatch(/^15\s+round-robin\s/m);
    expect(b.stdout).toMatch(/^25\s+least-requests\s/m);
  });

  it.each([
    [['--seeds', '0'], /^routesim: --seeds: expected a whole number from 1 to 1000, got "0" \(fix: pass e\.g\. --seeds 5\)$/],
    [['--seeds', 'many'], /--seeds: expected a whole number/],
    [['--sweep-rate', '10,,30'], /^routesim: --sweep-rate: expected a number between 1e-6 and 1e6 req\/s, got "" \(fix:/],
    [['--sweep-rate', '10,-5'], /--sweep-rate: must be between 1e-6 and 1e6 req\/s, got -5/],
  ])('%j is one line and exit 2', (flags, pattern) => {
    const r = routesim(['run', scenario, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(pattern);
  });

  it('a bad seeds: in the scenario is a scenario error', () => {
    const r = routesim(['run', file('bad.yaml', smallScenario(2, 'seeds: 2.5'))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml: seeds: must be a whole number between 1 and 1000 seeds/);
  });
});

describe('routesim report', { timeout: 60_000 }, () => {
  it('writes the charts, index.html and summary.md; byte-identical on a rerun', () => {
    const results = file('seeds.json');
    if (!existsSync(results)) expect(routesim(['run', scenario, '--seeds', '3', '--out', results]).code).toBe(0);
    const a = join(dir, 'rep-a');
    const b = join(dir, 'rep-b');
    const r = routesim(['report', results, '--out', a]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^wrote 18 files to .*rep-a: 8 charts/);
    expect(routesim(['report', results, '--out', b]).code).toBe(0);
    const names = readdirSync(a).sort();
    expect(names).toContain('index.html');
    expect(names).toContain('summary.md');
    // TTFT and E2E CDFs, percentiles, TTFT over time, load share, throughput, one replica chart per policy (no sweep).
    expect(names.filter((n) => n.endsWith('.vl.json'))).toHaveLength(8);
    expect(names.filter((n) => n.endsWith('.svg'))).toHaveLength(8);
    for (const n of names) expect(readFileSync(join(b, n)).equals(readFileSync(join(a, n))), n).toBe(true);
  });

  it('--link-base makes every link of summary.md absolute; without it they are relative', () => {
    const results = file('seeds.json');
    if (!existsSync(results)) expect(routesim(['run', scenario, '--seeds', '3', '--out', results]).code).toBe(0);
    const abs = join(dir, 'rep-abs');
    const r = routesim(['report', results, '--out', abs, '--link-base', 'https://ci.example.com/run/7/report/']);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(abs, 'summary.md'), 'utf8');
    const links = [...md.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    // 8 charts × (SVG + Vega-Lite) + index.html + 2 embedded images.
    expect(links).toHaveLength(8 * 2 + 1 + 2);
    for (const l of links) expect(l).toMatch(/^https:\/\/ci\.example\.com\/run\/7\/report\/[a-z0-9.-]+$/);
    // Only summary.md depends on the flag.
    const rel = join(dir, 'rep-a');
    if (!existsSync(rel)) expect(routesim(['report', results, '--out', rel]).code).toBe(0);
    for (const n of readdirSync(rel)) if (n !== 'summary.md') expect(readFileSync(join(abs, n)).equals(readFileSync(join(rel, n))), n).toBe(true);
    expect(readFileSync(join(rel, 'summary.md'), 'utf8')).toContain('](ttft-cdf.svg)');
  });

  it.each([
    ['a missing results file', () => ['report', join(dir, 'nope.json'), '--out', join(dir, 'r1')], /nope\.json: file not found/],
    ['a scenario instead of results', () => ['report', scenario, '--out', join(dir, 'r2')], /small\.yaml: not valid JSON/],
    [
      'a directory that is not a report',
      () => {
        mkdirSync(join(dir, 'docs'), { recursive: true });
        writeFileSync(join(dir, 'docs', 'notes.txt'), 'mine');
        return ['report', file('seeds.json'), '--out', join(dir, 'docs')];
      },
      /docs: exists and is not a routesim report/,
    ],
  ])('%s: exit 2, one line', (_name, argv, pattern) => {
    const r = routesim(argv());
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });
});

describe('the gate on simulated results', { timeout: 120_000 }, () => {
  const rules = file('rules.yaml', 'rules:\n  - {metric: ttft.p99, max_increase: 5%}\n  - {metric: goodput, max_decrease: 0}\n');
  const two = file('two.json');
  const one = file('one.json');

  // 40 req/s of 1800-token prompts and ~200-token answers: about what one H100 sustains, so one
  // replica queues where two do not (measured: TTFT p99 ≈ 78 ms on one against ≈ 48 ms on two).
  const HEAVY = (replicas: number) => `
name: gate
seed: 5
requests: 200
fleet: {replicas: ${replicas}, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 40}
  shared_prefix: {num_groups: 8, num_prompts_per_group: 4, system_prompt_len: 1500, question_len: 300}
  output: {dist: uniform, min: 150, max: 250}
policies: [round-robin, least-requests]
slo: {ttft_ms: 200}
`;

  it('halving the fleet is caught; doubling it passes', () => {
    expect(routesim(['run', file('two.yaml', HEAVY(2)), '--seeds', '2', '--update-baseline', two]).code).toBe(0);
    expect(routesim(['run', file('one.yaml', HEAVY(1)), '--seeds', '2', '--out', one]).code).toBe(0);
    // A different fleet is different work: refused unless allowed (then a note on stderr).
    expect(routesim(['check', '--baseline', two, '--current', one, '--rules', rules]).code).toBe(2);
    const worse = routesim(['check', '--baseline', two, '--current', one, '--rules', rules, '--allow-workload-change']);
    expect(worse.stderr).toMatch(/^routesim: note: .*fleet\.replicas: 2 in the baseline, 1 here/);
    expect(worse.code, worse.stderr).toBe(1);
    expect(worse.stdout).toMatch(/^ttft_ms\.p99 may not rise more than 5 %\s+round-robin\s.*FAIL$/m);
    const better = routesim(['check', '--baseline', one, '--current', two, '--rules', rules, '--allow-workload-change']);
    expect(better.code, better.stderr).toBe(0);
    const same = routesim(['check', '--baseline', two, '--current', two, '--rules', rules]);
    expect(same.code).toBe(0);
    expect(same.stdout.trimEnd().split('\n').at(-1)).toBe('routesim check: all 4 checks passed');
  });
});
