/**
 * llm-d Workload Variant Autoscaler, V1 spare-capacity analyzer, for one variant (gateway.md §5.3
 * in ../shared/reference/gateway.md) — the `saturation` autoscaling metric.
 *
 * Per analysis (WVA's loop; the inputs are the Ready replicas' KV use and queue, which WVA reads as
 * `max_over_time[1m]` — the caller supplies them):
 * - a replica is non-saturated iff kv < 0.80 and queue < 5;
 * - spare KV = 0.80 − kv, spare queue = 5 − queue, each averaged over the non-saturated replicas
 *   (none ⇒ spare 0, i.e. saturated);
 * - scale up +1 if avg spare KV < 0.10 or avg spare queue < 3, skipped while pods are pending
 *   (anticipated supply, §5.6);
 * - else scale down −1 if N ≥ 2 (N = non-saturated replicas) and the non-saturated replicas' total
 *   KV use and queue spread over N − 1 keep both spares ≥ the triggers;
 * - a previous desired count that the deployment has not reached yet (≠ current) is kept.
 * One variant only, so "cheapest" / "most expensive" variant is this one. The result is clamped to
 * [min, max] so a desired count the HPA can never reach is not kept forever.
 *
 * How the count reaches the pool: as WVA deploys it, through the HPA as the External metric
 * `wva_desired_replicas` with AverageValue target 1 (Hpa.desiredFromWva): the HPA's tolerance,
 * stabilization and policies then apply (at ≥ 10 replicas a ±1 step is within the 10 % tolerance
 * and swallowed, §5.1). That is the choice here; a caller wanting WVA without the HPA can apply
 * {@link WvaV1.recommend}'s count directly.
 */

/** WVA V1 thresholds (§5.3; the EPP's saturation detector uses the same 0.8 / 5). */
export const WVA_V1 = {
  kvThreshold: 0.8,
  queueThreshold: 5,
  kvSpareTrigger: 0.1,
  queueSpareTrigger: 3,
} as const;

export interface WvaPod {
  /** KV-cache use, 0..1. */
  readonly kv: number;
  /** Requests waiting. */
  readonly queue: number;
}

/** What one analysis saw, for reports and tests. */
export interface WvaAnalysis {
  readonly nonSaturated: number;
  readonly avgSpareKv: number;
  readonly avgSpareQueue: number;
  readonly action: 'up' | 'down' | 'hold' | 'keep-previous';
  readonly desired: number;
}

export class WvaV1 {
  private previous: number | null = null;

  constructor(
    readonly minReplicas = 1,
    readonly maxReplicas = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Desired replica count of the variant; `pods` are the Ready replicas, `pending` the ones starting. */
  recommend(current: number, pods: readonly WvaPod[], pending: number): number {
    return this.analyze(current, pods, pending).desired;
  }

  analyze(current: number, pods: readonly WvaPod[], pending: number): WvaAnalysis {
    const t = WVA_V1;
    let n = 0;
    let kvSum = 0;
    let queueSum = 0;
    for (const p of pods) {
      if (p.kv < t.kvThreshold && p.queue < t.queueThreshold) {
        n++;
        kvSum += p.kv;
        queueSum += p.queue;
      }
    }
    const avgSpareKv = n > 0 ? t.kvThreshold - kvSum / n : 0;
    const avgSpareQueue = n > 0 ? t.queueThreshold - queueSum / n : 0;
    const seen = { nonSaturated: n, avgSpareKv, avgSpareQueue };
    if (this.previous !== null && this.previous !== current) {
      return { ...seen, action: 'keep-previous', desired: this.previous };
    }
    let desired = current;
    let action: WvaAnalysis['action'] = 'hold';
    if (avgSpareKv < t.kvSpareTrigger || avgSpareQueue < t.queueSpareTrigger) {
      if (pending <= 0) {
        desired = current + 1;
        action = 'up';
      }
    } else if (n >= 2) {
      const kvAfter = t.kvThreshold - kvSum / (n - 1);
      const queueAfter = t.queueThreshold - queueSum / (n - 1);
      if (kvAfter >= t.kvSpareTrigger && queueAfter >= t.queueSpareTrigger) {
        desired = current - 1;
        action = 'down';
      }
    }
    desired = Math.min(this.maxReplicas, Math.max(this.minReplicas, desired));
    if (desired === current) action = 'hold';
    this.previous = desired;
    return { ...seen, action, desired };
  }
}
