/**
 * The summary of a run too large to keep its request records: more than RECORDS_KEPT requests per
 * policy (issue 15: a 10M-row trace in bounded memory). It watches the run as a RequestSink: each
 * record is held only while its request is in flight and folded in when it ends, so memory is
 * bounded by the requests in flight, the held requests of the window's edges and fixed-size sketches.
 *
 * What it gives is summary.ts's PolicySummary, every part of it, with the same definitions:
 * - exact: every count and reason table, throughput, goodput, means, token sums, the ITL block (the
 *   simulation's histogram), replicas, balance, the window, resilience counts, replicas over time;
 * - exact up to 1,000,000 requests a run, approximate past that (`exact` says which): latency
 *   quantiles (latencyColumn.ts: typed arrays, then DDSketch within 0.5 % relative of the exact
 *   quantile) and the steady-state backlog (backlogCounts.ts: times, then time bins).
 * Up to that size every figure is the record path's (summary.ts), bit for bit.
 * Requests that may fall in the warm-up (arriving within its longest possible length of the first
 * arrival) or in the cool-down (within it of the latest arrival) wait in heldRequests.ts until the
 * window's bounds are known. Every breakdown (classes, pools, routes, models, roles) is a dimension
 * of subsets (subset.ts); load stages get a subset each (every request of a stage, no window); the
 * P/D decomposition has its own folder (pdFolder.ts).
 */
import type { SloConfig } from '../../scenario/types.js';
import type { RequestSink } from '../../simulation.js';
import type { PolicyRun, RequestRecord } from '../types.js';
import { round4, round4OrNull, itlStats, ttftMs, e2eMs, tpotMs } from '../latency.js';
import { sortGroupKeys, stageIndexOf, stageSummaryOf, tenantKey, type ClassBreakdown, type ClassSummary, type StageSummary } from '../breakdown.js';
import { bump } from '../resilienceCounts.js';
import { AUTO_WARMUP_CAP_S, fleetFigures, measurementWindow, sortedCounts, type PolicySummary, type SummaryOptions } from '../summary.js';
import { excludedBuckets } from '../itlTimeline.js';
import { servedUs, steadyVerdict } from '../steadyState.js';
import { DEFAULT_MODEL, hasRoles, NOT_DISPATCHED, poolIndices, poolName, routeName, UNLABELLED, type PoolBreakdown } from '../pools.js';
import { PdFolder } from './pdFolder.js';
import type { PdSummary } from '../pdBreakdown.js';
import { HeldRequests, type WindowFields } from './heldRequests.js';
import { resilienceSummaryOf } from '../resilience.js';
import { replicasOverTime } from '../replicaTimeline.js';
import { SubsetFolder } from './subset.js';
import { EXACT_VALUES, LatencyColumn } from './latencyColumn.js';
import { LatencyUnion, type LatencyDistribution } from './latencyUnion.js';
import { BacklogCounts } from './backlogCounts.js';

export { RECORDS_KEPT } from './recordsKept.js';

/**
 * The subsets a request falls in, one per dimension: by_class (priority, tenant, adapter) and the
 * pool breakdown (pool, route, model, the serving replica's role). A request in no pool (a 404) has none in that dimension.
 */
const DIMENSIONS = ['priority', 'tenant', 'adapter', 'pool', 'route', 'model', 'role'] as const;
type Dimension = (typeof DIMENSIONS)[number];
const NONE = -1;
/** The pool dimension's place in DIMENSIONS (a held request's pool folder is groups[offset + POOL_DIM]). */
const POOL_DIM = DIMENSIONS.indexOf('pool');
const UNSET_FIELD = Symbol('unset');
const UNSET_GROUP = -2;

function grownGroups(a: Int32Array, size: number): Int32Array {
  const out = new Int32Array(Math.max(size, a.length * 2)).fill(UNSET_GROUP);
  out.set(a);
  return out;
}

/** One dimension: folders by key, in order of creation (the held requests' group indices). */
class Folders {
  readonly byKey = new Map<string, number>();
  readonly folders: SubsetFolder[] = [];
  /** `whole`: the subset every request of this dimension's subsets is in (their columns share its values). */
  constructor(
    private readonly slo: SloConfig,
    private readonly whole: SubsetFolder,
    private readonly exactValues: number,
  ) {}
  index(key: string): number {
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.folders.length;
      this.byKey.set(key, i);
      this.folders.push(new SubsetFolder(this.slo, this.whole, this.exactValues));
    }
    return i;
  }
  /** The folder of `key` (an empty one when no request had it). */
  get(key: string): SubsetFolder {
    return this.folders[this.index(key)]!;
  }
  classSummaries(whole: SubsetFolder, durationS: number, withFailed: boolean, withResilience = false): Record<string, ClassSummary> {
    const out: Record<string, ClassSummary> = {};
    for (const k of sortGroupKeys([...this.byKey.keys()])) out[k] = this.get(k).classSummary(whole, durationS, withFailed, withResilience);
    return out;
  }
}

/** Latencies of every completed request (the report's distributions), any arrival. */
export interface AllLatencies {
  readonly ttft: LatencyDistribution;
  readonly tpot: LatencyDistribution;
  readonly e2e: LatencyDistribution;
}

/** Columns of completed requests' TTFT, TPOT and E2E. */
interface LatencyColumns {
  readonly ttft: LatencyColumn;
  readonly tpot: LatencyColumn;
  readonly e2e: LatencyColumn;
}

/** `within`: the latencies of a set this one is part of, added to just before (columns share its values). */
function latencyColumns(exactValues: number, within?: LatencyColumns): LatencyColumns {
  const column = (c: LatencyColumn | undefined): LatencyColumn => new LatencyColumn(c ?? null, exactValues);
  return { ttft: column(within?.ttft), tpot: column(within?.tpot), e2e: column(within?.e2e) };
}

export class StreamedSummary implements RequestSink {
  private readonly inFlight = new Map<number, RequestRecord>();
  /** Arrivals so far, and the first and last arrival time. */
  arrived = 0;
  private firstUs = Infinity;
  private lastUs = -Infinity;
  private readonly backlog = new BacklogCounts();
  private readonly whole: SubsetFolder;
  private readonly dims: Record<Dimension, Folders>;
  /** The same folders in DIMENSIONS order (group index k of a request is in dimList[k]). */
  private readonly dimList: readonly Folders[];
  private readonly groups = DIMENSIONS.map(() => NONE);
  /** The fields the first six groups came from (groupsOf); a value no field has to start. */
  private readonly lastField: unknown[] = DIMENSIONS.map(() => UNSET_FIELD);
  /** The role group of replica i − 1 (index 0: not dispatched), UNSET_GROUP until first needed. */
  private roleGroup: Int32Array = new Int32Array(0);
  private cachedTokens = 0;
  private readonly droppedStatus = new Map<string, number>();
  /** Pool and route names of the run and each replica's role label (onStart), pool indices requests were routed to. */
  private names: Pick<PolicyRun, 'pools' | 'routes'> = {};
  private roles: readonly string[] = [];
  /** The P/D decomposition of the window's requests, and whether any request was disaggregated. */
  private readonly pd: PdFolder;
  private disaggregated = false;
  /** Whether the run may have a `pd` section, so `pd` folds its requests (onStart). */
  private foldPd = true;
  private readonly routedPools = new Set<number>();
  /** Some request failed mid-stream, was retried or fell back (resilience.ts hasResilience). */
  private resilientRecord = false;
  /** Requests arriving before first + earlyUs (maybe in the warm-up) and, with a cool-down, within it of the latest arrival. */
  private readonly early = new HeldRequests(DIMENSIONS.length);
  private readonly late = new HeldRequests(DIMENSIONS.length);
  /** Arrivals at or after first + this are in the window whatever the warm-up turns out to be. */
  private readonly earlyUs: number;
  /** The cool-down, µs (the window ends at the last arrival − this); 0 = none. */
  private readonly cooldownUs: number;
  /** `late` is drained when it reaches this size (then twice what it kept). */
  private drainAt = 1024;
  /** One subset per load stage (every request of the stage, no window): summary `stages`. */
  private readonly stages: SubsetFolder[];
  /**
   * The report's distributions are over every completed request, any arrival (`all`). An exact run
   * keeps only those outside the measurement window here (`outside`; per pool folder index in
   * `outsideByPool`), found when the held requests are replayed, and reads them with the window's
   * columns as one (latencyUnion.ts): not a third column of every value (≈ 24 MB on 1M requests,
   * issue 15). A sketched run (exactValues 0) folds every completed request into `sketched` (per
   * pool index in `sketchedByPool`) as it ends.
   */
  private readonly outside: LatencyColumns | null;
  private readonly outsideByPool = new Map<number, LatencyColumns>();
  private readonly sketched: LatencyColumns | null;
  private readonly sketchedByPool = new Map<number, LatencyColumns>();
  /** Set by `summarize`, after which the window and what lies outside it are known. */
  private summarized = false;
  /** Watchers of every ended record (the report's time series: reports/streamedProfiles.ts). */
  private readonly onEnd: ((r: RequestRecord) => void)[] = [];

  /**
   * @param exactValues values each latency keeps exactly before moving to a sketch (latencyColumn.ts):
   *   EXACT_VALUES; 0 for a run known to be larger (more than RECORDS_KEPT requests), whose figures
   *   cannot all be exact, so that its columns never fill 8 MB each only to move to sketches.
   */
  constructor(
    slo: SloConfig,
    private readonly opts: SummaryOptions,
    readonly exactValues = EXACT_VALUES,
  ) {
    this.cooldownUs = Math.round(round4(opts.cooldown_s ?? 0) * 1e6);
    this.stages = (opts.stages ?? []).map(() => new SubsetFolder(slo, undefined, exactValues));
    this.whole = new SubsetFolder(slo, undefined, exactValues);
    this.dimList = DIMENSIONS.map(() => new Folders(slo, this.whole, exactValues));
    this.outside = exactValues > 0 ? latencyColumns(exactValues) : null;
    this.sketched = exactValues > 0 ? null : latencyColumns(exactValues);
    this.pd = new PdFolder(exactValues, this.whole.queue);
    this.dims = Object.fromEntries(DIMENSIONS.map((d, k) => [d, this.dimList[k]!])) as Record<Dimension, Folders>;
    const w = opts.warmup_s;
    this.earlyUs = w === null ? AUTO_WARMUP_CAP_S * 1e6 : Math.round(round4(w ?? 0) * 1e6);
  }

  /**
   * `mayDisaggregate` (Cluster.mayDisaggregate) false and no role label: the run cannot have a `pd`
   * section (neither a disaggregated request nor a labelled replica), so the P/D decomposition is not
   * folded (its aggregated gateway and prefill parts would keep 16 MB on 1M requests, issue 15).
   * Absent (callers that do not know), it is folded.
   */
  readonly onStart = (names: Pick<PolicyRun, 'pools' | 'routes'>, roles: readonly string[], mayDisaggregate = true): void => {
    this.names = names;
    this.roles = roles;
    this.foldPd = mayDisaggregate || roles.some((r) => r !== '');
  };

  /** Adds a watcher of every ended record. */
  watch(fn: (r: RequestRecord) => void): void {
    this.onEnd.push(fn);
  }

  readonly onRecord = (rec: RequestRecord): void => {
    this.inFlight.set(rec.id, rec);
    this.arrived++;
    if (rec.arrivalUs < this.firstUs) this.firstUs = rec.arrivalUs;
    if (rec.arrivalUs > this.lastUs) this.lastUs = rec.arrivalUs;
    this.backlog.arrive(rec.arrivalUs);
  };

  readonly onRequestEnd = (id: number): void => {
    const rec = this.inFlight.get(id);
    if (rec === undefined) return;
    this.inFlight.delete(id);
    this.fold(rec);
  };

  /** Folds the records still in flight when the run ended (in id order), as the record path counts them. */
  finish(): void {
    const left = [...this.inFlight.keys()].sort((a, b) => a - b);
    for (const id of left) this.onRequestEnd(id);
  }

  /**
   * The request's subset in each dimension (`groups`). A dimension's key is a function of one field
   * (the role: of the replica), so a field equal to the previous request's keeps its subset without
   * building the key again; folders are still created in the order their keys first appear.
   */
  private groupsOf(r: RequestRecord): number[] {
    const g = this.groups;
    const d = this.dims;
    const last = this.lastField;
    if (r.priority !== last[0]) g[0] = d.priority.index(String((last[0] = r.priority)));
    if (r.client !== last[1]) g[1] = d.tenant.index(tenantKey((last[1] = r.client), this.opts.tenantNames));
    if (r.adapter !== last[2]) g[2] = d.adapter.index((last[2] = r.adapter) ?? 'base');
    if (r.pool !== last[3]) g[3] = (last[3] = r.pool) >= 0 ? d.pool.index(String(r.pool)) : NONE;
    if (r.route !== last[4]) g[4] = d.route.index(routeName(this.names, (last[4] = r.route)));
    if (r.model !== last[5]) g[5] = d.model.index((last[5] = r.model) || DEFAULT_MODEL);
    const at = r.replica + 1;
    if (at >= this.roleGroup.length) this.roleGroup = grownGroups(this.roleGroup, at + 1);
    let role = this.roleGroup[at]!;
    if (role === UNSET_GROUP) role = this.roleGroup[at] = d.role.index(r.replica >= 0 ? this.roles[r.replica] || UNLABELLED : NOT_DISPATCHED);
    g[6] = role;
    return g;
  }

  private fold(r: RequestRecord): void {
    const g = this.groupsOf(r);
    if (r.prefillReplica >= 0) {
      if (!this.foldPd) throw new Error(`streamed summary: request ${r.id} was disaggregated in a run that started unable to disaggregate (Cluster.mayDisaggregate)`);
      this.disaggregated = true;
    }
    if (r.pool >= 0) this.routedPools.add(r.pool);
    if (r.outcome === 'failed' || r.attempts > 1 || r.fallback) this.resilientRecord = true;
    this.whole.count(r);
    for (let k = 0; k < g.length; k++) if (g[k] !== NONE) this.dimList[k]!.folders[g[k]!]!.count(r);
    if (r.outcome === 'dropped') bump(this.droppedStatus, String(r.status));
    const s = servedUs(r);
    if (s !== Infinity) this.backlog.serve(s);
    if (r.outcome === 'completed' && this.sketched !== null) {
      addLatencies(this.sketched, r);
      if (r.pool >= 0) {
        let p = this.sketchedByPool.get(r.pool);
        if (p === undefined) this.sketchedByPool.set(r.pool, (p = latencyColumns(this.exactValues, this.sketched)));
        addLatencies(p, r);
      }
    }
    for (const fn of this.onEnd) fn(r);
    if (this.stages.length > 0) {
      const k = stageIndexOf(this.opts.stages!, r.arrivalUs);
      if (k >= 0) {
        this.stages[k]!.count(r);
        this.stages[k]!.measure(r);
      }
    }
    if (r.arrivalUs < this.firstUs + this.earlyUs) this.early.push(r, g);
    else if (this.cooldownUs > 0 && r.arrivalUs > this.lastUs - this.cooldownUs) this.holdLate(r, g);
    else this.measure(r, g, 0);
  }

  /** Holds a request that may arrive in the cool-down; releases those that later arrivals have placed before it. */
  private holdLate(r: RequestRecord, g: readonly number[]): void {
    this.late.push(r, g);
    if (this.late.size < this.drainAt) return;
    this.late.drain(this.lastUs - this.cooldownUs, (x, groups, offset) => this.measure(x, groups, offset));
    this.drainAt = Math.max(1024, 2 * this.late.size);
  }

  /** Adds a request of the measurement window to the figures of the run and of its classes. */
  private measure(r: WindowFields, groups: ArrayLike<number>, offset: number): void {
    this.whole.measure(r);
    for (let k = 0; k < this.dimList.length; k++) {
      const i = groups[offset + k]!;
      if (i !== NONE) this.dimList[k]!.folders[i]!.measure(r);
    }
    if (r.outcome === 'completed') this.cachedTokens += r.cachedTokens;
    if (this.foldPd) this.pd.measure(r);
  }

  /** A held request the window left out (replayed at the end): its latencies count in `all` only. */
  private leftOut(r: WindowFields, groups: ArrayLike<number>, offset: number): void {
    const out = this.outside;
    if (out === null || r.outcome !== 'completed') return;
    // The latency helpers read only window fields (heldRequests.ts keeps exactly those).
    const rec = r as RequestRecord;
    addLatencies(out, rec);
    const pool = groups[offset + POOL_DIM]!;
    if (pool === NONE) return;
    let p = this.outsideByPool.get(pool);
    if (p === undefined) this.outsideByPool.set(pool, (p = latencyColumns(this.exactValues, out)));
    addLatencies(p, rec);
  }

  /** Completed requests' latencies over the whole run, any arrival (the report's distributions); read after `summarize`. */
  get all(): AllLatencies {
    if (this.sketched !== null) return this.sketched;
    return this.unionWith(this.whole, this.outside!);
  }

  /** The window's latencies of `inWindow` and `out`'s as one (latencyUnion.ts). */
  private unionWith(inWindow: LatencyColumns | undefined, out: LatencyColumns | undefined): AllLatencies {
    if (!this.summarized) throw new Error('streamed summary: every completed request’s latencies are known only after summarize()');
    const empty = (): LatencyColumn => new LatencyColumn(null, this.exactValues);
    const union = (k: keyof LatencyColumns): LatencyUnion => new LatencyUnion(inWindow?.[k] ?? empty(), out?.[k] ?? empty(), this.exactValues);
    return { ttft: union('ttft'), tpot: union('tpot'), e2e: union('e2e') };
  }

  /**
   * Whether every figure is the record path's (no latency column or backlog column moved to a
   * sketch or bins): runs of up to 1,000,000 requests. Ask after `summarize`.
   */
  get exact(): boolean {
    const columns = (a: AllLatencies): boolean => a.ttft.exact && a.tpot.exact && a.e2e.exact;
    // A pool's completed requests are some of the run's: exact when the run's are (exact runs).
    return (
      this.backlog.exact &&
      this.whole.exact &&
      this.dimList.every((d) => d.folders.every((f) => f.exact)) &&
      this.stages.every((f) => f.exact) &&
      columns(this.all) &&
      [...this.sketchedByPool.values()].every(columns) &&
      this.pd.exact
    );
  }

  private pdSummary(): PdSummary {
    if (!this.foldPd) throw new Error('streamed summary: a pd section for a run that started without role labels or a way to disaggregate (onStart)');
    return this.pd.summary();
  }

  /** The run's pool indices (named, of a replica or of a routed request), ascending. */
  poolIndices(run: Pick<PolicyRun, 'pools' | 'replicas' | 'records'>): number[] {
    return poolIndices(run, this.routedPools);
  }

  /** Completed requests' latencies of one pool (the report's per-pool distributions). */
  poolLatencies(pool: number): AllLatencies {
    if (this.sketched !== null) return this.sketchedByPool.get(pool) ?? latencyColumns(this.exactValues);
    const folder = this.dims.pool.byKey.get(String(pool));
    if (folder === undefined) return this.unionWith(undefined, undefined);
    return this.unionWith(this.dims.pool.folders[folder], this.outsideByPool.get(folder));
  }

  /** The pool breakdown (pools.ts poolBreakdown): by_pool, by_route, by_model, each only when the run splits that way. */
  private poolBreakdown(run: PolicyRun, durationS: number, withFailed: boolean, withResilience: boolean): PoolBreakdown {
    const out: { -readonly [K in keyof PoolBreakdown]: PoolBreakdown[K] } = {};
    const pools = this.poolIndices(run);
    if (pools.length > 1) {
      out.by_pool = Object.fromEntries(pools.map((i) => [poolName(run, i), this.dims.pool.get(String(i)).subsetSummary(durationS, withFailed, run.replicas.filter((r) => r.pool === i))]));
    }
    const routes = this.dims.route;
    if (routes.byKey.size > 1 || (run.routes?.length ?? 0) > 1) {
      for (const name of run.routes ?? []) routes.index(name);
      out.by_route = Object.fromEntries([...routes.byKey.keys()].sort().map((k) => [k, routes.get(k).subsetSummary(durationS, withFailed, undefined, withResilience)]));
    }
    const models = this.dims.model;
    if (models.byKey.size > 1) out.by_model = Object.fromEntries(sortGroupKeys([...models.byKey.keys()]).map((k) => [k, models.get(k).subsetSummary(durationS, withFailed)]));
    if (hasRoles(run.replicas)) {
      const roles = this.dims.role;
      for (const rep of run.replicas) roles.index(rep.role || UNLABELLED);
      out.by_role = Object.fromEntries(
        [...roles.byKey.keys()].sort().map((k) => [k, roles.get(k).subsetSummary(durationS, withFailed, k === NOT_DISPATCHED ? undefined : run.replicas.filter((r) => (r.role || UNLABELLED) === k))]),
      );
    }
    return out;
  }

  /** The run's PolicySummary (summary.ts); call once, after the run and `finish()`. */
  summarize(run: PolicyRun): PolicySummary {
    const window = measurementWindow(this.firstUs, this.lastUs, this.opts);
    const fromUs = this.firstUs + Math.round(window.warmup_s * 1e6);
    const toUs = this.lastUs - Math.round(window.cooldown_s * 1e6);
    const measure = (r: WindowFields, groups: Int32Array, offset: number): void => this.measure(r, groups, offset);
    const leftOut = (r: WindowFields, groups: Int32Array, offset: number): void => this.leftOut(r, groups, offset);
    this.early.replay(fromUs, toUs, measure, leftOut);
    this.late.replay(fromUs, toUs, measure, leftOut);
    this.summarized = true;
    const w = this.whole;
    const fleet = fleetFigures(run);
    const f = w.figures();
    const durationS = w.durationS();
    const withFailed = w.failed > 0;
    const withResilience = run.resilience !== undefined || this.resilientRecord;
    const unwindowed = window.warmup_s === 0 && window.cooldown_s === 0;
    const excluded = run.itlTimeline === undefined || unwindowed ? [] : excludedBuckets(run.itlTimeline, fromUs, window.cooldown_s > 0 ? toUs : Infinity);
    const byClass: ClassBreakdown = {
      priority: this.dims.priority.classSummaries(w, durationS, withFailed),
      tenant: this.dims.tenant.classSummaries(w, durationS, withFailed, withResilience),
      adapter: this.dims.adapter.classSummaries(w, durationS, withFailed),
    };
    return {
      arrived: this.arrived,
      completed: w.completed,
      rejected: w.rejected,
      rejected_by_reason: sortedCounts(w.reasons.rejected),
      dropped: w.dropped,
      dropped_by_status: sortedCounts(this.droppedStatus),
      dropped_by_reason: sortedCounts(w.reasons.dropped),
      ...(withFailed ? { failed: w.failed, failed_by_reason: sortedCounts(w.reasons.failed) } : {}),
      all_failed: this.arrived > 0 && w.completed === 0,
      ttft_ms: f.ttft_ms,
      tpot_ms: f.tpot_ms,
      itl_ms: itlStats(run.itl, excluded),
      e2e_ms: f.e2e_ms,
      queue_ms: w.queue.stats(),
      throughput: f.throughput,
      goodput: f.goodput,
      prefix_cache_hit_rate: fleet.prefix_cache_hit_rate,
      preemptions: fleet.preemptions,
      lora_loads: fleet.lora_loads,
      mean_cached_tokens: round4OrNull(w.measuredCompleted > 0 ? this.cachedTokens / w.measuredCompleted : null),
      replicas: fleet.replicas,
      balance: fleet.balance,
      steady_state: steadyVerdict(this.arrived, this.firstUs, this.lastUs, (from, to) => this.backlog.series(from, to)),
      window,
      by_class: byClass,
      ...this.poolBreakdown(run, durationS, withFailed, withResilience),
      ...(this.disaggregated || hasRoles(run.replicas) ? { pd: this.pdSummary() } : {}),
      ...(this.stages.length > 0 ? { stages: this.stageSummaries(withFailed) } : {}),
      ...(withResilience ? { resilience: resilienceSummaryOf(run.resilience, w.outcomes.counts()) } : {}),
      ...(run.replicaTimeline !== undefined ? { replicas_over_time: replicasOverTime(run.replicaTimeline, this.opts.gpuPrices) } : {}),
    };
  }

  /** As breakdown.ts stageSummaries: each stage's own figures, goodput over its span. */
  private stageSummaries(withFailed: boolean): StageSummary[] {
    return this.opts.stages!.map((s, index) => {
      const f = this.stages[index]!;
      return stageSummaryOf(index, s, f.arrived, f.counts(withFailed), f.figures(s.to_s - s.from_s));
    });
  }
}

/** A completed request's latencies, computed as the window's columns compute theirs (subset.ts): the union reads both as one. */
function addLatencies(a: LatencyColumns, r: RequestRecord): void {
  a.ttft.add(ttftMs(r));
  a.e2e.add(e2eMs(r));
  const tpot = tpotMs(r);
  if (tpot !== null) a.tpot.add(tpot);
}
