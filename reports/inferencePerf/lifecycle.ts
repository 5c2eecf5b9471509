/**
 * inference-perf's request lifecycle metrics (../shared/reference/formats.md §3, times in
 * seconds) computed from simulated request records: the object of a
 * `stage_<i>_lifecycle_metrics.json` (with load_summary.requested_rate / send_duration /
 * achieved_rate) or of `summary_lifecycle_metrics.json` (without them).
 *
 * Mapping: start = the request's arrival (routesim's client sends at the scheduled time, so
 * `schedule_delay` is 0 for open loops; closed loops omit it, as their scheduled time has no
 * simulated counterpart), end = response complete (`endUs`), the first / last token as the
 * client sees them. Successes = completed requests; failures = rejected, dropped and failed ones.
 * N_out = the request's output tokens (ignore_eos: exactly max_tokens). `inter_token_latency` is
 * the pooled per-token gaps of the set's ITL histogram (the whole run's for the summary file and a
 * one-stage run, the stage's own for a ladder stage: stages.ts); `request_size_bytes` and
 * `goodput_metrics` are not written (a simulation has no request bodies; goodput constraints are
 * an inference-perf config field routesim's scenario does not carry).
 */
import type { ItlCounts, RequestRecord } from '../../sim/metrics/types.js';
import { histogramStats, ipSummary, sampleStats } from './sampleStats.js';
import { stageFigures } from './stageFigures.js';

/** What kind of load drove a set: an open loop at a requested rate, or a closed loop of C clients. */
export type LoadShape = { readonly kind: 'open'; readonly rate: number } | { readonly kind: 'closed'; readonly concurrency: number };

export interface LifecycleSet {
  readonly records: readonly RequestRecord[];
  /** The set's ITL histogram (µs → tokens): the run's, or a stage's; null = not known (omitted). */
  readonly itl: ItlCounts | null;
  /** Stage files carry the load shape; the summary file passes null. */
  readonly stage: LoadShape | null;
  /** The load shape of the run (for schedule_delay), also for the summary file. */
  readonly load: LoadShape;
}

const HTTP_REASON: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  429: 'Rate Limit',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * inference-perf's failure label of a record: `"<status> - <reason>"` for an HTTP error answer,
 * `Timeout` or `Connection Error` for a stream that broke. An engine rejection (prompt too long,
 * adapter not servable) is vLLM's 400.
 */
export function failureLabel(r: RequestRecord): string {
  if (r.outcome === 'failed') return r.reason === 'timeout' ? 'Timeout' : 'Connection Error';
  const status = r.outcome === 'rejected' ? 400 : r.status;
  return `${status} - ${HTTP_REASON[status] ?? 'Error'}`;
}

const s = (us: number): number => us / 1e6;

function byLabel(failures: readonly RequestRecord[]): Record<string, { count: number; messages: { message: string }[] }> {
  const groups = new Map<string, { count: number; messages: Set<string> }>();
  for (const r of failures) {
    const label = failureLabel(r);
    let g = groups.get(label);
    if (g === undefined) groups.set(label, (g = { count: 0, messages: new Set() }));
    g.count++;
    g.messages.add(r.reason === '' ? 'unspecified' : r.reason);
  }
  const out: Record<string, { count: number; messages: { message: string }[] }> = {};
  for (const label of [...groups.keys()].sort()) {
    const g = groups.get(label)!;
    out[label] = { count: g.count, messages: [...g.messages].sort().map((message) => ({ message })) };
  }
  return out;
}

/** Σ of a field and its Summary, as inference-perf HEAD writes `prompt_tokens` / `output_tokens`. */
function tokenBlock(values: readonly number[], extra: Record<string, number> = {}): Record<string, unknown> {
  let total = 0;
  for (const v of values) total += v;
  return { total, ...extra, ...(ipSummary(sampleStats(values)) ?? {}) };
}

/** The lifecycle metrics object of one set of records. */
export function lifecycleMetrics(set: LifecycleSet): Record<string, unknown> {
  const records = set.records;
  const f = stageFigures(records);
  const { ok, inTok, outTok } = f;
  const bad = records.filter((r) => r.outcome !== 'completed');
  const benchmarkTime = f.spanS;
  const per = (x: number): number => (benchmarkTime > 0 ? x / benchmarkTime : 0);
  const loadSummary: Record<string, unknown> = { count: records.length };
  if (set.load.kind === 'open') loadSummary.schedule_delay = ipSummary(sampleStats(records.map(() => 0)));
  if (set.stage !== null) {
    const sendDuration = records.length > 0 ? s(f.lastArrivalUs - f.firstArrivalUs) : 0;
    loadSummary.send_duration = sendDuration;
    loadSummary.achieved_rate = sendDuration > 0 ? records.length / sendDuration : 0;
    // inference-perf writes the request count as the "rate" of a `concurrent` stage.
    loadSummary.requested_rate = set.stage.kind === 'open' ? set.stage.rate : records.length;
    if (set.stage.kind === 'closed') loadSummary.concurrency = set.stage.concurrency;
  }
  const latency: Record<string, unknown> = {
    request_latency: ipSummary(sampleStats(f.e2e)),
    time_to_first_token: ipSummary(sampleStats(f.ttft)),
    time_per_output_token: ipSummary(sampleStats(f.tpot)),
    normalized_time_per_output_token: ipSummary(sampleStats(f.ntpot)),
  };
  if (set.itl !== null) latency.inter_token_latency = ipSummary(histogramStats(set.itl, 1e-6));
  const promptLens = ok.map((r) => r.inputTokens);
  let cached = 0;
  for (const r of ok) cached += r.cachedTokens;
  const badPrompts = bad.map((r) => r.inputTokens);
  return {
    benchmark_time_seconds: benchmarkTime,
    load_summary: loadSummary,
    successes: {
      count: ok.length,
      latency,
      throughput: {
        input_tokens_per_sec: per(inTok),
        output_tokens_per_sec: per(outTok),
        total_tokens_per_sec: per(inTok + outTok),
        requests_per_sec: per(ok.length),
      },
      prompt_len: ipSummary(sampleStats(promptLens)),
      prompt_tokens: tokenBlock(promptLens, { cached, uncached: inTok - cached }),
      output_len: ipSummary(sampleStats(ok.map((r) => r.outputTokens))),
      output_tokens: tokenBlock(ok.map((r) => r.outputTokens)),
    },
    failures: {
      count: bad.length,
      request_latency: ipSummary(sampleStats(bad.filter((r) => r.endUs >= 0).map((r) => s(r.endUs - r.arrivalUs)))),
      prompt_len: ipSummary(sampleStats(badPrompts)),
      prompt_tokens: tokenBlock(badPrompts),
      by_label: byLabel(bad),
    },
  };
}
