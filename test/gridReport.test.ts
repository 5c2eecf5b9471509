/**
 * Issue 14, the report of a sweep grid: one chart per swept field (compiles with vega-lite, renders
 * with vega, fits 1,300 px), its points the figures of the right grid point (checked against the
 * point's scenario run on its own), CI rules only with several seeds, the other field's values as
 * separate panels, and a row per point × policy in summary.md and `routesim run`'s tables. Results
 * without a grid get none of it.
 */
import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { parseScenario } from '../sim/scenario/load.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { collectResults, type GridPlan } from '../reports/collect.js';
import { buildCharts } from '../reports/charts/index.js';
import { gridCharts } from '../reports/charts/grid.js';
import { renderSvg } from '../reports/render.js';
import { renderSummaryMarkdown } from '../reports/markdown.js';
import { parseResults } from '../reports/resultsFile.js';
import { serialiseResults, type ResultsDocument } from '../reports/results.js';
import { renderRunTables } from '../reports/table.js';
import { UserError } from '../sim/core/errors.js';

/** The scenario with a given replica count and GPU (the grid's two fields). */
const yaml = (replicas: number, gpu: string): string => `
name: grid
seed: 5
requests: 60
fleet: {replicas: ${replicas}, gpu: ${gpu}, model: Llama-3.1-8B, engine: {num_gpu_blocks: 400}}
workload:
  arrival: {process: poisson, rate: 30}
  shared_prefix: {num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 300, question_len: 40}
  output: {dist: uniform, min: 5, max: 40}
policies: [round-robin, least-requests]
slo: {ttft_ms: 80, tpot_ms: 30}
`;

const BASE = parseScenario(yaml(2, 'H100'), 'g.yaml');
const REPLICAS = [2, 3];
const GPUS = ['H100', 'L40S'];
/** First dimension slowest: (2, H100), (2, L40S), (3, H100), (3, L40S). */
const POINTS = REPLICAS.flatMap((r) => GPUS.map((g) => ({ r, g })));
const PLAN_GRID: GridPlan = {
  dimensions: [
    { path: 'fleet.replicas', values: REPLICAS },
    { path: 'fleet.gpu', values: GPUS },
  ],
  points: POINTS.map(({ r, g }) => [
    { path: 'fleet.replicas', value: r, source: 'test' },
    { path: 'fleet.gpu', value: g, source: 'test' },
  ]),
};
const configs: ScenarioConfig[] = [BASE, ...POINTS.map(({ r, g }) => parseScenario(yaml(r, g), 'g.yaml'))];
const configOf = (v: number): ScenarioConfig => configs[v]!;

function collect(seeds: number) {
  const c = collectResults(BASE, { seeds, sweepRates: null, grid: PLAN_GRID }, '0.0.0-test', {}, configOf);
  return { primary: c.primary, doc: JSON.parse(serialiseResults(c.doc)) as ResultsDocument };
}
const two = collect(2);
const one = collect(1);

type Node = Record<string, unknown>;
/** Every object in a spec (depth first). */
function* nodes(x: unknown): Generator<Node> {
  if (Array.isArray(x)) for (const v of x) yield* nodes(v);
  else if (x !== null && typeof x === 'object') {
    yield x as Node;
    for (const v of Object.values(x)) yield* nodes(v);
  }
}

interface Datum { policy: string; x: number | string; value: number; low?: number; high?: number }
/** Panels (objects with a width) of a chart, with their title text and plotted data (first data layer). */
function panels(spec: unknown): { title: string; y: string; data: Datum[] }[] {
  return [...nodes(spec)]
    .filter((n) => typeof n.width === 'number' && Array.isArray(n.layer))
    .map((n) => {
      const inner = (n.layer as Node[])[0]!;
      const line = (inner.layer as Node[])[0]!;
      return {
        title: ((n.title as { text?: string[] } | undefined)?.text ?? []).join(', '),
        y: ((line.encoding as Node).y as { title: string }).title,
        data: (inner.data as { values: Datum[] }).values,
      };
    });
}

describe('sweep-grid charts', { timeout: 120_000 }, () => {
  it('one chart per dimension, after the other charts, titled with its path', () => {
    const ids = buildCharts(two.doc).map((c) => c.id);
    expect(ids.slice(-2)).toEqual(['grid-0-fleet-replicas', 'grid-1-fleet-gpu']);
    const charts = gridCharts(two.doc);
    expect(charts.map((c) => c.title)).toEqual(['Sweep grid: metrics against fleet.replicas', 'Sweep grid: metrics against fleet.gpu']);
    // Without the grid the same results give exactly the charts they had.
    const { grid: _g, ...plain } = two.doc;
    expect(buildCharts(plain).map((c) => c.id)).toEqual(ids.slice(0, -2));
    expect(gridCharts(plain)).toEqual([]);
  });

  it.each([
    ['2 seeds', two.doc],
    ['1 seed', one.doc],
  ])('%s: every chart compiles without warnings, renders to SVG with marks, ≤ 1,300 px wide', async (_n, doc) => {
    for (const chart of gridCharts(doc)) {
      const warnings: string[] = [];
      const logger = { level: () => 0, warn: (...a: unknown[]) => warnings.push(a.join(' ')), info: () => {}, debug: () => {}, error: (...a: unknown[]) => warnings.push(a.join(' ')) };
      expect(compile(chart.spec, { logger: logger as never }).spec.marks?.length ?? 0).toBeGreaterThan(0);
      expect(warnings).toEqual([]);
      const r = await renderSvg(chart.spec);
      expect(r.warnings, chart.id).toEqual([]);
      expect(r.svg).toMatch(/class="mark-line[^"]*"[^>]*>\s*<path/);
      expect(Number(/^<svg[^>]* width="([\d.]+)"/.exec(r.svg)![1])).toBeLessThanOrEqual(1300);
    }
  });

  it('three dimensions with long paths and values: panels a combination each, still ≤ 1,300 px wide', async () => {
    // The 2-dimension results with a third field whose value is long; each point appears twice.
    const long = 'workload.source.sessions.think_time_distribution.mean_s';
    const vals = ['a-rather-long-value-for-this-dimension-1', 'a-rather-long-value-for-this-dimension-2'];
    const g = one.doc.grid!;
    const doc: ResultsDocument = {
      ...one.doc,
      grid: {
        dimensions: [...g.dimensions, { path: long, values: vals }],
        points: g.points.flatMap((pt) => vals.map((v) => ({ values: { ...pt.values, [long]: v }, policies: pt.policies }))),
      },
    };
    const charts = gridCharts(doc);
    expect(charts.map((c) => c.id)).toEqual(['grid-0-fleet-replicas', 'grid-1-fleet-gpu', `grid-2-${long.replace(/[._]/g, '-')}`]);
    // Against fleet.replicas: 2 GPUs × 2 values of the third field = 4 panels per metric, 4 points each.
    const p = panels(charts[0]!.spec);
    expect(p).toHaveLength(5 * 4);
    expect(p[3]!.title).toBe(`gpu = L40S, mean_s = ${vals[1]}`);
    for (const q of p) expect(q.data).toHaveLength(4);
    for (const c of charts) {
      const r = await renderSvg(c.spec);
      expect(r.warnings, c.id).toEqual([]);
      expect(Number(/^<svg[^>]* width="([\d.]+)"/.exec(r.svg)![1]), c.id).toBeLessThanOrEqual(1300);
    }
  });

  it('one dimension: the five metric panels, three a row, untitled; renders ≤ 1,300 px', async () => {
    const g = two.doc.grid!;
    const doc: ResultsDocument = { ...two.doc, grid: { dimensions: [g.dimensions[0]!], points: g.points.filter((pt) => pt.values['fleet.gpu'] === 'H100').map((pt) => ({ values: { 'fleet.replicas': pt.values['fleet.replicas'] }, policies: pt.policies })) } };
    const [chart] = gridCharts(doc);
    expect((chart!.spec as { columns?: number }).columns).toBe(3);
    const p = panels(chart!.spec);
    expect(p.map((q) => q.title)).toEqual(['', '', '', '', '']);
    expect(p[0]!.data.find((d) => d.policy === 'least-requests' && d.x === 2)!.value).toBeCloseTo(g.points[0]!.policies[1]!.stats!['ttft_ms.p99']!.mean!, 3);
    const r = await renderSvg(chart!.spec);
    expect(r.warnings).toEqual([]);
    expect(Number(/^<svg[^>]* width="([\d.]+)"/.exec(r.svg)![1])).toBeLessThanOrEqual(1300);
    expect(chart!.description).not.toContain('panel per');
  });

  it('paths sharing an ending keep enough of it to tell them apart in panel titles', () => {
    const g = one.doc.grid!;
    const rename = (v: Readonly<Record<string, unknown>>) => ({ 'pools.a.replicas': v['fleet.replicas'], 'pools.b.replicas': v['fleet.gpu'] });
    const doc: ResultsDocument = {
      ...one.doc,
      grid: { dimensions: [{ path: 'pools.a.replicas', values: REPLICAS }, { path: 'pools.b.replicas', values: GPUS }], points: g.points.map((pt) => ({ values: rename(pt.values), policies: pt.policies })) },
    };
    expect(panels(gridCharts(doc)[0]!.spec).slice(0, 2).map((q) => q.title)).toEqual(['b.replicas = H100', 'b.replicas = L40S']);
    expect(panels(gridCharts(doc)[1]!.spec).slice(0, 2).map((q) => q.title)).toEqual(['a.replicas = 2', 'a.replicas = 3']);
  });

  it('x is quantitative for numbers, ordinal in the dimension order for strings', () => {
    const [byReplicas, byGpu] = gridCharts(one.doc);
    const xs = (c: typeof byReplicas) => [...nodes(c!.spec)].map((n) => n.x as Node | undefined).filter((x) => x && x.field === 'x');
    expect(new Set(xs(byReplicas).map((x) => x!.type))).toEqual(new Set(['quantitative']));
    expect(new Set(xs(byGpu).map((x) => x!.type))).toEqual(new Set(['ordinal']));
    expect(xs(byGpu)[0]!.sort).toEqual(GPUS);
    expect(xs(byGpu)[0]!.title).toBe('fleet.gpu');
  });

  it("the other dimension's values are separate panels: 5 metrics × 2 values, each with 2 x values × 2 policies", () => {
    const p = panels(gridCharts(one.doc)[0]!.spec);
    // Titled with the shortest path ending that tells the dimensions apart (`gpu`).
    expect(p.map((q) => q.title)).toEqual(Array.from({ length: 5 }, () => ['gpu = H100', 'gpu = L40S']).flat());
    expect(p.map((q) => q.y).filter((_, i) => i % 2 === 0)).toEqual(['TTFT p99 (ms)', 'TPOT p99 (ms)', 'E2E latency p99 (s)', 'throughput (req/s)', 'goodput (req/s)']);
    for (const q of p) {
      expect(q.data.map((d) => `${d.policy}@${d.x}`).sort()).toEqual(['least-requests@2', 'least-requests@3', 'round-robin@2', 'round-robin@3']);
    }
  });

  it('one seed: the plotted values are the point summaries (E2E in s), no CI rules', () => {
    const p = panels(gridCharts(one.doc)[0]!.spec);
    // Point 3 is (3 replicas, L40S); its round-robin summary.
    const s = one.doc.grid!.points[3]!.policies[0]!.summary;
    expect(one.doc.grid!.points[3]!.values).toEqual({ 'fleet.replicas': 3, 'fleet.gpu': 'L40S' });
    const at = (panel: number) => p[panel]!.data.find((d) => d.policy === 'round-robin' && d.x === 3)!;
    expect(at(1).value).toBeCloseTo(s.ttft_ms.p99!, 3); // row TTFT, L40S column
    expect(at(5).value).toBeCloseTo(s.e2e_ms.p99! / 1000, 10);
    expect(at(9).value).toBeCloseTo(s.goodput.requests_per_s, 3);
    expect(at(1).low).toBeUndefined();
    const rules = [...nodes(gridCharts(one.doc)[0]!.spec)].filter((n) => (n.encoding as Node | undefined)?.y2 !== undefined);
    expect(rules).toEqual([]);
  });

  it('two seeds: mean and 95 % CI of that point, the same as running its scenario on its own', () => {
    const alone = collectResults(configs[4]!, { seeds: 2, sweepRates: null }, '0.0.0-test').doc;
    const st = alone.policies[0]!.stats!['ttft_ms.p99']!;
    // The pair of seeds differ, so the interval has width; the plotted point is their mean.
    const seeds = alone.policies[0]!.repeats!.map((r) => r.summary.ttft_ms.p99!);
    expect(st.mean).toBeCloseTo((seeds[0]! + seeds[1]!) / 2, 3);
    const p = panels(gridCharts(two.doc)[0]!.spec);
    const d = p[1]!.data.find((q) => q.policy === 'round-robin' && q.x === 3)!;
    expect(d.value).toBeCloseTo(st.mean!, 3);
    // The log axis may cut the interval's low end at its floor; the high end is the CI's.
    expect(d.high).toBeCloseTo(st.ci95_high!, 3);
    expect(d.low).toBeLessThanOrEqual(d.value);
    const rules = [...nodes(gridCharts(two.doc)[0]!.spec)].filter((n) => (n.encoding as Node | undefined)?.y2 !== undefined);
    expect(rules).toHaveLength(10); // one per panel: 5 metrics × 2 GPUs
  });

  it('SLO lines on the TTFT and TPOT panels only (no E2E SLO set)', () => {
    const sloRules = (spec: unknown) => [...nodes(spec)].filter((n) => (n.mark as { strokeDash?: unknown } | undefined)?.strokeDash !== undefined);
    expect(sloRules(gridCharts(one.doc)[1]!.spec)).toHaveLength(2 * 2); // 2 combos (replicas 2, 3) × TTFT and TPOT
  });
});

describe('sweep-grid tables', () => {
  const headers = ['fleet.replicas', 'fleet.gpu', 'policy', 'TTFT p50 ms', 'TTFT p99 ms', 'TPOT p99 ms', 'E2E p99 s', 'goodput req/s'];

  it('summary.md: a row per point × policy with the dimension values, mean ± CI half-width', () => {
    const md = renderSummaryMarkdown(two.doc, []);
    const section = md.slice(md.indexOf('### Sweep grid'));
    const lines = section.split('\n').filter((l) => l.startsWith('|'));
    expect(lines[0]).toBe(`| ${headers.join(' | ')} |`);
    expect(lines[1]).toBe('|---|---|---|---:|---:|---:|---:|---:|');
    const rows = lines.slice(2).map((l) => l.slice(2, -2).split(' | '));
    expect(rows.map((r) => r.slice(0, 3).join(' '))).toEqual(POINTS.flatMap(({ r, g }) => [`${r} ${g} round-robin`, `${r} ${g} least-requests`]));
    // Row 6 = point 3 (3, L40S), round-robin: TTFT p99 mean ± (high − low) / 2, 1 decimal.
    const st = two.doc.grid!.points[3]!.policies[0]!.stats!['ttft_ms.p99']!;
    expect(rows[6]![4]).toBe(`${st.mean!.toFixed(1)} ± ${((st.ci95_high! - st.ci95_low!) / 2).toFixed(1)}`);
    const e2e = two.doc.grid!.points[3]!.policies[0]!.stats!['e2e_ms.p99']!;
    expect(rows[6]![6]).toBe(`${(e2e.mean! / 1000).toFixed(2)} ± ${((e2e.ci95_high! - e2e.ci95_low!) / 2000).toFixed(2)}`);
  });

  it('routesim run prints the same rows after the comparison table (single values with one seed)', () => {
    const text = renderRunTables(one.primary, one.doc);
    const tail = text.slice(text.indexOf('\nsweep grid\n') + 1).split('\n');
    expect(tail[0]).toBe('sweep grid');
    expect(tail[1]!.split(/\s{2,}/)).toEqual(headers);
    const rows = tail.slice(3).filter((l) => l !== '').map((l) => l.trim().split(/\s+/));
    expect(rows).toHaveLength(8);
    const s = one.doc.grid!.points[1]!.policies[1]!.summary; // (2, L40S), least-requests
    expect(rows[3]).toEqual(['2', 'L40S', 'least-requests', s.ttft_ms.p50!.toFixed(1), s.ttft_ms.p99!.toFixed(1), s.tpot_ms.p99!.toFixed(2), (s.e2e_ms.p99! / 1000).toFixed(2), s.goodput.requests_per_s.toFixed(2)]);
    expect(renderRunTables(two.primary, two.doc)).toContain('\nsweep grid (mean ± 95 % CI half-width)\n');
  });

  it('results without a grid: no grid section, text unchanged', () => {
    const { grid: _g, ...plain } = two.doc;
    expect(renderSummaryMarkdown(plain, [])).not.toContain('Sweep grid');
    expect(renderSummaryMarkdown(two.doc, []).replace(/\n### Sweep grid\n[\s\S]*$/, '')).toBe(renderSummaryMarkdown(plain, []));
    const runText = renderRunTables(two.primary, two.doc);
    expect(runText.slice(0, runText.indexOf('\nsweep grid'))).toBe(renderRunTables(two.primary, plain));
  });
});

describe('reading a results file with a grid', () => {
  it('keeps the grid', () => {
    expect(parseResults(JSON.parse(serialiseResults(two.doc)), 'r.json').grid).toEqual(two.doc.grid);
  });

  it('refuses a malformed grid in one line naming the field', () => {
    const bad = JSON.parse(serialiseResults(one.doc));
    bad.grid.points[2].policies[0].summary.ttft_ms.p99 = 'slow';
    let msg = '';
    try {
      parseResults(bad, 'r.json');
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/^r\.json: grid\.points\[2\]\.policies\[0\]\.summary\.ttft_ms\.p99: expected a number/);
    expect(msg.split('\n')).toHaveLength(1);
  });
});
