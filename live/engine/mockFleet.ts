/**
 * Builds the mock fleet from a resolved scenario with the SAME code `routesim run` uses
 * (sim/fleet/fleet.ts buildPools: catalog, KV capacity, step-time model and calibration per pool,
 * LoRA sizing): one replica driver, one /metrics registry, one adapter registry and one error
 * injector per replica of every pool that serves from the start (an autoscaled group's spare slots
 * and surge slots are not served). LoRA-enabled replicas register the scenario's adapters (its
 * workload's, with their ranks, and the pool's) and `--lora-modules` at start. Slow pods use the engine's own step slow-down (setWarmup
 * with no end), so their steps take factor × the modelled time.
 */
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import { buildPools } from '../../sim/fleet/fleet.js';
import { poolsOf } from '../../sim/pools/resolve.js';
import { getModel } from '../../sim/hardware/catalog.js';
import { UserError } from '../../sim/core/errors.js';
import { AdapterRegistry } from './adapters.js';
import { ErrorInjector } from './faults.js';
import { ReplicaDriver } from './replicaDriver.js';
import { SimClock } from './simClock.js';
import { VllmMetrics } from './vllmMetrics.js';

export interface FleetOptions {
  readonly speedup: number;
  readonly seed: number;
  readonly errorRate: number;
  /** Step-time factor by replica index (absent = 1). */
  readonly slowFactors: ReadonlyMap<number, number>;
  /** Name clients use for the base model; default: each pool's model name. */
  readonly servedModelName?: string;
  /** Adapters registered at start on every replica whose engine has LoRA enabled. */
  readonly loraModules: readonly string[];
  /** Upper end of the natural output length of a request without ignore_eos (its EOS point). */
  readonly naturalTokensMax: number;
  /** The clock (default: wall clock × speedup); tests pass one with a manual time source. */
  readonly clock?: SimClock;
}

export interface MockReplica {
  readonly index: number;
  readonly name: string;
  readonly modelName: string;
  readonly maxModelLen: number;
  readonly blockSize: number;
  readonly driver: ReplicaDriver;
  readonly metrics: VllmMetrics;
  readonly adapters: AdapterRegistry;
  readonly errors: ErrorInjector;
  /** Rank of adapters whose rank is not known (the engine's max_lora_rank). */
  readonly adapterRank: number;
  readonly naturalTokensMax: number;
  readonly seed: number;
}

export interface MockFleet {
  readonly clock: SimClock;
  readonly replicas: readonly MockReplica[];
  close(): void;
}

export function buildMockFleet(scenario: ScenarioConfig, o: FleetOptions): MockFleet {
  const pools = poolsOf(scenario);
  const built = buildPools(pools, scenario.lora_load);
  // Replicas serving from the start: an autoscaled group's spare slots and surge slots stay off.
  const served = built.replicas.flatMap((replica, at) => (built.active[at] ? [{ replica, at }] : []));
  for (const i of o.slowFactors.keys()) {
    if (i >= served.length) throw new UserError(`--slow-pod: replica ${i} does not exist, the fleet has ${served.length} (fix: use an index from 0 to ${served.length - 1})`);
  }
  const ranks = new Map(scenario.workload.adapters.map((a) => [a.name, a.rank ?? null]));
  const clock = o.clock ?? new SimClock(o.speedup);
  const replicas: MockReplica[] = served.map(({ replica, at }, index) => {
    const pool = pools[built.info[at]!.pool]!;
    const e = pool.engine;
    const modelName = o.servedModelName ?? pool.model;
    const maxModelLen = e.max_model_len ?? getModel(pool.model).max_model_len;
    const factor = o.slowFactors.get(index) ?? 1;
    if (factor !== 1) replica.setWarmup(Number.MAX_SAFE_INTEGER, factor);
    const ov = pool.step_time.overheads;
    const metrics = new VllmMetrics({ replica, modelName, maxLoras: e.max_loras, maxModelLen, prefixCaching: e.enable_prefix_caching, clock });
    const driver = new ReplicaDriver(replica, clock, { alpha0Us: Math.round(ov.alpha0_us), alpha2Us: Math.round(ov.alpha2_us) }, e.block_size, metrics);
    const adapters = new AdapterRegistry(modelName, e.max_loras);
    if (adapters.enabled) {
      // What the scenario's clients would ask for (its workload's adapters, the pool's), then --lora-modules.
      const names = [...scenario.workload.adapters.map((a) => a.name), ...pool.adapters, ...o.loraModules];
      for (const name of new Set(names)) if (name !== modelName) adapters.load(name, name, ranks.get(name) ?? null);
    }
    return {
      index,
      name: replica.name,
      modelName,
      maxModelLen,
      blockSize: e.block_size,
      driver,
      metrics,
      adapters,
      errors: new ErrorInjector(o.errorRate, o.seed, index),
      adapterRank: e.max_lora_rank,
      naturalTokensMax: o.naturalTokensMax,
      seed: o.seed,
    };
  });
  return {
    clock,
    replicas,
    close() {
      for (const r of replicas) r.driver.close();
    },
  };
}
