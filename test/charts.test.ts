/**
 * The report's charts: every emitted Vega-Lite spec compiles with the pinned vega-lite (no
 * warnings) and renders to SVG with vega in Node; axis titles carry units; a policy has one colour
 * across every chart; the report directory is complete, deterministic and written whole.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { parseScenario } from '../sim/scenario/load.js';
import { collectResults } from '../reports/collect.js';
import { buildCharts } from '../reports/charts/index.js';
import { INK, policyColorAt } from '../reports/charts/palette.js';
import { renderSvg } from '../reports/render.js';
import { buildReport, writeReport } from '../reports/report.js';
import { parseResults } from '../reports/resultsFile.js';
import { serialiseResults, type ResultsDocument } from '../reports/results.js';
import { stringifyCompact } from '../reports/json.js';
import { UserError } from '../sim/core/errors.js';

const SCENARIO = `
name: charts
seed: 11
requests: 120
fleet: {replicas: 3, gpu: H100, model: Llama-3.1-8B, engine: {num_gpu_blocks: 400}}
workload:
  arrival: {process: poisson, rate: 40}
  shared_prefix: {num_groups: 3, num_prompts_per_group: 2, system_prompt_len: 400, question_len: 50}
  output: {dist: uniform, min: 5, max: 60}
policies: [round-robin, random, {name: "lr|x", type: least-requests}]
slo: {ttft_ms: 60, tpot_ms: 20}
report: {sample_ms: 20, window_ms: 250}
`;

/** Results with two seeds and a sweep: every chart kind has data. */
const full: ResultsDocument = JSON.parse(serialiseResults(collectResults(parseScenario(SCENARIO, 'charts.yaml'), { seeds: 2, sweepRates: [20, 40] }, '0.0.0-test').doc));
/** One seed, no sweep. */
const single: ResultsDocument = JSON.parse(serialiseResults(collectResults(parseScenario(SCENARIO, 'charts.yaml'), { seeds: 1, sweepRates: null }, '0.0.0-test').doc));
/** A results file from before distributions and time series existed: only summaries. */
const old: ResultsDocument = { routesim: single.routesim, scenario: single.scenario, policies: single.policies.map((p) => ({ name: p.name, type: p.type, summary: p.summary })) };

const POLICIES = ['round-robin', 'random', 'lr|x'];

/** Every object in a spec (depth first). */
function* nodes(x: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(x)) for (const v of x) yield* nodes(v);
  else if (x !== null && typeof x === 'object') {
    yield x as Record<string, unknown>;
    for (const v of Object.values(x)) yield* nodes(v);
  }
}

describe('chart specs', { timeout: 60_000 }, () => {
  const charts = buildCharts(full);

  it('covers every chart of the issue', () => {
    expect(charts.map((c) => c.id)).toEqual([
      'ttft-cdf',
      'e2e-cdf',
      'latency-percentiles',
      'ttft-over-time',
      'load-share',
      'throughput-goodput',
      'replicas-round-robin',
      'replicas-random',
      'replicas-lr-x',
      'sweep-latency',
    ]);
  });

  it.each(charts.map((c) => [c.id, c] as const))('%s compiles with vega-lite without warnings and renders to SVG with marks', async (_id, chart) => {
    const warnings: string[] = [];
    const logger = { level: () => 0, warn: (...a: unknown[]) => warnings.push(a.join(' ')), info: () => {}, debug: () => {}, error: (...a: unknown[]) => warnings.push(a.join(' ')) };
    const vg = compile(chart.spec, { logger: logger as never }).spec;
    expect(vg.marks?.length ?? 0).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
    const r = await renderSvg(chart.spec);
    expect(r.warnings).toEqual([]);
    expect(r.svg.startsWith('<svg')).toBe(true);
    // Drawn marks: vega emits a group per mark with class mark-<type> holding paths/lines.
    expect(r.svg).toMatch(/class="mark-(line|rect|rule|symbol)[^"]*"[^>]*>\s*<(path|line)/);
  });

  it('every positional axis title names its unit', () => {
    for (const c of charts) {
      for (const n of nodes(c.spec)) {
        for (const ch of ['x', 'y'] as const) {
          const enc = n[ch] as { type?: string; title?: unknown } | undefined;
          if (!enc || typeof enc !== 'object' || !('field' in enc) || enc.type !== 'quantitative') continue;
          expect(enc.title, `${c.id}.${ch}`).toMatch(/\((ms|s|%|req\/s|requests|req)\)$/);
        }
      }
    }
  });

  it('a policy has the same colour in every chart', () => {
    const expected = { domain: POLICIES, range: POLICIES.map((_, i) => policyColorAt(i)) };
    let seen = 0;
    for (const c of charts) {
      for (const n of nodes(c.spec)) {
        const color = n.color as { field?: string; scale?: unknown } | undefined;
        if (color && typeof color === 'object' && color.field === 'policy') {
          expect(color.scale, c.id).toEqual(expected);
          seen++;
        }
      }
    }
    // CDFs (2) + percentile panels (3) + TTFT over time (1) + load share (1) + throughput panels (2) + sweep panels (9 lines + 9 CI rules).
    expect(seen).toBe(2 + 3 + 1 + 1 + 2 + 18);
    expect(new Set(POLICIES.map((_, i) => policyColorAt(i))).size).toBe(3);
  });

  it('draws confidence intervals only when there were several seeds', () => {
    // CI rules are INK.ci grey (SLO lines are rules too, in INK.slo).
    const rules = (d: ResultsDocument) =>
      [...nodes(buildCharts(d).find((c) => c.id === 'latency-percentiles')!.spec)].filter((n) => (n.mark as { type?: string; color?: string })?.type === 'rule' && (n.mark as { color?: string }).color === INK.ci).length;
    expect(rules(full)).toBe(3);
    expect(rules(single)).toBe(0);
  });

  it('the CDF data are the stored quantile grids (p = i/100)', () => {
    const cdf = charts.find((c) => c.id === 'ttft-cdf')!;
    // The curve is the first layer (the second is the SLO line); TTFT stays in ms.
    const values = (cdf.spec as { layer: { data: { values: { policy: string; latency: number; fraction: number }[] } }[] }).layer[0]!.data.values;
    const rr = values.filter((v) => v.policy === 'round-robin');
    expect(rr).toHaveLength(101);
    expect(rr.map((v) => v.latency)).toEqual(full.policies[0]!.distributions!.ttft_ms);
    expect(rr[50]!.fraction).toBe(0.5);
    // The grid's median and p99 lie between the two seeds' summary figures (quantile averaging).
    const seeds = full.policies[0]!.repeats!.map((r) => r.summary.ttft_ms.p50!);
    expect(rr[50]!.latency).toBeGreaterThanOrEqual(Math.min(...seeds) - 1e-4);
    expect(rr[50]!.latency).toBeLessThanOrEqual(Math.max(...seeds) + 1e-4);
  });

  it('results without distributions or time series still get the charts they support', async () => {
    const ids = buildCharts(old).map((c) => c.id);
    expect(ids).toEqual(['latency-percentiles', 'load-share']);
    for (const c of buildCharts(old)) expect((await renderSvg(c.spec)).warnings).toEqual([]);
  });
});

describe('the report directory', { timeout: 60_000 }, () => {
  it('holds a .vl.json and .svg per chart, index.html with the runtimes inline, and summary.md; bytes are deterministic', async () => {
    const a = await buildReport(full);
    const b = await buildReport(JSON.parse(JSON.stringify(full)) as ResultsDocument);
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [name, content] of a.files) expect(b.files.get(name), name).toBe(content);
    for (const c of a.charts) {
      expect(JSON.parse(a.files.get(`${c.id}.vl.json`)!), c.id).toStrictEqual(JSON.parse(JSON.stringify(c.spec)));
      expect(a.files.get(`${c.id}.svg`)).toMatch(/^<svg/);
    }
    const html = a.files.get('index.html')!;
    // Self-contained: the three runtimes are inlined, and outside them nothing refers to the
    // network (no script src, no stylesheet link, no URL but the specs' $schema identifier).
    for (const pkg of ['vega', 'vega-lite', 'vega-embed']) expect(html.includes(`<script>/* ${pkg} */`), pkg).toBe(true);
    const page = html.replace(/<script>\/\* vega[\s\S]*?<\/script>/g, '');
    expect(page.length).toBeLessThan(html.length / 2);
    expect(page.match(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!vega\.github\.io\/schema\/)[^\s"']*/g)).toBeNull();
    expect(page).toContain('vegaEmbed(');
    expect(page.match(/<div class="chart"/g)).toHaveLength(a.charts.length);
    const md = a.files.get('summary.md')!;
    expect(md).toContain('## routesim report: charts');
    expect(md).toContain('| lr\\|x |'); // a | in a policy name is escaped in the table
    expect(md).toContain('(ttft-cdf.svg)');
  });

  it('replaces a previous report whole, refuses a directory that is not one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-report-'));
    const out = join(dir, 'rep');
    await writeReport(old, out);
    expect(readdirSync(out).sort()).toEqual(['index.html', 'latency-percentiles.svg', 'latency-percentiles.vl.json', 'load-share.svg', 'load-share.vl.json', 'summary.md']);
    await writeReport(full, out);
    expect(readdirSync(out)).toHaveLength(10 * 2 + 2);
    expect(readdirSync(dir)).toEqual(['rep']); // no temporary or old directory left behind
    const other = join(dir, 'photos');
    mkdirSync(other);
    writeFileSync(join(other, 'cat.jpg'), 'meow');
    await expect(writeReport(full, other)).rejects.toThrow(UserError);
    expect(readFileSync(join(other, 'cat.jpg'), 'utf8')).toBe('meow');
    expect(existsSync(join(other, 'index.html'))).toBe(false);
  });
});

describe('reading results files', () => {
  it('round-trips a results document', () => {
    expect(parseResults(JSON.parse(serialiseResults(full)), 'r.json')).toEqual(full);
  });

  it.each([
    ['not an object', 42, /^r\.json: not a routesim results document/],
    ['no policies', { routesim: { version: '1' }, scenario: {}, policies: [] }, /^r\.json: policies: needs at least 1 entr/],
    ['a latency that is a string', (() => { const d = JSON.parse(JSON.stringify(old)); d.policies[1].summary.ttft_ms.p99 = 'slow'; return d; })(), /^r\.json: policies\[1\]\.summary\.ttft_ms\.p99: expected a number/],
    ['time series of unequal length', (() => { const d = JSON.parse(JSON.stringify(single)); d.policies[0].timeseries.replicas[0].running.pop(); return d; })(), /policies\[0\]\.timeseries\.replicas\[0\]: the six series/],
  ])('%s: one line naming the file, field and fix', (_name, data, pattern) => {
    let msg = '';
    try {
      parseResults(data, 'r.json');
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      msg = (err as Error).message;
    }
    expect(msg).toMatch(pattern);
    expect(msg).toContain('fix: pass a results JSON written by');
    expect(msg.split('\n')).toHaveLength(1);
  });
});

describe('compact JSON for the .vl.json files', () => {
  it('keeps short arrays and objects on one line and round-trips', () => {
    const v = { a: [1, 2, { b: 'x,1', c: null }], long: Array.from({ length: 30 }, (_, i) => ({ i, s: `v:${i}` })), u: undefined };
    const text = stringifyCompact(v, 60);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
    expect(text.split('\n')[1]).toBe('  "a": [1, 2, {"b": "x,1", "c": null}],');
    expect(text).toContain('\n    {"i": 29, "s": "v:29"}\n');
    expect(text.endsWith('}\n')).toBe(true);
  });
});
