/**
 * A report people can read (issue 9 §4): latency percentiles on a log axis, every chart within a
 * 1,400 px window, the router's scraped view told apart from the engine's truth, no policy colour on
 * a non-policy series, SLO lines, the TTFT-over-time chart and its series, one unit per quantity,
 * and summary.md fit for a pull-request comment (--link-base, dropped / steady-state columns).
 */
import { describe, expect, it } from 'vitest';
import { buildCharts, type Chart } from '../reports/charts/index.js';
import { INK, MAX_CHART_WIDTH, POLICY_COLORS } from '../reports/charts/palette.js';
import { logFloor } from '../reports/charts/percentiles.js';
import { VIEWS } from '../reports/charts/replicaTimeseries.js';
import { collectResults } from '../reports/collect.js';
import { parseLinkBase, renderSummaryMarkdown, summaryTable } from '../reports/markdown.js';
import { renderSvg } from '../reports/render.js';
import { serialiseResults, type ResultsDocument } from '../reports/results.js';
import { parseResults } from '../reports/resultsFile.js';
import { UserError } from '../sim/core/errors.js';
import { ttftOverTime } from '../sim/metrics/timeSeries.js';
import { parseScenario } from '../sim/scenario/load.js';
import { ttftOverTimeExample } from './fixtures.js';

const TYPES = ['round-robin', 'random', 'least-requests'];
/** 8 policies with long names (the legend), 16 replicas (facet rows, load-share bars), 2 seeds and a sweep. */
const BIG = `
name: big
seed: 3
requests: 160
fleet: {replicas: 16, gpu: H100, model: Llama-3.1-8B, engine: {num_gpu_blocks: 400}}
workload:
  arrival: {process: poisson, rate: 60}
  shared_prefix: {num_groups: 4, num_prompts_per_group: 2, system_prompt_len: 300, question_len: 40}
  output: {dist: uniform, min: 5, max: 40}
policies: [${Array.from({ length: 8 }, (_, i) => `{name: "a-rather-long-policy-name-for-the-legend-number-${i + 1}", type: ${TYPES[i % 3]}}`).join(', ')}]
slo: {ttft_ms: 80, tpot_ms: 25}
report: {sample_ms: 50, window_ms: 500}
`;

const SMALL = `
name: small
seed: 7
requests: 80
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B, engine: {num_gpu_blocks: 300}}
workload:
  arrival: {process: poisson, rate: 30}
  shared_prefix: {num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 300, question_len: 40}
  output: {dist: uniform, min: 5, max: 40}
policies: [round-robin, least-requests]
slo: {ttft_ms: 50, tpot_ms: 20}
report: {sample_ms: 25, window_ms: 500}
`;

function results(yaml: string, seeds: number, sweep: number[] | null): ResultsDocument {
  return JSON.parse(serialiseResults(collectResults(parseScenario(yaml, 's.yaml'), { seeds, sweepRates: sweep }, 'test').doc)) as ResultsDocument;
}

const small = results(SMALL, 1, null);
/** The same results with no SLO set. */
const noSlo: ResultsDocument = { ...small, scenario: { ...small.scenario, slo: { ttft_ms: null, tpot_ms: null } } };

/** Every object in a spec (depth first). */
function* nodes(x: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(x)) for (const v of x) yield* nodes(v);
  else if (x !== null && typeof x === 'object') {
    yield x as Record<string, unknown>;
    for (const v of Object.values(x)) yield* nodes(v);
  }
}

const chart = (doc: ResultsDocument, id: string): Chart => {
  const c = buildCharts(doc).find((x) => x.id === id);
  if (!c) throw new Error(`no chart ${id}`);
  return c;
};

/** The root <svg>'s width attribute. */
const svgWidth = (svg: string): number => Number(/^<svg[^>]*\swidth="([\d.]+)"/.exec(svg)![1]);

describe('every chart fits a 1,400 px window', { timeout: 180_000 }, () => {
  // 1,400 px window − scrollbar − index.html's padding − vega-embed's action button ≈ 1,322 px: the
  // charts promise MAX_CHART_WIDTH = 1,300 (test/report.browser.test.ts checks the page itself).
  it('8 policies with long names, 16 replicas, 2 seeds and a sweep: every SVG is at most 1,300 px wide', async () => {
    const big = results(BIG, 2, [30, 60]);
    const charts = buildCharts(big);
    // 2 CDFs, percentiles, TTFT over time, load share, throughput, 8 replica charts, sweep.
    expect(charts).toHaveLength(15);
    for (const c of charts) {
      const r = await renderSvg(c.spec);
      expect(r.warnings, c.id).toEqual([]);
      expect(svgWidth(r.svg), c.id).toBeLessThanOrEqual(MAX_CHART_WIDTH);
      expect(svgWidth(r.svg), c.id).toBeGreaterThan(300);
    }
  });
});

describe('latency percentiles on a log axis', () => {
  it('every panel has a log y scale whose bars start at a positive floor at or below the smallest value', () => {
    const spec = chart(small, 'latency-percentiles').spec as { hconcat: unknown[] };
    expect(spec.hconcat).toHaveLength(3);
    for (const panel of spec.hconcat) {
      const bar = [...nodes(panel)].find((n) => (n.mark as { type?: string })?.type === 'bar')!;
      const enc = bar.encoding as { y: { scale: { type: string; domainMin: number } }; y2: { datum: number } };
      expect(enc.y.scale.type).toBe('log');
      expect(enc.y2.datum).toBe(enc.y.scale.domainMin);
      expect(enc.y2.datum).toBeGreaterThan(0);
    }
  });

  it('the budget is 1,300 px', () => {
    expect(MAX_CHART_WIDTH).toBe(1300);
  });

  it('logFloor: the power of ten at or below half the smallest value', () => {
    // 110/2 = 55 → 10; 100/2 = 50 → 10 (not 100: the 100 ms bar would have no length); 0.3/2 → 0.1; 19.9/2 → 1.
    expect(logFloor(110)).toBe(10);
    expect(logFloor(100)).toBe(10);
    expect(logFloor(0.3)).toBeCloseTo(0.1, 12);
    expect(logFloor(19.9)).toBe(1);
  });

  it('a 100 ms bar is clearly visible beside a 3 s one', async () => {
    const doc = JSON.parse(JSON.stringify(small)) as ResultsDocument & { policies: { summary: { ttft_ms: object } }[] };
    for (const p of doc.policies) p.summary.ttft_ms = { mean: 1000, p50: 100, p90: 1000, p99: 3000, p95: 2000 };
    const svg = (await renderSvg(chart(doc, 'latency-percentiles').spec)).svg;
    // Bars are <path aria-label="…TTFT (ms): V…" d="Mx,yhWvHh-WZ">; H is the bar's height in px.
    const heights = new Map<number, number>();
    for (const m of svg.matchAll(/aria-label="[^"]*TTFT \(ms\): ([\d.]+)[^"]*"[^>]*d="M[\d.]+,[\d.]+h[\d.]+v([\d.]+)/g)) heights.set(Number(m[1]), Number(m[2]));
    // Axis from logFloor(100) = 10 to 10,000 (log nice), 240 px: 100 ms is 1 of 3 decades = 80 px,
    // 3 s is log10(300)/3 of it = 198.2 px. On a linear 0–3,000 axis the 100 ms bar would be 8 px.
    expect(heights.get(100)).toBeCloseTo(80, 0);
    expect(heights.get(3000)).toBeCloseTo(198.2, 0);
  });

  it('E2E is in seconds in the percentile chart, the CDF and the table, TTFT in ms', () => {
    const spec = chart(small, 'latency-percentiles').spec as { hconcat: unknown[] };
    const titles = spec.hconcat.map((p) => ([...nodes(p)].find((n) => n.field === 'value') as { title: string }).title);
    expect(titles).toEqual(['TTFT (ms)', 'TPOT (ms)', 'E2E latency (s)']);
    const e2eBars = ([...nodes(spec.hconcat[2])].find((n) => Array.isArray(n.values)) as { values: { policy: string; percentile: string; value: number }[] }).values;
    const rr = e2eBars.find((b) => b.policy === 'round-robin' && b.percentile === 'p99')!;
    expect(rr.value).toBeCloseTo(small.policies[0]!.summary.e2e_ms.p99! / 1000, 6);
    const cdf = chart(small, 'e2e-cdf').spec;
    expect([...nodes(cdf)].some((n) => n.field === 'latency' && n.title === 'E2E latency (s)')).toBe(true);
    expect(summaryTable(small).headers).toContain('E2E p99 s');
  });
});

describe("the router's scraped view and the engine's truth", () => {
  it('differ in dash, width and grey, with a legend naming each', async () => {
    const c = chart(small, 'replicas-round-robin');
    const line = [...nodes(c.spec)].find((n) => (n.mark as { type?: string })?.type === 'line')!;
    const enc = line.encoding as Record<string, { field: string; scale: { domain: string[]; range: unknown[] } }>;
    for (const ch of ['color', 'strokeDash', 'strokeWidth']) {
      expect(enc[ch]!.field, ch).toBe('view');
      expect(enc[ch]!.scale.domain, ch).toEqual([...VIEWS]);
    }
    expect(enc.strokeDash!.scale.range).toEqual([[1, 0], [5, 2]]); // truth solid, scraped dashed
    expect(enc.color!.scale.range).toEqual([INK.truth, INK.scraped]);
    const svg = (await renderSvg(c.spec)).svg;
    expect(svg).toContain('>engine truth<');
    expect(svg).toMatch(/>router(&#39;|')s scraped view</);
  });
});

describe('colours', () => {
  it('no non-policy series uses a policy colour', () => {
    const ink = Object.values(INK);
    for (const c of ink) expect(POLICY_COLORS).not.toContain(c);
    const big = [...buildCharts(small), ...buildCharts(results(SMALL, 2, [15, 30]))];
    let literal = 0;
    for (const c of big) {
      for (const n of nodes(c.spec)) {
        // Colour literals on marks (rules, text, lines drawn in a fixed colour).
        for (const k of ['color', 'stroke', 'fill']) {
          const v = n[k];
          if (typeof v === 'string' && v.startsWith('#')) {
            literal++;
            expect(POLICY_COLORS, `${c.id}: ${k} ${v}`).not.toContain(v);
          }
        }
        // Colour scales of any field but the policy.
        const enc = n as { field?: string; scale?: { range?: unknown[] } };
        if (enc.field !== undefined && enc.field !== 'policy' && Array.isArray(enc.scale?.range)) {
          for (const v of enc.scale!.range!) if (typeof v === 'string') expect(POLICY_COLORS, `${c.id}: ${enc.field}`).not.toContain(v);
        }
      }
    }
    expect(literal).toBeGreaterThan(0);
  });
});

describe('SLO reference lines', () => {
  const sloRules = (c: Chart) => [...nodes(c.spec)].filter((n) => (n.mark as { type?: string; color?: string })?.type === 'rule' && (n.mark as { color?: string }).color === INK.slo);
  const labels = (c: Chart) => [...nodes(c.spec)].flatMap((n) => (Array.isArray(n.values) ? (n.values as { label?: string }[]).map((v) => v.label).filter(Boolean) : []));

  it('are drawn, labelled, on the CDF, the percentile panels and TTFT over time when the scenario sets SLOs', () => {
    // TTFT SLO 50 ms on the TTFT CDF (vertical, x), TTFT and TPOT panels (y), TTFT over time (y).
    expect(sloRules(chart(small, 'ttft-cdf'))).toHaveLength(1);
    expect(Object.keys(sloRules(chart(small, 'ttft-cdf'))[0]!.encoding as object)).toEqual(['x']);
    expect(labels(chart(small, 'ttft-cdf'))).toEqual(['TTFT SLO 50 ms']);
    expect(sloRules(chart(small, 'latency-percentiles'))).toHaveLength(2);
    expect(labels(chart(small, 'latency-percentiles'))).toEqual(['TTFT SLO 50 ms', 'TPOT SLO 20 ms']);
    expect(labels(chart(small, 'ttft-over-time'))).toEqual(['TTFT SLO 50 ms']);
    // No E2E SLO: none on the E2E CDF.
    expect(sloRules(chart(small, 'e2e-cdf'))).toHaveLength(0);
  });

  it('an E2E SLO (ms in the scenario) is drawn in seconds', () => {
    const doc = { ...small, scenario: { ...small.scenario, slo: { ttft_ms: null, tpot_ms: null, e2e_ms: 2500 } } } as unknown as ResultsDocument;
    expect(labels(chart(doc, 'e2e-cdf'))).toEqual(['E2E SLO 2.5 s']);
    const rule = [...nodes(chart(doc, 'e2e-cdf').spec)].find((n) => Array.isArray(n.values) && (n.values as { slo?: number }[])[0]?.slo !== undefined) as { values: { slo: number }[] };
    expect(rule.values[0]!.slo).toBe(2.5);
  });

  it('an SLO below every bar still lies on the log axis', () => {
    const doc = { ...small, scenario: { ...small.scenario, slo: { ttft_ms: 5, tpot_ms: null } } } as ResultsDocument;
    const panel = (chart(doc, 'latency-percentiles').spec as { hconcat: unknown[] }).hconcat[0];
    const bar = [...nodes(panel)].find((n) => (n.mark as { type?: string })?.type === 'bar')!;
    // logFloor(5) = 10^floor(log10(2.5)) = 1 ≤ 5, though every TTFT is above 10 ms.
    expect(Math.min(...small.policies.map((p) => p.summary.ttft_ms.p50!))).toBeGreaterThan(10);
    expect((bar.encoding as { y: { scale: { domainMin: number } } }).y.scale.domainMin).toBe(1);
  });

  it('are absent when no SLO is set', () => {
    for (const c of buildCharts(noSlo)) expect(sloRules(c), c.id).toHaveLength(0);
  });
});

describe('TTFT over time', () => {
  it('bins completed requests by arrival, p50 / p99 per bin, empty bins null', () => {
    const records = ttftOverTimeExample();
    // 1 s bins: bin 0 = [100, 300]: p50 200, p99 = 100 + 0.99 × 200 = 298 (type 7); bin 2 empty.
    expect(ttftOverTime(records, 1000)).toEqual({ bin_ms: 1000, count: [2, 1, 0, 1], p50_ms: [200, 50, null, 80], p99_ms: [298, 50, null, 80] });
    // At most 2 bins: the bin doubles to 2 s; bin 0 = [50, 100, 300]: p50 100, p99 at index 1.98 = 100 + 0.98 × 200 = 296.
    expect(ttftOverTime(records, 1000, 2)).toEqual({ bin_ms: 2000, count: [3, 1], p50_ms: [100, 80], p99_ms: [296, 80] });
    expect(ttftOverTime([], 1000)).toEqual({ bin_ms: 1000, count: [], p50_ms: [], p99_ms: [] });
  });

  it('is in the results (first seed, at most 200 bins) and drawn as a chart with p50 solid and p99 dashed', () => {
    const s = small.policies[0]!.timeseries!.ttft_over_time!;
    expect(s.bin_ms).toBe(500); // the scenario's window_ms
    expect(s.count.length).toBeLessThanOrEqual(200);
    // Every completed request of the run is in exactly one bin.
    expect(s.count.reduce((a, b) => a + b, 0)).toBe(small.policies[0]!.summary.completed);
    const c = chart(small, 'ttft-over-time');
    const line = [...nodes(c.spec)].find((n) => (n.mark as { type?: string })?.type === 'line')!;
    expect((line.encoding as { strokeDash: { scale: unknown } }).strokeDash.scale).toEqual({ domain: ['p50', 'p99'], range: [[1, 0], [5, 3]] });
  });

  it('results without it (older files) get no TTFT-over-time chart', () => {
    const old = JSON.parse(JSON.stringify(small)) as { policies: { timeseries: { ttft_over_time?: unknown } }[] };
    for (const p of old.policies) delete p.timeseries.ttft_over_time;
    const doc = parseResults(old, 'old.json');
    expect(buildCharts(doc).map((c) => c.id)).not.toContain('ttft-over-time');
  });
});

describe('summary.md for a pull-request comment', () => {
  const charts = buildCharts(small);

  it('with --link-base every link is absolute and the headline charts are embedded images', () => {
    const md = renderSummaryMarkdown(small, charts, { linkBase: parseLinkBase('https://ci.example.com/run/9/report/') });
    const links = [...md.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(charts.length * 2);
    for (const l of links) expect(l).toMatch(/^https:\/\/ci\.example\.com\/run\/9\/report\/[a-z0-9.-]+$/);
    expect(md).toContain('![Latency percentiles per policy](https://ci.example.com/run/9/report/latency-percentiles.svg)');
    expect(md).toContain('![TTFT over time](https://ci.example.com/run/9/report/ttft-over-time.svg)');
  });

  it('without it links are relative, and the summary says how to make them absolute', () => {
    const md = renderSummaryMarkdown(small, charts);
    expect(md).toContain('- [TTFT CDF per policy](ttft-cdf.svg)');
    expect(md).toContain('--link-base URL');
    expect(md).not.toMatch(/!\[/);
  });

  it('E2E differences between policies are in s like the table (stored in ms), TTFT ones in ms', () => {
    const cmp = (figure: string, d: number) => ({ figure, a: 'round-robin', b: 'least-requests', n: 2, mean_diff: d, ci95_low: d - 500, ci95_high: d + 500, p_value: 0.01, significant: true });
    const doc = { ...small, seeds: [7, 8], comparisons: [cmp('e2e_ms.p99', 1500), cmp('ttft_ms.p99', 1500)] } as unknown as ResultsDocument;
    const md = renderSummaryMarkdown(doc, []);
    // 1500 ms = +1.500 s, CI 1000…2000 ms = +1.000 … +2.000 s.
    expect(md).toContain('| E2E p99 | least-requests − round-robin | +1.500 s | +1.000 … +2.000 | 0.01 |');
    expect(md).toContain('| TTFT p99 | least-requests − round-robin | +1500.00 ms | +1000.00 … +2000.00 | 0.01 |');
  });

  it('has a dropped column, units, and a blank line after the table (else the next line joins it)', () => {
    const md = renderSummaryMarkdown(small, charts);
    const header = md.split('\n').find((l) => l.startsWith('| policy |'))!;
    expect(header).toBe('| policy | completed | rejected | dropped | TTFT p50 ms | TTFT p99 ms | TPOT p99 ms | E2E p99 s | out tok/s | goodput req/s | cache hit % | share CV | steady state |');
    expect(md).toMatch(/\|\n\nTTFT and TPOT in ms, E2E in s/);
  });

  it('shows steady state, the window and per-class tables when the results carry them', () => {
    const raw = JSON.parse(JSON.stringify(small)) as { policies: { summary: Record<string, unknown> }[] };
    const doc = raw as unknown as ResultsDocument;
    const cls = (completed: number) => ({ arrived: completed + 1, completed, rejected: 0, dropped: 1, ttft_ms: { p99: 12.34 }, tpot_ms: { p99: 5 }, e2e_ms: { p99: 1500 }, goodput: { requests_per_s: 2 } });
    raw.policies[0]!.summary.steady_state = { reached: true, diverged_at_s: null, detail: '' };
    raw.policies[1]!.summary.steady_state = { reached: false, diverged_at_s: 41.5, detail: 'queues grow' };
    for (const p of raw.policies) {
      p.summary.window = { warmup_s: 1, cooldown_s: 0, from_s: 1, to_s: 3.5 };
      p.summary.by_class = { priority: { '0': cls(30), '1': cls(40) }, tenant: { default: cls(70) }, adapter: {} };
    }
    const md = renderSummaryMarkdown(doc, charts);
    const rows = md.split('\n').filter((l) => /^\| (round-robin|least-requests) \|/.test(l));
    expect(rows[0]).toMatch(/\| yes \|$/);
    expect(rows[1]).toMatch(/\| no \(diverged at 41\.5 s\) \|$/);
    expect(md).toContain('Latency and throughput are measured over simulated time 1–3.5 s (1 s warm-up left out).');
    // Priority has two classes, so it gets a table; tenant has one and adapter none, so they do not.
    expect(md).toContain('### Per priority');
    expect(md).not.toContain('### Per tenant');
    expect(md).toContain('| round-robin | 1 | 41 | 40 | 1 | 12.3 | 5.00 | 1.50 | 2.00 |');
    // Without those figures (results written before them), no steady-state column and no class tables.
    const older = JSON.parse(JSON.stringify(small)) as { policies: { summary: Record<string, unknown> }[] };
    for (const p of older.policies) for (const k of ['steady_state', 'window', 'by_class', 'stages']) delete p.summary[k];
    expect(summaryTable(older as unknown as ResultsDocument).headers).not.toContain('steady state');
  });

  it.each([
    ['docs/report', /"docs\/report" is not a URL/],
    ['ftp://example.com/r', /uses ftp:, not http: or https:/],
    ['javascript:alert(1)', /uses javascript:/],
    ['https://me:token@example.com/r', /must not contain a user name or password/],
    ['https://example.com/r?x=1', /has a query or fragment/],
    ['https://example.com/r#top', /has a query or fragment/],
    ['', /"" is not a URL/],
  ])('--link-base %j is a one-line input error naming the flag', (text, pattern) => {
    let err: unknown;
    try {
      parseLinkBase(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^--link-base: /);
    expect((err as Error).message).toMatch(pattern);
  });

  it('accepts http(s) URLs and drops trailing slashes', () => {
    expect(parseLinkBase('https://example.com/a/b/')).toBe('https://example.com/a/b');
    expect(parseLinkBase(' http://localhost:8080 ')).toBe('http://localhost:8080');
  });
});
