/**
 * Strict zod schemas for the scenario YAML, the defaults they apply, and the translation of a zod
 * issue into the one-line `path: problem (fix: how)` form used for every input error.
 *
 * The schemas check shape, types and ranges only; checks that span several fields (adapters vs
 * max_loras, catalog-dependent limits, …) and the mapping to `ScenarioConfig` live in load.ts.
 * Every strict object is built with {@link strict} so an unknown key is reported with the keys that
 * are allowed at that place (and a "did you mean" when one is close).
 */
import { formatPath } from '../../policies/util/text.js';
import { closest, kindOf, show } from './issues.js';
export { closest, describeIssue, firstIssue, type IssueReport } from './issues.js';
import { BASELINE_TYPES } from '../../policies/baselines/index.js';
import { z } from 'zod';
import { strict, withFix } from './zodStrict.js';
import type {
  EngineConfig,
  GatewayConfig,
  LoraLoadConfig,
  ReportConfig,
  SloConfig,
} from './types.js';
import { gpuNames, modelNames } from '../hardware/catalog.js';
import { isModelFile } from '../hardware/modelFiles.js';
import { TRACE_FORMATS } from '../workload/traces/types.js';
import { SERVEGEN_POOLS } from '../workload/spec.js';
import { HEADER_NAME_RE, MAX_HEADERS } from '../workload/routing.js';
import { bounded, RANGES as R, type Range } from './bounds.js';
import { RoutesSchema } from './routesSchema.js';
import { POOL_RESILIENCE_KEYS } from './resilienceSchema.js';
import { AutoscalingSchema, GpuPricesSchema, StartupSchema } from './autoscaleSchema.js';
import { EventsSchema } from '../churn/events.js';
import { parsePath, PathProblem } from './overrides/path.js';
import { StepTimeSchema } from './stepTimeSchema.js';
export { BLIS_OVERHEADS, LINEAR_DEFAULTS, LINEAR_SCALED_DEFAULTS, NO_OVERHEADS, PHYSICS_DEFAULTS, resolveLinearCoefficients } from './stepTimeSchema.js';

// ---------------------------------------------------------------------------------------------
// Defaults (shared with code and docs)
// ---------------------------------------------------------------------------------------------

/** Seed used when the scenario gives none. */
export const DEFAULT_SEED = 42;

/** vLLM engine arguments used when the scenario omits them (max_cpu_loras defaults to max_loras). */
export const DEFAULT_ENGINE: Omit<EngineConfig, 'max_cpu_loras'> = {
  max_num_seqs: 256,
  max_num_batched_tokens: 2048,
  long_prefill_token_threshold: 0,
  block_size: 16,
  gpu_memory_utilization: 0.9,
  num_gpu_blocks: null,
  enable_prefix_caching: true,
  max_loras: 0,
  max_lora_rank: 16,
  scheduling: 'fcfs',
  max_model_len: null,
};

/** LoRA adapter load cost (BLIS: 1.5 ms base) and bandwidths. */
export const DEFAULT_LORA_LOAD: LoraLoadConfig = { base_us: 1500, host_gbps: 25, disk_gbps: 2 };

/** EPP metrics refresh interval. */
export const DEFAULT_GATEWAY: GatewayConfig = { refresh_metrics_ms: 50, chars_per_token: 4, kv_events_delay_ms: 10, model_rewrites: [] };

export const DEFAULT_SLO: SloConfig = { ttft_ms: null, tpot_ms: null };

/** Report sampling: engine/router gauges every `sample_ms`, throughput/goodput per `window_ms`. */
export const DEFAULT_REPORT: ReportConfig = { sample_ms: 100, window_ms: 1000, warmup_s: null, cooldown_s: 0 };

/** Most repetitions `seeds:` / `--seeds` accepts. */
export const MAX_SEEDS = R.seeds.max;

/** Arrival defaults (rate has none: it is required). */
export const DEFAULT_ARRIVAL = { process: 'poisson', cv: 1 } as const;

export const TP_VALUES = [1, 2, 4, 8] as const;
export const BLOCK_SIZES = [8, 16, 32, 64, 128] as const;
export const LORA_RANKS = [8, 16, 32, 64, 128, 256] as const;
export const POLICY_TYPES = BASELINE_TYPES;

export { formatPath };

// ---------------------------------------------------------------------------------------------
// Schema building blocks
// ---------------------------------------------------------------------------------------------


// Every number has a finite range (bounds.ts RANGES; README "Ranges"), stated in its message.
const tokens = bounded(R.tokens);
const tokensOrZero = bounded(R.tokensOrZero);
const weight = bounded(R.weight);
const count = bounded(R.count);

/**
 * A `<length>` as written in YAML: a positive integer (constant) or a `dist:` mapping (see
 * LengthDist), its values in `range` (tokens; turns for sessions.turns).
 */
function lengthSchema(range: Range, what: string) {
  const v = bounded(range);
  const unit = { ...range, min: 0, minExclusive: true, int: false };
  const dist = z.discriminatedUnion('dist', [
    strict({ dist: z.literal('constant'), value: v }),
    strict({ dist: z.literal('uniform'), min: v, max: v }),
    strict({ dist: z.literal('normal'), mean: bounded(unit), std: bounded({ ...unit, minExclusive: false }), min: v.optional(), max: v.optional() }),
    strict({ dist: z.literal('lognormal'), mean: bounded(unit), std: bounded({ ...unit, minExclusive: false }), min: v.optional(), max: v.optional() }),
    strict({ dist: z.literal('empirical'), values: z.array(v).min(1), weights: z.array(weight).min(1) }),
  ]);
  return z.union([v, dist], {
    error: (iss) =>
      iss.code === 'invalid_union' ? withFix(`expected ${what}, got ${kindOf(iss.input)}`, LENGTH_HELP) : undefined,
  });
}

const LENGTH_HELP =
  'give a positive integer or a mapping with dist: constant|uniform|normal|lognormal|empirical';

const LengthSchema = lengthSchema(R.tokens, 'a token length');
/** Turns of a session: each turn's prompt holds the whole conversation so far, so they are few. */
const TurnsSchema = lengthSchema(R.turns, 'a number of turns');
export type LengthInput = z.output<typeof LengthSchema>;

const EngineSchema = strict({
  max_num_seqs: bounded(R.maxNumSeqs).default(DEFAULT_ENGINE.max_num_seqs),
  max_num_batched_tokens: bounded(R.batchedTokens).default(DEFAULT_ENGINE.max_num_batched_tokens),
  long_prefill_token_threshold: bounded({ ...R.batchedTokens, min: 0 }).default(DEFAULT_ENGINE.long_prefill_token_threshold),
  block_size: z.literal(BLOCK_SIZES).default(16),
  gpu_memory_utilization: z.number().gt(0).lte(1).default(DEFAULT_ENGINE.gpu_memory_utilization),
  num_gpu_blocks: bounded(R.numGpuBlocks).nullable().default(DEFAULT_ENGINE.num_gpu_blocks),
  enable_prefix_caching: z.boolean().default(DEFAULT_ENGINE.enable_prefix_caching),
  max_loras: bounded(R.loras).default(DEFAULT_ENGINE.max_loras),
  max_cpu_loras: bounded(R.loras).nullable().default(null),
  max_lora_rank: z.literal(LORA_RANKS).default(16),
  scheduling: z.enum(['fcfs', 'priority']).default(DEFAULT_ENGINE.scheduling),
  max_model_len: tokens.nullable().default(DEFAULT_ENGINE.max_model_len),
  // Issue 12 engine fidelity (calibration.md §1.2, §5, §6.4–6.6): optional, absent = today's behaviour
  // (absent keys also stay out of the resolved scenario echoed in results). See EngineConfig in types.ts.
  /** vLLM async scheduling (batch queue of depth 2); vLLM 0.19 resolves it to true, routesim's default is the sync loop. */
  async_scheduling: z.boolean().optional(),
  /** vLLM scheduler_reserve_full_isl (whole current sequence must fit to admit); vLLM 0.19 resolves it to true. */
  reserve_full_prompt: z.boolean().optional(),
  /** Fraction of KV blocks kept free when admitting waiting requests while others run (default 0). */
  watermark: bounded({ min: 0, max: 1, unit: '(fraction of KV blocks)', minExclusive: false }).optional(),
  /** CUDA-graph memory per GPU, GiB (default 0 as vLLM < 0.21; ≥ 0.21 estimates it, public values 0.36–1.3 GiB). */
  cuda_graph_memory_gb: bounded({ min: 0, max: 1e4, unit: 'GiB' }).optional(),
  /** vLLM --kv-cache-memory per GPU, GiB: skips profiling, the KV cache gets exactly this (default null). */
  kv_cache_memory_gb: bounded({ min: 0, max: 1e4, unit: 'GiB', minExclusive: true }).nullable().optional(),
});

const catalogName = (what: string, names: () => string[], other?: { accept: (s: string) => boolean; fix: string }) =>
  z.string().refine((s) => names().includes(s) || (other?.accept(s) ?? false), {
    error: (iss) => {
      const input = String(iss.input);
      const guess = closest(input, names());
      return withFix(
        `unknown ${what} ${JSON.stringify(input)}`,
        `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}use one of ${names().join(', ')}${other?.fix ?? ''}`,
      );
    },
  });
/** A catalog model, or a Hugging Face config.json path (read in load.ts by sim/hardware/modelFiles.ts). */
const modelRef = () => catalogName('model', modelNames, { accept: isModelFile, fix: ', or the path of a Hugging Face config.json (e.g. sim/hardware/configs/Llama-3.1-8B.json)' });

// Expert / data parallelism of a fleet or replica group (issue 12; calibration.md §2.7, §6.1; costed in
// sim/engine/stepTime/physics): absent = expert_parallel false, data_parallel 1, and the resolved
// scenario keeps them absent so existing outputs stay byte-identical (modelMath.parallelKeys).
const PARALLEL_KEYS = {
  expert_parallel: z.boolean().optional(),
  data_parallel: bounded({ min: 1, max: 64, unit: 'DP ranks', int: true }).optional(),
};
/** Each replica is one DP rank (an engine core of tp GPUs): `key` (replicas / count) must be whole DP groups. */
const wholeDpGroups = <K extends 'replicas' | 'count'>(key: K) => (o: { readonly data_parallel?: number | undefined } & Readonly<Record<K, number>>, ctx: z.RefinementCtx) => {
  const dp = o.data_parallel ?? 1;
  if (o[key] % dp !== 0) {
    const lower = Math.max(dp, o[key] - (o[key] % dp));
    ctx.addIssue({ code: 'custom', path: [key], message: withFix(`${o[key]} replicas are not a multiple of data_parallel ${dp} (each replica is one DP rank)`, `write ${key}: ${lower} or ${lower + dp}, or a data_parallel dividing ${o[key]}`) });
  }
};

const FleetSchema = strict({
  replicas: bounded(R.replicas),
  gpu: catalogName('GPU', gpuNames),
  model: modelRef(),
  tp: z.literal(TP_VALUES).default(1),
  engine: EngineSchema.prefault({}),
  ...PARALLEL_KEYS,
}).superRefine(wholeDpGroups('replicas'));

/** Kubernetes label keys and values (simplified: printable, no spaces; ≤ 63 characters of value). */
const LabelsSchema = z
  .record(
    z.string().min(1).max(317).regex(/^[A-Za-z0-9._\/-]+$/, { error: withFix('a label key may hold only letters, digits, ".", "_", "-" and "/"', 'write it like llm-d.ai/role') }),
    z.string().max(63).regex(/^[A-Za-z0-9._-]*$/, { error: withFix('a label value may hold only letters, digits, ".", "_" and "-" (at most 63)', 'write it like prefill, decode or both') }),
  )
  .refine((m) => Object.keys(m).length <= 64, { error: withFix('more than 64 labels', 'keep the labels the picker reads (e.g. llm-d.ai/role)') });

/** One group of identical replicas of a pool. */
export const ReplicaGroupSchema = strict({
  gpu: catalogName('GPU', gpuNames),
  count: bounded(R.replicas),
  tp: z.literal(TP_VALUES).optional(),
  labels: LabelsSchema.default({}),
  ...PARALLEL_KEYS,
}).superRefine(wholeDpGroups('count'));

const KvTransferSchema = strict({
  transport: z.enum(['nvlink', 'rdma', 'tcp']).default('rdma'),
  bandwidth_gbps: bounded(R.bandwidth).optional(),
  latency_us: bounded(R.microseconds).optional(),
  shared_by: z.enum(['prefill', 'decode', 'cluster']).optional(),
});

const ModelRewritesSchema = z
  .array(strict({ model: z.string().min(1), targets: z.array(strict({ model: z.string().min(1), weight: bounded({ ...R.weight, int: true }) })).min(1) }))
  .default([]);

/** Pool names: DNS labels (they name Kubernetes objects and appear in replica names). */
const poolName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: withFix('a pool name must be a DNS label (lower-case letters, digits and -, at most 63)', 'write it like chat or batch-l40s') });

const LoraLoadSchema = strict({
  base_us: bounded(R.microseconds).default(DEFAULT_LORA_LOAD.base_us),
  host_gbps: bounded(R.bandwidth).default(DEFAULT_LORA_LOAD.host_gbps),
  disk_gbps: bounded(R.bandwidth).default(DEFAULT_LORA_LOAD.disk_gbps),
});

const GatewaySchema = strict({
  refresh_metrics_ms: bounded(R.periodMs).default(DEFAULT_GATEWAY.refresh_metrics_ms),
  chars_per_token: bounded(R.charsPerToken).default(DEFAULT_GATEWAY.chars_per_token),
  kv_events_delay_ms: bounded(R.periodMs).default(DEFAULT_GATEWAY.kv_events_delay_ms),
  model_rewrites: ModelRewritesSchema,
});

// Rate profiles, traces, sessions, tenants, ServeGen: README "Workloads and traces"; resolved in workload/resolve.ts.
const ArrivalSchema = strict({
  process: z.enum(['poisson', 'gamma', 'weibull', 'constant']).default(DEFAULT_ARRIVAL.process),
  rate: bounded(R.rate).optional(),
  cv: bounded(R.cv).default(DEFAULT_ARRIVAL.cv),
  stages: z.array(strict({ rate: bounded(R.stageRate), duration_s: bounded(R.duration) })).min(1).optional(),
  spikes: z.array(strict({ at_s: bounded(R.time), duration_s: bounded(R.duration), multiplier: bounded(R.multiplier) })).default([]),
  diurnal: strict({ amplitude: z.number().min(0).max(1), period_s: bounded(R.duration).default(86400), peak_s: bounded(R.time).default(0) }).optional(),
});

const TraceSchema = strict({
  path: z.string().min(1),
  format: z.enum(TRACE_FORMATS).optional(),
  rate_scale: bounded(R.rateScale).default(1),
  from_s: bounded(R.time).default(0),
  to_s: bounded({ ...R.time, minExclusive: true }).nullable().default(null),
  sample: bounded(R.sample).default(1),
  loop: bounded(R.loop).default(1),
  jitter_s: bounded(R.jitter).default(0),
  skip_bad_rows: z.boolean().default(false),
  /** inference-perf real-text datasets: recorded (input, output) lengths per conversation (README "inference-perf configs"). */
  dataset_lengths: z.string().min(1).optional(),
});

/** Seconds: a number (constant) or a `dist:` mapping. */
const DurationSchema = z.union([
  bounded(R.wait),
  z.discriminatedUnion('dist', [
    strict({ dist: z.literal('constant'), value: bounded(R.wait) }),
    strict({ dist: z.literal('exponential'), mean: bounded({ ...R.wait, minExclusive: true }) }),
    strict({ dist: z.literal('uniform'), min: bounded(R.wait), max: bounded(R.wait) }),
    strict({ dist: z.literal('lognormal'), mean: bounded({ ...R.wait, minExclusive: true }), std: bounded(R.wait) }),
  ]),
]);
export type DurationInput = z.output<typeof DurationSchema>;

// Request routing fields (workload level, per tenant, sessions): sim/workload/routing.ts; merged and
// lower-cased in workload/resolve.ts.
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** A string field whose wrong-type message says what the string is. */
const named = (what: string, example: string) =>
  z.string({
    error: (iss) => (iss.code === 'invalid_type' ? withFix(`expected ${what} (a string), got ${kindOf(iss.input)}`, `write it as a string, e.g. ${example}`) : undefined),
  });

const printableOr = (what: string, example: string) =>
  named(what, example).refine((s) => s.length > 0 && !CONTROL_RE.test(s), {
    error: (iss) => withFix(`${what} must be non-empty text without control characters, got ${show(iss.input)}`, `write e.g. ${example}`),
  });

const RequestPathSchema = named('a request path', 'path: /v1/chat/completions').refine((s) => s.startsWith('/') && !/[\s\u0000-\u001f\u007f]/.test(s), {
  error: (iss) => withFix(`a request path must start with "/" and contain no spaces or control characters, got ${show(iss.input)}`, 'write e.g. path: /v1/chat/completions'),
});

const HeadersSchema = z
  .record(z.string(), printableOr('a header value', 'x-tenant: "gold"'), {
    error: (iss) => (iss.code === 'invalid_type' ? withFix(`expected a mapping of header names to values, got ${kindOf(iss.input)}`, 'write e.g. headers: {x-tenant: gold}') : undefined),
  })
  .superRefine((h, ctx) => {
    const seen = new Map<string, string>();
    for (const name of Object.keys(h)) {
      if (!HEADER_NAME_RE.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: withFix(`${JSON.stringify(name)} is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only)`, 'write e.g. x-tenant: gold') });
        return;
      }
      const lower = name.toLowerCase();
      const other = seen.get(lower);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: [name], message: withFix(`header ${JSON.stringify(name)} is the same as ${JSON.stringify(other)} (names are case-insensitive)`, 'give each header once') });
        return;
      }
      seen.set(lower, name);
    }
    if (seen.size > MAX_HEADERS) {
      ctx.addIssue({ code: 'custom', message: withFix(`${seen.size} headers; a request carries at most ${MAX_HEADERS} from the workload`, `keep ${MAX_HEADERS} or fewer`) });
    }
  });

/** `model`, `path`, `headers`, `objective`: what each request of this level carries (absent = not set). */
const ROUTING_FIELDS = {
  model: printableOr('a model name', 'model: llama-3.1-8b-instruct').optional(),
  path: RequestPathSchema.optional(),
  headers: HeadersSchema.optional(),
  objective: printableOr('an objective name', 'objective: premium').optional(),
};

const SessionsSchema = strict({
  mode: z.enum(['open', 'closed']).default('open'),
  users: count.optional(),
  turns: TurnsSchema,
  think_time_s: DurationSchema.default(0),
  system_prompt_len: tokensOrZero.default(0),
  num_system_prompts: count.default(1),
  ...ROUTING_FIELDS,
});

const TenantSchema = strict({
  name: z.string().min(1),
  arrival: ArrivalSchema,
  input: LengthSchema,
  output: LengthSchema,
  priority: bounded(R.priority).default(0),
  adapter: z.string().min(1).nullable().default(null),
  adapter_rank: bounded({ ...R.count, max: 1024 }).optional(),
  system_prompt_len: tokensOrZero.default(0),
  ...ROUTING_FIELDS,
});

const ServeGenSchema = strict({
  path: z.string().min(1),
  lengths_path: z.string().min(1).nullable().default(null),
  pool: z.enum(SERVEGEN_POOLS),
  from_s: bounded(R.time).default(0),
  to_s: bounded({ ...R.time, minExclusive: true }),
  clients: count.nullable().default(null),
  rate_scale: bounded(R.rateScale).default(1),
  adapters: z.boolean().default(false),
});

const SharedPrefixSchema = strict({
  num_groups: count,
  num_prompts_per_group: count,
  system_prompt_len: tokensOrZero,
  question_len: tokens,
  enable_multi_turn_chat: z.boolean().default(false),
  max_turns: bounded(R.countOrZero).default(0),
});

const WorkloadSchema = strict({
  arrival: ArrivalSchema.optional(),
  input: LengthSchema.optional(),
  output: LengthSchema.optional(),
  shared_prefix: SharedPrefixSchema.optional(),
  trace: TraceSchema.optional(),
  sessions: SessionsSchema.optional(),
  tenants: z.array(TenantSchema).min(1).optional(),
  servegen: ServeGenSchema.optional(),
  adapters: z.array(strict({ name: z.string().min(1), weight, rank: bounded({ ...R.count, max: 1024 }).optional() })).default([]),
  base_model_weight: weight.default(0),
  priorities: z.array(strict({ priority: bounded(R.priority), weight })).default([]),
  ...ROUTING_FIELDS,
});

/**
 * A policy entry: a bare router type name; `{name?, type, parameters?}` for a router; or
 * `{name?, epp: default | <config file> | {inline EndpointPickerConfig}}` for an EPP configuration.
 * Either may override the gateway's `refresh_metrics_ms`. Types and exclusivity are checked in load.ts.
 */
/** A policy's name: printable, as it heads table columns, Markdown rows and file names. */
const policyName = z
  .string()
  .min(1)
  .refine((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s), {
    error: withFix('a policy name must be printable (no newline, tab or other control character)', 'use letters, digits, - and _, e.g. name: least-loaded'),
  });

const PolicySchema = z.union(
  [
    z.string().min(1),
    strict({
      name: policyName.optional(),
      type: z.string().min(1).optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
      epp: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
      /** llm-d-router v0.10.0 `--allow-experimental-plugins` for an `llm-d.ai/v1alpha1` epp config (default false). Issue 13. */
      allow_experimental_plugins: z.boolean().optional(),
      refresh_metrics_ms: bounded(R.periodMs).optional(),
      pool: z.string().min(1).optional(),
      replicas: z.array(ReplicaGroupSchema).min(1).max(64).optional(),
      routes: RoutesSchema.optional(),
      events: EventsSchema.optional(),
      autoscaling: AutoscalingSchema.nullable().optional(),
    }),
  ],
  {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? withFix(`expected a policy, got ${kindOf(iss.input)}`, `write a policy type (${POLICY_TYPES.join(', ')}, …), {name, type, parameters} or {name, epp: default | <config.yaml> | {…}}`)
        : undefined,
  },
);

/** One InferencePool (README "Pools, routes and P/D"; resolved in sim/pools/load.ts). */
const PoolSchema = strict({
  name: poolName,
  model: modelRef(),
  /** With `replicas: <count>`: the GPU type of all of them. */
  gpu: catalogName('GPU', gpuNames).optional(),
  replicas: z.union([bounded(R.replicas), z.array(ReplicaGroupSchema).min(1).max(64)], {
    error: (iss) => (iss.code === 'invalid_union' ? withFix(`expected a count or a list of replica groups, got ${kindOf(iss.input)}`, 'write replicas: 4 (with gpu: H100) or replicas: [{gpu: H100, count: 4, labels: {llm-d.ai/role: decode}}]') : undefined),
  }),
  tp: z.literal(TP_VALUES).default(1),
  engine: EngineSchema.prefault({}),
  step_time: StepTimeSchema.optional(),
  picker: PolicySchema.optional(),
  failureMode: z.enum(['FailOpen', 'FailClose']).default('FailClose'),
  picker_outages: z.array(strict({ from_s: bounded(R.time), to_s: bounded(R.time) })).max(1000).default([]),
  objectives: z.array(strict({ name: z.string().min(1), priority: bounded(R.priority) })).max(1000).default([]),
  model_rewrites: ModelRewritesSchema,
  adapters: z.array(z.string().min(1)).max(4096).default([]),
  kv_transfer: KvTransferSchema.prefault({}),
  ...POOL_RESILIENCE_KEYS,
  autoscaling: AutoscalingSchema.optional(),
  startup: StartupSchema.optional(),
});
export type PoolInput = z.output<typeof PoolSchema>;
export type EngineInput = z.output<typeof EngineSchema>;

const SloSchema = strict({
  ttft_ms: bounded(R.sloMs).nullable().default(DEFAULT_SLO.ttft_ms),
  tpot_ms: bounded(R.sloMs).nullable().default(DEFAULT_SLO.tpot_ms),
});

/**
 * `sweep:` — `rates` (offered loads, req/s) and/or any other key: an override path (issue 14,
 * sim/scenario/overrides/) with the non-empty list of values it takes, one grid dimension each.
 */
const SweepSchema = z
  .object({ rates: z.array(bounded(R.rate)).min(1).optional() })
  .catchall(
    z.array(z.unknown(), { error: (iss) => (iss.code === 'invalid_type' ? withFix(`expected a list of values, got ${kindOf(iss.input)}`, 'write PATH: [v1, v2, …], e.g. fleet.replicas: [4, 6, 8]') : undefined) })
      .min(1, { error: withFix('the list of values is empty', 'give at least one value, e.g. fleet.replicas: [4, 6, 8]') }),
  )
  .superRefine((sweep, ctx) => {
    const keys = Object.keys(sweep);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: withFix('the sweep has no key', 'add rates: [20, 40] (offered loads) and/or PATH: [values], e.g. fleet.replicas: [4, 6, 8]'), input: sweep });
    for (const key of keys) {
      if (key === 'rates') continue;
      try {
        parsePath(key);
        if (/^sweep(?:$|[.[])/.test(key)) {
          ctx.addIssue({ code: 'custom', path: [key], message: withFix('a sweep cannot change the sweep section', 'sweep a field of the scenario, e.g. fleet.replicas: [4, 6, 8]'), input: key });
        }
      } catch (err) {
        if (!(err instanceof PathProblem)) throw err;
        ctx.addIssue({ code: 'custom', path: [key], message: withFix(err.problem, err.fix), input: key });
      }
    }
  });

const ReportSchema = strict({
  sample_ms: bounded(R.reportMs).default(DEFAULT_REPORT.sample_ms),
  window_ms: bounded(R.reportMs).default(DEFAULT_REPORT.window_ms),
  // Measurement window (sim/metrics/summary.ts): warm-up null = automatic (10 % of the arrival span, ≤ 60 s).
  warmup_s: bounded(R.time).nullable().default(null),
  cooldown_s: bounded(R.time).default(0),
});

/** The whole scenario file, shape-checked and defaulted (cross-field checks happen in load.ts). */
export const ScenarioSchema = strict({
  name: z.string().min(1).optional(),
  description: z.string().default(''),
  seed: bounded(R.seed).default(DEFAULT_SEED),
  requests: bounded(R.requests).nullable().optional(),
  duration_s: bounded(R.duration).nullable().optional(),
  fleet: FleetSchema.optional(),
  pools: z.array(PoolSchema).min(1).max(64).optional(),
  routes: RoutesSchema.optional(),
  events: EventsSchema.optional(),
  gpu_prices: GpuPricesSchema.optional(),
  step_time: StepTimeSchema.optional(),
  lora_load: LoraLoadSchema.prefault({}),
  gateway: GatewaySchema.prefault({}),
  workload: WorkloadSchema,
  policies: z.array(PolicySchema).min(1).optional(),
  slo: SloSchema.prefault({}),
  seeds: bounded(R.seeds).default(1),
  sweep: SweepSchema.nullable().default(null),
  report: ReportSchema.prefault({}),
  // User plugin modules (.js/.mjs, relative to this file) the CLI loads before resolving the scenario (cli/pluginModules.ts).
  plugin_modules: z.array(z.string().min(1)).max(64).optional(),
});

export type ScenarioInput = z.output<typeof ScenarioSchema>;
export type StepTimeInput = z.output<typeof StepTimeSchema>;
