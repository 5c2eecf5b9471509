/**
 * Runs one policy over a scenario's request stream: the discrete-event loop tying the workload,
 * the gateway and the replicas together. Every policy of a scenario replays the identical stream
 * (same seed, same generator), so differences in results are the policy's.
 *
 * Events at equal times run in kind order: a step's end (frees KV, emits tokens), a response
 * reaching the client (router in-flight decrement), a request entering a replica's queue, a metrics
 * scrape, an arrival at the gateway, and last a replica forming its next batch, so a batch formed
 * at time t sees everything that arrived at t.
 */
import type { PolicySpec, ScenarioConfig } from './scenario/types.js';
import type { ItlCounts, PolicyRun, RequestRecord } from './metrics/types.js';
import { newRequestRecord } from './metrics/records.js';
import type { SimRequest } from './workload/request.js';
import { EventQueue } from './core/eventQueue.js';
import { createRng } from './core/rng.js';
import { createRequestStream } from './workload/generator.js';
import { buildFleet } from './fleet/fleet.js';
import { Gateway } from './gateway/gateway.js';
import { Sequence } from './engine/sequence.js';
import type { Replica } from './engine/replica.js';
import { createBaselineRouter } from '../policies/baselines/index.js';

export const enum EventKind {
  StepEnd = 0,
  ResponseDone = 1,
  Enqueue = 2,
  Scrape = 3,
  Arrival = 4,
  Schedule = 5,
}

type Payload = Sequence | Replica | SimRequest | null;

/** Hooks for tests and progress display; none is called when absent. */
export interface RunObserver {
  /** Every event, before it is handled. */
  onEvent?(time: number, kind: EventKind): void;
  /** After every completed step of a replica. */
  onStepEnd?(replica: Replica, time: number): void;
  /** Arrivals so far, every 256 arrivals and at the end. */
  onProgress?(arrived: number): void;
}

/**
 * Simulate `policy` on `scenario`. `source`, when given, replaces the scenario's generated workload
 * (hand-built requests in tests, traces later); it must yield requests in arrival order.
 */
export function runPolicy(scenario: ScenarioConfig, policy: PolicySpec, observer: RunObserver = {}, source?: Iterable<SimRequest>): PolicyRun {
  const replicas = buildFleet(scenario);
  const router = createBaselineRouter(policy.type);
  const refreshUs = Math.round(scenario.gateway.refresh_metrics_ms * 1000);
  const gateway = new Gateway(router, replicas, refreshUs, scenario.fleet.model, createRng(scenario.seed, 'router'));
  const stream = source ? source[Symbol.iterator]() : createRequestStream(scenario.workload, {
    seed: scenario.seed,
    limits: {
      ...(scenario.requests !== null ? { requests: scenario.requests } : {}),
      ...(scenario.duration_s !== null ? { durationUs: Math.round(scenario.duration_s * 1e6) } : {}),
    },
    defaultAdapterRank: scenario.fleet.engine.max_lora_rank,
  });
  const blockSize = scenario.fleet.engine.block_size;
  const alpha0 = Math.round(scenario.step_time.overheads.alpha0_us);
  const q = new EventQueue<Payload>();
  const records: RequestRecord[] = [];
  const itl: ItlCounts = new Map();
  let outstanding = 0;
  let streamDone = false;
  let now = 0;

  const pullArrival = (): void => {
    const n = stream.next();
    if (n.done) streamDone = true;
    else if (n.value.arrivalUs < now) throw new Error(`request ${n.value.id} arrives at ${n.value.arrivalUs} µs, before the previous one`);
    else q.push(n.value.arrivalUs, EventKind.Arrival, n.value);
  };
  const kick = (r: Replica, t: number): void => {
    if (!r.busy && !r.scheduleQueued && r.hasWork) {
      r.scheduleQueued = true;
      q.push(t, EventKind.Schedule, r);
    }
  };

  pullArrival();
  if (refreshUs > 0) q.push(0, EventKind.Scrape, null);

  for (let ev = q.pop(); ev !== undefined; ev = q.pop()) {
    if (ev.time < now) throw new Error(`clock went back from ${now} to ${ev.time}`);
    now = ev.time;
    observer.onEvent?.(now, ev.kind);
    switch (ev.kind) {
      case EventKind.Arrival: {
        const req = ev.payload as SimRequest;
        const rec = newRequestRecord(req);
        records.push(rec);
        outstanding++;
        const i = gateway.route(req, now);
        rec.dispatchUs = now;
        rec.replica = i;
        replicas[i]!.stats.requests++;
        replicas[i]!.stats.inputTokens += req.inputTokens;
        const seq = new Sequence(req, rec, blockSize);
        q.push(now + alpha0, EventKind.Enqueue, seq);
        if ((records.length & 255) === 0) observer.onProgress?.(records.length);
        pullArrival();
        break;
      }
      case EventKind.Enqueue: {
        const seq = ev.payload as Sequence;
        const i = seq.rec.replica;
        const r = replicas[i]!;
        const reason = r.rejectionReason(seq);
        if (reason !== '') {
          seq.rec.outcome = 'rejected';
          seq.rec.reason = reason;
          gateway.complete(i);
          outstanding--;
          break;
        }
        r.enqueue(seq, now);
        kick(r, now);
        break;
      }
      case EventKind.Schedule: {
        const r = ev.payload as Replica;
        r.scheduleQueued = false;
        const end = r.beginStep(now);
        if (end >= 0) q.push(end, EventKind.StepEnd, r);
        break;
      }
      case EventKind.StepEnd: {
        const r = ev.payload as Replica;
        for (const seq of r.endStep(now, itl)) q.push(seq.rec.lastTokenUs, EventKind.ResponseDone, seq);
        observer.onStepEnd?.(r, now);
        kick(r, now);
        break;
      }
      case EventKind.ResponseDone: {
        const seq = ev.payload as Sequence;
        gateway.complete(seq.rec.replica);
        outstanding--;
        break;
      }
      case EventKind.Scrape: {
        gateway.scrape(now);
        if (!streamDone || outstanding > 0) q.push(now + refreshUs, EventKind.Scrape, null);
        break;
      }
    }
  }
  observer.onProgress?.(records.length);

  return {
    policy: policy.name,
    policyType: policy.type,
    records,
    replicas: replicas.map((r) => r.finaliseStats()),
    itl,
    endUs: now,
  };
}
