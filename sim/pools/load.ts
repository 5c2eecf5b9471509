/**
 * Scenario loading of `pools:` and `routes:` (README "Pools, routes and P/D"): each pool's engine
 * checks, replica groups, picker and KV link; route backends must name pools; the policies under
 * comparison must name a pool (when there are several) and may give it other replica groups.
 * Every problem is one line naming the field (sim/core/errors.ts).
 */
import { getGpu, getModel, gpuNames } from '../hardware/catalog.js';
import { capacityProblem, numGpuBlocks } from '../engine/capacity.js';
import { inputError, type UserError } from '../core/errors.js';
import { fmtNum, MAX_FLEET_BLOCKS } from '../scenario/bounds.js';
import { parallelismOf, parallelKeys } from '../engine/modelMath.js';
import { TP_VALUES, type EngineInput, type PoolInput, type ScenarioInput } from '../scenario/schema.js';
import type { AutoscalingConfig, EngineConfig, PolicySpec, PoolConfig, ReplicaGroup, RouteRule, StepTimeConfig } from '../scenario/types.js';
import { resolveKvTransfer } from '../pd/transports.js';
import { resolveRoutes, RouteProblem } from '../scenario/routesSchema.js';
import { resolveCircuitBreaker, resolveOutlierDetection } from '../scenario/resilienceSchema.js';
import { AutoscaleProblem, resolveAutoscaling, resolveStartup } from '../scenario/autoscaleSchema.js';
import { AS_CONFIGURED } from './resolve.js';
import { warnInput } from '../scenario/warnings.js';
import { BASE_MODEL_HEADER, rulesWithoutBackend } from '../routes/index.js';

export type Fail = (path: string, problem: string, fix: string) => UserError;

/** Shared checks of one engine (a fleet's or a pool's) against its model and TP values. */
export function resolveEngine(modelName: string, tps: readonly { tp: number; path: string }[], e: EngineInput | EngineConfig, path: string, fail: Fail): EngineConfig {
  const model = getModel(modelName);
  for (const { tp, path: tpPath } of tps) {
    if (model.heads % tp !== 0) {
      const ok = TP_VALUES.filter((t) => model.heads % t === 0).join(', ');
      throw fail(tpPath, `${model.name} has ${model.heads} attention heads, not divisible by tp ${tp}`, `use tp ${ok}`);
    }
  }
  if (e.max_num_batched_tokens < e.max_num_seqs) {
    throw fail(
      `${path}.max_num_batched_tokens`,
      `max_num_batched_tokens (${e.max_num_batched_tokens}) is smaller than max_num_seqs (${e.max_num_seqs}); vLLM rejects this`,
      `raise max_num_batched_tokens to at least ${e.max_num_seqs} or lower max_num_seqs`,
    );
  }
  if (e.max_model_len !== null && e.max_model_len > model.max_model_len) {
    throw fail(`${path}.max_model_len`, `${e.max_model_len} exceeds ${model.name}'s context length ${model.max_model_len}`, `use at most ${model.max_model_len}, or remove it to use the model's`);
  }
  const maxCpuLoras = e.max_cpu_loras ?? e.max_loras;
  if (maxCpuLoras < e.max_loras) {
    throw fail(`${path}.max_cpu_loras`, `max_cpu_loras (${maxCpuLoras}) is smaller than max_loras (${e.max_loras})`, `set max_cpu_loras ≥ ${e.max_loras} or remove it (defaults to max_loras)`);
  }
  return { ...e, max_cpu_loras: maxCpuLoras };
}

export interface PoolsContext {
  readonly file: string;
  readonly fail: Fail;
  readonly resolvePolicy: (p: NonNullable<PoolInput['picker']>, path: string) => PolicySpec;
  readonly resolveStepTime: (st: PoolInput['step_time']) => StepTimeConfig;
  /** The scenario's top-level step_time, when given (the default of every pool). */
  readonly topStepTime: ScenarioInput['step_time'];
}

type GroupInput = { gpu: string; count: number; tp?: (typeof TP_VALUES)[number] | undefined; labels: Record<string, string>; expert_parallel?: boolean | undefined; data_parallel?: number | undefined };

function groups(input: readonly GroupInput[], tp: number): ReplicaGroup[] {
  return input.map((g) => ({ gpu: g.gpu, count: g.count, tp: g.tp ?? tp, labels: { ...g.labels }, ...parallelKeys(g) }));
}

/** `pools:` → PoolConfig[], every cross-field check done. */
export function resolvePools(input: readonly PoolInput[], ctx: PoolsContext): PoolConfig[] {
  const { fail } = ctx;
  const seen = new Map<string, number>();
  const out = input.map((p, i) => {
    const path = `pools[${i}]`;
    const prev = seen.get(p.name);
    if (prev !== undefined) throw fail(`${path}.name`, `pool name ${JSON.stringify(p.name)} is already used by pools[${prev}]`, 'give every pool a distinct name');
    seen.set(p.name, i);
    let replicas: ReplicaGroup[];
    if (typeof p.replicas === 'number') {
      if (p.gpu === undefined) throw fail(`${path}.gpu`, 'missing required key "gpu" (replicas is a count)', 'add gpu: H100, or list groups: replicas: [{gpu: H100, count: 4}]');
      replicas = [{ gpu: p.gpu, count: p.replicas, tp: p.tp, labels: {} }];
    } else {
      if (p.gpu !== undefined) throw fail(`${path}.gpu`, 'gpu is given both here and in the replica groups', 'remove gpu: each group names its own');
      replicas = groups(p.replicas, p.tp);
    }
    const engine = resolveEngine(p.model, replicas.map((g, j) => ({ tp: g.tp, path: typeof p.replicas === 'number' ? `${path}.tp` : `${path}.replicas[${j}].tp` })), p.engine, `${path}.engine`, fail);
    let picker: PolicySpec = { name: 'epp', type: 'epp', epp: { kind: 'default' } };
    if (p.picker !== undefined) {
      if (typeof p.picker === 'object' && (p.picker.pool !== undefined || p.picker.replicas !== undefined || p.picker.refresh_metrics_ms !== undefined)) {
        const key = p.picker.pool !== undefined ? 'pool' : p.picker.replicas !== undefined ? 'replicas' : 'refresh_metrics_ms';
        throw fail(`${path}.picker.${key}`, `a pool's picker takes no ${key}`, key === 'refresh_metrics_ms' ? 'set gateway.refresh_metrics_ms (or a policy\'s) for the whole cluster' : `set ${key} on the pool itself`);
      }
      picker = ctx.resolvePolicy(p.picker, `${path}.picker`);
    }
    p.picker_outages.forEach((o, k) => {
      if (o.to_s <= o.from_s) throw fail(`${path}.picker_outages[${k}].to_s`, `to_s ${o.to_s} is not after from_s ${o.from_s}`, 'make to_s > from_s');
    });
    const objectiveNames = new Set<string>();
    p.objectives.forEach((o, k) => {
      if (objectiveNames.has(o.name)) throw fail(`${path}.objectives[${k}].name`, `objective ${JSON.stringify(o.name)} is listed twice`, 'list each InferenceObjective once');
      objectiveNames.add(o.name);
    });
    const pool: PoolConfig = {
      name: p.name,
      model: p.model,
      replicas,
      engine,
      step_time: ctx.resolveStepTime(p.step_time ?? ctx.topStepTime),
      picker,
      failureMode: p.failureMode,
      picker_outages: p.picker_outages.map((o) => ({ ...o })),
      objectives: p.objectives.map((o) => ({ ...o })),
      model_rewrites: p.model_rewrites.map((r) => ({ model: r.model, targets: r.targets.map((t) => ({ ...t })) })),
      adapters: [...p.adapters],
      kv_transfer: resolveKvTransfer(stripUndefined(p.kv_transfer)),
      ...(p.circuit_breaker !== undefined ? { circuit_breaker: resolveCircuitBreaker(p.circuit_breaker) } : {}),
      ...(p.outlier_detection !== undefined ? { outlier_detection: resolveOutlierDetection(p.outlier_detection) } : {}),
      ...(p.autoscaling !== undefined ? { autoscaling: autoscalingOf(p.autoscaling, replicas, i, fail) } : {}),
      ...(p.startup !== undefined ? { startup: resolveStartup(p.startup) } : {}),
    };
    checkPoolFits(pool, path, ctx.file);
    return pool;
  });
  let blocks = 0;
  for (const p of out) for (const g of p.replicas) blocks += g.count * numGpuBlocks(getModel(p.model), getGpu(g.gpu), g.tp, p.engine, parallelismOf(g));
  if (blocks > MAX_FLEET_BLOCKS) {
    throw inputError(ctx.file, 'pools', `the pools hold ${fmtNum(blocks)} KV blocks; the simulator holds at most ${fmtNum(MAX_FLEET_BLOCKS)} over the cluster`, 'use fewer replicas, larger block_size, or smaller engine.num_gpu_blocks');
  }
  return out;
}

/** A pool's autoscaler: its group must exist and start within [min_replicas, max_replicas]. */
function autoscalingOf(input: NonNullable<PoolInput['autoscaling']>, replicas: readonly ReplicaGroup[], i: number, fail: Fail): AutoscalingConfig {
  let a: AutoscalingConfig;
  try {
    a = resolveAutoscaling(input, replicas.length, ['pools', i, 'autoscaling']);
  } catch (err) {
    if (err instanceof AutoscaleProblem) throw fail(err.path, err.problem, err.fix);
    throw err;
  }
  const g = replicas[a.group]!;
  if (g.count < a.min_replicas || g.count > a.max_replicas) {
    const path = typeof input.group === 'number' || replicas.length > 1 ? `pools[${i}].replicas[${a.group}].count` : `pools[${i}].replicas`;
    throw fail(path, `the autoscaled group starts with ${g.count} replicas, outside min_replicas ${a.min_replicas} … max_replicas ${a.max_replicas}`, `start with a count between ${a.min_replicas} and ${a.max_replicas}`);
  }
  return a;
}

/** Each replica group can start: its weights leave room for KV on its GPU type. */
export function checkPoolFits(pool: Pick<PoolConfig, 'model' | 'engine' | 'replicas'>, path: string, file: string): void {
  const model = getModel(pool.model);
  pool.replicas.forEach((g) => {
    const p = capacityProblem(model, getGpu(g.gpu), g.tp, pool.engine, TP_VALUES, gpuNames().map(getGpu), parallelismOf(g));
    if (p) throw inputError(file, p.path.replace(/^fleet/, path), p.problem.replace(/fleet\./g, `${path}.`), p.fix.replace(/fleet\./g, `${path}.`));
  });
}

/** `routes:` → flattened rules (a catch-all to the only pool when absent). */
export function resolveRouteRules(input: ScenarioInput['routes'], pools: readonly PoolConfig[], file: string): RouteRule[] {
  if (input === undefined) {
    if (pools.length > 1) throw inputError(file, 'routes', `${pools.length} pools but no routes, so no request could reach them`, `add routes: [{rules: [{backendRefs: [{name: ${pools[0]!.name}}]}]}]`);
    return [];
  }
  let rules: RouteRule[];
  try {
    rules = resolveRoutes(input, pools.map((p) => p.name));
  } catch (err) {
    if (err instanceof RouteProblem) throw inputError(file, err.path, err.problem, err.fix);
    throw err;
  }
  warnRoutes(rules, pools, file);
  return rules;
}

/**
 * Routes the Gateway API accepts but that are likely mistakes: a rule whose backends all weigh 0
 * (its requests get 500), a pool no rule can reach, a `model:` match no pool serves.
 */
function warnRoutes(rules: readonly RouteRule[], pools: readonly PoolConfig[], file: string): void {
  for (const r of rulesWithoutBackend(rules)) {
    warnInput(`${file}: routes: every backendRef of rule ${r.name} has weight 0, so the requests it matches get HTTP 500 (fix: give a backend a positive weight, or remove the rule)`);
  }
  const reached = new Set<string>();
  for (const r of rules) for (const b of r.backendRefs) if (b.weight > 0) reached.add(b.pool);
  for (const p of pools) {
    if (!reached.has(p.name)) warnInput(`${file}: pools: no route sends requests to pool ${p.name} (fix: add a backendRef {name: ${p.name}} with a positive weight, or remove the pool)`);
  }
  const models = new Set(pools.map((p) => p.model));
  for (const r of rules) {
    for (const m of r.matches) {
      for (const h of m.headers) {
        if (h.name === BASE_MODEL_HEADER && !models.has(h.value)) {
          warnInput(`${file}: routes: rule ${r.name} matches model ${JSON.stringify(h.value)}, which no pool serves, so its requests are rejected by the engine (fix: use one of ${[...models].join(', ')})`);
        }
      }
    }
  }
}

/** Policies of a `pools:` scenario: each names a pool (required with several pools) that exists. */
export function checkPolicyPools(policies: readonly PolicySpec[], pools: readonly PoolConfig[], fail: Fail): PolicySpec[] {
  if (policies.length === 0) return [{ name: AS_CONFIGURED, type: AS_CONFIGURED }];
  const names = pools.map((p) => p.name);
  return policies.map((p, i) => {
    if (p.pool === undefined) {
      if (pools.length > 1) throw fail(`policies[${i}].pool`, `missing required key "pool": ${pools.length} pools, so say whose picker this policy replaces`, `add pool: one of ${names.join(', ')}`);
      return { ...p, pool: names[0]! };
    }
    if (!names.includes(p.pool)) throw fail(`policies[${i}].pool`, `unknown pool ${JSON.stringify(p.pool)}`, `use one of ${names.join(', ')}`);
    return p;
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
