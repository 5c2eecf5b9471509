/**
 * The scenario's `workload:` section (validated by scenario/schema.ts) → the resolved WorkloadSpec:
 * the generator's arrival/lengths/shared prefix, or one source (trace, sessions, tenants,
 * ServeGen), plus the adapter and priority mixes. Cross-field checks live here; every failure is
 * the one-line `file: path: problem (fix: …)` error.
 *
 * A trace is read once here (a streaming pass) so that a malformed row fails before anything runs
 * and its mean rate is known (`nominal_rate`, also the resolved `arrival.rate`).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { inputError, type UserError } from '../core/errors.js';
import type { EngineConfig, ScenarioConfig } from '../scenario/types.js';
import type { DurationInput, LengthInput, ScenarioInput } from '../scenario/schema.js';
import { meanOfDuration } from './distributions.js';
import { checkRunSize } from '../scenario/feasibility.js';
import { fmtNum, MAX_DURATION_S } from '../scenario/bounds.js';
import { readServeGenClients } from './servegen.js';
import { scaleArrival } from './tenants.js';
import { MAX_HEADERS, mergeRouting, OBJECTIVE_HEADER, type RequestRouting } from './routing.js';
import type {
  AdapterSpec,
  ArrivalSpec,
  DurationDist,
  LengthDist,
  RateProfile,
  ReplayControls,
  SessionsSpec,
  SharedPrefixSpec,
  TenantSpec,
  WorkloadSource,
  WorkloadSpec,
} from './spec.js';
import { checkReplayControls, checkReplayNotEmpty, DEFAULT_REPLAY, traceSource, workloadStats } from './traces/source.js';
import type { TraceStats } from './traces/stats.js';
import { checkEndlessLoop } from './traces/endlessLoop.js';
import { checkInferencePerfSource, nominalRate, rememberConfig } from './inferencePerf/index.js';

type WorkloadInput = ScenarioInput['workload'];
type ArrivalInput = NonNullable<WorkloadInput['arrival']>;
type RoutingInput = Pick<WorkloadInput, 'model' | 'path' | 'headers' | 'objective'>;
type Fail = (path: string, problem: string, fix: string) => UserError;

export interface ResolveContext {
  readonly file: string;
  readonly engine: EngineConfig;
  readonly seed: number;
  readonly requests: number | null;
  readonly duration_s: number | null;
  /** `<length>` input → LengthDist (scenario/load.ts owns the length rules). */
  readonly resolveLength: (l: LengthInput, path: string, fail: Fail) => LengthDist;
}

const SOURCE_KEYS = ['trace', 'sessions', 'tenants', 'servegen'] as const;

/** Whether the workload stops by itself (then neither requests nor duration_s is needed). */
export function workloadEnds(w: WorkloadInput): boolean {
  if (w.trace) return w.trace.loop !== 0;
  if (w.servegen) return true;
  if (w.tenants) return w.tenants.every((t) => t.arrival.stages !== undefined);
  if (w.sessions?.mode === 'closed') return false;
  return w.arrival?.stages !== undefined;
}

/** A path in a scenario, relative to the scenario file's directory. */
export function scenarioPath(file: string, p: string): string {
  return isAbsolute(p) ? p : join(dirname(file), p);
}

function resolveDuration(d: DurationInput): DurationDist {
  if (typeof d === 'number') return { kind: 'constant', value: d };
  switch (d.dist) {
    case 'constant':
      return { kind: 'constant', value: d.value };
    case 'exponential':
      return { kind: 'exponential', mean: d.mean };
    case 'uniform':
      return { kind: 'uniform', min: d.min, max: d.max };
    case 'lognormal':
      return { kind: 'lognormal', mean: d.mean, std: d.std };
  }
}

/** An `arrival:` mapping → ArrivalSpec (rate from the stages' time-weighted mean when omitted). */
export function resolveArrival(a: ArrivalInput, path: string, fail: Fail): ArrivalSpec {
  if (a.cv !== 1 && a.process !== 'gamma' && a.process !== 'weibull') {
    throw fail(`${path}.cv`, `cv ${a.cv} has no effect with process ${a.process}`, 'set process: gamma or weibull, or remove cv');
  }
  const hasProfile = a.stages !== undefined || a.spikes.length > 0 || a.diurnal !== undefined;
  let rate = a.rate;
  if (a.stages !== undefined) {
    if (a.rate !== undefined) throw fail(`${path}.rate`, 'rate is not used with stages (each stage has its rate)', 'remove rate, or remove stages');
    const dur = a.stages.reduce((s, x) => s + x.duration_s, 0);
    rate = a.stages.reduce((s, x) => s + x.rate * x.duration_s, 0) / dur;
    if (!(rate > 0)) throw fail(`${path}.stages`, 'every stage has rate 0', 'give at least one stage a positive rate');
  }
  if (rate === undefined) throw fail(`${path}.rate`, 'missing required key "rate"', 'add rate: <requests per second>, or stages: [{rate, duration_s}]');
  const profile: RateProfile | undefined = hasProfile ? { stages: a.stages ?? [], spikes: a.spikes, diurnal: a.diurnal ?? null } : undefined;
  return { process: a.process, rate, cv: a.cv, ...(profile ? { profile } : {}) };
}

/**
 * One level's `model`, `path`, `headers` and `objective` (at YAML path `at`) → RequestRouting:
 * header names lower-cased, `objective` turned into its header, one frozen headers object.
 */
export function resolveRouting(r: RoutingInput, at: string, fail: Fail): RequestRouting {
  let headers: Record<string, string> | undefined;
  if (r.headers !== undefined) {
    headers = {};
    for (const [name, value] of Object.entries(r.headers)) headers[name.toLowerCase()] = value;
  }
  if (r.objective !== undefined) {
    if (headers?.[OBJECTIVE_HEADER] !== undefined) {
      throw fail(`${at}.objective`, `objective and headers.${OBJECTIVE_HEADER} both set the objective header`, `remove one of them; objective: ${r.objective} is short for headers: {${OBJECTIVE_HEADER}: ${r.objective}}`);
    }
    headers = { ...headers, [OBJECTIVE_HEADER]: r.objective };
  }
  if (headers !== undefined && Object.keys(headers).length > MAX_HEADERS) {
    throw fail(`${at}.headers`, `with objective, ${Object.keys(headers).length} headers; a request carries at most ${MAX_HEADERS} from the workload`, `keep ${MAX_HEADERS} or fewer`);
  }
  return { ...(r.model !== undefined ? { model: r.model } : {}), ...(r.path !== undefined ? { path: r.path } : {}), ...(headers !== undefined ? { headers: Object.freeze(headers) } : {}) };
}

/** `own` (a tenant's or the sessions' routing, at YAML path `at`) merged over the workload's, with the header limit checked. */
function effectiveRouting(top: RequestRouting, own: RequestRouting, at: string, who: string, fail: Fail): RequestRouting {
  const r = mergeRouting(top, own);
  const n = r.headers ? Object.keys(r.headers).length : 0;
  if (n > MAX_HEADERS) throw fail(`${at}.headers`, `with the workload's headers, ${who} carry ${n} headers; at most ${MAX_HEADERS}`, `drop headers here or in workload.headers (keep ${MAX_HEADERS} or fewer together)`);
  return r;
}

/** Resolve the whole workload section. */
export function resolveWorkload(w: WorkloadInput, ctx: ResolveContext): WorkloadSpec {
  const { file, engine: e } = ctx;
  const fail: Fail = (path, problem, fix) => inputError(file, path, problem, fix);
  const given = SOURCE_KEYS.filter((k) => w[k] !== undefined);
  if (given.length > 1) throw fail(`workload.${given[1]}`, `give one of ${SOURCE_KEYS.join(', ')}, not both ${given[0]} and ${given[1]}`, `remove workload.${given[1]} (or workload.${given[0]})`);
  const kind = given[0];
  const unused = (keys: readonly (keyof WorkloadInput)[], why: string): void => {
    for (const k of keys) if (w[k] !== undefined) throw fail(`workload.${k}`, `${k} is not used with ${why}`, `remove workload.${k}`);
  };

  // Adapters and priorities (any workload) --------------------------------------------------
  const names = new Set<string>();
  w.adapters.forEach((a, i) => {
    if (names.has(a.name)) throw fail(`workload.adapters[${i}].name`, `adapter name ${JSON.stringify(a.name)} appears twice`, 'give each adapter a unique name');
    names.add(a.name);
    if (a.rank !== undefined && a.rank > e.max_lora_rank) {
      throw fail(`workload.adapters[${i}].rank`, `rank ${a.rank} exceeds fleet.engine.max_lora_rank ${e.max_lora_rank}`, `lower the rank or raise fleet.engine.max_lora_rank to ≥ ${a.rank}`);
    }
  });
  if (w.adapters.length > 0) {
    if (kind === 'sessions' || kind === 'tenants' || kind === 'servegen') unused(['adapters'], kind === 'tenants' ? 'tenants (give each tenant its adapter)' : kind);
    if (e.max_loras === 0) {
      throw fail('fleet.engine.max_loras', `workload.adapters lists ${w.adapters.length} adapter(s) but LoRA is disabled (max_loras is 0)`, 'set max_loras ≥ 1');
    }
    const total = w.adapters.reduce((s, a) => s + a.weight, 0) + w.base_model_weight;
    if (!(total > 0)) throw fail('workload.adapters', 'adapter weights (plus base_model_weight) sum to 0', 'give at least one adapter a positive weight');
  }
  const adapters: AdapterSpec[] = w.adapters.map((a) => ({ name: a.name, weight: a.weight, rank: a.rank ?? e.max_lora_rank }));
  const prios = new Set<number>();
  w.priorities.forEach((p, i) => {
    if (prios.has(p.priority)) throw fail(`workload.priorities[${i}].priority`, `priority ${p.priority} appears twice`, 'merge the two entries into one');
    prios.add(p.priority);
  });
  if (w.priorities.length > 0 && !(w.priorities.reduce((s, p) => s + p.weight, 0) > 0)) {
    throw fail('workload.priorities', 'priority weights sum to 0', 'give at least one priority class a positive weight');
  }
  if (w.priorities.length > 0 && (kind === 'sessions' || kind === 'tenants' || kind === 'servegen')) unused(['priorities'], kind === 'tenants' ? 'tenants (give each tenant its priority)' : kind);
  // Routing fields at workload level apply to every source's requests (tenants and sessions merge theirs over them).
  const routing = resolveRouting(w, 'workload', fail);
  const mixes = { adapters, base_model_weight: w.base_model_weight, priorities: w.priorities.map((p) => ({ ...p })), ...routing };

  /** The required `input` and `output` lengths (sessions and ServeGen fall back on them). */
  const lengths = (): { input: LengthDist; output: LengthDist } => {
    if (w.input === undefined) throw fail('workload.input', 'missing required key "input" (prompt length)', 'add input: <tokens> or a {dist: …} mapping');
    const input = ctx.resolveLength(w.input, 'workload.input', fail);
    if (w.output === undefined) throw fail('workload.output', 'missing required key "output"', 'add output: <tokens> or a {dist: …} mapping');
    return { input, output: ctx.resolveLength(w.output, 'workload.output', fail) };
  };

  switch (kind) {
    case 'trace': {
      unused(['arrival', 'input', 'output', 'shared_prefix'], 'a trace (the trace gives arrivals and lengths)');
      const t = w.trace!;
      const controls: ReplayControls = { rate_scale: t.rate_scale, from_s: t.from_s, to_s: t.to_s, sample: t.sample, loop: t.loop, jitter_s: t.jitter_s, skip_bad_rows: t.skip_bad_rows };
      const path = scenarioPath(file, t.path);
      if (!existsSync(path)) throw fail('workload.trace.path', `trace file ${JSON.stringify(t.path)} not found (looked at ${path})`, 'give the path relative to the scenario file');
      let src = traceSource(path, t.format, controls);
      if (t.dataset_lengths !== undefined) {
        if (src.format !== 'inference-perf') throw fail('workload.trace.dataset_lengths', `applies to inference-perf configs; ${t.path} is a ${src.format} trace`, 'remove dataset_lengths');
        const lengths = scenarioPath(file, t.dataset_lengths);
        if (!existsSync(lengths)) throw fail('workload.trace.dataset_lengths', `file ${JSON.stringify(t.dataset_lengths)} not found (looked at ${lengths})`, 'give the path relative to the scenario file');
        src = { ...src, dataset_lengths: lengths };
      }
      return withTraceMeasured({ arrival: { process: 'source', rate: 0, cv: 1 }, ...mixes, source: src }, ctx, (f) => `workload.trace.${f}`);
    }
    case 'sessions': {
      const s = w.sessions!;
      unused(['shared_prefix'], 'sessions (give sessions.system_prompt_len)');
      const closed = s.mode === 'closed';
      if (closed) {
        unused(['arrival'], 'closed-loop sessions (the users send the next turn after each answer)');
        if (s.users === undefined) throw fail('workload.sessions.users', 'missing required key "users" (closed-loop concurrency)', 'add users: <clients>');
        if (ctx.requests === null && ctx.duration_s === null) throw fail('requests', 'closed-loop sessions never stop by themselves', 'add requests: <count> and/or duration_s: <seconds>');
      } else if (s.users !== undefined) throw fail('workload.sessions.users', 'users is only used with mode: closed', 'remove users, or set mode: closed');
      if (!closed && w.arrival === undefined) throw fail('workload.arrival', 'missing required key "arrival" (how sessions start)', 'add arrival: {process: poisson, rate: <sessions per second>}');
      const think = resolveDuration(s.think_time_s);
      if (think.kind === 'uniform' && think.min > think.max) throw fail('workload.sessions.think_time_s.max', `max ${think.max} is below min ${think.min}`, 'make max ≥ min');
      const source: SessionsSpec = {
        kind: 'sessions',
        mode: s.mode,
        users: s.users ?? 0,
        turns: ctx.resolveLength(s.turns, 'workload.sessions.turns', fail),
        think_time_s: think,
        system_prompt_len: s.system_prompt_len,
        num_system_prompts: s.num_system_prompts,
        ...effectiveRouting(routing, resolveRouting(s, 'workload.sessions', fail), 'workload.sessions', 'session turns', fail),
      };
      const arrival: ArrivalSpec = closed
        ? { process: 'source', rate: meanOfDuration(think) > 0 ? source.users / meanOfDuration(think) : 0, cv: 1 }
        : resolveArrival(w.arrival!, 'workload.arrival', fail);
      return { arrival, ...lengths(), ...mixes, source };
    }
    case 'tenants': {
      unused(['arrival', 'input', 'output', 'shared_prefix'], 'tenants (each tenant has its own)');
      const seen = new Set<string>();
      const tenants: TenantSpec[] = w.tenants!.map((t, i) => {
        const p = `workload.tenants[${i}]`;
        if (seen.has(t.name)) throw fail(`${p}.name`, `tenant name ${JSON.stringify(t.name)} appears twice`, 'give each tenant a unique name');
        seen.add(t.name);
        if (t.adapter !== null && e.max_loras === 0) throw fail(`${p}.adapter`, `tenant ${t.name} uses adapter ${t.adapter} but LoRA is disabled (max_loras is 0)`, 'set fleet.engine.max_loras ≥ 1, or remove the adapter');
        if (t.adapter_rank !== undefined && t.adapter_rank > e.max_lora_rank) throw fail(`${p}.adapter_rank`, `rank ${t.adapter_rank} exceeds fleet.engine.max_lora_rank ${e.max_lora_rank}`, `lower it or raise max_lora_rank`);
        return {
          name: t.name,
          arrival: resolveArrival(t.arrival, `${p}.arrival`, fail),
          input: ctx.resolveLength(t.input, `${p}.input`, fail),
          output: ctx.resolveLength(t.output, `${p}.output`, fail),
          priority: t.priority,
          adapter: t.adapter,
          adapter_rank: t.adapter_rank ?? e.max_lora_rank,
          system_prompt_len: t.system_prompt_len,
          ...effectiveRouting(routing, resolveRouting(t, p, fail), p, `tenant ${t.name}'s requests`, fail),
        };
      });
      const nominal = tenants.reduce((s, t) => s + t.arrival.rate, 0);
      return { arrival: { process: 'source', rate: nominal, cv: 1 }, ...mixes, source: { kind: 'tenants', tenants, nominal_rate: nominal } };
    }
    case 'servegen': {
      unused(['arrival', 'shared_prefix'], 'servegen (the client windows give the arrivals)');
      const g = w.servegen!;
      if (!(g.to_s > g.from_s)) throw fail('workload.servegen.to_s', `must be after from_s (${g.from_s}), got ${g.to_s}`, 'give the end of the ServeGen time range in seconds');
      const path = scenarioPath(file, g.path);
      if (!existsSync(path)) throw fail('workload.servegen.path', `file ${JSON.stringify(g.path)} not found (looked at ${path})`, 'give the path of servegen_client_windows.csv.gz relative to the scenario file');
      const lengthsPath = g.lengths_path === null ? null : scenarioPath(file, g.lengths_path);
      if (lengthsPath !== null && !existsSync(lengthsPath)) throw fail('workload.servegen.lengths_path', `file ${JSON.stringify(g.lengths_path)} not found (looked at ${lengthsPath})`, 'give the path of servegen_client_lengths.csv.gz relative to the scenario file, or remove it');
      let clients = readServeGenClients({ path, pool: g.pool, from_s: g.from_s, to_s: g.to_s });
      if (clients.length === 0) throw fail('workload.servegen.pool', `no client of pool ${g.pool} has traffic between ${g.from_s} s and ${g.to_s} s`, 'choose another range or pool');
      if (g.clients !== null) clients = clients.slice(0, g.clients);
      const nominal = (g.rate_scale * clients.reduce((s, c) => s + c.expected, 0)) / (g.to_s - g.from_s);
      const source: WorkloadSource = { kind: 'servegen', path, lengths_path: lengthsPath, pool: g.pool, from_s: g.from_s, to_s: g.to_s, clients: g.clients, rate_scale: g.rate_scale, adapters: g.adapters, nominal_rate: nominal };
      if (g.adapters && e.max_loras === 0) throw fail('workload.servegen.adapters', 'adapters: true gives each client an adapter but LoRA is disabled (max_loras is 0)', 'set fleet.engine.max_loras ≥ 1, or adapters: false');
      return { arrival: { process: 'source', rate: nominal, cv: 1 }, ...lengths(), ...mixes, source };
    }
    default:
      break;
  }

  // The generator ------------------------------------------------------------------------------
  if (w.arrival === undefined) throw fail('workload.arrival', 'missing required key "arrival"', 'add arrival: {process: poisson, rate: <requests per second>}, or give a trace, sessions, tenants or servegen source');
  const arrival = resolveArrival(w.arrival, 'workload.arrival', fail);
  let sharedPrefix: SharedPrefixSpec | undefined;
  let inputDist: LengthDist;
  if (w.shared_prefix) {
    if (w.input !== undefined) {
      throw fail('workload.input', 'input is not used when shared_prefix is given (prompts are system_prompt_len + question_len tokens)', 'remove workload.input or workload.shared_prefix');
    }
    const sp = w.shared_prefix;
    if (sp.max_turns > 0 && !sp.enable_multi_turn_chat) {
      throw fail('workload.shared_prefix.max_turns', 'max_turns only applies to multi-turn chat', 'set enable_multi_turn_chat: true, or remove max_turns');
    }
    sharedPrefix = { ...sp };
    inputDist = { kind: 'constant', value: sp.system_prompt_len + sp.question_len };
  } else {
    if (w.input === undefined) {
      throw fail('workload.input', 'missing required key "input" (prompt length)', 'add input: <tokens> or a {dist: …} mapping, or give shared_prefix');
    }
    inputDist = ctx.resolveLength(w.input, 'workload.input', fail);
  }
  if (w.output === undefined) throw fail('workload.output', 'missing required key "output"', 'add output: <tokens> or a {dist: …} mapping');
  const output = ctx.resolveLength(w.output, 'workload.output', fail);
  return { arrival, input: inputDist, output, ...(sharedPrefix ? { shared_prefix: sharedPrefix } : {}), ...mixes };
}

/** Process-wide cache of replay statistics (a trace is read once per distinct replay). */
const statsCache = new Map<string, TraceStats | null>();

/** Statistics of a workload's request stream under the scenario's seed and limits (cached); null for closed-loop sessions. */
export function measuredStats(workload: WorkloadSpec, ctx: Pick<ResolveContext, 'seed' | 'requests' | 'duration_s' | 'engine'>, onSkip?: (m: string) => void): TraceStats | null {
  const limits = { ...(ctx.requests !== null ? { requests: ctx.requests } : {}), ...(ctx.duration_s !== null ? { durationUs: Math.round(ctx.duration_s * 1e6) } : {}) };
  // A replay at its own nominal rate reads the same rows as the one measured to find that rate.
  const src = workload.source;
  const keyed = src?.kind === 'trace' && workload.arrival.rate === src.nominal_rate ? { ...workload, arrival: { ...workload.arrival, rate: 0 }, source: { ...src, nominal_rate: 0 } } : workload;
  const key = JSON.stringify([keyed, ctx.seed, limits, ctx.engine.max_lora_rank]);
  if (statsCache.has(key) && onSkip === undefined) return statsCache.get(key)!;
  const s = workloadStats(workload, { seed: ctx.seed, limits, defaultAdapterRank: ctx.engine.max_lora_rank }, {}, onSkip);
  statsCache.set(key, s);
  return s;
}

/**
 * `workload` (a trace source) with `nominal_rate` and `arrival.rate` set to the measured mean rate
 * of its replay; reading the trace also validates every row. `where(field)` names a replay control
 * in messages.
 */
export function withTraceMeasured(workload: WorkloadSpec, ctx: Pick<ResolveContext, 'file' | 'seed' | 'requests' | 'duration_s' | 'engine'>, where: (f: keyof ReplayControls) => string): WorkloadSpec {
  const src = workload.source;
  if (src?.kind !== 'trace') return workload;
  if (src.format === 'inference-perf') {
    const cfg = checkInferencePerfSource(src, ctx.file, where);
    const rate = nominalRate(cfg);
    return { ...workload, arrival: { process: 'source', rate, cv: 1 }, source: rememberConfig({ ...src, nominal_rate: rate }, cfg) };
  }
  checkReplayControls(src, ctx.file, where);
  checkReplayNotEmpty(src, ctx.seed, ctx.file, where);
  if (src.loop === 0 && ctx.requests === null && ctx.duration_s === null) {
    throw inputError(ctx.file, where('loop'), 'an endless loop (loop: 0) never stops by itself', 'add requests: <count> and/or duration_s: <seconds>, or give a number of passes');
  }
  checkEndlessLoop(src, ctx, where);
  const base: WorkloadSpec = { ...workload, source: { ...src, nominal_rate: 0 } };
  const stats = measuredStats(base, ctx);
  if (stats && ctx.duration_s === null && stats.span_s > MAX_DURATION_S) {
    throw inputError(ctx.file, where('rate_scale'), `the replay of ${src.path} at rate scale ${src.rate_scale} spans ${fmtNum(stats.span_s)} s; a run is limited to ${fmtNum(MAX_DURATION_S)} s of simulated time`, 'raise the rate scale, replay a window (from/to), or set duration_s');
  }
  const rate = stats?.mean_rate_rps ?? 0;
  return { ...workload, arrival: { process: 'source', rate, cv: 1 }, source: { ...src, nominal_rate: rate } };
}

/** The command-line name of each replay control. */
export const REPLAY_FLAGS: Readonly<Record<keyof ReplayControls, string>> = {
  rate_scale: '--rate-scale',
  from_s: '--from',
  to_s: '--to',
  sample: '--sample',
  loop: '--loop',
  jitter_s: '--jitter',
  skip_bad_rows: '--skip-bad-rows',
};

/**
 * `scenario` with replay controls from the command line applied over its trace's. With a
 * non-trace workload only `rate_scale` applies: it multiplies the offered rate (the generator's or
 * a stage ladder's rates, the session start rate, or a tenants/ServeGen source's); closed-loop
 * sessions have no offered rate to scale.
 */
export function withReplayOverrides(scenario: ScenarioConfig, o: Partial<ReplayControls>, file: string): ScenarioConfig {
  const keys = (Object.keys(o) as (keyof ReplayControls)[]).filter((k) => o[k] !== undefined);
  if (keys.length === 0) return scenario;
  const w = scenario.workload;
  const src = w.source;
  const flag = (k: keyof ReplayControls): string => REPLAY_FLAGS[k];
  if (src?.kind === 'trace') {
    const merged: WorkloadSpec = { ...w, source: { ...src, ...o } };
    const ctx = { file: 'command line', seed: scenario.seed, requests: scenario.requests, duration_s: scenario.duration_s, engine: scenario.fleet.engine };
    return { ...scenario, workload: withTraceMeasured(merged, ctx, flag) };
  }
  const other = keys.find((k) => k !== 'rate_scale');
  if (other !== undefined) throw inputError(flag(other), '', `applies to trace workloads; ${file} has none`, `remove ${flag(other)}, or give the scenario a workload.trace`);
  const k = o.rate_scale!;
  checkReplayControls({ ...DEFAULT_REPLAY, rate_scale: k }, 'command line', flag);
  if (src?.kind === 'sessions' && src.mode === 'closed') throw inputError(flag('rate_scale'), '', 'closed-loop sessions have no offered rate to scale (their load is set by users)', 'change workload.sessions.users instead');
  const arrival = w.arrival.process === 'source' ? { ...w.arrival, rate: w.arrival.rate * k } : scaleArrival(w.arrival, k);
  const scaled = { ...scenario, workload: { ...w, arrival } };
  checkRunSize(scaled, `${file} with ${flag('rate_scale')} ${k}`);
  return scaled;
}

/** The statistics of a trace replay as the scenario runs it (null for other workloads); cached. */
export function replayStats(scenario: ScenarioConfig): TraceStats | null {
  if (scenario.workload.source?.kind !== 'trace') return null;
  return measuredStats(scenario.workload, { seed: scenario.seed, requests: scenario.requests, duration_s: scenario.duration_s, engine: scenario.fleet.engine });
}
