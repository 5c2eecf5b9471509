/**
 * Scenario loading: YAML text → strict schema check (schema.ts) → cross-field checks → the
 * resolved `ScenarioConfig`. Every failure is a `UserError` with one line
 * `<file>: <path>: <problem> (fix: <how>)`; no yaml or zod error escapes.
 */
import { statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { findEppConfigFile } from './overrides/eppFile.js';
import { createRouter, ROUTER_TYPES, validateEppSource } from '../gateway/backend.js';
import { inputError, readUserFile, UserError } from '../core/errors.js';
import { parseUserYaml } from '../core/userFiles.js';
import type { LengthDist } from '../workload/spec.js';
import { resolveWorkload, workloadEnds } from '../workload/resolve.js';
import { warnInput } from './warnings.js';
import { checkFleetFits, checkLengthsFit, checkRunSize } from './feasibility.js';
import { checkPolicyPools, checkPoolFits, resolveEngine, resolvePools, resolveRouteRules } from '../pools/load.js';
import { poolReplicaCount, poolsOf, SUGAR_POOL } from '../pools/resolve.js';
import { EventProblem, resolveEvents, type ChurnEvent } from '../churn/events.js';
import { AutoscaleProblem, resolveAutoscaling, resolveGpuPrices } from './autoscaleSchema.js';
import { getModel } from '../hardware/catalog.js';
import { parallelKeys } from '../engine/modelMath.js';
import { loadAllReduceTable } from '../engine/stepTime/profile/networkTable.js';
import { resolveProfileSource } from '../engine/stepTime/profile/source.js';
import { checkCalibratedFor, readCalibration } from '../calibration/calibrationFile.js';
import { isModelFile, registerModelFile } from '../hardware/modelFiles.js';
import {
  BLIS_OVERHEADS,
  closest,
  describeIssue,
  firstIssue,
  resolveLinearCoefficients,
  NO_OVERHEADS,
  PHYSICS_DEFAULTS,
  ScenarioSchema,
  type LengthInput,
  type ScenarioInput,
  type StepTimeInput,
} from './schema.js';
import { applyOverridesTraced, type AppliedOverride } from './overrides/apply.js';
import type { Override } from './overrides/types.js';
import { attributeError, checkSweepGrid, resolveSweep } from './overrides/sweepGrid.js';
import type { AllReduceCost, AutoscalingConfig, EngineConfig, EppConfigSource, Overheads, PolicySpec, RouteRule, ScenarioConfig, StepTimeConfig } from './types.js';

/** Read and resolve a scenario file, with `overrides` (issue 14) applied to it first. */
export function loadScenarioFile(path: string, overrides: readonly Override[] = []): ScenarioConfig {
  const text = readUserFile(path, 'pass the path of a scenario .yaml file, e.g. scenarios/quickstart.yaml');
  return parseScenario(text, path, overrides);
}

/**
 * Parse scenario YAML `text`; `file` names the source in messages and gives the default name.
 * `overrides` (issue 14, sim/scenario/overrides/) are applied to the parsed YAML before it is
 * checked; an error at or below an overridden path ends with ` (set by <source>)`. Every value of
 * every sweep grid dimension is then checked too (sweepGrid.ts), so a bad one fails now.
 */
export function parseScenario(text: string, file: string, overrides: readonly Override[] = []): ScenarioConfig {
  const raw = parseYaml(text, file);
  const { data, applied } = overrides.length > 0 ? applyOverridesTraced(raw, overrides, file) : { data: raw, applied: [] };
  const config = validateScenario(data, file, applied);
  checkSweepGrid(data, file, (point) => validateScenario(point, file, []));
  return config;
}

/** Schema check and resolution of parsed scenario `data`; errors on overridden paths name their source. */
function validateScenario(data: unknown, file: string, applied: readonly AppliedOverride[]): ScenarioConfig {
  try {
    const parsed = ScenarioSchema.safeParse(data, { reportInput: true });
    if (!parsed.success) {
      const issue = firstIssue(parsed.error.issues);
      if (!issue) throw inputError(file, '', 'invalid scenario', 'see scenarios/quickstart.yaml');
      const r = describeIssue(issue);
      throw inputError(file, r.path, r.problem, r.fix);
    }
    return resolve(parsed.data, file);
  } catch (err) {
    if (err instanceof UserError && applied.length > 0) throw attributeError(err, file, applied);
    throw err;
  }
}

/** YAML text → plain JS value (sim/core/userFiles.ts: syntax, duplicate keys, aliases, depth). */
function parseYaml(text: string, file: string): unknown {
  return parseUserYaml(text, file);
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? '').trim();
}

/** Cross-field checks and the mapping from the validated input to `ScenarioConfig`. */
function resolve(input: ScenarioInput, file: string): ScenarioConfig {
  const fail = (path: string, problem: string, fix: string): UserError => inputError(file, path, problem, fix);
  // `model: <config>.json` (fleet or pool): read it now, next to the scenario (sim/hardware/modelFiles.ts).
  const modelFields: [string | undefined, string][] = [[input.fleet?.model, 'fleet.model'], ...(input.pools ?? []).map((p, i): [string, string] => [p.model, `pools[${i}].model`])];
  for (const [value, field] of modelFields) if (value !== undefined && isModelFile(value)) registerModelFile(value, file, field);

  if (input.requests == null && input.duration_s == null && !workloadEnds(input.workload)) {
    throw fail('requests', 'neither requests nor duration_s is set, so the run would never stop', 'add requests: <count> and/or duration_s: <seconds>');
  }

  // Fleet, or pools and routes (sim/pools/load.ts) -------------------------------------------
  if (input.fleet !== undefined && input.pools !== undefined) throw fail('pools', 'a scenario has either fleet or pools, not both', 'keep pools (a fleet is one pool), or remove it and keep fleet');
  if (input.fleet === undefined && input.pools === undefined) throw fail('fleet', 'missing required key "fleet" (or "pools")', 'add fleet: {replicas: 4, gpu: H100, model: Llama-3.1-8B}, or pools: [...] for several pools');
  if (input.pools === undefined && input.routes !== undefined) throw fail('routes', 'routes need pools: a single fleet takes every request', 'remove routes, or describe the fleet as pools: [...]');
  if (input.pools === undefined && input.policies === undefined) throw fail('policies', 'missing required key "policies"', 'add policies: [<policy>, …], e.g. policies: [round-robin, epp]');
  if (input.pools !== undefined && input.gateway.model_rewrites.length > 0) throw fail('gateway.model_rewrites', 'with pools, InferenceModelRewrites belong to a pool', 'move them to pools[<i>].model_rewrites');
  const stepTime = resolveStepTime(input.step_time, file);
  const pools = input.pools === undefined ? null : resolvePools(input.pools, {
    file,
    fail,
    resolvePolicy: (p, path) => resolvePolicy(p, path, file, fail),
    resolveStepTime: (st) => resolveStepTime(st, file),
    topStepTime: input.step_time,
  });
  const fleet = input.fleet ?? null;
  const engine: EngineConfig = fleet !== null
    ? resolveEngine(fleet.model, [{ tp: fleet.tp, path: 'fleet.tp' }], fleet.engine, 'fleet.engine', fail)
    : pools![0]!.engine;
  const routes = pools === null ? null : resolveRouteRules(input.routes, pools, file);

  // Workload (sim/workload/resolve.ts: the generator, or a trace / sessions / tenants / ServeGen source) --
  const workload = resolveWorkload(input.workload, {
    file,
    engine,
    seed: input.seed,
    requests: input.requests ?? null,
    duration_s: input.duration_s ?? null,
    resolveLength,
  });

  // Report window: warm-up + cool-down must leave part of a duration-bounded run to measure.
  const rep = input.report;
  if (input.duration_s != null && rep.warmup_s !== null && rep.warmup_s + rep.cooldown_s >= input.duration_s) {
    throw fail('report', `warmup_s (${rep.warmup_s}) + cooldown_s (${rep.cooldown_s}) leave nothing of duration_s ${input.duration_s} to measure`, `make warmup_s + cooldown_s smaller than ${input.duration_s} s (warmup_s: null = automatic)`);
  }

  // Policies ---------------------------------------------------------------------------------
  let policies: PolicySpec[] = (input.policies ?? []).map((p, i) => resolvePolicy(p, `policies[${i}]`, file, fail));
  if (pools !== null) {
    policies = checkPolicyPools(policies, pools, fail);
  } else {
    policies.forEach((p, i) => {
      if (p.pool !== undefined && p.pool !== SUGAR_POOL) throw fail(`policies[${i}].pool`, `unknown pool ${JSON.stringify(p.pool)}: a fleet is one pool named ${SUGAR_POOL}`, 'remove pool, or describe the cluster as pools: [...]');
    });
  }
  policies.forEach((p, i) => {
    if (p.replicas === undefined) return;
    const target = pools?.find((x) => x.name === p.pool) ?? null;
    const model = getModel(target?.model ?? fleet!.model);
    p.replicas.forEach((g, j) => {
      if (model.heads % g.tp !== 0) throw fail(`policies[${i}].replicas[${j}].tp`, `${model.name} has ${model.heads} attention heads, not divisible by tp ${g.tp}`, 'use a tp that divides it');
    });
    checkPoolFits({ model: model.name, engine: target?.engine ?? engine, replicas: p.replicas }, `policies[${i}]`, file);
  });
  const seen = new Map<string, number>();
  policies.forEach((p, i) => {
    const prev = seen.get(p.name);
    if (prev !== undefined) {
      throw fail(`policies[${i}]`, `policy name ${JSON.stringify(p.name)} is already used by policies[${prev}]`, `give one of them a distinct name, e.g. {name: ${p.name}-2, type: ${p.type}}`);
    }
    seen.set(p.name, i);
  });

  // The EPP accepts all-zero weights and splits uniformly (epp.md §1; policies/framework/director.ts): warn.
  input.gateway.model_rewrites.forEach((rw, i) => {
    if (rw.targets.length > 1 && rw.targets.every((t) => t.weight === 0)) {
      warnInput(`${file}: gateway.model_rewrites[${i}].targets: every target of the rewrite of ${JSON.stringify(rw.model)} has weight 0; the EPP then splits requests uniformly among them (fix: give the targets the weights you mean, e.g. 1 each)`);
    }
  });

  const config: ScenarioConfig = {
    name: input.name ?? basename(file, extname(file)),
    description: input.description,
    seed: input.seed,
    requests: input.requests ?? null,
    duration_s: input.duration_s ?? null,
    fleet: fleet !== null
      ? { replicas: fleet.replicas, gpu: fleet.gpu, model: fleet.model, tp: fleet.tp, engine, ...parallelKeys(fleet) }
      : { replicas: poolReplicaCount(pools![0]!), gpu: pools![0]!.replicas[0]!.gpu, model: pools![0]!.model, tp: pools![0]!.replicas[0]!.tp, engine, ...parallelKeys(pools![0]!.replicas[0]!) },
    step_time: stepTime,
    ...(pools !== null ? { pools, routes: routes! } : {}),
    ...(input.gpu_prices !== undefined ? { gpu_prices: resolveGpuPrices(input.gpu_prices) } : {}),
    lora_load: { ...input.lora_load },
    gateway: { ...input.gateway },
    workload,
    policies,
    slo: { ...input.slo },
    seeds: input.seeds,
    sweep: input.sweep ? resolveSweep(input.sweep) : null,
    report: { ...input.report },
  };
  if (pools === null) checkFleetFits(config, file);
  // Churn events, and the routes / events a policy brings for its own run (issue 11).
  const poolList = poolsOf(config);
  // Issue 12: a calibration file must have been fitted for the pool's model, TP (and GPU: calibrationFile.ts).
  for (const p of poolList) {
    const ref = p.step_time.model === 'profile' ? undefined : p.step_time.calibration;
    if (ref) for (const g of p.replicas) {
      const warning = checkCalibratedFor(ref, file, pools === null ? 'fleet' : `pools.${p.name}`, { gpu: g.gpu, model: p.model, tp: g.tp });
      if (warning) warnInput(warning);
    }
  }
  const events = (value: NonNullable<ScenarioInput['events']>, path: string): ChurnEvent[] => {
    try {
      return resolveEvents(value, poolList.map((p) => ({ name: p.name, replicas: poolReplicaCount(p) })));
    } catch (err) {
      if (err instanceof EventProblem) throw inputError(file, err.path.replace(/^events/, path), err.problem, err.fix);
      throw err;
    }
  };
  if (input.events !== undefined) {
    const ev = events(input.events, 'events');
    if (ev.length > 0) (config as { events?: readonly ChurnEvent[] }).events = ev;
  }
  (input.policies ?? []).forEach((p, i) => {
    if (typeof p !== 'object') return;
    const spec = policies[pools === null ? i : i]!;
    const extra: { routes?: RouteRule[]; events?: ChurnEvent[] } = {};
    if (p.routes !== undefined) {
      try {
        extra.routes = resolveRouteRules(p.routes, poolList, file);
      } catch (err) {
        if (err instanceof UserError) throw new UserError(err.message.replace(`${file}: routes`, `${file}: policies[${i}].routes`));
        throw err;
      }
    }
    if (p.events !== undefined) extra.events = events(p.events, `policies[${i}].events`);
    if (p.autoscaling !== undefined) {
      const target = poolList.find((x) => x.name === (spec.pool ?? poolList[0]!.name))!;
      const groups = spec.replicas ?? target.replicas;
      if (p.autoscaling === null) (extra as { autoscaling?: AutoscalingConfig | null }).autoscaling = null;
      else {
        try {
          const a = resolveAutoscaling(p.autoscaling, groups.length, ['policies', i, 'autoscaling']);
          const g = groups[a.group]!;
          if (g.count < a.min_replicas || g.count > a.max_replicas) throw fail(`policies[${i}].autoscaling`, `the autoscaled group starts with ${g.count} replicas, outside min_replicas ${a.min_replicas} … max_replicas ${a.max_replicas}`, `give min_replicas ≤ ${g.count} ≤ max_replicas`);
          (extra as { autoscaling?: AutoscalingConfig | null }).autoscaling = a;
        } catch (err) {
          if (err instanceof AutoscaleProblem) throw fail(err.path, err.problem, err.fix);
          throw err;
        }
      }
    }
    if (extra.routes !== undefined || extra.events !== undefined || 'autoscaling' in extra) policies[i] = { ...spec, ...extra };
  });
  checkRunSize(config, file);
  checkLengthsFit(config, file);
  return config;
}

type PolicyInput = NonNullable<ScenarioInput['policies']>[number];

/** A policy entry → PolicySpec: router types are checked, EPP configs read and validated now. */
function resolvePolicy(p: PolicyInput, path: string, file: string, fail: (path: string, problem: string, fix: string) => UserError): PolicySpec {
  const known = (t: string): string => {
    const guess = closest(t, [...ROUTER_TYPES, 'epp']);
    return `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}known router types: ${ROUTER_TYPES.join(', ')}; or {name, epp: default | <config.yaml> | {…}} for an EPP configuration`;
  };
  if (typeof p === 'string') {
    if (p === 'epp') return { name: 'epp', type: 'epp', epp: { kind: 'default' } };
    if (!ROUTER_TYPES.includes(p)) throw fail(path, `unknown policy type "${p}"`, known(p));
    validateRouter(p, {}, path, fail);
    return { name: p, type: p };
  }
  const override = {
    ...(p.refresh_metrics_ms !== undefined ? { refresh_metrics_ms: p.refresh_metrics_ms } : {}),
    ...(p.pool !== undefined ? { pool: p.pool } : {}),
    ...(p.replicas !== undefined ? { replicas: p.replicas.map((g) => ({ gpu: g.gpu, count: g.count, tp: g.tp ?? 1, labels: { ...g.labels }, ...parallelKeys(g) })) } : {}),
  };
  const experimental = p.allow_experimental_plugins !== undefined ? { allow_experimental_plugins: p.allow_experimental_plugins } : {};
  if (p.allow_experimental_plugins !== undefined && p.epp === undefined && p.type !== 'epp') {
    throw fail(`${path}.allow_experimental_plugins`, 'allow_experimental_plugins applies to EPP configurations only', 'remove it, or give the policy an `epp` config');
  }
  if (p.epp !== undefined) {
    if (p.type !== undefined && p.type !== 'epp') throw fail(`${path}.type`, `a policy has either a router type or an epp config, not both`, 'remove `type` (or `epp`)');
    if (p.parameters !== undefined) throw fail(`${path}.parameters`, 'EPP plugin parameters go inside the EndpointPickerConfig', 'move them to the config\'s plugins[].parameters');
    const epp = readEppSource(p.epp, `${path}.epp`, file, fail);
    for (const w of validateEppSource(epp, file, `${path}.epp`, p.allow_experimental_plugins)) warnInput(w);
    const name = p.name ?? (epp.kind === 'file' ? basename(epp.path, extname(epp.path)) : 'epp');
    return { name, type: 'epp', epp, ...experimental, ...override };
  }
  if (p.type === undefined) throw fail(path, 'a policy needs a `type` (a router) or an `epp` config', known(''));
  if (p.type === 'epp') return { name: p.name ?? 'epp', type: 'epp', epp: { kind: 'default' }, ...experimental, ...override };
  if (!ROUTER_TYPES.includes(p.type)) throw fail(`${path}.type`, `unknown policy type "${p.type}"`, known(p.type));
  validateRouter(p.type, p.parameters ?? {}, `${path}.parameters`, fail);
  return { name: p.name ?? p.type, type: p.type, ...(p.parameters ? { parameters: { ...p.parameters } } : {}), ...override };
}

function readEppSource(v: string | Record<string, unknown>, path: string, file: string, fail: (path: string, problem: string, fix: string) => UserError): EppConfigSource {
  if (typeof v !== 'string') return { kind: 'inline', config: v };
  if (v === 'default') return { kind: 'default' };
  const found = findEppConfigFile(v, file);
  if (!found) throw fail(path, `config file "${v}" not found (looked next to the scenario and in the routesim package)`, 'give a path relative to the scenario file, e.g. policies/configs/gaie-default.yaml, or `default`');
  if (statSync(found).isDirectory()) throw fail(path, `config path "${v}" is a directory`, 'name an EndpointPickerConfig YAML file in it, e.g. policies/configs/gaie-default.yaml');
  return { kind: 'file', path: v, text: readUserFile(found, 'give the path of an EndpointPickerConfig YAML file') };
}

/** Builds a router once with the given parameters so a bad parameter fails at load time. */
function validateRouter(type: string, params: Record<string, unknown>, path: string, fail: (path: string, problem: string, fix: string) => UserError): void {
  try {
    createRouter(type, params);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw fail(path, firstLine(err), 'see `routesim plugins` for the parameters of each policy');
  }
}

function resolveOverheads(o: boolean | Partial<Overheads>): Overheads {
  if (o === true) return { ...BLIS_OVERHEADS };
  if (o === false) return { ...NO_OVERHEADS };
  return { ...BLIS_OVERHEADS, ...stripUndefined(o) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveStepTime(st: StepTimeInput | undefined, file: string): StepTimeConfig {
  const base = resolveStepTimeModel(st, file);
  // step_time.cpu (issue 12) only when given, so scenarios without it echo the same resolved config.
  return st?.cpu !== undefined ? { ...base, cpu: { ...st.cpu } } : base;
}

function resolveStepTimeModel(st: StepTimeInput | undefined, file: string): StepTimeConfig {
  if (st === undefined) return { model: 'physics', coefficients: { ...PHYSICS_DEFAULTS }, overheads: { ...BLIS_OVERHEADS } };
  if (st.model === 'profile') {
    // dir is relative to the scenario file (kept relative, like trace paths); the tables are read and checked now, once.
    const rel = (p: string): string => (isAbsolute(p) ? p : join(dirname(file), p));
    const profile = resolveProfileSource(st.profile, rel);
    const a = st.all_reduce;
    const ar: AllReduceCost | null = a === undefined ? null : a.table !== undefined ? { table: rel(a.table), launch_us: a.launch_us } : { latency_us: a.latency_us, busbw_gbps: a.busbw_gbps };
    if (ar?.table !== undefined) loadAllReduceTable(ar.table);
    return { model: 'profile', profile, all_reduce: ar, overheads: resolveOverheads(st.overheads) };
  }
  if (st.model === 'calibration') {
    // Issue 12: coefficients fitted by `routesim calibrate`; the path is relative to the scenario file.
    const path = isAbsolute(st.calibration) ? st.calibration : join(dirname(file), st.calibration);
    const doc = readCalibration(path);
    const calibration = { file: path, step_time_model: doc.step_time_model, ...doc.fitted_for };
    const overheads = resolveOverheads(st.overheads);
    return doc.step_time_model === 'physics'
      ? { model: 'physics', coefficients: { ...PHYSICS_DEFAULTS, ...doc.coefficients }, overheads, calibration }
      : { model: 'linear', coefficients: resolveLinearCoefficients(doc.coefficients), overheads, calibration };
  }
  if (st.model === 'linear') {
    return { model: 'linear', coefficients: resolveLinearCoefficients(st.coefficients ?? {}), overheads: resolveOverheads(st.overheads) };
  }
  return { model: 'physics', coefficients: { ...PHYSICS_DEFAULTS, ...stripUndefined(st.coefficients ?? {}) }, overheads: resolveOverheads(st.overheads) };
}

/** `<length>` input → LengthDist, applying min/max defaults and checking min ≤ max. */
function resolveLength(l: LengthInput, path: string, fail: (path: string, problem: string, fix: string) => UserError): LengthDist {
  if (typeof l === 'number') return { kind: 'constant', value: l };
  switch (l.dist) {
    case 'constant':
      return { kind: 'constant', value: l.value };
    case 'uniform':
      if (l.min > l.max) throw fail(`${path}.max`, `max ${l.max} is below min ${l.min}`, 'make max ≥ min');
      return { kind: 'uniform', min: l.min, max: l.max };
    case 'normal':
    case 'lognormal': {
      const min = l.min ?? 1;
      const max = l.max ?? Math.round(l.mean + 10 * l.std);
      if (min > max) {
        const what = l.max === undefined ? `the default max (mean + 10·std = ${max})` : `max ${max}`;
        throw fail(`${path}.max`, `${what} is below min ${min}`, 'set max ≥ min');
      }
      return { kind: l.dist, mean: l.mean, std: l.std, min, max };
    }
    case 'empirical': {
      if (l.values.length !== l.weights.length) {
        throw fail(`${path}.weights`, `${l.weights.length} weights for ${l.values.length} values`, 'give one weight per value');
      }
      if (!(l.weights.reduce((s, x) => s + x, 0) > 0)) throw fail(`${path}.weights`, 'weights sum to 0', 'give at least one value a positive weight');
      return { kind: 'empirical', values: [...l.values], weights: [...l.weights] };
    }
  }
}
