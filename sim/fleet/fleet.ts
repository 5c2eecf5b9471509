/**
 * Builds a run's replicas: every pool's replica groups in order (catalog lookups, KV capacity and
 * step-time model per GPU type and TP, LoRA sizing), one flat array the event loop indexes; each
 * replica knows its pool, GPU type and `llm-d.ai/role` label.
 */
import type { LoraLoadConfig, PoolConfig, ReplicaGroup, ScenarioConfig } from '../scenario/types.js';
import { getGpu, getModel } from '../hardware/catalog.js';
import { numGpuBlocks } from '../engine/capacity.js';
import { loraAdapterBytes, parallelismOf } from '../engine/modelMath.js';
import { Replica } from '../engine/replica.js';
import { createStepTimeModel, loraOverheadPerAdapter } from '../engine/stepTime/index.js';
import { poolsOf } from '../pools/resolve.js';

export const ROLE_LABEL = 'llm-d.ai/role';

/** One built replica's place in the cluster. */
export interface ReplicaInfo {
  readonly pool: number;
  readonly group: ReplicaGroup;
  readonly labels: Readonly<Record<string, string>>;
}

export interface BuiltFleet {
  readonly replicas: Replica[];
  readonly info: ReplicaInfo[];
  /** First replica index of each pool; pool p owns [offsets[p], offsets[p + 1]). */
  readonly offsets: number[];
  /**
   * Per replica: serving from the start. An autoscaled group has `max_replicas` slots, of which
   * the first `count` start active; the others hold no GPU until the autoscaler starts them.
   */
  readonly active: boolean[];
}

/** The replicas of a single-`fleet` scenario (one pool). */
export function buildFleet(s: ScenarioConfig): Replica[] {
  return buildPools(poolsOf(s), s.lora_load).replicas;
}

/**
 * Every pool's replicas. Names: `replica-<i>` in a one-pool run (as before pools), else
 * `<pool>-<i>` with i counted within the pool.
 */
export function buildPools(pools: readonly PoolConfig[], loraLoad: LoraLoadConfig): BuiltFleet {
  const replicas: Replica[] = [];
  const info: ReplicaInfo[] = [];
  const offsets: number[] = [];
  const active: boolean[] = [];
  pools.forEach((pool, p) => {
    const scaled = pool.autoscaling != null ? Math.min(pool.autoscaling.group, pool.replicas.length - 1) : -1;
    offsets.push(replicas.length);
    const model = getModel(pool.model);
    const maxModelLen = pool.engine.max_model_len ?? model.max_model_len;
    let i = 0;
    pool.replicas.forEach((g, gi) => {
      const last = gi === pool.replicas.length - 1;
      const base = gi === scaled ? Math.max(g.count, pool.autoscaling!.max_replicas) : g.count;
      const slots = base + (last ? (pool.surge_slots ?? 0) : 0);
      const gpu = getGpu(g.gpu);
      const par = parallelismOf(g);
      const blocks = numGpuBlocks(model, gpu, g.tp, pool.engine, par);
      const stepTime = createStepTimeModel(pool.step_time, model, gpu, g.tp, par);
      for (let k = 0; k < slots; k++, i++) {
        const name = pools.length === 1 ? `replica-${i}` : `${pool.name}-${i}`;
        replicas.push(
          new Replica(
            {
              name,
              engine: pool.engine,
              numGpuBlocks: blocks,
              maxModelLen,
              stepTime,
              loraK: loraOverheadPerAdapter(pool.engine.max_lora_rank),
              loraLoad,
              adapterBytes: (rank) => loraAdapterBytes(model, rank),
              overheads: pool.step_time.overheads,
              ...(pool.step_time.cpu !== undefined ? { cpu: pool.step_time.cpu } : {}),
            },
            { pool: p, gpu: g.gpu, role: g.labels[ROLE_LABEL] ?? '' },
          ),
        );
        info.push({ pool: p, group: g, labels: g.labels });
        active.push(k < g.count);
      }
    });
  });
  offsets.push(replicas.length);
  return { replicas, info, offsets, active };
}
