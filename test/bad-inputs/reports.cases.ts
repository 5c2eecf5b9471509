/**
 * `routesim report` given results it cannot chart: malformed or foreign JSON, figures a chart would
 * draw wrongly (negative latencies on a log axis, quantile grids that are not 101 ascending points,
 * SLOs that are not positive numbers, time series of unequal length), and a bad `--link-base`.
 * Each must be one line naming the file and the field (or the flag), with no report directory left.
 */
import type { BadInputCase } from './types.js';

const latency = (v: number) => ({ mean: v, p50: v, p90: v, p95: v, p99: v });

/** A minimal valid results document (routesim report draws it: percentile and load-share charts). */
function doc(): Record<string, any> {
  return {
    routesim: { version: '0.1.0' },
    scenario: { name: 'tiny', slo: { ttft_ms: 100, tpot_ms: null } },
    policies: [
      {
        name: 'rr',
        type: 'round-robin',
        summary: {
          completed: 3,
          rejected: 0,
          dropped: 0,
          ttft_ms: latency(40),
          tpot_ms: latency(8),
          e2e_ms: latency(900),
          throughput: { requests_per_s: 1.5, output_tokens_per_s: 150 },
          goodput: { requests_per_s: 1.5 },
          replicas: [{ name: 'replica-0', share: 1 }],
        },
      },
    ],
  };
}

/** The document after `edit`, as the text of r.json. */
function results(edit: (d: Record<string, any>) => void): Record<string, string> {
  const d = doc();
  edit(d);
  return { 'r.json': JSON.stringify(d, null, 2) };
}

const grid = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

const report = ['report', 'r.json', '--out', 'rep'];
const valid = results(() => {});

export const cases: readonly BadInputCase[] = [
  // Not a results document at all.
  { name: 'report: results file that does not exist', args: report, stderr: /r\.json: file not found/ },
  { name: 'report: results path is a directory', dirs: ['r.json'], args: report, stderr: /r\.json: is a directory/ },
  { name: 'report: empty results file', files: { 'r.json': '' }, args: report, stderr: /r\.json: not valid JSON/ },
  { name: 'report: truncated results JSON', files: { 'r.json': valid['r.json']!.slice(0, 200) }, args: report, stderr: /r\.json: not valid JSON/ },
  { name: 'report: a JSON array instead of a results object', files: { 'r.json': '[1, 2, 3]' }, args: report, stderr: /r\.json: not a routesim results document/ },
  { name: "report: another tool's JSON (no routesim key)", files: { 'r.json': '{"results": [{"latency": 12}]}' }, args: report, stderr: [/r\.json: routesim/, /fix: pass a results JSON written by/] },
  { name: 'report: a scenario YAML given as results', files: { 'r.json': 'name: s\nseed: 1\n' }, args: report, stderr: /r\.json: not valid JSON/ },
  { name: 'report: no policies', files: results((d) => (d.policies = [])), args: report, stderr: /r\.json: policies: needs at least 1/ },
  // Figures a chart would draw wrongly or not at all.
  { name: 'report: latency given as a string', files: results((d) => (d.policies[0].summary.ttft_ms.p99 = '40ms')), args: report, stderr: /r\.json: policies\[0\]\.summary\.ttft_ms\.p99: expected a number/ },
  { name: 'report: negative latency (no place on a log axis)', files: results((d) => (d.policies[0].summary.e2e_ms.p50 = -3)), args: report, stderr: /r\.json: policies\[0\]\.summary\.e2e_ms\.p50: .*(0|negative)/ },
  { name: 'report: latency that overflows to Infinity', files: { 'r.json': valid['r.json']!.replace('"p99": 40', '"p99": 1e400') }, args: report, stderr: /r\.json: policies\[0\]\.summary\.ttft_ms\.p99/ },
  { name: 'report: two policies with one name', files: results((d) => d.policies.push(JSON.parse(JSON.stringify(d.policies[0])))), args: report, stderr: /r\.json: policies\[1\]\.name: policy "rr" appears twice/ },
  {
    name: 'report: repeats whose seeds differ from the document',
    files: results((d) => {
      d.seeds = [1, 2];
      d.policies[0].repeats = [{ seed: 1, summary: {} }, { seed: 3, summary: {} }];
    }),
    args: report,
    stderr: /r\.json: policies\[0\]\.repeats: seeds 1,3 do not match the document's seeds 1,2/,
  },
  { name: 'report: quantile grid that is not 101 points', files: results((d) => (d.policies[0].distributions = { ttft_ms: grid(50, (i) => 10 + i) })), args: report, stderr: /r\.json: policies\[0\]\.distributions\.ttft_ms/ },
  { name: 'report: quantile grid that decreases', files: results((d) => (d.policies[0].distributions = { e2e_ms: grid(101, (i) => 1000 - i) })), args: report, stderr: /r\.json: policies\[0\]\.distributions\.e2e_ms: a quantile grid must not decrease/ },
  {
    name: 'report: replica time series of unequal length',
    files: results((d) => {
      d.policies[0].timeseries = { sample_ms: 100, window_ms: 1000, throughput_rps: [1], goodput_rps: [1], replicas: [{ name: 'replica-0', waiting: [0, 1], running: [1], kv_usage: [0, 0], scraped_waiting: [0, 0], scraped_running: [1, 1], scraped_kv_usage: [0, 0] }] };
    }),
    args: report,
    stderr: /r\.json: policies\[0\]\.timeseries\.replicas\[0\]: the six series of a replica must have the same length/,
  },
  {
    name: 'report: TTFT-over-time series of unequal length',
    files: results((d) => {
      d.policies[0].timeseries = { sample_ms: 100, window_ms: 1000, throughput_rps: [1], goodput_rps: [1], replicas: [], ttft_over_time: { bin_ms: 1000, count: [2, 1], p50_ms: [40, 30], p99_ms: [45] } };
    }),
    args: report,
    stderr: /r\.json: policies\[0\]\.timeseries\.ttft_over_time: count, p50_ms and p99_ms must have the same length/,
  },
  {
    name: 'report: throughput window of 0 ms',
    files: results((d) => (d.policies[0].timeseries = { sample_ms: 100, window_ms: 0, throughput_rps: [], goodput_rps: [], replicas: [] })),
    args: report,
    stderr: /r\.json: policies\[0\]\.timeseries\.window_ms/,
  },
  { name: 'report: SLO given as a string with a unit', files: results((d) => (d.scenario.slo.ttft_ms = '200ms')), args: report, stderr: /r\.json: scenario\.slo\.ttft_ms: expected a number/ },
  { name: 'report: negative SLO', files: results((d) => (d.scenario.slo.tpot_ms = -5)), args: report, stderr: /r\.json: scenario\.slo\.tpot_ms/ },
  { name: 'report: comparison whose significance is not a boolean', files: results((d) => (d.comparisons = [{ figure: 'ttft_ms.p99', a: 'rr', b: 'rr', mean_diff: 1, ci95_low: 0, ci95_high: 2, p_value: 0.01, significant: 'yes' }])), args: report, stderr: /r\.json: comparisons\[0\]\.significant/ },
  // --link-base must be an http(s) URL a file name can be appended to.
  { name: 'report: --link-base that is a relative path', files: valid, args: [...report, '--link-base', 'docs/report'], names: '--link-base', stderr: /--link-base: "docs\/report" is not a URL/ },
  { name: 'report: --link-base with an ftp: URL', files: valid, args: [...report, '--link-base', 'ftp://example.com/r'], names: '--link-base', stderr: /--link-base: .* uses ftp:, not http: or https:/ },
  { name: 'report: --link-base with a javascript: URL', files: valid, args: [...report, '--link-base', 'javascript:alert(1)'], names: '--link-base', stderr: /--link-base: .* uses javascript:/ },
  { name: 'report: --link-base with credentials in it', files: valid, args: [...report, '--link-base', 'https://bot:s3cret@example.com/r'], names: '--link-base', stderr: /--link-base: must not contain a user name or password/ },
  { name: 'report: --link-base with a query string', files: valid, args: [...report, '--link-base', 'https://example.com/r?run=9'], names: '--link-base', stderr: /--link-base: .* has a query or fragment/ },
  { name: 'report: empty --link-base', files: valid, args: [...report, '--link-base', ''], names: '--link-base', stderr: /--link-base: "" is not a URL/ },
  // Figures that cannot be true (found by a bad-input hunt: report and check drew them).
  { name: 'report: quantiles that decrease', files: results((d) => (d.policies[0].summary.ttft_ms = { mean: 10, p50: 100, p90: 5, p95: 3, p99: 1 })), args: report, stderr: /policies\[0\]\.summary\.ttft_ms: quantiles decrease/ },
  { name: 'report: a fractional request count', files: results((d) => (d.policies[0].summary.completed = 2.5)), args: report, stderr: /policies\[0\]\.summary\.completed: must be an integer/ },
  { name: 'report: a negative request count', files: results((d) => (d.policies[0].summary.completed = -3)), args: report, stderr: /policies\[0\]\.summary\.completed/ },
  { name: 'report: more requests ended than arrived', files: results((d) => Object.assign(d.policies[0].summary, { arrived: 3, completed: 3, rejected: 1 })), args: report, stderr: /exceeds arrived/ },
  { name: 'report: a cache hit rate of 500 %', files: results((d) => (d.policies[0].summary.prefix_cache_hit_rate = 5)), args: report, stderr: /prefix_cache_hit_rate: must be ≤ 1/ },
  { name: 'report: a replica share above 1', files: results((d) => (d.policies[0].summary.replicas[0].share = 7)), args: report, stderr: /replicas\[0\]\.share: must be ≤ 1/ },
  { name: 'report: a negative drop count by reason', files: results((d) => (d.policies[0].summary.dropped_by_reason = { x: -5 })), args: report, stderr: /dropped_by_reason\.x/ },
  { name: 'report: goodput fraction of -2', files: results((d) => (d.policies[0].summary.goodput.fraction = -2)), args: report, stderr: /goodput\.fraction/ },
];
