/**
 * The Kubernetes HorizontalPodAutoscaler (autoscaling/v2) of one pool, one sync at a time
 * (gateway.md §5.1 in ../shared/reference/gateway.md; metrics and lags §5.2; pending replicas §5.6).
 *
 * One {@link Hpa.recommend} call is one HPA sync (every `sync_period_s`, default 15 s):
 * 1. Pods metric, AverageValue target (kube-controller-manager `calcPlainMetricReplicas`): values
 *    are int64 milli-units as the Prometheus adapter hands them over (`int64(v·1000)`), the average
 *    is the integer mean, `ratio = avg / target`. Within tolerance ⇒ keep the current count; else
 *    `ceil(ratio · pods with a metric)`.
 *    Pods counted in the replicas but without a metric yet (`pendingPods`: started, not Ready) are
 *    Kubernetes' "missing" pods: they count 0 on a scale-up — the pending replicas are anticipated
 *    supply for scale-up only (§5.6) — and exactly the target on a scale-down; if that correction
 *    lands in tolerance or reverses the direction, keep.
 *    Tolerance uses the Kubernetes ≥ 1.33 form `1 − tol ≤ ratio ≤ 1 + tol` (KEP-4951), so a ratio
 *    of exactly 1.1 with tolerance 0.1 is swallowed (§5.1 "10 → 11 is exactly the tolerance").
 * 2. Stabilization: the result is recorded; scale-up takes the min of the recommendations in the
 *    scale-up window, scale-down the max in the scale-down window (entries strictly newer than
 *    `now − window`). As Kubernetes does for a new HPA, the first sync seeds the list with the
 *    current count when the scale-down window is > 0 (no scale-down in the first window).
 * 3. Policies: each policy bounds the change relative to the replicas at the start of its period —
 *    current minus the scale-ups plus the scale-downs recorded strictly within the last
 *    `period_s` — `Pods`: start ± value; `Percent`: up `ceil(start·(1 + p/100))`, down
 *    `trunc(start·(1 − p/100))`; `select_policy` Max (most permissive) / Min / Disabled.
 * 4. Clamp to [min_replicas, max_replicas]. A current count outside the range goes straight to the
 *    nearest bound (no metric, nothing recorded); a count of 0 means autoscaling is disabled.
 *
 * A returned count that differs from `currentReplicas` is recorded as a scale event at `nowUs`: the
 * caller is expected to apply it. History is bounded: entries older than the longest window or
 * period are dropped. Floating-point steps follow Go's float64 arithmetic (JS numbers are the same).
 *
 * The `saturation` metric is WVA V1 (wva.ts); its desired count reaches the HPA as an External
 * metric with AverageValue target 1, as WVA deploys it (§5.3): {@link Hpa.desiredFromWva}.
 */
import type { AutoscalingConfig, HpaScalingRules } from '../scenario/types.js';

/** HPA defaults (§5.1 step 6): up {4 pods, 100 %} per 15 s with Max, no window. */
export const DEFAULT_SCALE_UP: HpaScalingRules = {
  stabilization_window_s: 0,
  policies: [
    { type: 'Pods', value: 4, period_s: 15 },
    { type: 'Percent', value: 100, period_s: 15 },
  ],
  select_policy: 'Max',
};

/** HPA defaults: down 100 % per 15 s, 300 s window. */
export const DEFAULT_SCALE_DOWN: HpaScalingRules = {
  stabilization_window_s: 300,
  policies: [{ type: 'Percent', value: 100, period_s: 15 }],
  select_policy: 'Max',
};

/** Everything but metric, target and max_replicas (and group, which the HPA does not read). */
export const HPA_DEFAULTS = {
  min_replicas: 1,
  sync_period_s: 15,
  tolerance: 0.1,
  /** Prometheus scrape + adapter (§5.2; BLIS's production HPA scrape delay). */
  metric_delay_s: 15,
} as const;

/** The parts of one sync, for reports and tests. */
export interface HpaDecision {
  /** avg / target as the HPA computed it (after the missing-pod correction); null = no metric. */
  readonly ratio: number | null;
  /** What the metric asks for (step 1); null = no metric, nothing recorded. */
  readonly metricDesired: number | null;
  /** After stabilization (step 2). */
  readonly stabilized: number;
  /** After policies and clamp: the replica count to set. */
  readonly desired: number;
}

interface Stamped {
  readonly tUs: number;
  readonly n: number;
}

const US = 1_000_000;

/** Milli-units as the Prometheus adapter converts a sample (`int64(value * 1000)`). */
function milli(v: number): number {
  return Math.trunc(v * 1000);
}

export class Hpa {
  /** Recommendations recorded at past syncs (prenormalized desired counts). */
  private recs: Stamped[] = [];
  private seeded = false;
  private upEvents: Stamped[] = [];
  private downEvents: Stamped[] = [];
  private readonly targetMilli: number;

  constructor(readonly cfg: AutoscalingConfig) {
    if (!(cfg.min_replicas >= 1 && cfg.min_replicas <= cfg.max_replicas)) {
      throw new Error(`autoscaling: min_replicas ${cfg.min_replicas} must be ≥ 1 and ≤ max_replicas ${cfg.max_replicas}`);
    }
    this.targetMilli = Math.round(cfg.target * 1000);
    if (!(this.targetMilli >= 1)) throw new Error(`autoscaling: target ${cfg.target} must be ≥ 0.001`);
  }

  /** When the sample the HPA reads at `nowUs` was taken (metric_delay_s earlier, not before 0). */
  metricTimeUs(nowUs: number): number {
    return Math.max(0, nowUs - Math.round(this.cfg.metric_delay_s * US));
  }

  /** The first sync strictly after `afterUs` (syncs at k · sync_period_s, k ≥ 1). */
  nextSyncUs(afterUs: number): number {
    const p = Math.round(this.cfg.sync_period_s * US);
    return (Math.floor(Math.max(0, afterUs) / p) + 1) * p;
  }

  /**
   * One sync on a per-pod metric (`queue`, `kv`, `running`): the replica count to set.
   * `podMetricValues` are the Ready pods' values as of {@link metricTimeUs}; `pendingPods` are
   * pods counted in `currentReplicas` that report no metric yet.
   */
  recommend(nowUs: number, currentReplicas: number, podMetricValues: readonly number[], pendingPods = 0): number {
    return this.sync(nowUs, currentReplicas, podMetricValues, pendingPods).desired;
  }

  /** {@link recommend} with its intermediate results. */
  sync(nowUs: number, currentReplicas: number, podMetricValues: readonly number[], pendingPods = 0): HpaDecision {
    if (this.cfg.metric === 'saturation') throw new Error('autoscaling: metric saturation goes through desiredFromWva');
    const m = this.podsMetric(currentReplicas, podMetricValues, pendingPods);
    return this.normalize(nowUs, currentReplicas, m.desired, m.ratio);
  }

  /**
   * One sync fed by WVA's desired count as an External metric with AverageValue target `target`
   * (1 by default): `ratio = value / (target · current)`; outside tolerance the metric asks for
   * `ceil(value / target)`; then stabilization, policies and clamp as for any metric.
   */
  desiredFromWva(nowUs: number, currentReplicas: number, wvaDesired: number): number {
    return this.syncExternal(nowUs, currentReplicas, wvaDesired).desired;
  }

  /** {@link desiredFromWva} with its intermediate results. */
  syncExternal(nowUs: number, currentReplicas: number, value: number): HpaDecision {
    if (this.cfg.metric !== 'saturation') throw new Error(`autoscaling: metric ${this.cfg.metric} goes through recommend`);
    const usage = milli(value);
    let desired: number | null = null;
    let ratio: number | null = null;
    if (currentReplicas > 0) {
      ratio = usage / (this.targetMilli * currentReplicas);
      desired = this.within(ratio) ? currentReplicas : Math.ceil(usage / this.targetMilli);
    }
    return this.normalize(nowUs, currentReplicas, desired, ratio);
  }

  private within(ratio: number): boolean {
    return 1 - this.cfg.tolerance <= ratio && ratio <= 1 + this.cfg.tolerance;
  }

  /** Step 1 (calcPlainMetricReplicas); desired null = no metric at all. */
  private podsMetric(current: number, values: readonly number[], pending: number): { desired: number | null; ratio: number | null } {
    const n = values.length;
    if (n === 0) return { desired: null, ratio: null };
    let total = 0;
    for (const v of values) total += milli(v);
    const ratio = Math.trunc(total / n) / this.targetMilli;
    if (pending <= 0) {
      if (this.within(ratio)) return { desired: current, ratio };
      return { desired: Math.ceil(ratio * n), ratio };
    }
    // Missing pods: the target on a scale-down, 0 on a scale-up.
    const total2 = ratio < 1 ? total + pending * this.targetMilli : total;
    const all = n + pending;
    const ratio2 = Math.trunc(total2 / all) / this.targetMilli;
    if (this.within(ratio2) || (ratio < 1 && ratio2 > 1) || (ratio > 1 && ratio2 < 1)) return { desired: current, ratio: ratio2 };
    const desired = Math.ceil(ratio2 * all);
    if ((ratio2 < 1 && desired > current) || (ratio2 > 1 && desired < current)) return { desired: current, ratio: ratio2 };
    return { desired, ratio: ratio2 };
  }

  /** Steps 2–4 and the bookkeeping of one sync. */
  private normalize(nowUs: number, current: number, metricDesired: number | null, ratio: number | null): HpaDecision {
    const { min_replicas: min, max_replicas: max } = this.cfg;
    let stabilized = current;
    let desired = current;
    let asked = metricDesired;
    if (current === 0) {
      asked = null;
      // Scaled to 0 with min ≥ 1: Kubernetes treats autoscaling as disabled.
    } else if (current > max) {
      stabilized = desired = max;
      asked = null;
    } else if (current < min) {
      stabilized = desired = min;
      asked = null;
    } else if (metricDesired !== null) {
      stabilized = this.stabilize(nowUs, current, metricDesired);
      desired = this.limit(nowUs, current, stabilized);
    }
    if (desired > current) this.upEvents.push({ tUs: nowUs, n: desired - current });
    else if (desired < current) this.downEvents.push({ tUs: nowUs, n: current - desired });
    this.prune(nowUs);
    return { ratio: asked === null ? null : ratio, metricDesired: asked, stabilized, desired };
  }

  private stabilize(nowUs: number, current: number, d: number): number {
    const { scale_up: up, scale_down: down } = this.cfg.behavior;
    if (!this.seeded) {
      this.seeded = true;
      if (down.stabilization_window_s > 0) this.recs.push({ tUs: nowUs, n: current });
    }
    const upCut = nowUs - Math.round(up.stabilization_window_s * US);
    const downCut = nowUs - Math.round(down.stabilization_window_s * US);
    let upRec = d;
    let downRec = d;
    for (const r of this.recs) {
      if (r.tUs > upCut) upRec = Math.min(upRec, r.n);
      if (r.tUs > downCut) downRec = Math.max(downRec, r.n);
    }
    this.recs.push({ tUs: nowUs, n: d });
    let s = current;
    if (s < upRec) s = upRec;
    if (s > downRec) s = downRec;
    return s;
  }

  /** Sum of the changes recorded strictly within the last `periodS` seconds. */
  private changeWithin(events: readonly Stamped[], nowUs: number, periodS: number): number {
    const cut = nowUs - Math.round(periodS * US);
    let sum = 0;
    for (const e of events) if (e.tUs > cut) sum += e.n;
    return sum;
  }

  private periodStart(nowUs: number, current: number, periodS: number): number {
    return current - this.changeWithin(this.upEvents, nowUs, periodS) + this.changeWithin(this.downEvents, nowUs, periodS);
  }

  private limit(nowUs: number, current: number, s: number): number {
    const { min_replicas: min, max_replicas: max } = this.cfg;
    const { scale_up: up, scale_down: down } = this.cfg.behavior;
    if (s > current) {
      let lim: number;
      if (up.select_policy === 'Disabled') lim = current;
      else {
        const pick = up.select_policy === 'Min' ? Math.min : Math.max;
        lim = up.select_policy === 'Min' ? Infinity : -Infinity;
        for (const p of up.policies) {
          const start = this.periodStart(nowUs, current, p.period_s);
          lim = pick(lim, p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100)));
        }
      }
      if (lim < current) lim = current;
      return Math.min(s, Math.min(max, lim));
    }
    if (s < current) {
      let lim: number;
      if (down.select_policy === 'Disabled') lim = current;
      else {
        // Down, Max = the most permissive = the lowest bound.
        const pick = down.select_policy === 'Min' ? Math.max : Math.min;
        lim = down.select_policy === 'Min' ? -Infinity : Infinity;
        for (const p of down.policies) {
          const start = this.periodStart(nowUs, current, p.period_s);
          lim = pick(lim, p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100)));
        }
      }
      if (lim > current) lim = current;
      return Math.max(s, Math.max(min, lim));
    }
    return s;
  }

  private prune(nowUs: number): void {
    const { scale_up: up, scale_down: down } = this.cfg.behavior;
    const win = Math.max(up.stabilization_window_s, down.stabilization_window_s);
    const period = Math.max(0, ...up.policies.map((p) => p.period_s), ...down.policies.map((p) => p.period_s));
    const recCut = nowUs - Math.round(win * US);
    const evCut = nowUs - Math.round(period * US);
    this.recs = this.recs.filter((r) => r.tUs > recCut);
    this.upEvents = this.upEvents.filter((e) => e.tUs > evCut);
    this.downEvents = this.downEvents.filter((e) => e.tUs > evCut);
  }

  /** Entries kept (recommendations, scale events): bounded by the windows and periods. */
  historySize(): number {
    return this.recs.length + this.upEvents.length + this.downEvents.length;
  }
}
