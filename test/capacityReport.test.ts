/**
 * Rendering `routesim capacity` answers: the Markdown summary (question, SLOs, rule, answer table
 * with cost and Pareto columns, one line per answer, probe tables), the Pareto front, and the
 * Vega-Lite charts (compile without warnings, render to SVG, written atomically). Documents are
 * built by hand; expected figures are worked out in the comments.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import type { CapacityAnswer, CapacityDocument, Probe, ProbeFigure } from '../lab/capacity/types.js';
import { renderCapacityMarkdown } from '../reports/capacity/markdown.js';
import { capacityCharts, paretoChart, paretoFlags, paretoFront, paretoMask, qpsPerDollarChart } from '../reports/capacity/pareto.js';
import { buildCapacityChartFiles, capacityChartPaths, writeCapacityCharts } from '../reports/capacity/write.js';
import { policyColorAt } from '../reports/charts/palette.js';
import { renderSvg } from '../reports/render.js';

const ROUTESIM = { version: '0.0.0-test', kind: 'capacity' as const };
const SLO = { ttft_p99_ms: 200, tpot_p99_ms: null, goodput_pct: 95 };
const SEEDS = [1, 2, 3, 4, 5];

/** A figure; ok when the bound is on the right side of the limit. */
function fig(mean: number, bound: number, limit: number, upper: boolean): ProbeFigure {
  return { mean, bound, limit, ok: upper ? bound <= limit : bound >= limit };
}

/** A probe with TTFT p99 (limit 200) and goodput (limit 95) figures. */
function probe(rate: number, ttft: [number, number], goodput: [number, number], extra: Partial<Probe> = {}): Probe {
  const t = fig(ttft[0], ttft[1], 200, true);
  const g = fig(goodput[0], goodput[1], 95, false);
  const steady = extra.steady ?? 5;
  const pass = t.ok && g.ok && steady === 5;
  const why = pass ? '' : [!t.ok ? `TTFT p99 bound ${ttft[1]} ms > 200 ms` : '', !g.ok ? `goodput bound ${goodput[1]} % < 95 %` : '', steady < 5 ? `${5 - steady} seed(s) not steady` : ''].filter(Boolean).join('; ');
  return { rate, seeds: SEEDS, steady, figures: { ttft_p99_ms: t, tpot_p99_ms: undefined, goodput_pct: g }, output_tokens_per_s: rate * 200, pass, why, ...extra };
}

/**
 * An `--options` answer on `gpus` GPUs of `gpu` at `price` $/GPU-hour; every request makes 200
 * output tokens, so at `rate` req/s the fleet makes 200·rate tok/s = 0.72·rate Mtok/h.
 */
function option(policy: string, name: string, rate: number | null, gpus: number, gpu: string, price: number, pareto?: boolean): CapacityAnswer {
  const usd = gpus * price;
  const probes = rate === null ? [probe(2, [260, 300], [90, 88])] : [probe(rate, [150, 180], [99, 98]), probe(rate + 1, [210, 240], [96, 94])];
  return {
    policy,
    option: name,
    max_rate: rate,
    bracket: rate === null ? [null, 2] : [rate, rate + 1],
    converged: true,
    probes,
    cost: {
      gpus,
      usd_per_hour: usd,
      qps_per_usd_hour: rate === null ? null : rate / usd,
      usd_per_mtok_output: rate === null ? null : usd / (rate * 0.72),
      usd_per_mtok_total: null,
      prices: { [gpu]: price },
    },
    ...(pareto === undefined ? {} : { pareto }),
  };
}

/**
 * 3 options × 2 policies. Cost ($/h): 2xH100 = 2·4 = 8, 4xH200 = 4·5 = 20, 8xH100 = 8·4 = 32.
 * Points (cost, rate): gaie (8, 12), (20, 30), (32, 40); round-robin (8, none), (20, 31), (32, 36).
 * Front: gaie@8 (cheapest), rr@20 (beats gaie@20's 30 at the same cost), gaie@32 (fastest);
 * gaie@20 and rr@32 are dominated, rr@8 has no rate.
 */
const options: CapacityDocument = {
  routesim: ROUTESIM,
  question: 'options',
  scenario: 'chat-fleet',
  slo: SLO,
  rule: 'a probe passes when every seed reaches steady state and each SLO figure’s one-sided 95 % bound is within its limit',
  confidence: 0.95,
  seeds: SEEDS,
  tolerance: 0.05,
  answers: [
    option('gaie-default', '2xH100', 12, 2, 'H100', 4),
    option('gaie-default', '4xH200', 30, 4, 'H200', 5),
    option('gaie-default', '8xH100', 40, 8, 'H100', 4),
    option('round-robin', '2xH100', null, 2, 'H100', 4),
    option('round-robin', '4xH200', 31, 4, 'H200', 5),
    option('round-robin', '8xH100', 36, 8, 'H100', 4),
  ],
};
const FRONT = [true, false, true, false, true, false];

/** `--max-rate`, two policies, no cost; gaie's probes out of order (a bisection). */
const maxRate: CapacityDocument = {
  routesim: ROUTESIM,
  question: 'max-rate',
  scenario: 'chat',
  slo: SLO,
  rule: 'one-sided 95 % bounds over seeds within the limits, every seed steady',
  confidence: 0.95,
  seeds: SEEDS,
  tolerance: 0.02,
  answers: [
    {
      policy: 'gaie-default',
      max_rate: 32.5,
      bracket: [32.5, 35],
      // 2.5 / 32.5 = 7.7 % > 2 %.
      converged: false,
      probes: [
        probe(20, [120.04, 150.26], [99.5, 99.1]),
        probe(40, [180, 250], [97.5, 96.1]),
        probe(30, [140, 170.5], [98, 97]),
        probe(35, [150, 190], [96, 95.5], { steady: 4 }),
        probe(32.5, [145, 180], [97, 96]),
      ],
    },
    { policy: 'round-robin', max_rate: 25, bracket: [25, 25.4], converged: true, probes: [probe(25, [160, 195], [96, 95]), probe(25.4, [170, 205], [95.5, 94])] },
  ],
};

/** `--min-replicas` at 40 req/s: gaie needs 6 × H100 (1 GPU each, $4/GPU-h → $24/h); TP2 needs 12 GPUs; none suffices for round-robin. */
const minReplicas: CapacityDocument = {
  routesim: ROUTESIM,
  question: 'min-replicas',
  scenario: 'chat',
  slo: { ttft_p99_ms: 200, tpot_p99_ms: 30, goodput_pct: null },
  rule: 'bounds within limits',
  confidence: 0.9,
  seeds: [7, 9, 11],
  tolerance: 0,
  answers: (() => {
    const rp = (replicas: number, pass: boolean): Probe => ({
      rate: 40,
      replicas,
      seeds: [7, 9, 11],
      steady: 3,
      figures: { ttft_p99_ms: fig(pass ? 150 : 300, pass ? 180 : 320, 200, true), tpot_p99_ms: fig(20, 25, 30, true), goodput_pct: undefined },
      output_tokens_per_s: 8000,
      pass,
      why: pass ? '' : 'TTFT p99 bound over 200 ms',
    });
    const cost = (gpus: number) => ({ gpus, usd_per_hour: gpus * 4, qps_per_usd_hour: 40 / (gpus * 4), usd_per_mtok_output: null, usd_per_mtok_total: null, prices: { H100: 4 } });
    return [
      { policy: 'gaie-default', max_rate: 40, min_replicas: 6, bracket: [6, 5], converged: true, probes: [rp(4, false), rp(8, true), rp(6, true), rp(5, false)], cost: cost(6) },
      { policy: 'gaie-tp2', max_rate: 40, min_replicas: 6, bracket: [6, 5], converged: true, probes: [rp(5, false), rp(6, true)], cost: cost(12) },
      { policy: 'round-robin', max_rate: 40, min_replicas: null, bracket: [null, 12], converged: false, probes: [rp(4, false), rp(8, false), rp(12, false)] },
    ];
  })(),
};

describe('Pareto front', () => {
  it('keeps the points no other is both cheaper and faster than', () => {
    const pts = [{ cost: 10, rate: 20 }, { cost: 12, rate: 30 }, { cost: 15, rate: 25 }];
    expect(paretoMask(pts)).toEqual([true, true, false]);
    expect(paretoFront(pts)).toEqual([pts[0], pts[1]]);
    // Same cost: the faster wins; equal points both stay; returned by increasing cost.
    const ties = [{ cost: 10, rate: 25 }, { cost: 10, rate: 20 }, { cost: 5, rate: 10 }, { cost: 5, rate: 10 }];
    expect(paretoMask(ties)).toEqual([true, false, true, true]);
    expect(paretoFront(ties)).toEqual([ties[2], ties[3], ties[0]]);
    expect(paretoFront([])).toEqual([]);
  });

  it('every front point is undominated and every other point is dominated by one on the front', () => {
    const pt = fc.record({ cost: fc.integer({ min: 1, max: 20 }), rate: fc.integer({ min: 0, max: 20 }) });
    fc.assert(
      fc.property(fc.array(pt, { maxLength: 25 }), (pts) => {
        const front = paretoFront(pts);
        const dominates = (q: { cost: number; rate: number }, p: { cost: number; rate: number }) => q.cost <= p.cost && q.rate >= p.rate && (q.cost < p.cost || q.rate > p.rate);
        for (const p of front) expect(pts.some((q) => dominates(q, p))).toBe(false);
        for (const p of pts) if (!front.includes(p)) expect(front.some((q) => dominates(q, p))).toBe(true);
        for (let i = 1; i < front.length; i++) expect(front[i]!.cost >= front[i - 1]!.cost && front[i]!.rate >= front[i - 1]!.rate).toBe(true);
      }),
    );
  });

  it("uses the document's flags when every answer has one, else computes them over answers with a cost and a rate", () => {
    expect(paretoFlags(options)).toEqual(FRONT);
    const flagged = { ...options, answers: options.answers.map((a, i) => ({ ...a, pareto: i === 3 })) };
    expect(paretoFlags(flagged)).toEqual([false, false, false, true, false, false]);
  });
});

describe('capacity Markdown', () => {
  it('options: question, SLOs, rule, one line per answer, the answer table with cost and the Pareto front', () => {
    const md = renderCapacityMarkdown(options);
    expect(md.startsWith('## routesim capacity: fleet options by cost — chat-fleet\n')).toBe(true);
    expect(md).toContain("**SLOs:** TTFT p99 ≤ 200 ms · goodput ≥ 95 % (requests within the scenario's per-request `slo`)");
    expect(md).toContain(`**Rule:** ${options.rule}`);
    expect(md).toContain('confidence 95 % · 5 seeds (1–5) per probe · tolerance 5 % · routesim 0.0.0-test');
    // 40 req/s on $32/h → 1.250 req/s per $/h; 40 req/s × 200 tok = 8,000 tok/s = 28.8 Mtok/h → 32 / 28.8 = $1.111/Mtok.
    expect(md).toContain('| gaie-default | 8xH100 | 40 | 40–41 | yes | 2 | 8 | 32.00 | 1.250 | 1.111 | ✓ |');
    // 12 / 8 = 1.5; 8 / (12 × 0.72) = 0.926.
    expect(md).toContain('| gaie-default | 2xH100 | 12 | 12–13 | yes | 2 | 2 | 8.00 | 1.500 | 0.926 | ✓ |');
    // Dominated by round-robin's 31 req/s at the same $20/h: 30 / 20 = 1.5, 20 / 21.6 = 0.926.
    expect(md).toContain('| gaie-default | 4xH200 | 30 | 30–31 | yes | 2 | 4 | 20.00 | 1.500 | 0.926 | - |');
    // No passing rate: no rate, no ratios, not on the front; the bracket says the lowest probe failed.
    expect(md).toContain('| round-robin | 2xH100 | - | < 2 (none passed) | yes | 1 | 2 | 8.00 | - | - | - |');
    expect(md).toContain('| policy | option | max rate req/s | bracket req/s | converged | probes | GPUs | $/h | QPS per $/h | $/Mtok out | Pareto |');
    expect(md).toContain('- **round-robin** on **4xH200**: 31 req/s for $20.00/h, 1.550 req/s per $/h, on the Pareto front (bracket 31–32, 2 probes, 5 seeds each)');
    expect(md).toContain('- **round-robin** on **2xH100**: no probed rate meets the SLOs (lowest rate probed: 2 req/s, 1 probe, 5 seeds each)');
    expect(md).toContain('#### gaie-default · 8xH100');
    expect(md.match(/^#### /gm)).toHaveLength(6);
  });

  it('max-rate: the plain answer per policy and probe tables in rate order with bounds against limits', () => {
    const md = renderCapacityMarkdown(maxRate);
    expect(md.startsWith('## routesim capacity: highest rate within the SLOs — chat\n')).toBe(true);
    expect(md).toContain('- **gaie-default**: 32.5 req/s (bracket 32.5–35, 5 probes, 5 seeds each, not converged to the 2 % tolerance)');
    expect(md).toContain('- **round-robin**: 25 req/s (bracket 25–25.4, 2 probes, 5 seeds each)');
    // No cost, no options: neither cost nor option nor Pareto columns.
    expect(md).toContain('| policy | max rate req/s | bracket req/s | converged | probes |\n|---|---:|---:|---|---:|\n| gaie-default | 32.5 | 32.5–35 | no | 5 |\n| round-robin | 25 | 25–25.4 | yes | 2 |\n');
    // TPOT has no SLO: no TPOT columns. Rows by rate; # is the search order (40 was probed 2nd).
    const table = md.slice(md.indexOf('#### gaie-default'), md.indexOf('#### round-robin'));
    expect(table).toContain('| # | rate req/s | steady | TTFT p99 ms | TTFT p99 bound | goodput % | goodput bound | verdict |');
    expect(table).not.toContain('TPOT');
    const rates = [...table.matchAll(/^\| (\d+) \| ([\d.]+) \|/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(rates).toEqual([[1, 20], [3, 30], [5, 32.5], [4, 35], [2, 40]]);
    expect(table).toContain('| 1 | 20 | 5/5 | 120.0 | 150.3 ≤ 200 | 99.5 | 99.1 ≥ 95 | pass |');
    expect(table).toContain('| 2 | 40 | 5/5 | 180.0 | 250.0 > 200 | 97.5 | 96.1 ≥ 95 | fail: TTFT p99 bound 250 ms > 200 ms |');
    expect(table).toContain('| 4 | 35 | 4/5 | 150.0 | 190.0 ≤ 200 | 96.0 | 95.5 ≥ 95 | fail: 1 seed(s) not steady |');
    expect(md).toContain('| 2 | 25.4 | 5/5 | 170.0 | 205.0 > 200 | 95.5 | 94.0 < 95 | fail: TTFT p99 bound 205 ms > 200 ms; goodput bound 94 % < 95 % |');
    // Text columns (verdict) left-aligned, figures right-aligned.
    expect(table).toContain('| verdict |\n|---|---:|---:|---:|---:|---:|---:|---|\n');
    // Every probed rate passed: the bracket is open above the highest one.
    const open = { ...maxRate, answers: [{ ...maxRate.answers[1]!, max_rate: 25.4, bracket: [25.4, null] as const, converged: false }] };
    const openMd = renderCapacityMarkdown(open);
    expect(openMd).toContain('- **round-robin**: 25.4 req/s (no probe failed, up to 25.4 req/s, 2 probes, 5 seeds each, not converged to the 2 % tolerance)');
    expect(openMd).toContain('| round-robin | 25.4 | ≥ 25.4 (none failed) | no | 2 |');
    // A figure without a bound (e.g. no sample in any seed) shows its limit only.
    const p0 = maxRate.answers[1]!.probes[0]!;
    const unbounded = { ...maxRate, answers: [{ ...maxRate.answers[1]!, probes: [{ ...p0, figures: { ...p0.figures, ttft_p99_ms: { mean: null, bound: null, limit: 200, ok: false } }, pass: false, why: 'no TTFT samples' }] }] };
    expect(renderCapacityMarkdown(unbounded)).toContain('| 1 | 25 | 5/5 | - | - vs 200 | 96.0 | 95.0 ≥ 95 | fail: no TTFT samples |');
  });

  it('min-replicas: "6 × H100" answers, replica brackets and probe tables by replica count', () => {
    const md = renderCapacityMarkdown(minReplicas);
    expect(md.startsWith('## routesim capacity: fewest replicas within the SLOs — chat\n\nThe fewest replicas each policy needs to serve 40 req/s within the SLOs.\n')).toBe(true);
    expect(md).toContain('**SLOs:** TTFT p99 ≤ 200 ms · TPOT p99 ≤ 30 ms\n');
    expect(md).toContain('confidence 90 % · 3 seeds (7, 9, 11) per probe · tolerance 0 %');
    expect(md).toContain('- **gaie-default**: 6 × H100 for 40 req/s at $24.00/h (bracket 5–6, 4 probes, 3 seeds each)');
    expect(md).toContain('- **gaie-tp2**: 6 replicas (12 × H100) for 40 req/s at $48.00/h (bracket 5–6, 2 probes, 3 seeds each)');
    expect(md).toContain('- **round-robin**: no replica count up to 12 meets the SLOs at 40 req/s (3 probes, 3 seeds each, not converged to the 0 % tolerance)');
    // 40 / 24 = 1.667 req/s per $/h; no $/Mtok given.
    expect(md).toContain('| gaie-default | 40 | 6 | 5–6 | yes | 4 | 6 | 24.00 | 1.667 | - |');
    expect(md).toContain('| round-robin | 40 | - | > 12 (none passed) | no | 3 | - | - | - | - |');
    const table = md.slice(md.indexOf('#### gaie-default'), md.indexOf('#### gaie-tp2'));
    expect(table).toContain('| # | replicas | steady | TTFT p99 ms | TTFT p99 bound | TPOT p99 ms | TPOT p99 bound | verdict |');
    expect([...table.matchAll(/^\| (\d+) \| (\d+) \|/gm)].map((m) => Number(m[2]))).toEqual([4, 5, 6, 8]);
    expect(table).toContain('| 3 | 6 | 3/3 | 150.0 | 180.0 ≤ 200 | 20.00 | 25.00 ≤ 30 | pass |');
    expect(table).not.toContain('Pareto');
  });

  it('is deterministic: the same document gives the same string', () => {
    for (const doc of [options, maxRate, minReplicas]) expect(renderCapacityMarkdown(JSON.parse(JSON.stringify(doc)) as CapacityDocument)).toBe(renderCapacityMarkdown(doc));
  });
});

describe('capacity charts', { timeout: 60_000 }, () => {
  it('only --options documents with costs get charts', () => {
    expect(paretoChart(maxRate)).toBeNull();
    expect(qpsPerDollarChart(minReplicas)).toBeNull();
    expect(capacityCharts(options).map((c) => c.id)).toEqual(['pareto', 'qps-per-dollar']);
    const noCost = { ...options, answers: options.answers.map(({ cost: _c, ...a }) => a) };
    expect(capacityCharts(noCost)).toEqual([]);
  });

  it('the Pareto chart plots every answer with a rate and joins the front by increasing cost', () => {
    const spec = paretoChart(options)!.spec as unknown as { layer: [{ data: { values: { policy: string; usd_per_hour: number; max_rate: number }[] } }, { data: { values: { option: string; pareto: boolean }[] }; layer: { encoding?: { color?: unknown } }[] }] };
    const front = spec.layer[0].data.values.map((v) => [v.policy, v.usd_per_hour, v.max_rate]);
    expect(front).toEqual([['gaie-default', 8, 12], ['round-robin', 20, 31], ['gaie-default', 32, 40]]);
    const points = spec.layer[1].data.values;
    expect(points).toHaveLength(5); // round-robin on 2xH100 has no rate
    expect(points.map((p) => p.pareto)).toEqual([true, false, true, true, false]);
    expect(spec.layer[1].layer[0]!.encoding!.color).toMatchObject({ field: 'policy', scale: { domain: ['gaie-default', 'round-robin'], range: [policyColorAt(0), policyColorAt(1)] } });
  });

  it.each(capacityCharts(options).map((c) => [c.id, c] as const))('%s compiles with vega-lite without warnings and renders to SVG with marks', async (_id, chart) => {
    const warnings: string[] = [];
    const logger = { level: () => 0, warn: (...a: unknown[]) => warnings.push(a.join(' ')), info: () => {}, debug: () => {}, error: (...a: unknown[]) => warnings.push(a.join(' ')) };
    expect(compile(chart.spec, { logger: logger as never }).spec.marks?.length ?? 0).toBeGreaterThan(0);
    expect(warnings).toEqual([]);
    const r = await renderSvg(chart.spec);
    expect(r.warnings).toEqual([]);
    expect(r.svg.startsWith('<svg')).toBe(true);
    expect(r.svg).toMatch(/class="mark-(symbol|rect)[^"]*"[^>]*>\s*<path/);
    // Fits the report's width limit (palette.ts: 1,300 px).
    expect(Number(/^<svg[^>]*width="([\d.]+)"/.exec(r.svg)![1])).toBeLessThanOrEqual(1300);
  });

  it('writes .vl.json and .svg per chart into the directory, leaving other files, with identical bytes each time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-capacity-'));
    writeFileSync(join(dir, 'notes.txt'), 'keep');
    const written = await writeCapacityCharts(options, dir);
    expect(written).toEqual(['pareto.vl.json', 'pareto.svg', 'qps-per-dollar.vl.json', 'qps-per-dollar.svg'].map((f) => join(dir, f)));
    expect(capacityChartPaths(dir).slice().sort()).toEqual(written.slice().sort());
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'pareto.svg', 'pareto.vl.json', 'qps-per-dollar.svg', 'qps-per-dollar.vl.json']);
    expect(JSON.parse(readFileSync(join(dir, 'pareto.vl.json'), 'utf8'))).toStrictEqual(JSON.parse(JSON.stringify(paretoChart(options)!.spec)));
    const again = await buildCapacityChartFiles(JSON.parse(JSON.stringify(options)) as CapacityDocument);
    expect(again.warnings).toEqual([]);
    for (const [name, content] of again.files) expect(readFileSync(join(dir, name), 'utf8'), name).toBe(content);
    expect(await writeCapacityCharts(maxRate, join(dir, 'none'))).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(5);
  });
});
