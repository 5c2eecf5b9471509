/**
 * The mapping between wall-clock time and the engine's simulated time: simulated µs since start =
 * wall µs since start × speed-up. One clock is shared by every replica of a mock fleet so their
 * timelines agree. The wall clock is `performance.now()` (monotonic).
 */
import { performance } from 'node:perf_hooks';

export class SimClock {
  private readonly startMs: number;
  /** Wall-clock epoch (ms) at the start, for values vLLM reports as wall-clock seconds. */
  private readonly epochMs: number;

  constructor(readonly speedup: number, now: () => number = () => performance.now()) {
    if (!(speedup > 0) || !Number.isFinite(speedup)) throw new Error(`speed-up must be a positive number, got ${speedup}`);
    this.now = now;
    this.startMs = now();
    this.epochMs = Date.now();
  }

  private readonly now: () => number;

  /** Simulated time now, whole µs. */
  nowUs(): number {
    return Math.floor((this.now() - this.startMs) * 1000 * this.speedup);
  }

  /** Wall-clock milliseconds from now until simulated time `simUs` (≤ 0 when it has passed). */
  delayMs(simUs: number): number {
    return simUs / 1000 / this.speedup - (this.now() - this.startMs);
  }

  /** A simulated duration in wall-clock milliseconds. */
  toWallMs(simUs: number): number {
    return simUs / 1000 / this.speedup;
  }

  /** Wall-clock seconds since the Unix epoch at simulated time `simUs` (vllm:lora_requests_info's value). */
  epochSeconds(simUs: number): number {
    return (this.epochMs + this.toWallMs(simUs)) / 1000;
  }
}
