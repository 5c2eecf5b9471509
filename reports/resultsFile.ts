/**
 * Reading a results JSON back (for `routesim report` and `routesim check`): JSON parse, then a zod
 * check of every part the report and the gate read. Extra keys are allowed (newer or other
 * writers add figures), missing optional parts just mean fewer charts. Every failure is one line
 * naming the file, the field and the fix.
 */
import { z } from 'zod';
import { inputError, readUserFile, UserError } from '../sim/core/errors.js';
import { describeIssue, firstIssue, formatPath } from '../sim/scenario/schema.js';
import { GRID_POINTS } from './profiles.js';
import type { ResultsDocument } from './results.js';

const FIX = 'pass a results JSON written by `routesim run --out FILE`';

const num = z.number();
const numOrNull = z.number().nullable();
const nums = z.array(num);

/** A latency in ms: never negative (the report draws latencies on log axes). */
const latency = z.number().min(0).nullable();
/** Quantiles of one distribution never decrease with p (null = no samples). */
const LatencySchema = z.looseObject({ p50: latency, p90: latency, p99: latency }).refine(
  (l) => [l.p50, l.p90, l.p99].every((v, i, a) => i === 0 || v === null || a[i - 1] === null || a[i - 1]! <= v),
  { message: 'quantiles decrease (p50 ≤ p90 ≤ p99 must hold)' },
);
/** A count of requests: a whole number ≥ 0. */
const count = z.number().int().min(0);
/** A fraction in [0, 1]. */
const fraction = z.number().min(0).max(1);

/** Issue 11: how a set of requests ended on timeouts, limits and failures (sim/metrics/resilience.ts). */
const OutcomeCountsSchema = z.looseObject({
  timed_out: count,
  rate_limited: count,
  circuit_open: count,
  upstream_reset: count,
  failed: count,
  fallback: count,
  retried: count,
  /** Tries per request sent at least once: ≥ 1. */
  mean_attempts: z.number().min(1).nullable(),
});
const countsByName = z.record(z.string(), count);

/** Issue 11: the run's resilience counters and outcome totals (summary.resilience). */
const ResilienceSchema = OutcomeCountsSchema.extend({
  retries: countsByName,
  retries_over_budget: countsByName,
  per_try_timeouts: countsByName,
  ejections: countsByName,
  fallbacks: countsByName,
});

const nonNegative = z.number().min(0);

/** One pool's replica step function (summary.replicas_over_time.pools.*; sim/metrics/replicaTimeline.ts). */
const PoolTimelineSchema = z
  .looseObject({
    t_s: z.array(nonNegative),
    ready: z.array(count),
    starting: z.array(count),
    ready_min: count,
    ready_max: count,
    gpu_hours: z.record(z.string(), nonNegative),
    cost_usd: nonNegative.optional(),
  })
  .refine((p) => p.ready.length === p.t_s.length && p.starting.length === p.t_s.length, { message: 't_s, ready and starting must have the same length' })
  .refine((p) => p.t_s.every((t, i) => i === 0 || t > p.t_s[i - 1]!), { message: 't_s must increase' })
  .refine((p) => p.ready_min <= p.ready_max, { message: 'ready_min exceeds ready_max' });

const ReplicasOverTimeSchema = z
  .looseObject({
    pools: z.record(z.string(), PoolTimelineSchema),
    ready_min: count,
    ready_max: count,
    gpu_hours: z.record(z.string(), nonNegative),
    cost_usd: nonNegative.optional(),
    unpriced: z.array(z.string()).optional(),
  })
  .refine((p) => p.ready_min <= p.ready_max, { message: 'ready_min exceeds ready_max' });

/** A class's figures (summary.by_class.*.*), as the per-class tables read them. */
const ClassSchema = z.looseObject({
  arrived: count,
  completed: count,
  rejected: count,
  dropped: count,
  failed: count.optional(),
  resilience: OutcomeCountsSchema.optional(),
  ttft_ms: LatencySchema,
  tpot_ms: LatencySchema,
  e2e_ms: LatencySchema,
  goodput: z.looseObject({ requests_per_s: num }),
});
const ClassesSchema = z.record(z.string(), ClassSchema);

/** A pool's / route's / model's / role's figures (summary.by_pool.*, …; sim/metrics/pools.ts). */
const SubsetSchema = ClassSchema.extend({
  rejected_by_reason: z.record(z.string(), count).optional(),
  dropped_by_reason: z.record(z.string(), count).optional(),
  failed_by_reason: z.record(z.string(), count).optional(),
  throughput: z.looseObject({ requests_per_s: z.number().min(0), output_tokens_per_s: z.number().min(0) }),
  goodput: z.looseObject({ requests_per_s: z.number().min(0), fraction: fraction.optional() }),
  preemptions: count.optional(),
  prefix_cache_hit_rate: fraction.optional(),
  replicas: z.array(z.string()).optional(),
}).refine((x) => x.completed + x.rejected + x.dropped + (x.failed ?? 0) <= x.arrived, { message: 'completed + rejected + dropped + failed exceeds arrived (every arrival ends exactly once)' });
const SubsetsSchema = z.record(z.string(), SubsetSchema);

/** One TTFT part's statistics in ms (sim/metrics/pdBreakdown.ts). */
const PartSchema = z.looseObject({ mean: latency, p50: latency, p90: latency, p99: latency });
/** The P/D TTFT decomposition (summary.pd). */
const PdSchema = z.looseObject({
  disaggregated_share: fraction,
  disaggregated: z.looseObject({
    count,
    gateway_ms: PartSchema,
    prefill_queue_ms: PartSchema,
    prefill_compute_ms: PartSchema,
    decode_queue_ms: PartSchema,
    kv_transfer_ms: PartSchema,
    first_step_ms: PartSchema,
  }),
  aggregated: z.looseObject({ count, gateway_ms: PartSchema, queue_ms: PartSchema, prefill_ms: PartSchema }),
});

const SummarySchema = z
  .looseObject({
    arrived: count.optional(),
    completed: count,
    rejected: count,
    dropped: count.optional(),
    dropped_by_reason: z.record(z.string(), count).optional(),
    // Added by issue 11 (a fleet that fails and scales): present only when the run has them.
    failed: count.optional(),
    failed_by_reason: z.record(z.string(), count).optional(),
    resilience: ResilienceSchema.optional(),
    replicas_over_time: ReplicasOverTimeSchema.optional(),
    ttft_ms: LatencySchema,
    tpot_ms: LatencySchema,
    e2e_ms: LatencySchema,
    throughput: z.looseObject({ requests_per_s: z.number().min(0), output_tokens_per_s: z.number().min(0) }),
    goodput: z.looseObject({ requests_per_s: z.number().min(0), fraction: fraction.optional() }),
    prefix_cache_hit_rate: fraction.optional(),
    replicas: z.array(z.looseObject({ name: z.string(), share: fraction, pool: z.string().optional(), gpu: z.string().optional(), role: z.string().optional() })),
    // Added by issue 9; optional so older results files still load.
    lora_loads: num.optional(),
    steady_state: z.looseObject({ reached: z.boolean(), diverged_at_s: numOrNull, detail: z.string() }).optional(),
    window: z.looseObject({ warmup_s: num, cooldown_s: num, from_s: num, to_s: num }).optional(),
    by_class: z.looseObject({ priority: ClassesSchema, tenant: ClassesSchema, adapter: ClassesSchema }).optional(),
    stages: z.array(z.looseObject({ index: num, from_s: num, to_s: num, rate: num, arrived: count, completed: count, dropped: count })).optional(),
    // Added by issue 10 (multi-pool, P/D): present only when the run has them.
    by_pool: SubsetsSchema.optional(),
    by_route: SubsetsSchema.optional(),
    by_model: SubsetsSchema.optional(),
    by_role: SubsetsSchema.optional(),
    pd: PdSchema.optional(),
  })
  .refine((x) => x.arrived === undefined || x.completed + x.rejected + (x.dropped ?? 0) + (x.failed ?? 0) <= x.arrived, {
    message: 'completed + rejected + dropped + failed exceeds arrived (every arrival ends exactly once)',
  })
  .refine((x) => x.window === undefined || x.window.from_s <= x.window.to_s || x.completed === 0, { message: 'window.from_s is after window.to_s' });

const StatsSchema = z.record(
  z.string(),
  z.looseObject({ n: num, mean: numOrNull, std: numOrNull, ci95_low: numOrNull, ci95_high: numOrNull }),
);

/** A 101-point quantile grid (profiles.ts): non-negative ms, ascending. */
const GridSchema = z
  .array(z.number().min(0))
  .length(GRID_POINTS)
  .refine((g) => g.every((v, i) => i === 0 || v >= g[i - 1]!), { message: 'a quantile grid must not decrease' });

const DistributionsSchema = z.looseObject({
  ttft_ms: GridSchema.nullable().optional(),
  tpot_ms: GridSchema.nullable().optional(),
  e2e_ms: GridSchema.nullable().optional(),
});

const TtftOverTimeSchema = z
  .looseObject({ bin_ms: z.number().gt(0), count: z.array(z.int().min(0)), p50_ms: z.array(latency), p99_ms: z.array(latency) })
  .refine((t) => t.p50_ms.length === t.count.length && t.p99_ms.length === t.count.length, { message: 'count, p50_ms and p99_ms must have the same length' });

const ReplicaSeriesSchema = z
  .looseObject({
    name: z.string(),
    waiting: nums,
    running: nums,
    kv_usage: nums,
    scraped_waiting: nums,
    scraped_running: nums,
    scraped_kv_usage: nums,
  })
  .refine((r) => [r.running, r.kv_usage, r.scraped_waiting, r.scraped_running, r.scraped_kv_usage].every((a) => a.length === r.waiting.length), {
    message: 'the six series of a replica must have the same length',
  });

const TimeSeriesSchema = z.looseObject({
  sample_ms: num,
  replicas: z.array(ReplicaSeriesSchema),
  window_ms: z.number().gt(0),
  throughput_rps: nums,
  goodput_rps: nums,
  ttft_over_time: TtftOverTimeSchema.optional(),
  arrivals_rps: z.array(nonNegative).optional(),
});

const PolicySchema = z.looseObject({
  name: z.string().min(1),
  type: z.string(),
  summary: SummarySchema,
  repeats: z.array(z.looseObject({ seed: z.int(), summary: z.looseObject({}) })).optional(),
  stats: StatsSchema.optional(),
  distributions: DistributionsSchema.optional(),
  pool_distributions: z.record(z.string(), DistributionsSchema).optional(),
  timeseries: TimeSeriesSchema.optional(),
});

/** An SLO in ms: a positive number, or null / absent when not set. */
const sloMs = z.number().gt(0).nullable().optional();

/** The policies of a sweep or sweep-grid point. */
const PointPoliciesSchema = z.array(z.looseObject({ name: z.string(), type: z.string(), summary: SummarySchema, stats: StatsSchema.optional() }));

const ResultsSchema = z.looseObject({
  routesim: z.looseObject({ version: z.string() }),
  scenario: z.looseObject({ slo: z.looseObject({ ttft_ms: sloMs, tpot_ms: sloMs, e2e_ms: sloMs }).optional() }),
  policies: z.array(PolicySchema).min(1),
  seeds: z.array(z.int()).optional(),
  comparisons: z
    .array(z.looseObject({ figure: z.string(), a: z.string(), b: z.string(), mean_diff: num, ci95_low: numOrNull, ci95_high: numOrNull, p_value: numOrNull, significant: z.boolean() }))
    .optional(),
  sweep: z
    .array(z.looseObject({ rate: num, policies: PointPoliciesSchema }))
    .optional(),
  grid: z
    .looseObject({
      dimensions: z.array(z.looseObject({ path: z.string().min(1), values: z.array(z.unknown()).min(1) })).min(1),
      points: z.array(z.looseObject({ values: z.record(z.string(), z.unknown()), policies: PointPoliciesSchema })),
    })
    .optional(),
});

/** Validates parsed JSON as a results document; `file` names it in errors. */
export function parseResults(data: unknown, file: string): ResultsDocument {
  const parsed = ResultsSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const issue = firstIssue(parsed.error.issues);
    if (!issue) throw inputError(file, '', 'not a routesim results document', FIX);
    const r = issue.code === 'custom' ? { path: formatPath(issue.path), problem: issue.message } : describeIssue(issue);
    const problem = r.path === '' && issue.code === 'invalid_type' ? 'not a routesim results document (expected a JSON object)' : r.problem;
    throw inputError(file, r.path, problem, FIX);
  }
  const doc = parsed.data;
  const names = new Set<string>();
  doc.policies.forEach((p, i) => {
    if (names.has(p.name)) throw inputError(file, `policies[${i}].name`, `policy ${JSON.stringify(p.name)} appears twice`, FIX);
    names.add(p.name);
    if (doc.seeds !== undefined && p.repeats !== undefined) {
      const got = p.repeats.map((r) => r.seed);
      if (got.length !== doc.seeds.length || got.some((s, k) => s !== doc.seeds![k])) {
        throw inputError(file, `policies[${i}].repeats`, `seeds ${got.join(',')} do not match the document's seeds ${doc.seeds.join(',')}`, FIX);
      }
    }
  });
  return doc as unknown as ResultsDocument;
}

/** Reads and validates a results JSON file. */
export function readResultsFile(path: string): ResultsDocument {
  const text = readUserFile(path, FIX);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw inputError(path, '', `not valid JSON (${msg})`, FIX);
  }
  try {
    return parseResults(data, path);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw inputError(path, '', `not a routesim results document (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, FIX);
  }
}
