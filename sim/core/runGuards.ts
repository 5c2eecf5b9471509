/**
 * Guards the event loop keeps so that a run always ends: a run whose clock stops (events at one
 * simulated instant without end) or runs away (far past what load-time checks allowed) ends with a
 * ScenarioRunError instead of hanging or exhausting memory. Each is checked with one compare per
 * event (simulation.ts), so they cost nothing measurable.
 */
import { fmtNum, MAX_DURATION_S } from '../scenario/bounds.js';
import { ScenarioRunError } from './errors.js';

/**
 * Most consecutive events a run may handle at one simulated instant (µs). A real burst at one
 * instant is bounded by its requests: each arrival costs an Arrival, an Enqueue, a Schedule, and
 * a response or a drop (steps take > 0 µs, so a request's later events move the clock): ≤ ~4
 * events per request, so 1e6 allows ~250 000 requests arriving at the very same µs (a trace of
 * that many rows sharing one timestamp, or that many closed-loop users starting together with
 * think_time_s: 0) — far above any real burst. A livelock (a closed loop whose turns take zero
 * time, a looped trace whose rows share one timestamp) creates a record per event: at ~8 µs and
 * ~370 bytes each, 1e6 events end it after ~8 s and ~400 MB; 1e7 took 73 s and 3.7 GB.
 */
export const MAX_EVENTS_AT_ONE_INSTANT = 1e6;

/**
 * Latest simulated time (µs) an event may have. Load checks (feasibility.ts checkRunSize) keep the
 * arrivals within MAX_DURATION_S; requests still in flight then get as long again to finish.
 */
export const MAX_EVENT_TIME_US = 2 * MAX_DURATION_S * 1e6;

/** The error for a clock stuck at `nowUs`. */
export function stuckClockError(policyIndex: number, policyName: string, nowUs: number): ScenarioRunError {
  return new ScenarioRunError(
    `policies[${policyIndex}] (${policyName}): the clock is stuck at ${nowUs / 1e6} s: over ${fmtNum(MAX_EVENTS_AT_ONE_INSTANT)} events ran at that one instant and time never advanced (a closed loop whose requests are all dropped or rejected at once with think_time_s: 0, or a looped trace whose rows share one timestamp) (fix: set workload.sessions.think_time_s > 0, make the requests servable, or give the trace rows distinct timestamps (a trace whose rows share one timestamp cannot loop))`,
  );
}

/** The error for a run whose clock passed MAX_EVENT_TIME_US. */
export function runawayClockError(policyIndex: number, policyName: string, timeUs: number): ScenarioRunError {
  return new ScenarioRunError(
    `policies[${policyIndex}] (${policyName}): the run reached ${timeUs / 1e6} s of simulated time; a run is limited to ${fmtNum(MAX_DURATION_S)} s of arrivals and as long again to drain (fix: look for something that makes requests take that long, e.g. huge step_time coefficients or a slow lora_load bandwidth, or run fewer requests)`,
  );
}
