/**
 * One Benchmark Report v0.2.1 (llm-d-benchmark, ../shared/reference/formats.md §4) per policy and
 * stage of a simulated run, built the way llm-d-benchmark's converter builds one from an
 * inference-perf stage file (§4 "Harness outputs → report"), with the simulation's own stack and
 * load ("From a simulation"):
 *
 * - run: `uid` per report and `eid` per policy (treatment), both UUID-5 of the run's workload
 *   fingerprint, policy and stage, so the same inputs give the same ids; `time.start` = the
 *   declared anchor (ANCHOR + the stage's first arrival), `duration` = the stage's simulated span
 *   (benchmark_time_seconds, whole seconds); `description` starts with SIMULATED.
 * - results: request counts and ISL/OSL of the stage, TTFT / E2E in s, TPOT / ITL / NTPOT in
 *   s/token, token and request rates; ITL from the stage's pooled token gaps (stages.ts); per replica
 *   `observability` from the sampled engine gauges of the stage (kv_cache_usage in percent,
 *   running / waiting requests) and, for a one-stage run, the run's prefix-cache hit rate and
 *   preemptions; `drop_rate` (fraction) when requests were dropped.
 * - Not written, because a simulation cannot know them (the schema lets them be omitted; never
 *   0): cid, pid, user, keywords, GPU/CPU memory and utilisation, power, storage,
 *   swapped_requests, pod start-up, replica status, component_health, profiling, request_size,
 *   multimodal rates, time series and session_performance.
 */
import { createHash } from 'node:crypto';
import type { PolicySpec, ScenarioConfig } from '../../sim/scenario/types.js';
import type { PolicyRun, RequestRecord } from '../../sim/metrics/types.js';
import type { LengthDist } from '../../sim/workload/spec.js';
import { histogramStats, reportStatistics, sampleStats } from '../inferencePerf/sampleStats.js';
import { stageFigures } from '../inferencePerf/stageFigures.js';
import type { SimStage } from '../inferencePerf/stages.js';
import { cfgId, replicaComponentLabel, SCHEMA_VERSION, stackComponents } from './stack.js';

/** The declared anchor of simulated time 0 (a simulation has no wall clock). */
export const ANCHOR = '1970-01-01T00:00:00Z';

/** RFC 4122 name-based UUID (version 5, SHA-1) of `name` in the URL namespace. */
export function uuid5(name: string): string {
  const ns = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const h = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** ISO 8601 date-time of the anchor plus `seconds` (whole ms). */
function at(seconds: number): string {
  return new Date(Date.parse(ANCHOR) + Math.round(seconds * 1000)).toISOString().replace('.000Z', 'Z');
}

export interface ReportContext {
  readonly scenario: ScenarioConfig;
  readonly policy: PolicySpec;
  readonly run: PolicyRun;
  readonly version: string;
  /** The run's workload fingerprint hash (reports/fingerprint.ts). */
  readonly workHash: string;
  readonly stageCount: number;
}

const DIST_NAME: Readonly<Record<LengthDist['kind'], 'fixed' | 'gaussian' | 'uniform' | 'other'>> = { constant: 'fixed', normal: 'gaussian', uniform: 'uniform', lognormal: 'other', empirical: 'other' };

/** A SequenceLength of the lengths actually sent: mean as value, with std, min, max. */
function sequenceLength(values: readonly number[], spec: LengthDist | undefined): Record<string, unknown> {
  const st = sampleStats(values);
  if (st === null) return { distribution: spec?.kind === 'constant' ? 'fixed' : 'other', value: spec?.kind === 'constant' ? spec.value : 0 };
  const fixed = st.min === st.max;
  return { distribution: fixed ? 'fixed' : spec !== undefined ? DIST_NAME[spec.kind] : 'other', value: st.mean, ...(fixed ? {} : { std_dev: st.std }), ...(st.min >= 1 ? { min: st.min } : {}), ...(st.max >= 1 ? { max: st.max } : {}) };
}

function loadBlock(ctx: ReportContext, stage: SimStage): Record<string, unknown> {
  const w = ctx.scenario.workload;
  const src = w.source;
  const sp = w.shared_prefix;
  const native = { config: { workload: JSON.parse(JSON.stringify(w)) as unknown, requests: ctx.scenario.requests, duration_s: ctx.scenario.duration_s } };
  const standardized: Record<string, unknown> = {
    tool: 'routesim',
    tool_version: ctx.version,
    source: src?.kind === 'trace' || src?.kind === 'servegen' ? 'sampled' : 'random',
    input_seq_len: sequenceLength(stage.records.map((r) => r.inputTokens), sp === undefined ? w.input : undefined),
    output_seq_len: sequenceLength(stage.records.map((r) => r.outputTokens), w.output),
    stage: stage.index,
  };
  if (sp !== undefined) {
    standardized.prefix = { prefix_len: { distribution: 'fixed', value: sp.system_prompt_len }, num_groups: sp.num_groups, num_users_per_group: sp.num_prompts_per_group, num_prefixes: 1 };
    if (sp.enable_multi_turn_chat) standardized.multi_turn = { enabled: true, ...(sp.max_turns > 0 ? { max_turns: sp.max_turns } : {}) };
  }
  if (src?.kind === 'sessions') {
    const t = src.turns;
    const maxTurns = t.kind === 'constant' ? t.value : t.kind === 'empirical' ? Math.max(...t.values) : t.max;
    standardized.multi_turn = { enabled: true, ...(Number.isInteger(maxTurns) && maxTurns >= 1 ? { max_turns: maxTurns } : {}) };
  }
  // rate_qps for open loops, concurrency for closed ones (JSON has no +inf).
  if (stage.shape.kind === 'open' && stage.shape.rate > 0) standardized.rate_qps = stage.shape.rate;
  if (stage.shape.kind === 'closed') standardized.concurrency = stage.shape.concurrency;
  const description = `simulated load of scenario ${ctx.scenario.name}`;
  return { metadata: { schema_version: SCHEMA_VERSION, cfg_id: cfgId(native), description }, standardized, native };
}

const sec = (us: number): number => us / 1e6;

function aggregate(stage: SimStage): { aggregate: Record<string, unknown>; spanS: number; firstS: number; lastS: number } {
  const recs = stage.records;
  const f = stageFigures(recs);
  const { ok, spanS, inTok, outTok } = f;
  const rate = (x: number, units: string) => (spanS > 0 ? { units, mean: x / spanS } : undefined);
  const st = (vals: number[], units: string) => reportStatistics(sampleStats(vals), units);
  const latency = {
    time_to_first_token: st(f.ttft, 's'),
    request_latency: st(f.e2e, 's'),
    time_per_output_token: st(f.tpot, 's/token'),
    inter_token_latency: stage.itl !== null ? reportStatistics(histogramStats(stage.itl, 1e-6), 's/token') : undefined,
    normalized_time_per_output_token: st(f.ntpot, 's/token'),
  };
  const agg = {
    requests: { total: recs.length, failures: recs.length - ok.length, input_length: st(ok.map((r) => r.inputTokens), 'count'), output_length: st(ok.map((r) => r.outputTokens), 'count') },
    latency,
    throughput: { input_token_rate: rate(inTok, 'tokens/s'), output_token_rate: rate(outTok, 'tokens/s'), total_token_rate: rate(inTok + outTok, 'tokens/s'), request_rate: rate(ok.length, 'queries/s') },
  };
  return { aggregate: agg, spanS, firstS: Number.isFinite(f.firstArrivalUs) ? sec(f.firstArrivalUs) : 0, lastS: f.lastEndUs > -Infinity ? sec(f.lastEndUs) : 0 };
}

/** Per replica: sampled gauges over [fromS, toS], and (whole run only) its cache hit rate and preemptions. */
function observability(ctx: ReportContext, recs: readonly RequestRecord[], fromS: number, toS: number, whole: boolean): Record<string, unknown> {
  const samples = ctx.run.samples;
  const components = ctx.run.replicas.map((r, i) => {
    const agg: Record<string, unknown> = {};
    const series = samples?.replicas[i];
    if (samples !== undefined && series !== undefined) {
      const idx: number[] = [];
      for (let k = 0; k < samples.count; k++) {
        const t = (k * samples.intervalUs) / 1e6;
        if (t >= fromS && t <= toS) idx.push(k);
      }
      agg.kv_cache_usage = reportStatistics(sampleStats(idx.map((k) => series.kvUsage[k]! * 100)), 'percent');
      agg.running_requests = reportStatistics(sampleStats(idx.map((k) => series.running[k]!)), 'count');
      agg.waiting_requests = reportStatistics(sampleStats(idx.map((k) => series.waiting[k]!)), 'count');
    }
    if (whole) {
      if (r.prefixQueryTokens > 0) agg.cache_hit_rate = { units: 'percent', mean: (100 * r.prefixHitTokens) / r.prefixQueryTokens };
      agg.preemptions = { units: 'count', mean: r.preemptions };
    }
    return { component_label: replicaComponentLabel(ctx.scenario, ctx.policy, r), replica_id: r.name, aggregate: agg };
  });
  const dropped = recs.filter((r) => r.outcome === 'dropped').length;
  return { components, ...(dropped > 0 ? { drop_rate: { units: 'fraction', mean: dropped / recs.length } } : {}) };
}

/** Drops undefined and null members, recursively: a Benchmark Report omits nulls (also in native configs, where null = absent). */
function prune<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x === null ? undefined : x))) as T;
}

/** The report of one policy's stage. */
export function benchmarkReport(ctx: ReportContext, stage: SimStage): Record<string, unknown> {
  const eidName = `routesim:${ctx.workHash}:${ctx.policy.name}`;
  const whole = ctx.stageCount === 1;
  const a = aggregate(stage);
  return prune({
    version: '0.2.1',
    run: {
      uid: uuid5(`${eidName}:stage:${stage.index}`),
      eid: uuid5(eidName),
      time: { start: at(a.firstS), duration: `PT${Math.round(a.spanS)}S` },
      description: `SIMULATED (routesim ${ctx.version}): ${ctx.scenario.name}, policy ${ctx.policy.name}, stage ${stage.index}`,
    },
    scenario: { stack: stackComponents(ctx.scenario, ctx.policy), load: loadBlock(ctx, stage) },
    results: {
      request_performance: { aggregate: a.aggregate },
      observability: observability(ctx, stage.records, a.firstS, a.lastS, whole),
    },
  });
}
