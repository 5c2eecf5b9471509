/**
 * The fleet side of churn and scaling in a run (gateway.md §5–§6): which replicas answer, how a
 * down one fails a request, starts and their Ready events, drains, Deployment rollouts and each
 * pool's autoscaler. The run loop (sim/simulation.ts) owns the requests; this owns the replicas'
 * states and tells the picker's datastore (the Cluster) about membership and reachability.
 */
import type { PoolConfig } from '../scenario/types.js';
import type { BuiltFleet } from '../fleet/fleet.js';
import type { Lifecycle } from '../fleet/lifecycle.js';
import type { Sequence } from '../engine/sequence.js';
import type { Cluster } from '../pools/cluster.js';
import type { ChurnEvent, FailureMode } from './events.js';
import { Hpa, WvaV1 } from '../autoscale/index.js';

/** A Deployment rollout in progress. */
interface Rollout {
  /** The pods serving when it began: each is replaced by a new pod. */
  readonly old: number[];
  /** Off slots it may start as surge pods. */
  readonly spare: number[];
  readonly surge: number[];
  readonly taken: Set<number>;
  readonly maxUnavailable: number;
  readonly maxSurge: number;
}

interface HpaSample {
  readonly t: number;
  readonly values: number[];
  readonly pods: { kv: number; queue: number }[];
}

export class FleetControl {
  /** A failed or stopped replica answers nothing until it is Ready again. */
  private readonly alive: boolean[];
  /** How a down replica fails a request: crash = connection refused at once; hang / node = never answers. */
  private readonly downMode: (FailureMode | null)[];
  /** When each starting replica's Ready is due (a start called off and restarted leaves a stale event). */
  private readonly readyAt: number[];
  /** Replicas scaled in or rolled that finish their in-flight requests before releasing their GPUs. */
  private readonly draining = new Set<number>();
  /** Old pods of a rollout that restart once drained. */
  private readonly restartAfterDrain = new Set<number>();
  private readonly rollouts: (Rollout | null)[];
  readonly hpas: (Hpa | null)[];
  private readonly wvas: (WvaV1 | null)[];
  /** Per pool, the autoscaler's metric samples at past syncs (the HPA reads them `metric_delay_s` late). */
  private readonly hpaSamples: HpaSample[][];
  /** The slots of each pool's autoscaled group, in order. */
  private readonly scaledSlots: number[][];

  constructor(
    private readonly pools: readonly PoolConfig[],
    private readonly fleet: BuiltFleet,
    private readonly gateway: Cluster,
    private readonly lifecycle: Lifecycle,
    /** Schedule replica `r`'s Ready event at `t`. */
    private readonly scheduleReady: (t: number, r: number) => void,
  ) {
    const n = fleet.replicas.length;
    this.alive = new Array<boolean>(n).fill(true);
    this.downMode = new Array<FailureMode | null>(n).fill(null);
    this.readyAt = new Array<number>(n).fill(-1);
    this.rollouts = pools.map(() => null);
    this.hpas = pools.map((p) => (p.autoscaling ? new Hpa(p.autoscaling) : null));
    this.wvas = pools.map((p) => (p.autoscaling?.metric === 'saturation' ? new WvaV1(p.autoscaling.min_replicas, p.autoscaling.max_replicas) : null));
    this.hpaSamples = pools.map(() => []);
    this.scaledSlots = pools.map((pool, p) => {
      if (!pool.autoscaling) return [];
      const out: number[] = [];
      const g = pool.replicas[Math.min(pool.autoscaling.group, pool.replicas.length - 1)];
      for (let r = fleet.offsets[p]!; r < fleet.offsets[p + 1]!; r++) if (fleet.info[r]!.group === g) out.push(r);
      return out;
    });
    // Slots kept for the autoscaler or a rollout's surge start off: no GPU, refusing connections.
    if (pools.some((p) => p.autoscaling != null || (p.surge_slots ?? 0) > 0)) {
      fleet.active.forEach((on, r) => {
        if (on) return;
        this.alive[r] = false;
        this.downMode[r] = 'crash';
        gateway.setMember(r, false);
        gateway.setReachable(r, false);
      });
    }
  }

  isAlive(r: number): boolean {
    return this.alive[r]!;
  }

  /** A request sent to down replica `r` is refused at once (true) or never answered (false). */
  refuses(r: number): boolean {
    return this.downMode[r] === 'crash';
  }

  /**
   * Replica `r` dies at `now`: returns what it held that its clients learn about at once (a crash
   * resets connections; a hung process or a lost node just never answers, so nothing). The picker
   * keeps choosing it until `detect` (the caller schedules it after the detection delay).
   */
  fail(r: number, mode: FailureMode, now: number): Sequence[] | null {
    if (!this.alive[r]) return null;
    this.alive[r] = false;
    this.downMode[r] = mode;
    this.gateway.setReachable(r, false);
    this.lifecycle.failed(r, now);
    const lost = this.fleet.replicas[r]!.crash(now);
    return mode === 'crash' ? lost : [];
  }

  /** The picker's datastore drops failed replica `r` (if it is still down). */
  detect(r: number): void {
    if (!this.alive[r]) this.gateway.setMember(r, false);
  }

  /** Restart down replica `r` in place (a `recover` event). */
  recover(r: number, now: number): void {
    if (!this.alive[r] && !this.lifecycle.isStarting(r)) this.start(r, now, true);
  }

  /** A churn event on pool `p`'s replicas: start a rollout (one at a time, as a Deployment). */
  startRollout(p: number, e: Extract<ChurnEvent, { kind: 'rolling_restart' }>, now: number): void {
    if (this.rollouts[p] !== null) return;
    const old: number[] = [];
    const spare: number[] = [];
    for (let r = this.fleet.offsets[p]!; r < this.fleet.offsets[p + 1]!; r++) (this.lifecycle.isOff(r) ? spare : old).push(r);
    this.rollouts[p] = { old, spare, surge: [], taken: new Set(), maxUnavailable: e.max_unavailable, maxSurge: e.max_surge };
    this.rolloutStep(p, now);
  }

  /**
   * Replica `r`'s Ready event at `now`: false when it is stale (the start was called off). Else the
   * replica serves again, with its warm-up, and joins the picker's datastore.
   */
  ready(r: number, now: number): boolean {
    if (!this.lifecycle.isStarting(r) || this.readyAt[r] !== now) return false;
    const warm = this.lifecycle.ready(r, now);
    this.alive[r] = true;
    this.downMode[r] = null;
    this.fleet.replicas[r]!.setWarmup(warm.untilUs, warm.factor);
    this.gateway.setReachable(r, true);
    this.gateway.setMember(r, true);
    this.rolloutStep(this.fleet.info[r]!.pool, now);
    return true;
  }

  /** Replica `r` finished a step: a draining one may now be empty. */
  stepEnded(r: number, now: number): void {
    if (this.draining.size > 0 && this.draining.has(r)) this.stopIfDrained(r, now);
  }

  /** One autoscaler sync of pool `p` (gateway.md §5.1): read the metric, scale the group. */
  hpaSync(p: number, now: number): void {
    const hpa = this.hpas[p]!;
    const cfg = this.pools[p]!.autoscaling!;
    const slots = this.scaledSlots[p]!;
    const lc = this.lifecycle;
    // The metric now, kept for later syncs; the HPA acts on the sample `metric_delay_s` old.
    const values: number[] = [];
    const pods: { kv: number; queue: number }[] = [];
    for (const r of slots) {
      if (!lc.isReady(r) || this.draining.has(r)) continue;
      const m = this.fleet.replicas[r]!.snapshot(now);
      pods.push({ kv: m.kvCacheUsagePercent, queue: m.waitingQueueSize });
      values.push(cfg.metric === 'queue' ? m.waitingQueueSize : cfg.metric === 'running' ? m.runningRequestsSize : m.kvCacheUsagePercent);
    }
    const hist = this.hpaSamples[p]!;
    hist.push({ t: now, values, pods });
    const seen = hpa.metricTimeUs(now);
    while (hist.length > 1 && hist[1]!.t <= seen) hist.shift();
    const sample = hist[0]!.t <= seen ? hist[0]! : { t: now, values: [], pods: [] };
    let starting = 0;
    let ready = 0;
    for (const r of slots) {
      if (lc.isStarting(r)) starting++;
      else if (lc.isReady(r) && !this.draining.has(r)) ready++;
    }
    const current = ready + starting;
    const wva = this.wvas[p];
    const desired = wva
      ? hpa.desiredFromWva(now, current, wva.recommend(current, sample.pods, starting))
      : hpa.recommend(now, current, sample.values, Math.max(0, current - sample.values.length));
    if (desired > current) {
      let add = desired - current;
      for (const r of slots) {
        if (add === 0) break;
        if (!lc.isOff(r) || this.draining.has(r)) continue;
        this.start(r, now, false);
        add--;
      }
    } else if (desired < current) {
      let remove = current - desired;
      // Kubernetes removes pods that are not ready first, then the newest (highest index here).
      for (let k = slots.length - 1; k >= 0 && remove > 0; k--) {
        const r = slots[k]!;
        if (!lc.isStarting(r)) continue;
        lc.stopped(r, now);
        remove--;
      }
      for (let k = slots.length - 1; k >= 0 && remove > 0; k--) {
        const r = slots[k]!;
        if (!lc.isReady(r) || this.draining.has(r)) continue;
        this.drain(r, now);
        remove--;
      }
    }
  }

  /** Start replica `r` (a new pod, or a restart in place skipping scheduling); its Ready is scheduled. */
  private start(r: number, now: number, restart: boolean): void {
    const at = this.lifecycle.start(r, now, restart);
    this.readyAt[r] = at;
    this.scheduleReady(at, r);
  }

  /** Take replica `r` out: the picker drops it at once (deletionTimestamp, §6.1); it stops once empty. */
  private drain(r: number, now: number): void {
    this.gateway.setMember(r, false);
    this.draining.add(r);
    this.stopIfDrained(r, now);
  }

  /** Stop a drained replica: it releases its GPUs and refuses connections. */
  private stopIfDrained(r: number, now: number): void {
    const rep = this.fleet.replicas[r]!;
    if (rep.inFlight > 0 || rep.busy) return;
    this.draining.delete(r);
    this.alive[r] = false;
    this.downMode[r] = 'crash';
    this.gateway.setReachable(r, false);
    this.lifecycle.stopped(r, now);
    // A rollout's replacement pod: a new pod in the old one's place (all start-up phases).
    if (this.restartAfterDrain.delete(r)) this.start(r, now, false);
    else this.rolloutStep(this.fleet.info[r]!.pool, now);
  }

  /**
   * Advance pool `p`'s rollout: start surge pods (up to max_surge), take down old pods while the
   * Ready pods stay ≥ size − max_unavailable, and once every old pod is replaced, drain the surge.
   */
  private rolloutStep(p: number, now: number): void {
    const ro = this.rollouts[p];
    if (ro === null || ro === undefined) return;
    const lc = this.lifecycle;
    let ready = 0;
    for (let r = this.fleet.offsets[p]!; r < this.fleet.offsets[p + 1]!; r++) if (lc.isReady(r) && !this.draining.has(r)) ready++;
    const replaced = ro.old.every((r) => ro.taken.has(r) && lc.isReady(r) && !this.restartAfterDrain.has(r) && !this.draining.has(r));
    if (replaced) {
      for (const r of ro.surge) {
        if (lc.isStarting(r)) lc.stopped(r, now);
        else if (lc.isReady(r)) this.drain(r, now);
      }
      this.rollouts[p] = null;
      return;
    }
    const left = ro.old.filter((r) => !ro.taken.has(r)).length;
    for (const r of ro.spare) {
      if (ro.surge.length >= Math.min(ro.maxSurge, left)) break;
      if (!lc.isOff(r) || ro.surge.includes(r)) continue;
      this.start(r, now, false);
      ro.surge.push(r);
    }
    for (const r of ro.old) {
      if (ro.taken.has(r)) continue;
      if (ready - 1 < ro.old.length - ro.maxUnavailable) break;
      ro.taken.add(r);
      if (lc.isReady(r)) ready--;
      this.restartAfterDrain.add(r);
      this.drain(r, now);
    }
  }
}
