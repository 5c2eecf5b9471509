/**
 * Runs one policy over a scenario's request stream: the discrete-event loop tying the workload,
 * the gateway and the replicas together. Every policy of a scenario replays the identical stream
 * (same seed, same generator), so differences in results are the policy's.
 *
 * Events at equal times run in kind order: a step's end (frees KV, emits tokens), a response
 * reaching the client (router in-flight decrement), a request entering a replica's queue, a metrics
 * scrape, an arrival at the gateway, a replica forming its next batch (so a batch formed at time t
 * sees everything that arrived at t), engine KV events reaching the router, and the flow-control
 * TTL sweep.
 *
 * The gateway may answer a request itself (HTTP 429/503/500: shed, no endpoint, TTL expiry) or hold
 * it in its flow-control queue; held requests are retried whenever something that can change the
 * pool's saturation happens (a scrape, a response completing, an arrival).
 *
 * The clock does not tick while nothing can change: a scrape that would only re-read unchanged
 * replicas, with no request held, is not scheduled (gateway/scrapes.ts), so an idle fleet waiting
 * for a far arrival costs a few events; requests held that can never leave end the run with an
 * error instead of sweeps forever.
 */
import type { PolicySpec, ScenarioConfig } from './scenario/types.js';
import type { ChurnEvent, FailureMode } from './churn/events.js';
import type { PolicyRun, RequestRecord } from './metrics/types.js';
import { ItlTimeline, itlBucketSpanUs } from './metrics/itlTimeline.js';
import { stageSpans } from './metrics/options.js';
import { StageItl } from './metrics/stageItl.js';
import { AUTO_WARMUP_CAP_S } from './metrics/summary.js';
import { newRequestRecord } from './metrics/records.js';
import { isFeedbackStream, type SimRequest } from './workload/request.js';
import { EventQueue } from './core/eventQueue.js';
import { EventKind } from './core/eventKinds.js';
import { createRequestStream } from './workload/generator.js';
import { buildPools } from './fleet/fleet.js';
import type { Gateway } from './gateway/gateway.js';
import { nextScrapeUs } from './gateway/scrapes.js';
import { Cluster, type ClusterDecision } from './pools/cluster.js';
import { eventsOf, hasChurnOrScaling, hasPools, poolsForPolicy, routesOf, runIsResilient } from './pools/resolve.js';
import { KV_LEASE_US, PdRuns, type Stranded } from './pd/runs.js';
import { Lifecycle } from './fleet/lifecycle.js';
import { FleetControl } from './churn/fleetControl.js';
import { finishCounts } from './metrics/resilienceCounts.js';
import { Flights, NO_FALLBACKS, type Attempt } from './resilience/flights.js';
import { Sequence } from './engine/sequence.js';
import type { Replica } from './engine/replica.js';
import { ReplicaSampler } from './metrics/samples.js';
import { DEFAULT_REPORT } from './scenario/schema.js';
import { ScenarioRunError } from './core/errors.js';
import { MAX_EVENT_TIME_US, MAX_EVENTS_AT_ONE_INSTANT, runawayClockError, stuckClockError } from './core/runGuards.js';
import type { KvEvent } from '../policies/types.js';

export { EventKind } from './core/eventKinds.js';

/** Production's flow-control expiry sweep period (epp.md §2.10). */
const FLOW_SWEEP_US = 1_000_000;

type Payload = Sequence | Replica | SimRequest | KvEvent | number | ChurnEvent | Attempt | Stranded | null;

/** Hooks for tests and progress display; none is called when absent. */
export interface RunObserver {
  /** Every event, before it is handled. */
  onEvent?(time: number, kind: EventKind): void;
  /** Every step as it begins (fleet index of the replica; `replica.stepShape` is its batch): `routesim calibrate` sums basis vectors per request. */
  onStepBegin?(replica: Replica, index: number, time: number, endUs: number): void;
  /** After every completed step of a replica. */
  onStepEnd?(replica: Replica, time: number): void;
  /** Arrivals so far, every 256 arrivals and at the end. */
  onProgress?(arrived: number): void;
  /** Every request as it arrives at the gateway (e.g. to write it to a trace). */
  onArrival?(req: SimRequest): void;
  /** Every dispatch, with the gateway's view as the policy saw it (scraped metrics per endpoint). */
  onDispatch?(req: SimRequest, time: number, view: Pick<Gateway, 'observedMetrics'>): void;
  /**
   * Before the first event: the pool and route names the run's records index (as PolicyRun.pools /
   * routes), each replica's `llm-d.ai/role` label, and whether any request can be disaggregated
   * (Cluster.mayDisaggregate: some pool's EPP config has two or more scheduling profiles).
   */
  onStart?(names: Pick<PolicyRun, 'pools' | 'routes'>, roles: readonly string[], mayDisaggregate: boolean): void;
  /** Every request record as it is created, in the order of PolicyRun.records. */
  onRecord?(rec: RequestRecord): void;
  /** A request ended (completed, rejected, dropped or failed): its record is final. */
  onRequestEnd?(id: number): void;
}

/** What watches a run's records as they are created and end (the streamed requests CSV). */
export type RequestSink = Pick<RunObserver, 'onStart' | 'onRecord' | 'onRequestEnd'>;

/** Options for tests. */
export interface RunOptions {
  /** When the scrape after the one at `nowUs` fires (default: gateway/scrapes.ts; tests pass an eager reference). */
  readonly nextScrapeUs?: (nowUs: number, refreshUs: number, nextEventUs: number) => number;
  /** Issue 13 (`--decisions`): record every EPP scheduling decision here (sim/decisions/); nothing else changes. */
  readonly decisions?: import('./decisions/log.js').DecisionLog;
  /**
   * False: keep no request records (PolicyRun.records stays empty, PolicyRun.arrived counts them);
   * an observer folds them in as they end (sim/metrics/stream/streamSummary.ts). Default true.
   */
  readonly keepRecords?: boolean;
  /**
   * True: step every running sequence explicitly, without the decode cohort (sim/engine/decodeCohort.ts).
   * The results are the same either way (test/decodeCohort.test.ts compares them); the cohort is faster.
   */
  readonly stepByStep?: boolean;
}

/**
 * Simulate `policy` on `scenario`. `source`, when given, replaces the scenario's generated workload
 * (hand-built requests in tests, traces later); it must yield requests in arrival order.
 */
export function runPolicy(scenario: ScenarioConfig, policy: PolicySpec, observer: RunObserver = {}, source?: Iterable<SimRequest>, options: RunOptions = {}): PolicyRun {
  const churn = eventsOf(scenario, policy);
  // A rolling restart's surge pods need replica slots beyond the pool's own.
  const pools = poolsForPolicy(scenario, policy).map((p) => {
    let surge = 0;
    for (const e of churn) if (e.kind === 'rolling_restart' && e.pool === p.name) surge = Math.max(surge, e.max_surge);
    return surge > 0 ? { ...p, surge_slots: surge } : p;
  });
  const fleet = buildPools(pools, scenario.lora_load);
  const replicas = fleet.replicas;
  const refreshUs = Math.round((policy.refresh_metrics_ms ?? scenario.gateway.refresh_metrics_ms) * 1000);
  const routes = routesOf(scenario, policy);
  const gateway = new Cluster(pools, routes, fleet, { seed: scenario.seed, refreshUs, charsPerToken: scenario.gateway.chars_per_token });
  // v0.10 ResponseHeaderProcessor plugins run at each request's first token: only then do the engines collect them.
  if (gateway.wantsFirstToken) for (const r of replicas) r.scheduler.firstTokens = [];
  if (options.decisions !== undefined) gateway.recordDecisions(options.decisions);
  const kvDelayUs = Math.round(scenario.gateway.kv_events_delay_ms * 1000);
  replicas.forEach((r, i) => {
    if (gateway.wantsKvEvents(fleet.info[i]!.pool)) r.kv.events = { stored: [], removed: [] };
  });
  const replicaIndex = new Map(replicas.map((r, i) => [r, i] as const));
  /** Per replica: its pool's KV block size, α0 and LoRA rank for rewritten adapters. */
  const blockSizeOf = fleet.info.map((x) => pools[x.pool]!.engine.block_size);
  const alpha0Of = fleet.info.map((x) => Math.round(pools[x.pool]!.step_time.overheads.alpha0_us));
  const loraRankOf = fleet.info.map((x) => pools[x.pool]!.engine.max_lora_rank);
  const pd = new PdRuns(pools, fleet);

  // Issue 11: churn, timeouts and retries. With none configured none of this runs.
  const resilient = runIsResilient(pools, routes, churn);
  const lifecycle = new Lifecycle(pools, fleet, hasChurnOrScaling(scenario), fleet.active);
  // Replica states, rollouts and autoscalers (sim/churn/fleetControl.ts); it schedules Ready events.
  const control = new FleetControl(pools, fleet, gateway, lifecycle, (t, r) => q.push(t, EventKind.Ready, r));
  // Requests under timeouts and retries (sim/resilience/flights.ts), only in resilient runs.
  const flights = new Flights(
    {
      gateway,
      replicas,
      pd,
      alpha0Of,
      blockSizeOf,
      now: () => now,
      outstanding: () => outstanding,
      push: (t, kind, payload) => q.push(t, kind, payload),
      kick: (r) => kick(r, now),
      ended: (req) => {
        outstanding--;
        finished(req.id, false);
      },
      decided: (req, rec, d) => decided(req, rec, d),
    },
    routes,
    scenario.seed,
  );
  /** A replica dies: what it held is lost; the picker keeps choosing it until it detects the failure. */
  const crashReplica = (r: number, mode: FailureMode, detectS: number): void => {
    // A hung process or a lost node never answers: its requests wait for a timeout (gateway.md §6.1).
    const lost = control.fail(r, mode, now);
    if (lost === null) return;
    flights.lost(lost, replicas[r]!.name);
    q.push(now + Math.round(detectS * 1e6), EventKind.Detect, r);
  };
  const stream = source ? source[Symbol.iterator]() : createRequestStream(scenario.workload, {
    seed: scenario.seed,
    limits: {
      ...(scenario.requests !== null ? { requests: scenario.requests } : {}),
      ...(scenario.duration_s !== null ? { durationUs: Math.round(scenario.duration_s * 1e6) } : {}),
    },
    defaultAdapterRank: scenario.fleet.engine.max_lora_rank,
    closedLoop: true,
  });
  const nextScrape = options.nextScrapeUs ?? nextScrapeUs;
  const q = new EventQueue<Payload>();
  const names: Pick<PolicyRun, 'pools' | 'routes'> = hasPools(scenario) ? { pools: pools.map((p) => p.name), routes: routes.map((r) => r.name) } : {};
  observer.onStart?.(names, replicas.map((r) => r.stats.role), gateway.mayDisaggregate);
  const records: RequestRecord[] = [];
  const keepRecords = options.keepRecords ?? true;
  let arrived = 0;
  // ITL by emission time, so the summary's warm-up / cool-down can leave tokens out (itlTimeline.ts).
  const rep = scenario.report ?? DEFAULT_REPORT;
  const itl = new ItlTimeline(itlBucketSpanUs(rep.warmup_s, rep.cooldown_s, AUTO_WARMUP_CAP_S));
  // A staged profile also keeps each stage's ITL (by its requests' arrival; stageItl.ts).
  const spans = stageSpans(scenario);
  const stageItl = spans.length > 0 ? new StageItl(spans) : null;
  // The decode cohort leaves running sequences' counters stale between steps; stage ITL reads them.
  if (stageItl === null && options.stepByStep !== true) for (const r of replicas) r.scheduler.decodeCohort = true;
  // Report time series: engine gauges and the router's scraped view, sampled without adding events.
  const sampler = new ReplicaSampler(replicas, gateway, Math.round((scenario.report ?? DEFAULT_REPORT).sample_ms * 1000));
  let outstanding = 0;
  let now = 0;
  let sweepQueued = false;
  /** Records of requests held in the gateway's flow-control queue. */
  const held = new Map<number, RequestRecord>();
  /** Since when only held requests remain and retries change nothing (-1: not stalled). */
  let stallSinceUs = -1;

  // Closed-loop sources (workload/request.ts FeedbackStream) release requests as earlier ones finish.
  const feedback = isFeedbackStream(stream) ? stream : null;
  /** Arrival events queued and not yet handled (open loop: 1 until the stream ends). */
  let pendingArrivals = 0;
  const pullArrival = (): void => {
    for (;;) {
      const n = stream.next();
      if (n.done) return;
      if (n.value.arrivalUs < now) throw new Error(`request ${n.value.id} arrives at ${n.value.arrivalUs} µs, before the previous one`);
      q.push(n.value.arrivalUs, EventKind.Arrival, n.value);
      pendingArrivals++;
      if (feedback === null) return;
    }
  };
  /** A request ended (completed, rejected or dropped): a closed-loop source may release more. */
  const finished = (id: number, completed: boolean): void => {
    observer.onRequestEnd?.(id);
    if (feedback === null) return;
    feedback.onFinish(id, now, completed);
    pullArrival();
  };
  const kick = (r: Replica, t: number): void => {
    if (!r.busy && !r.scheduleQueued && r.hasWork) {
      r.scheduleQueued = true;
      q.push(t, EventKind.Schedule, r);
    }
  };

  /** Acts on the gateway's decision for a request. */
  const decided = (req: SimRequest, rec: RequestRecord, d: ClusterDecision): void => {
    const f = resilient ? flights.get(req.id) : undefined;
    if (f !== undefined && f.ended) {
      // Released from flow control after its timeout: the client is gone.
      if (d.kind === 'dispatch') gateway.complete(req, d.index, now);
      held.delete(req.id);
      return;
    }
    if (d.kind === 'queued') {
      held.set(req.id, rec);
      if (!sweepQueued) {
        sweepQueued = true;
        q.push(now + FLOW_SWEEP_US, EventKind.FlowSweep, null);
      }
      return;
    }
    held.delete(req.id);
    stallSinceUs = -1;
    if (d.kind === 'drop' && f !== undefined && flights.pickerRetry(f, d.status)) return;
    if (d.kind === 'drop') {
      rec.outcome = 'dropped';
      rec.status = d.status;
      rec.reason = d.reason;
      rec.detail = d.detail;
      rec.endUs = now;
      outstanding--;
      if (f !== undefined) flights.end(f);
      finished(req.id, false);
      return;
    }
    const served = d.adapter === req.adapter ? req : { ...req, adapter: d.adapter, adapterRank: loraRankOf[d.index]! };
    rec.adapter = d.adapter;
    rec.dispatchUs = now;
    rec.replica = d.index;
    observer.onDispatch?.(req, now, gateway);
    replicas[d.index]!.stats.requests++;
    if (d.prefill >= 0) {
      // P/D (gateway.md §4.2): the decode pod's sidecar first sends the prompt to the prefill pod.
      rec.prefillReplica = d.prefill;
      replicas[d.prefill]!.stats.requests++;
      const leg = pd.begin(served, rec, d.prefill, blockSizeOf[d.prefill]!);
      if (f !== undefined) {
        flights.sendTry(f, d.prefill, leg, served);
        return;
      }
      rec.attempts = 1;
      q.push(now + alpha0Of[d.prefill]!, EventKind.Enqueue, leg);
      return;
    }
    const seq = new Sequence(served, rec, blockSizeOf[d.index]!);
    if (f !== undefined) {
      flights.sendTry(f, d.index, seq, served, d.fallbacks ?? NO_FALLBACKS);
      return;
    }
    rec.attempts = 1;
    q.push(now + alpha0Of[d.index]!, EventKind.Enqueue, seq);
  };
  /** A request ends before producing its answer (the engine refused it or its prefill leg). */
  const refused = (req: SimRequest, rec: RequestRecord, reason: string): void => {
    rec.outcome = 'rejected';
    rec.reason = reason;
    rec.endUs = now;
    gateway.complete(req, rec.replica, now);
    outstanding--;
    const f = resilient ? flights.get(req.id) : undefined;
    if (f !== undefined) flights.end(f);
    finished(req.id, false);
  };
  /** Earliest pending KvTransfer event per pool (Infinity: none). */
  const linkEventAt = pools.map(() => Infinity);
  const armLinks = (p: number): void => {
    const t = pd.nextDoneUs(p);
    if (t < linkEventAt[p]!) {
      linkEventAt[p] = t;
      q.push(t, EventKind.KvTransfer, p);
    }
  };
  const retryHeld = (): void => {
    if (gateway.queued === 0) return;
    for (const { req, decision } of gateway.dispatchQueued(now)) decided(req, held.get(req.id)!, decision);
  };

  /**
   * Called at a flow-control sweep that left requests held. When they are all that is left (no
   * arrival coming, the fleet idle, no other event pending) and they cannot expire, the only thing
   * that still changes is the age of the scraped metrics, which repeats with period lcm(scrape
   * interval, sweep period) once the first scrape of the idle fleet is in: if retries through one
   * scrape interval plus one such period released nothing, none ever will, and the run would tick
   * forever.
   */
  const checkStall = (): void => {
    const onlyTicks = q.size === (refreshUs > 0 ? 1 : 0) && pendingArrivals === 0 && outstanding === gateway.queued && !gateway.heldCanExpire;
    if (!onlyTicks) {
      stallSinceUs = -1;
      return;
    }
    if (stallSinceUs < 0) {
      stallSinceUs = now;
      return;
    }
    const periodUs = refreshUs > 0 ? (refreshUs / gcd(refreshUs, FLOW_SWEEP_US)) * FLOW_SWEEP_US : FLOW_SWEEP_US;
    if (now - stallSinceUs < refreshUs + periodUs) return;
    const i = scenario.policies.indexOf(policy);
    throw new ScenarioRunError(
      `policies[${i}] (${policy.name}): flow control holds ${gateway.queued} request${gateway.queued === 1 ? '' : 's'} that can never be dispatched: the fleet is idle, no request is coming, they have no TTL, and retrying at every scrape and sweep for ${(now - stallSinceUs) / 1e6} s released none (the saturation detector never lets the usage limit pass) (fix: set flowControl.defaultRequestTTL, or a usage-limit threshold / saturation detector under which an idle pool dispatches)`,
    );
  };

  pullArrival();
  if (refreshUs > 0) q.push(0, EventKind.Scrape, null);
  for (const e of churn) q.push(Math.round(e.at_s * 1e6), EventKind.Churn, e);
  control.hpas.forEach((h, p) => {
    if (h !== null) q.push(h.nextSyncUs(0), EventKind.HpaTick, p);
  });

  let events = 0;
  /** Events in a row at the clock's current instant (core/runGuards.ts). */
  let sameInstant = 0;
  for (let ev = q.pop(); ev !== undefined; ev = q.pop()) {
    events++;
    if (ev.time === now) {
      if (++sameInstant > MAX_EVENTS_AT_ONE_INSTANT) throw stuckClockError(scenario.policies.indexOf(policy), policy.name, now);
    } else {
      if (ev.time < now) throw new Error(`clock went back from ${now} to ${ev.time}`);
      if (ev.time > MAX_EVENT_TIME_US) throw runawayClockError(scenario.policies.indexOf(policy), policy.name, ev.time);
      sameInstant = 0;
    }
    sampler.before(ev.time);
    now = ev.time;
    observer.onEvent?.(now, ev.kind);
    switch (ev.kind) {
      case EventKind.Arrival: {
        const req = ev.payload as SimRequest;
        pendingArrivals--;
        observer.onArrival?.(req);
        const rec = newRequestRecord(req);
        if (arrived++ === 0) itl.start(now);
        if (keepRecords) records.push(rec);
        observer.onRecord?.(rec);
        outstanding++;
        const d = gateway.arrive(req, now);
        rec.pool = d.pool;
        rec.route = d.route;
        if (resilient) flights.begin(req, rec, d);
        decided(req, rec, d);
        retryHeld();
        if ((arrived & 255) === 0) observer.onProgress?.(arrived);
        pullArrival();
        break;
      }
      case EventKind.Enqueue: {
        const seq = ev.payload as Sequence;
        const leg = pd.legOf(seq);
        const i = leg !== null ? leg.prefill : seq.rec.replica;
        const r = replicas[i]!;
        if (resilient) {
          const f = flights.get(leg?.req.id ?? seq.req.id);
          if (f === undefined || f.seq !== seq) break; // a try that was given up on while in flight
          if (!control.isAlive(i)) {
            if (!control.refuses(i)) break; // sent to a pod that never answers: the request waits for a timeout
            f.seq = null;
            if (leg !== null) {
              gateway.prefillReturned(i);
              pd.abandon(seq);
            }
            flights.tryFailed(f, 503, 'upstream-reset', `connection to ${r.name} failed (the pod is down)`);
            break;
          }
        }
        const reason = gateway.serves(i, seq.req) ? r.rejectionReason(seq) : 'model_not_served';
        if (reason !== '') {
          if (leg !== null) {
            // The prefill pod refused the prompt: its status goes to the client (no local fallback, §4.2).
            gateway.prefillReturned(i);
            pd.abandon(seq);
            refused(leg.req, leg.rec, reason);
          } else {
            // A decode leg its pod refuses: the prefill leg's KV stays held until the lease expires.
            const stranded = pd.strand(seq);
            if (stranded !== null) q.push(now + KV_LEASE_US, EventKind.LeaseExpiry, stranded);
            refused(seq.req, seq.rec, reason);
          }
          break;
        }
        r.enqueue(seq, now);
        r.stats.inputTokens += seq.req.inputTokens;
        kick(r, now);
        break;
      }
      case EventKind.Schedule: {
        const r = ev.payload as Replica;
        r.scheduleQueued = false;
        const end = r.beginStep(now);
        if (end >= 0) q.push(end, EventKind.StepEnd, r);
        if (end >= 0) observer.onStepBegin?.(r, replicaIndex.get(r)!, now, end);
        const pulls = r.takePulls();
        if (pulls.length > 0) armLinks(pd.startPulls(pulls, replicaIndex.get(r)!, now));
        break;
      }
      case EventKind.StepEnd: {
        const r = ev.payload as Replica;
        stageItl?.before(r.scheduler.running);
        const done = r.endStep(now, itl.at(now));
        stageItl?.after();
        const firsts = r.scheduler.firstTokens;
        if (firsts !== null && firsts.length > 0) {
          for (const seq of firsts) q.push(seq.rec.firstTokenUs, EventKind.FirstToken, seq);
          firsts.length = 0;
        }
        for (const seq of done) q.push(seq.rec.endUs, pd.legOf(seq) !== null ? EventKind.PrefillReturn : EventKind.ResponseDone, seq);
        const kvLog = r.kv.events;
        if (kvLog !== null && (kvLog.removed.length > 0 || kvLog.stored.length > 0)) {
          const index = replicaIndex.get(r)!;
          if (kvLog.removed.length > 0) q.push(now + kvDelayUs, EventKind.KvDeliver, { kind: 'removed', index, keys: kvLog.removed.splice(0) });
          if (kvLog.stored.length > 0) q.push(now + kvDelayUs, EventKind.KvDeliver, { kind: 'stored', index, keys: kvLog.stored.splice(0) });
        }
        observer.onStepEnd?.(r, now);
        kick(r, now);
        if (resilient) control.stepEnded(replicaIndex.get(r)!, now);
        break;
      }
      case EventKind.ResponseDone: {
        const seq = ev.payload as Sequence;
        if (resilient) {
          const f = flights.get(seq.req.id);
          if (f === undefined || f.ended) break;
          flights.end(f);
          gateway.tryResult(seq.rec.replica, now, false);
        }
        gateway.complete(seq.req, seq.rec.replica, now, true);
        outstanding--;
        finished(seq.req.id, true);
        retryHeld();
        break;
      }
      case EventKind.FirstToken: {
        // The response headers came back (v0.10 ResponseHeaderProcessor plugins; queued only when wanted).
        const seq = ev.payload as Sequence;
        if (resilient) {
          const f = flights.get(seq.req.id);
          if (f === undefined || f.ended || f.seq !== seq) break;
        }
        gateway.firstToken(seq.req, seq.rec.replica, now);
        break;
      }
      case EventKind.Scrape: {
        gateway.scrape(now);
        if (outstanding > 0 || pendingArrivals > 0) {
          // Held requests may dispatch at any scrape; otherwise skip the scrapes nobody can see.
          const next = nextScrape(now, refreshUs, gateway.queued > 0 ? now : q.peekTime());
          if (next !== Infinity) q.push(next, EventKind.Scrape, null);
        }
        retryHeld();
        break;
      }
      case EventKind.KvDeliver: {
        gateway.kvEvent(now, ev.payload as KvEvent);
        break;
      }
      case EventKind.PrefillReturn: {
        // The 1-token prefill response reached the sidecar; the decode leg goes to the local vLLM.
        const legSeq = ev.payload as Sequence;
        const leg = pd.legOf(legSeq);
        if (leg === null) break; // given up on (timeout, failure) after the leg finished
        gateway.prefillReturned(leg.prefill);
        const decode = pd.prefilled(legSeq, now);
        if (resilient) {
          const f = flights.get(leg.req.id);
          if (f !== undefined) f.seq = decode;
        }
        q.push(now + alpha0Of[leg.rec.replica]!, EventKind.Enqueue, decode);
        break;
      }
      case EventKind.Churn: {
        const e = ev.payload as ChurnEvent;
        const pi = pools.findIndex((p) => p.name === e.pool);
        const base = fleet.offsets[pi]!;
        if (e.kind === 'rolling_restart') {
          control.startRollout(pi, e, now);
          break;
        }
        for (const k of e.replicas) {
          if (e.kind === 'fail') crashReplica(base + k, e.mode, e.detect_s);
          else control.recover(base + k, now);
        }
        break;
      }
      case EventKind.Detect: {
        control.detect(ev.payload as number);
        break;
      }
      case EventKind.Ready: {
        if (control.ready(ev.payload as number, now)) retryHeld();
        break;
      }
      case EventKind.RequestTimeout:
        flights.onRequestTimeout(ev.payload as SimRequest);
        break;
      case EventKind.TryTimeout:
        flights.onTryTimeout(ev.payload as Attempt);
        break;
      case EventKind.RetryFire:
        flights.onRetryFire(ev.payload as Attempt);
        break;
      case EventKind.KvTransfer: {
        const p = ev.payload as number;
        if (ev.time === linkEventAt[p]) linkEventAt[p] = Infinity;
        for (const d of pd.takeArrived(p, now)) kick(replicas[d]!, now);
        armLinks(p);
        break;
      }
      case EventKind.LeaseExpiry: {
        const { prefill, leg } = ev.payload as Stranded;
        // Still held (not lost in a crash since): freed, which may admit prompts waiting there.
        if (replicas[prefill]!.abort(leg, now)) kick(replicas[prefill]!, now);
        break;
      }
      case EventKind.HpaTick: {
        const p = ev.payload as number;
        control.hpaSync(p, now);
        if (outstanding > 0 || pendingArrivals > 0) q.push(control.hpas[p]!.nextSyncUs(now), EventKind.HpaTick, p);
        break;
      }
      case EventKind.FlowSweep: {
        sweepQueued = false;
        for (const { req, decision } of gateway.expireQueued(now)) decided(req, held.get(req.id)!, decision);
        retryHeld();
        if (gateway.queued > 0) {
          checkStall();
          sweepQueued = true;
          q.push(now + FLOW_SWEEP_US, EventKind.FlowSweep, null);
        }
        break;
      }
    }
  }
  observer.onProgress?.(arrived);
  const itlDone = itl.finish();

  return {
    policy: policy.name,
    policyType: policy.type,
    records,
    ...(keepRecords ? {} : { arrived }),
    replicas: replicas.map((r) => r.finaliseStats()),
    itl: itlDone.whole,
    itlTimeline: itlDone.timeline,
    ...(stageItl !== null ? { stageItl: stageItl.counts } : {}),
    endUs: now,
    events,
    samples: sampler.finish(),
    ...(resilient ? { resilience: finishCounts(flights.counts) } : {}),
    ...(lifecycle.tracked ? { replicaTimeline: lifecycle.finish(now) } : {}),
    ...names,
  };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
