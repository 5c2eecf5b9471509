/**
 * The request stream of an inference-perf config (formats.md §1.3), stage after stage.
 *
 * Simulated (closed loop, a FeedbackStream): a stage starts, its timer origin is 1 s later, and
 * its requests are scheduled as schedule.ts says; at most `cap` are in flight (the stage's
 * concurrency_level, or num_workers × worker_max_concurrency for rate types), a slot being held
 * from send until the reply plus any tool wait; turns of one session go one at a time. A request
 * is sent at max(its schedule, a free slot, its session's previous turn + tool wait). The stage
 * ends when every request has finished; `interval` passes; the next stage starts and its data
 * generator restarts at index 0. A sweep first runs an unreported-upstream probe (its requests
 * are part of the run here) and derives its stages from the probe's saturation rate.
 *
 * Not simulated (trace synth / inspect): requests are sent at their schedule, each stage is taken
 * to end at its last send; concurrency, sessions and sweeps need the simulation (an error).
 */
import { inputError } from '../../core/errors.js';
import { createRng, weightedIndex } from '../../core/rng.js';
import { outputContentOf } from '../prompts.js';
import type { FeedbackStream, SimRequest } from '../request.js';
import { withRouting, type RequestRouting } from '../routing.js';
import type { StreamLimits } from '../spec.js';
import { conversationData } from './conversation.js';
import { datasetData } from './datasets.js';
import { randomData, sharedPrefixData, type DataGenerator, type Drawn } from './prompts.js';
import { saturation, stageOffsets, sweepStages } from './schedule.js';
import { sessionStage } from './sessions.js';
import { otelFileStage } from './otelReplay.js';
import type { InferencePerfConfig, RateStage, Stage } from './types.js';
import { ReleaseQueue } from '../releaseQueue.js';

export interface IpStreamOptions {
  readonly seed: number;
  readonly limits: StreamLimits;
  readonly defaultAdapterRank: number;
  /** The simulation reports finished requests (onFinish); false = open-loop approximation. */
  readonly closedLoop: boolean;
}

export function dataGenerator(cfg: InferencePerfConfig, seed: number): DataGenerator | null {
  switch (cfg.data.type) {
    case 'shared_prefix':
      return sharedPrefixData(cfg.data, seed);
    case 'random':
    case 'synthetic':
      return randomData(cfg.data, seed);
    case 'conversation_replay':
      return conversationData(cfg.data);
    case 'dataset':
      return datasetData(cfg.data);
    case 'otel_trace_replay':
      return null;
  }
}

/** Request factory shared by both modes: ids, adapters, routing, limits. */
export class Requests {
  nextId = 0;
  private readonly loraRng;
  /** The adapters' split weights, in config order (built once, not per request). */
  private readonly loraWeights: readonly number[];
  constructor(private readonly cfg: InferencePerfConfig, private readonly opts: IpStreamOptions, private readonly routing: RequestRouting | null) {
    this.loraRng = createRng(opts.seed, 'adapters');
    this.loraWeights = cfg.load.lora.map((x) => x.split);
  }
  /** Whether a request may still be sent at `atUs` under the run's limits. */
  allowed(atUs: number): boolean {
    return this.nextId < (this.opts.limits.requests ?? Infinity) && atUs <= (this.opts.limits.durationUs ?? Infinity);
  }
  make(d: Drawn, id: number, arrivalUs: number): SimRequest {
    const lora = this.cfg.load.lora;
    const adapter = lora.length === 0 ? null : lora[weightedIndex(this.loraRng, this.loraWeights)]!.name;
    const inputTokens = d.segments.reduce((a, s) => a + s.tokens, 0);
    return withRouting({ id, arrivalUs, segments: d.segments, inputTokens, outputTokens: d.outputTokens, outputContent: outputContentOf(id), adapter, adapterRank: adapter === null ? 0 : this.opts.defaultAdapterRank, priority: 0, group: d.group, session: d.session, turn: d.turn }, this.routing);
  }
}

/** What makes the config's stream depend on simulated response times ('load.type concurrent', 'load.sweep', …), null when nothing does. */
export function simulationNeed(cfg: InferencePerfConfig): string | null {
  return cfg.load.type === 'concurrent' || cfg.load.type === 'trace_session_replay' ? `load.type ${cfg.load.type}` : cfg.load.sweep ? 'load.sweep' : null;
}

export function inferencePerfStream(cfg: InferencePerfConfig, opts: IpStreamOptions, routing: RequestRouting | null): Iterator<SimRequest> {
  const needsSim = simulationNeed(cfg);
  if (!opts.closedLoop && needsSim !== null) throw inputError(cfg.file, needsSim.split(' ')[0]!, `this load (${needsSim}) depends on simulated response times, so its requests cannot be listed without a run`, 'run it (routesim run with workload.trace), or record a run with --trace-out');
  if (cfg.data.type === 'otel_trace_replay' && cfg.data.files) return otelFileStage(cfg, cfg.data.files, opts, new Requests(cfg, opts, routing));
  if (cfg.data.type === 'otel_trace_replay') return sessionStage(cfg, opts, new Requests(cfg, opts, routing));
  return opts.closedLoop ? closedStream(cfg, opts, new Requests(cfg, opts, routing)) : openStream(cfg, opts, new Requests(cfg, opts, routing));
}

function* openStream(cfg: InferencePerfConfig, opts: IpStreamOptions, reqs: Requests): Generator<SimRequest> {
  const gen = dataGenerator(cfg, opts.seed)!;
  const rng = createRng(opts.seed, 'arrivals');
  let startS = 0;
  for (let s = 0; s < cfg.load.stages.length; s++) {
    const st = cfg.load.stages[s]!;
    const data = gen.stage(s);
    const offsets = stageOffsets(st, cfg.load.type, rng);
    const origin = startS + 1;
    for (let i = 0; i < offsets.length; i++) {
      const at = Math.round((origin + offsets[i]!) * 1e6);
      if (!reqs.allowed(at)) return;
      const id = reqs.nextId++;
      yield reqs.make(data(i, id), id, at);
    }
    startS = origin + (offsets.length > 0 ? offsets[offsets.length - 1]! : 0) + cfg.load.interval_s;
  }
}

interface InFlight {
  readonly lock: number;
  readonly toolUs: number;
}

function closedStream(cfg: InferencePerfConfig, opts: IpStreamOptions, reqs: Requests): FeedbackStream {
  const gen = dataGenerator(cfg, opts.seed)!;
  const rng = createRng(opts.seed, 'arrivals');
  const stages: Stage[] = [...cfg.load.stages];
  const sw = cfg.load.sweep;
  if (sw) stages.push({ kind: 'rate', rate: sw.num_requests / 5, duration_s: 5, n: sw.num_requests } satisfies RateStage);
  const released = new ReleaseQueue();
  const inFlight = new Map<number, InFlight>();
  let stopped = false;
  // Stage state.
  let s = -1;
  let data = gen.stage(0);
  let sched: number[] = [];
  let originUs = 0;
  let nextI = 0;
  let held = 0;
  let done = 0;
  let endUs = 0;
  let cap = Infinity;
  const lockBusy = new Set<number>();
  const parked = new Map<number, Array<{ i: number; atUs: number }>>();
  const probe = { sends: [] as number[], ends: [] as number[] };

  const send = (i: number, atUs: number): void => {
    if (stopped || !reqs.allowed(atUs)) {
      stopped = true;
      return;
    }
    const id = reqs.nextId++;
    const d = data(i, id);
    if (d.lock >= 0) lockBusy.add(d.lock);
    inFlight.set(id, { lock: d.lock, toolUs: Math.round(d.toolWaitS * 1e6) });
    if (sw && s === 0) probe.sends.push(atUs);
    released.push(reqs.make(d, id, atUs));
  };
  /** Fill free slots at time `nowUs`, in schedule order. */
  const pump = (nowUs: number): void => {
    while (!stopped && nextI < sched.length && held < cap) {
      const i = nextI++;
      held++;
      const at = Math.max(sched[i]!, nowUs);
      const lock = lockOf(i);
      if (lock >= 0 && lockBusy.has(lock)) {
        let q = parked.get(lock);
        if (!q) parked.set(lock, (q = []));
        q.push({ i, atUs: at });
      } else send(i, at);
    }
  };
  // The lock of request i is known only once drawn; conversation and multi-turn locks are i mod size.
  const lockCycle = cfg.data.type === 'conversation_replay' ? cfg.data.conversations : cfg.data.type === 'shared_prefix' && cfg.data.multiTurn ? cfg.data.groups * cfg.data.perGroup : 0;
  const lockOf = (i: number): number => (lockCycle > 0 ? i % lockCycle : -1);
  const startStage = (atUs: number): void => {
    s++;
    if (sw && s === 1) stages.push(...sweepStages(saturation(probe.sends, probe.ends, originUs, sw), sw));
    if (s >= stages.length) return;
    const st = stages[s]!;
    data = gen.stage(s);
    originUs = atUs + 1e6;
    sched = stageOffsets(st, cfg.load.type, rng).map((x) => Math.round(originUs + x * 1e6));
    nextI = 0;
    held = 0;
    done = 0;
    endUs = originUs;
    cap = st.kind === 'concurrent' ? st.concurrency : cfg.load.cap;
    lockBusy.clear();
    parked.clear();
    pump(originUs);
    if (sched.length === 0) startStage(originUs + Math.round(cfg.load.interval_s * 1e6));
  };
  startStage(0);
  return {
    next: (): IteratorResult<SimRequest> => released.next(),
    onFinish(id: number, timeUs: number): void {
      const e = inFlight.get(id);
      if (e === undefined) return;
      inFlight.delete(id);
      const free = timeUs + e.toolUs;
      if (sw && s === 0) probe.ends.push(timeUs);
      endUs = Math.max(endUs, free);
      done++;
      held--;
      if (e.lock >= 0) {
        const q = parked.get(e.lock);
        const w = q?.shift();
        // A parked turn already holds its slot.
        if (w !== undefined) send(w.i, Math.max(w.atUs, free));
        else lockBusy.delete(e.lock);
      }
      pump(free);
      if (stopped ? inFlight.size === 0 : done === sched.length) {
        if (!stopped) startStage(endUs + Math.round(cfg.load.interval_s * 1e6));
      }
    },
  };
}
