/**
 * The Benchmark Report's `scenario.stack` of a simulated run (../shared/reference/formats.md §4,
 * "From a simulation"): one `inference_engine` component per pool and replica group (tool vllm,
 * tool_version "simulated", the engine knobs as vLLM arguments in `native.args`) and the router of
 * each pool as a `generic` component (label "Inference Scheduler (EPP)" for an EPP, so
 * llm-d-prism shows it), its policy spec in `native.config`. `cfg_id` is the SHA-256 of the
 * component's sorted-key JSON.
 */
import { createHash } from 'node:crypto';
import type { PolicySpec, PoolConfig, ReplicaGroup, ScenarioConfig } from '../../sim/scenario/types.js';
import { poolsForPolicy } from '../../sim/pools/resolve.js';
import type { ReplicaStats } from '../../sim/metrics/types.js';
import { canonicalJson } from '../fingerprint.js';

export const SCHEMA_VERSION = '0.0.1';

export function cfgId(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** `llm-d.ai/role` of a group as the report's role. */
function roleOf(g: ReplicaGroup): 'replica' | 'prefill' | 'decode' {
  const r = g.labels['llm-d.ai/role'];
  return r === 'prefill' || r === 'decode' ? r : 'replica';
}

/** The engine knobs as vLLM command-line arguments (snake_case → kebab-case, unset ones left out). */
function engineArgs(pool: PoolConfig, g: ReplicaGroup): Record<string, unknown> {
  const args: Record<string, unknown> = { model: pool.model, 'tensor-parallel-size': g.tp };
  if ((g.data_parallel ?? 1) > 1) args['data-parallel-size'] = g.data_parallel;
  if (g.expert_parallel === true) args['enable-expert-parallel'] = true;
  for (const [k, v] of Object.entries(pool.engine)) if (v !== null && v !== undefined) args[k.replace(/_/g, '-')] = v;
  return args;
}

/** A label per pool and replica group: `vllm-sim-<pool>`, with `-<i>` when the pool has several groups. */
export function engineLabel(pool: PoolConfig, groupIndex: number): string {
  return pool.replicas.length > 1 ? `vllm-sim-${pool.name}-${groupIndex}` : `vllm-sim-${pool.name}`;
}

function engineComponent(pool: PoolConfig, g: ReplicaGroup, gi: number): Record<string, unknown> {
  const label = engineLabel(pool, gi);
  const dp = g.data_parallel ?? 1;
  const parallelism: Record<string, number> = { tp: g.tp, dp, dp_local: dp, pp: 1 };
  if (g.expert_parallel === true) parallelism.ep = g.tp * dp;
  const standardized = {
    kind: 'inference_engine',
    tool: 'vllm',
    tool_version: 'simulated',
    role: roleOf(g),
    replicas: Math.max(1, g.count),
    model: { name: pool.model },
    accelerator: { model: g.gpu, count: g.tp * dp, parallelism },
  };
  const native = { args: engineArgs(pool, g), envars: {}, config: { step_time: pool.step_time, labels: g.labels } };
  return { metadata: { schema_version: SCHEMA_VERSION, label, cfg_id: cfgId({ standardized, native }), description: `simulated vLLM: ${g.count} × ${g.gpu} (TP ${g.tp}) serving ${pool.model}` }, standardized, native };
}

function isEpp(p: PolicySpec): boolean {
  return p.epp !== undefined || p.type === 'epp';
}

function routerComponent(pool: PoolConfig, several: boolean): Record<string, unknown> {
  const picker = pool.picker;
  const base = isEpp(picker) ? 'Inference Scheduler (EPP)' : `Router (${picker.type})`;
  const label = several ? `${base} ${pool.name}` : base;
  const standardized = { kind: 'generic', tool: isEpp(picker) ? 'gateway-api-inference-extension-epp' : 'routesim-router', tool_version: 'simulated', policy: picker.name, policy_type: picker.type, pool: pool.name };
  const native = { config: JSON.parse(JSON.stringify(picker)) as unknown };
  return { metadata: { schema_version: SCHEMA_VERSION, label, cfg_id: cfgId({ standardized, native }), description: `simulated router of pool ${pool.name}: policy ${picker.name}` }, standardized, native };
}

/** The stack of one policy's run. */
export function stackComponents(scenario: ScenarioConfig, policy: PolicySpec): Record<string, unknown>[] {
  const pools = poolsForPolicy(scenario, policy);
  const engines = pools.flatMap((pool) => pool.replicas.filter((g) => g.count > 0).map((g) => engineComponent(pool, g, pool.replicas.indexOf(g))));
  return [...engines, ...pools.map((p) => routerComponent(p, pools.length > 1))];
}

/** The engine component label a replica belongs to: its pool's group with the same GPU and role. */
export function replicaComponentLabel(scenario: ScenarioConfig, policy: PolicySpec, r: ReplicaStats): string {
  const pools = poolsForPolicy(scenario, policy);
  const pool = pools[r.pool] ?? pools[0]!;
  const role = r.role === 'prefill' || r.role === 'decode' ? r.role : 'replica';
  const gi = pool.replicas.findIndex((g) => g.gpu === r.gpu && roleOf(g) === role);
  return engineLabel(pool, gi >= 0 ? gi : 0);
}
