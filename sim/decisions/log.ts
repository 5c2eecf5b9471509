/**
 * `routesim run --decisions` (issue 13, "why this pod?"): records every scheduling decision of an
 * EPP policy. Installed on a pool's gateway (gateway.ts `recordDecisions`), it receives each cycle
 * from the scheduler's recorder hook (policies/framework/scheduler.ts) before PreRequest, looks up
 * the engine truth of the candidates (truth.ts), re-runs the cycle with true metrics
 * (counterfactual.ts), adds the decision to the policy's summary (summary.ts) and, when the
 * request is sampled, writes the decision as one JSON line (policies/harness/decisionLine.ts, built
 * by policies/harness/decisionRecord.ts, which the live picker's log shares).
 *
 * Sampling is by request: a request is written iff fmix(seed, id) / 2³² < rate, so the same
 * requests are written for every policy and run, and no random stream is drawn from. Nothing here
 * writes to the simulation: results are byte-identical with and without a log.
 */
import type { ScheduledCycle, SchedulingRecorder } from '../../policies/framework/scheduler.js';
import type { SchedEndpoint } from '../../policies/framework/types.js';
import type { EndpointMetrics } from '../../policies/types.js';
import type { DecisionLine } from '../../policies/harness/decisionLine.js';
import { decisionLineOf } from '../../policies/harness/decisionRecord.js';
import { hashInts } from '../core/hash.js';
import { createRng } from '../core/rng.js';
import type { SimRequest } from '../workload/request.js';
import { counterfactualResult, picksOf, primaryPick } from './counterfactual.js';
import { SummaryAcc, type DecisionSummary } from './summary.js';
import { trueLoad, truePrefixHitTokens, type TruthSource } from './truth.js';

export interface DecisionLogOptions {
  readonly policy: string;
  readonly seed: number;
  /** Share of requests whose decisions are written, (0, 1]. */
  readonly sample: number;
  /** Receives each written line (without newline); null = summary only. */
  readonly write: ((line: string) => void) | null;
}

/** Whether request `id` is written at `rate` under `seed` (deterministic, no stream drawn). */
export function sampled(seed: number, id: number, rate: number): boolean {
  if (rate >= 1) return true;
  return hashInts(seed, id, 0xdec) / 4294967296 < rate;
}

/** What a pool's gateway tells the log about itself. */
export interface PoolView {
  readonly pool: number;
  /** Truth per local endpoint index. */
  readonly sources: readonly TruthSource[];
  /** The simulated request behind an EPP request id (arrival time, prompt length). */
  requestOf(id: string): SimRequest | undefined;
}

export class DecisionLog {
  private readonly acc = new SummaryAcc();
  constructor(private readonly opts: DecisionLogOptions) {}

  /** The recorder a pool's gateway installs around its picker calls. */
  recorderFor(view: PoolView): SchedulingRecorder {
    const fallback = createRng(this.opts.seed, `decisions:${view.pool}`);
    return { scheduled: (cycle) => this.record(view, cycle, fallback) };
  }

  summary(): DecisionSummary {
    return this.acc.finish();
  }

  private record(view: PoolView, cycle: ScheduledCycle, fallback: () => number): void {
    const now = cycle.ctx.nowUs;
    const sim = view.requestOf(cycle.req.id);
    const inputTokens = sim?.inputTokens ?? 0;
    const keys = cycle.req.tokenBlockKeys?.() ?? [];
    const truthMetrics = new Map<string, EndpointMetrics>();
    const hits = new Map<string, number>();
    for (const c of cycle.candidates) {
      const src = view.sources[c.index]!;
      truthMetrics.set(c.name, src.snapshot(now));
      hits.set(c.name, truePrefixHitTokens(src.kv, keys, inputTokens));
    }
    const cf = counterfactualResult(cycle, (c: SchedEndpoint) => truthMetrics.get(c.name)!, fallback);
    const realPicks = picksOf(cycle.result);
    const cfPicks = picksOf(cf);
    const changed = !samePicks(realPicks, cfPicks);
    const pick = primaryPick(cycle.result);
    const primary = cycle.result?.primaryProfileName ?? null;

    let regret: DecisionLine['regret'];
    if (pick !== null && primary !== null) {
      const trace = cycle.trace.profiles.find((p) => p.profile === primary);
      const last = trace?.filters[trace.filters.length - 1];
      const pool = last !== undefined ? last.survivors : cycle.candidates.map((c) => c.name);
      let best = 0;
      let least = Infinity;
      for (const n of pool) {
        best = Math.max(best, hits.get(n)!);
        least = Math.min(least, trueLoad(truthMetrics.get(n)!));
      }
      regret = { bestPrefixHitTokens: best, chosenPrefixHitTokens: hits.get(pick)!, leastLoad: least, chosenLoad: trueLoad(truthMetrics.get(pick)!) };
    }
    const ages = cycle.candidates.map((c) => (c.metrics === null ? 0 : (now - c.metrics.updateTimeUs) / 1000));
    this.acc.add(regret && { best: regret.bestPrefixHitTokens, chosen: regret.chosenPrefixHitTokens, least: regret.leastLoad, chosenLoad: regret.chosenLoad }, changed, ages);

    const write = this.opts.write;
    if (write === null || sim === undefined || !sampled(this.opts.seed, sim.id, this.opts.sample)) return;
    const line = decisionLineOf(cycle, {
      policy: this.opts.policy,
      pool: view.pool,
      inputTokens,
      arrivalUs: sim.arrivalUs,
      truth: (name) => {
        const t = truthMetrics.get(name)!;
        return { waiting: t.waitingQueueSize, running: t.runningRequestsSize, kvUsage: t.kvCacheUsagePercent, prefixHitTokens: hits.get(name)! };
      },
      counterfactual: { pick: primaryPick(cf), picks: cfPicks, changed },
      ...(regret !== undefined ? { regret } : {}),
    });
    write(JSON.stringify(line));
  }
}

function samePicks(a: Record<string, string | null>, b: Record<string, string | null>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}
