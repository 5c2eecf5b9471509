/**
 * Replica lifecycle over a run (gateway.md §5.5, §6): Ready (serving, in the picker's datastore),
 * starting (holds its GPUs: scheduling, container start, model load, engine init — not routable),
 * down (crashed, still holding its GPUs until restarted), off (no GPU: never started or scaled in).
 * Records each pool's Ready / starting counts as a step function and the GPU-seconds held, by GPU
 * type (TP counted), for the results' replicas over time, GPU-hours and cost.
 */
import type { PoolConfig } from '../scenario/types.js';
import type { PoolReplicaTimeline } from '../metrics/types.js';
import type { BuiltFleet } from './fleet.js';
import { DEFAULT_STARTUP, startupPhasesUs, type StartupPhases } from '../autoscale/index.js';
import { getGpu, getModel } from '../hardware/catalog.js';

type State = 'ready' | 'starting' | 'down' | 'off';

export class Lifecycle {
  /** True when anything can change a replica's state (churn events or autoscaling). */
  readonly tracked: boolean;
  private readonly state: State[];
  private readonly plans: StartupPhases[];
  private readonly series: { t: number[]; ready: number[]; starting: number[] }[];
  private readonly gpuUs: Map<string, number>[];
  private readonly since: number[];

  constructor(
    private readonly pools: readonly PoolConfig[],
    private readonly fleet: BuiltFleet,
    churn: boolean,
    active?: readonly boolean[],
  ) {
    this.tracked = churn || pools.some((p) => p.autoscaling != null);
    this.state = fleet.replicas.map((_, i) => (active === undefined || active[i] ? 'ready' : 'off'));
    this.plans = fleet.info.map((x) => {
      const pool = pools[x.pool]!;
      return startupPhasesUs(getModel(pool.model), getGpu(x.group.gpu), x.group.tp, pool.startup ?? DEFAULT_STARTUP);
    });
    this.series = pools.map(() => ({ t: [], ready: [], starting: [] }));
    this.gpuUs = pools.map(() => new Map());
    this.since = fleet.replicas.map(() => 0);
    if (this.tracked) pools.forEach((_, p) => this.record(p, 0));
  }

  isStarting(r: number): boolean {
    return this.state[r] === 'starting';
  }

  isReady(r: number): boolean {
    return this.state[r] === 'ready';
  }

  isOff(r: number): boolean {
    return this.state[r] === 'off';
  }

  /**
   * Start replica `r` at `now`; returns when it becomes Ready. A new pod (scale-up) goes through
   * every phase; a restart in place (recovery) skips scheduling: its node is there.
   */
  start(r: number, now: number, restart = false): number {
    this.set(r, 'starting', now);
    const p = this.plans[r]!;
    return now + (restart ? p.readyUs - p.schedulingUs : p.readyUs);
  }

  /** Replica `r` is Ready: its warm-up (slower steps until `untilUs`). */
  ready(r: number, now: number): { untilUs: number; factor: number } {
    this.set(r, 'ready', now);
    const plan = this.plans[r]!;
    return { untilUs: now + plan.warmupUs, factor: plan.warmupFactor };
  }

  failed(r: number, now: number): void {
    this.set(r, 'down', now);
  }

  /** Replica `r` releases its GPUs (scaled in, drained). */
  stopped(r: number, now: number): void {
    this.set(r, 'off', now);
  }

  /** Ready replicas of pool `p`. */
  readyCount(p: number): number {
    return this.count(p, 'ready');
  }

  /** Starting replicas of pool `p` (anticipated supply). */
  startingCount(p: number): number {
    return this.count(p, 'starting');
  }

  finish(now: number): PoolReplicaTimeline[] {
    for (let r = 0; r < this.state.length; r++) this.accrue(r, now);
    return this.pools.map((pool, p) => {
      const s = this.series[p]!;
      const gpu: Record<string, number> = {};
      for (const [k, v] of [...this.gpuUs[p]!.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) gpu[k] = Math.round(v / 1e3) / 1e3;
      return { pool: pool.name, t_s: s.t, ready: s.ready, starting: s.starting, gpu_seconds: gpu };
    });
  }

  private count(p: number, st: State): number {
    let n = 0;
    for (let r = this.fleet.offsets[p]!; r < this.fleet.offsets[p + 1]!; r++) if (this.state[r] === st) n++;
    return n;
  }

  private set(r: number, st: State, now: number): void {
    this.accrue(r, now);
    this.state[r] = st;
    if (this.tracked) this.record(this.fleet.info[r]!.pool, now);
  }

  /** GPU time held by replica `r` since its last change. */
  private accrue(r: number, now: number): void {
    const st = this.state[r]!;
    if (st !== 'off') {
      const info = this.fleet.info[r]!;
      const m = this.gpuUs[info.pool]!;
      m.set(info.group.gpu, (m.get(info.group.gpu) ?? 0) + (now - this.since[r]!) * info.group.tp);
    }
    this.since[r] = now;
  }

  private record(p: number, now: number): void {
    const s = this.series[p]!;
    const t = now / 1e6;
    const ready = this.count(p, 'ready');
    const starting = this.count(p, 'starting') + this.count(p, 'down');
    const last = s.t.length - 1;
    if (last >= 0 && s.ready[last] === ready && s.starting[last] === starting) return;
    if (last >= 0 && s.t[last] === t) {
      s.ready[last] = ready;
      s.starting[last] = starting;
      return;
    }
    s.t.push(t);
    s.ready.push(ready);
    s.starting.push(starting);
  }
}
