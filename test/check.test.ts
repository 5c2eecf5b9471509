/**
 * The CI gate (`routesim check`): rules parsing, verdicts on baselines with planted regressions in
 * both directions (single runs and paired over seeds, with hand-derived t statistics), the JUnit
 * XML and Markdown outputs, exit codes 0 / 1 / 2 through the built CLI, and malformed input.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateRules, type Verdict } from '../reports/check/compare.js';
import { renderCheckMarkdown, renderJunit } from '../reports/check/output.js';
import { betterDirection } from '../reports/check/directions.js';
import { parseRules } from '../reports/check/rules.js';
import { collectResults } from '../reports/collect.js';
import { flattenFigures } from '../reports/figures.js';
import { parseScenario } from '../sim/scenario/load.js';
import { parseResults } from '../reports/resultsFile.js';
import type { ResultsDocument } from '../reports/results.js';
import { workHash } from '../reports/fingerprint.js';
import { UserError } from '../sim/core/errors.js';

import { routesim, smallScenario } from './cliHelpers.js';

interface Figs {
  ttft99: number;
  e2e99: number;
  goodput: number;
}

/** A minimal summary with the figures the gate reads (others fixed). */
function summary(f: Figs) {
  const lat = (p99: number) => ({ mean: p99 / 2, p50: p99 / 2, p90: p99 * 0.9, p95: p99 * 0.95, p99 });
  return {
    arrived: 100,
    completed: 100,
    rejected: 0,
    rejected_by_reason: {},
    ttft_ms: lat(f.ttft99),
    tpot_ms: lat(40),
    e2e_ms: lat(f.e2e99),
    throughput: { duration_s: 10, requests_per_s: 100, input_tokens_per_s: 1000, output_tokens_per_s: 2000 },
    // Goodput up to 100 req/s (a fraction of at most 1 needs throughput ≥ goodput: 100 here).
    goodput: { requests_per_s: f.goodput, fraction: f.goodput / 100 },
    replicas: [{ name: 'replica-0', share: 1 }],
  };
}

/** A results document: per policy one Figs per seed (one entry = a single-seed run), fingerprinted as routesim run writes it. */
function doc(policies: Record<string, Figs[]>, scenario: Record<string, unknown> = SCENARIO): ResultsDocument {
  const n = Object.values(policies)[0]!.length;
  const seeds = Array.from({ length: n }, (_, k) => 42 + k);
  return parseResults(
    {
      routesim: { version: 'test' },
      scenario,
      workload_fingerprint: { scheme: 1, hash: workHash(scenario), seeds, files: [] },
      policies: Object.entries(policies).map(([name, figs]) => ({
        name,
        type: 'round-robin',
        summary: summary(figs[0]!),
        ...(n > 1 ? { repeats: figs.map((f, k) => ({ seed: seeds[k], summary: summary(f) })) } : {}),
      })),
      ...(n > 1 ? { seeds } : {}),
    },
    'doc.json',
  );
}

/** The echo of a (partial) scenario: seed 42, a Poisson workload at 20 req/s. */
const SCENARIO = { name: 'gate', seed: 42, requests: 100, workload: { arrival: { process: 'poisson', rate: 20 } }, policies: [{ name: 'rr', type: 'round-robin' }] };

const F = (ttft99: number, e2e99 = 1000, goodput = 50): Figs => ({ ttft99, e2e99, goodput });

const RULES = `
rules:
  - {metric: ttft.p99, max_increase: 5%}
  - {metric: e2e_ms.p99, policy: lr, max_increase: 100}
  - {metric: goodput, max_decrease: 0}
`;

function check(base: ResultsDocument, cur: ResultsDocument, rules = RULES): Verdict[] {
  return evaluateRules({ rules: parseRules(rules, 'rules.yaml'), rulesFile: 'rules.yaml', baseline: base, baselineFile: 'base.json', current: cur, currentFile: 'cur.json' });
}

const summaryOf = (v: readonly Verdict[]) => v.map((x) => `${x.rule.metric}/${x.policy}: ${x.status}`);

describe('rules', () => {
  it('parses metrics (with short names), policies, directions and allowances', () => {
    const rules = parseRules(RULES, 'rules.yaml');
    expect(rules.map((r) => [r.metric, r.policy, r.direction, r.allowance, r.name])).toEqual([
      ['ttft_ms.p99', null, 'increase', { kind: 'relative', fraction: 0.05 }, 'ttft_ms.p99 may not rise more than 5 %'],
      ['e2e_ms.p99', 'lr', 'increase', { kind: 'absolute', amount: 100 }, 'e2e_ms.p99 may not rise more than 100 ms'],
      ['goodput.requests_per_s', null, 'decrease', { kind: 'absolute', amount: 0 }, 'goodput.requests_per_s may not fall'],
    ]);
  });

  it.each([
    ['a misspelt key', 'rules:\n  - {metric: ttft.p99, max_incrase: 5%}', /^r\.yaml: rules\[0\]\.max_incrase: unknown key "max_incrase" \(fix: did you mean "max_increase"\?/],
    ['no direction', 'rules:\n  - {metric: ttft.p99}', /^r\.yaml: rules\[0\]: has neither max_increase nor max_decrease \(fix:/],
    ['both directions', 'rules:\n  - {metric: ttft.p99, max_increase: 1, max_decrease: 1}', /^r\.yaml: rules\[0\]: has both/],
    ['a bad allowance', 'rules:\n  - {metric: ttft.p99, max_increase: 5 percent}', /^r\.yaml: rules\[0\]\.max_increase: expected a number in the metric's unit or a percentage/],
    ['a negative allowance', 'rules:\n  - {metric: ttft.p99, max_increase: -3}', /^r\.yaml: rules\[0\]\.max_increase/],
    ['no rules', 'rules: []', /^r\.yaml: rules: needs at least 1 entr/],
    ['a list instead of a mapping', '- {metric: ttft.p99, max_increase: 5%}', /^r\.yaml: a rules file must be a mapping/],
    ['broken YAML', 'rules:\n  - {metric: ttft.p99, max_increase: 5%', /^r\.yaml:\d+:\d+: YAML syntax error/],
  ])('%s is one line naming the file, the field and the fix', (_name, text, pattern) => {
    let msg = '';
    try {
      parseRules(text, 'r.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      msg = (err as Error).message;
    }
    expect(msg).toMatch(pattern);
    expect(msg).toContain('(fix: ');
    expect(msg.split('\n')).toHaveLength(1);
  });
});

describe('rule directions', () => {
  const one = (metric: string, dir: 'increase' | 'decrease', amount = '5%') => () => parseRules(`rules:\n  - {metric: ${metric}, max_${dir}: ${amount}}`, 'r.yaml');

  // Each of these can never fail: the figure only regresses the other way.
  it.each([
    ['goodput', 'increase', 'goodput.requests_per_s', 'higher', 'decrease'],
    ['goodput.fraction', 'increase', 'goodput.fraction', 'higher', 'decrease'],
    ['throughput.output_tokens_per_s', 'increase', 'throughput.output_tokens_per_s', 'higher', 'decrease'],
    ['completed', 'increase', 'completed', 'higher', 'decrease'],
    ['cache_hit_rate', 'increase', 'prefix_cache_hit_rate', 'higher', 'decrease'],
    ['replicas.0.prefix_cache_hit_rate', 'increase', 'replicas.0.prefix_cache_hit_rate', 'higher', 'decrease'],
    ['ttft.p99', 'decrease', 'ttft_ms.p99', 'lower', 'increase'],
    ['e2e_ms.p50', 'decrease', 'e2e_ms.p50', 'lower', 'increase'],
    ['queue.mean', 'decrease', 'queue_ms.mean', 'lower', 'increase'],
    ['rejected', 'decrease', 'rejected', 'lower', 'increase'],
    ['dropped_by_reason.no-candidates', 'decrease', 'dropped_by_reason.no-candidates', 'lower', 'increase'],
    ['preemptions', 'decrease', 'preemptions', 'lower', 'increase'],
    ['balance.request_share_cv', 'decrease', 'balance.request_share_cv', 'lower', 'increase'],
    ['by_class.priority.0.ttft_ms.p99', 'decrease', 'by_class.priority.0.ttft_ms.p99', 'lower', 'increase'],
    ['stages.1.goodput.requests_per_s', 'increase', 'stages.1.goodput.requests_per_s', 'higher', 'decrease'],
  ] as const)('max_%2$s on %1$s is refused, naming the file, the rule and the fix', (metric, dir, resolved, better, other) => {
    expect(one(metric, dir)).toThrow(
      new UserError(`r.yaml: rules[0].max_${dir}: ${resolved} is better when ${better}, so a${dir === 'increase' ? ' rise' : ' fall'} is never a regression and this rule can never fail (fix: write max_${other}: 5% to guard against ${resolved} ${better === 'higher' ? 'falling' : 'rising'})`),
    );
    // The other direction is accepted.
    expect(one(metric, other)()[0]!.direction).toBe(other);
  });

  it('names the offending rule among several, with its own allowance in the fix', () => {
    expect(() => parseRules('rules:\n  - {metric: ttft.p99, max_increase: 5%}\n  - {metric: goodput, max_increase: 0.5}', 'r.yaml')).toThrow(/^r\.yaml: rules\[1\]\.max_increase: goodput\.requests_per_s is better when higher.*\(fix: write max_decrease: 0\.5 /);
  });

  it.each(['arrived', 'replicas.1.share', 'throughput.duration_s', 'window.warmup_s', 'steady_state.diverged_at_s', 'stages.0.rate'])('%s describes the run: either direction bounds its drift', (metric) => {
    expect(betterDirection(metric)).toBe('either');
    expect(one(metric, 'increase')()[0]!.direction).toBe('increase');
    expect(one(metric, 'decrease')()[0]!.direction).toBe('decrease');
  });

  it('every figure of a real run has a catalogued direction', () => {
    const sc = parseScenario(smallScenario(), 'small.yaml');
    const { doc } = collectResults(sc, { seeds: 1, sweepRates: null }, 'test');
    const paths = [...flattenFigures(doc.policies[0]!.summary).keys()];
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((p) => betterDirection(p) === 'unknown')).toEqual([]);
    // The headline figures, by hand.
    expect(['ttft_ms.p99', 'tpot_ms.p99', 'e2e_ms.p99', 'goodput.requests_per_s', 'throughput.output_tokens_per_s'].map(betterDirection)).toEqual(['lower', 'lower', 'lower', 'higher', 'higher']);
  });
});

describe('single runs: planted regressions in both directions', () => {
  const base = doc({ rr: [F(1000, 2000, 50)], lr: [F(800, 1500, 52)] });

  it('identical results pass every rule', () => {
    expect(check(base, base).every((v) => v.status === 'pass')).toBe(true);
  });

  it('TTFT p99 up 10 % fails (allowed 5 %), up exactly 5 % passes', () => {
    // rr: 1000 → 1100, change +100 > 5 % of 1000 = 50. lr: 800 → 840, change +40 = 5 % of 800: allowed.
    const v = check(base, doc({ rr: [F(1100, 2000, 50)], lr: [F(840, 1500, 52)] }));
    expect(summaryOf(v)).toEqual([
      'ttft_ms.p99/rr: fail',
      'ttft_ms.p99/lr: pass',
      'e2e_ms.p99/lr: pass',
      'goodput.requests_per_s/rr: pass',
      'goodput.requests_per_s/lr: pass',
    ]);
    expect(v[0]).toMatchObject({ baseline: 1000, current: 1100, change: 100, allowed: 50 });
    expect(v[0]!.relativeChange).toBeCloseTo(0.1, 12);
  });

  it('improvements pass: TTFT down 10 %, goodput up', () => {
    expect(check(base, doc({ rr: [F(900, 1800, 55)], lr: [F(720, 1400, 60)] })).every((v) => v.status === 'pass')).toBe(true);
  });

  it('goodput may not fall: a drop of 0.01 req/s fails; E2E +101 ms fails where +100 passes', () => {
    const v = check(base, doc({ rr: [F(1000, 2000, 49.99)], lr: [F(800, 1601, 52)] }));
    expect(summaryOf(v)).toEqual([
      'ttft_ms.p99/rr: pass',
      'ttft_ms.p99/lr: pass',
      'e2e_ms.p99/lr: fail',
      'goodput.requests_per_s/rr: fail',
      'goodput.requests_per_s/lr: pass',
    ]);
    expect(check(base, doc({ rr: [F(1000, 2000, 50)], lr: [F(800, 1600, 52)] }))[2]!.status).toBe('pass');
  });

  it('a latency with no samples in the current run fails', () => {
    const cur = JSON.parse(JSON.stringify(base)) as ResultsDocument;
    (cur.policies[0]!.summary.ttft_ms as { p99: number | null }).p99 = null;
    expect(check(base, cur)[0]).toMatchObject({ status: 'fail', note: 'no samples in the current run' });
  });

  it('writes JUnit XML with one test case per rule and policy, and a Markdown table', () => {
    const v = check(base, doc({ rr: [F(1100, 2000, 50)], lr: [F(800, 1500, 52)] }));
    const xml = renderJunit(v);
    expect(xml).toContain('<testsuite name="routesim check" tests="5" failures="1"');
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toMatch(/<testcase classname="routesim\.check\.ttft_ms\.p99" name="rr: ttft_ms\.p99 may not rise more than 5 %">\s*<failure message="rr: ttft_ms.p99 may not rise more than 5 %: regression beyond the allowance \(baseline 1000.0 ms, current 1100.0 ms, change \+100.0 ms \(\+10.0 %\), allowed \+5 % \(50.00 ms\)\)"/);
    const md = renderCheckMarkdown(v, 'base.json', 'cur.json');
    expect(md).toContain('## routesim check: ❌ 1 of 5 checks failed');
    expect(md).toContain('| ttft_ms.p99 may not rise more than 5 % | rr | 1000.0 ms | 1100.0 ms | +100.0 ms (+10.0 %) | +5 % (50.00 ms) | FAIL |');
  });

  it('JUnit XML stays well-formed when a policy name holds control characters and "]]>"', () => {
    // The builder escapes "]]>" in CDATA and then strips control characters: "a]\x01]>b" used to
    // become a bare "]]>" inside the CDATA section. Control characters are replaced first now.
    const v = check(base, doc({ rr: [F(1100, 2000, 50)], lr: [F(800, 1500, 52)] })).map((x) => ({ ...x, policy: 'a]\x01]>b\x1b' }));
    const xml = renderJunit(v);
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    // Outside the CDATA sections (each ends at its first "]]>"), character data may not hold "]]>".
    const outsideCdata = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
    expect(outsideCdata).not.toContain(']]>');
    expect(outsideCdata).not.toContain('<![CDATA[');
    // The name survives, its control characters shown as U+FFFD.
    expect(xml).toContain('a]\uFFFD]');
  });
});

describe('several seeds: a regression counts only when significant', () => {
  // Baseline TTFT p99 per seed [100, 110, 90]: mean 100, so "5 %" allows +5 ms.
  const base = doc({ rr: [F(100, 1000, 50), F(110, 1000, 52), F(90, 1000, 48)] });
  const rules = 'rules:\n  - {metric: ttft.p99, max_increase: 5%}\n  - {metric: e2e.p99, max_increase: 100}\n  - {metric: goodput, max_decrease: 0}';
  const check3 = (cur: ResultsDocument) => check(base, cur, rules);

  it('a consistent +10 % is significant and fails', () => {
    // Differences [10, 11, 9] → excess over the 5 ms allowance [5, 6, 4]: mean 5, s = 1,
    // SE = 1/√3 = 0.5774; 95 % CI 5 ± 4.3027·0.5774 = [2.516, 7.484] > 0 → fail.
    // t = 5/0.5774 = 8.660, 2 df: two-sided p = 1 − 8.660/√(2 + 75) = 0.01307, one-sided 0.006536.
    const v = check3(doc({ rr: [F(110, 1000, 50), F(121, 1000, 52), F(99, 1000, 48)] }))[0]!;
    expect(v).toMatchObject({ status: 'fail', baseline: 100, current: 110, allowed: 5, pairs: 3 });
    expect(v.p).toBeCloseTo(0.006536, 6);
    // CI of the change itself: 10 ± 2.484.
    expect(v.changeCiLow).toBeCloseTo(7.516, 3);
    expect(v.changeCiHigh).toBeCloseTo(12.484, 3);
  });

  it('a noisy change beyond the allowance on average is not significant and passes', () => {
    // Differences [30, −10, 10] → excess [25, −15, 5]: mean 5, s = 20, SE = 11.547;
    // CI 5 ± 49.68 includes 0 → "not significant", exit status unaffected.
    // t = 0.4330, 2 df: two-sided p = 1 − 0.4330/√2.1875 = 0.7072, one-sided 0.3536.
    const v = check3(doc({ rr: [F(130, 1000, 50), F(100, 1000, 52), F(100, 1000, 48)] }))[0]!;
    expect(v.status).toBe('not significant');
    expect(v.p).toBeCloseTo(0.3536, 4);
    expect(v.change).toBe(10);
  });

  it('a consistent 1 % fall in goodput is significant under "may not fall"', () => {
    // Baseline [50, 52, 48] → current [49.5, 51.48, 47.52]: excess (fall − 0) [0.5, 0.52, 0.48],
    // mean 0.5, s = 0.02; CI 0.5 ± 4.3027·0.02/√3 = [0.4503, 0.5497] > 0 → fail.
    const v = check3(doc({ rr: [F(100, 1000, 49.5), F(110, 1000, 51.48), F(90, 1000, 47.52)] }));
    expect(v[2]).toMatchObject({ rule: { metric: 'goodput.requests_per_s' }, status: 'fail' });
    expect(v[0]!.status).toBe('pass');
  });

  it('an improvement passes', () => {
    expect(check3(doc({ rr: [F(95, 900, 51), F(100, 900, 53), F(85, 900, 49)] })).every((v) => v.status === 'pass')).toBe(true);
  });

  it('refuses to pair runs with different seeds', () => {
    expect(() => check3(doc({ rr: [F(100)] }))).toThrow(/cur\.json: seeds: ran a single seed but the baseline base\.json ran seeds 42,43,44/);
  });
});

describe('unusable input', () => {
  const base = doc({ rr: [F(1000)], lr: [F(800)] });
  it.each([
    ['an unknown metric', 'rules:\n  - {metric: ttft.p999, max_increase: 5%}', /^rules\.yaml: rules\[0\]\.metric: unknown metric "ttft_ms\.p999" \(fix: did you mean "ttft_ms\.p99"\?/],
    ['an unknown policy', 'rules:\n  - {metric: ttft.p99, policy: fastest, max_increase: 5%}', /^rules\.yaml: rules\[0\]\.policy: the baseline base\.json has no policy "fastest" \(it has rr, lr\)/],
  ])('%s', (_name, rules, pattern) => {
    expect(() => check(base, base, rules)).toThrow(pattern);
  });

  it('a policy of the baseline missing from the current results', () => {
    expect(() => check(base, doc({ rr: [F(1000)] }))).toThrow(/^cur\.json: policies: has no policy "lr", which the baseline has \(fix: .*--update-baseline/);
  });
});

describe('routesim check (built CLI)', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'routesim-check-'));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const base = write('base.json', JSON.stringify(doc({ rr: [F(1000, 2000, 50)], lr: [F(800, 1500, 52)] })));
  const worse = write('worse.json', JSON.stringify(doc({ rr: [F(1100, 2000, 50)], lr: [F(800, 1500, 52)] })));
  const better = write('better.json', JSON.stringify(doc({ rr: [F(900, 1900, 51)], lr: [F(700, 1400, 53)] })));
  const rules = write('rules.yaml', RULES);
  const args = (cur: string) => ['check', '--baseline', base, '--current', cur, '--rules', rules];

  it('exits 1 on a planted regression, prints the table, writes JUnit and Markdown', () => {
    const junit = join(dir, 'out', 'junit.xml');
    const md = join(dir, 'out', 'check.md');
    const r = routesim([...args(worse), '--junit', junit, '--markdown', md]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^rule\s+policy\s+baseline\s+current\s+change\s+allowed\s+verdict$/);
    expect(lines[2]).toMatch(/^ttft_ms\.p99 may not rise more than 5 %\s+rr\s+1000\.0 ms\s+1100\.0 ms\s+\+100\.0 ms \(\+10\.0 %\)\s+\+5 % \(50\.00 ms\)\s+FAIL$/);
    expect(lines).toHaveLength(2 + 5 + 1);
    expect(lines.at(-1)).toBe('routesim check: 1 of 5 checks FAILED');
    expect(readFileSync(junit, 'utf8')).toContain('failures="1"');
    expect(readFileSync(md, 'utf8')).toContain('❌ 1 of 5 checks failed');
  });

  it('exits 0 when the current results improve on the baseline', () => {
    const r = routesim(args(better));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/goodput\.requests_per_s may not fall\s+rr\s+50\.00 req\/s\s+51\.00 req\/s\s+\+1\.00 req\/s \(\+2\.0 %\)\s+none\s+pass/);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('routesim check: all 5 checks passed');
  });

  it.each([
    ['a missing results file', () => args(join(dir, 'nope.json')), /nope\.json: file not found \(fix: pass a results JSON/],
    ['a results file that is not JSON', () => args(write('bad.json', '{"policies": [')), /bad\.json: not valid JSON/],
    ['a results file missing a summary', () => args(write('nosum.json', JSON.stringify({ routesim: { version: '1' }, scenario: {}, policies: [{ name: 'rr', type: 'x' }] }))), /nosum\.json: policies\[0\]\.summary: missing required key "summary"/],
    ['a rules path that is a directory', () => ['check', '--baseline', base, '--current', worse, '--rules', dir], /routesim-check-\w+: is a directory \(fix: pass the rules YAML with --rules FILE\)$/],
    ['a malformed rules file', () => ['check', '--baseline', base, '--current', worse, '--rules', write('bad.yaml', 'rules:\n  - {metric: ttft.p99, max_increase: lots}')], /bad\.yaml: rules\[0\]\.max_increase/],
    ['a missing flag', () => ['check', '--baseline', base, '--current', worse], /--rules/],
    ['max_increase on goodput', () => ['check', '--baseline', base, '--current', worse, '--rules', write('up.yaml', 'rules:\n  - {metric: goodput, max_increase: 0}')], /up\.yaml: rules\[0\]\.max_increase: goodput\.requests_per_s is better when higher.*\(fix: write max_decrease: 0 /],
    ['max_decrease on a latency', () => ['check', '--baseline', base, '--current', worse, '--rules', write('down.yaml', 'rules:\n  - {metric: tpot.p90, max_decrease: 5%}')], /down\.yaml: rules\[0\]\.max_decrease: tpot_ms\.p90 is better when lower.*\(fix: write max_increase: 5% /],
  ])('exits 2 with one line on %s', (_name, argv, pattern) => {
    const r = routesim(argv());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });
});
