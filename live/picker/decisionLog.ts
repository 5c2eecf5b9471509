/**
 * `routesim serve picker --decisions FILE [--decisions-sample RATE]`: every live scheduling decision
 * as one JSON line in the format of `routesim run --decisions` (policies/harness/decisionLine.ts,
 * built by the same policies/harness/decisionRecord.ts as the simulator's lines). The picker core
 * installs `recorder` around each director call that schedules (a new request in the sample, every
 * flow-control release); the scheduler hands it the cycle — candidates with the scraped metrics and their age,
 * the trace, the draws — before PreRequest runs.
 *
 * The engine truth is unknown live: candidates' `truth` and `request.inputTokens` are null, there
 * is no counterfactual and no regret. `arrivalUs` is when the request's body was complete (the
 * picker's clock). Sampling is by request id (decisionRecord.ts `sampledId`): the same requests are
 * written on every run with the same seed, and the picker's random stream is not touched.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { SchedulingRecorder } from '../../policies/framework/scheduler.js';
import { decisionLineOf, sampledId } from '../../policies/harness/decisionRecord.js';

export interface DecisionLogOptions {
  /** The policy name written on each line (the config file's name, or "default"). */
  readonly policy: string;
  readonly seed: number;
  /** Share of requests written, (0, 1]. */
  readonly sample: number;
  /** Receives each line (without newline). */
  readonly write: (line: string) => void;
}

export class LiveDecisionLog {
  /** Request id → arrival (µs) while the request is being decided. */
  private readonly arrivals = new Map<string, number>();
  lines = 0;
  readonly recorder: SchedulingRecorder;
  /** Whether request `id`'s lines are written (the sample); the recorder drops the others' cycles. */
  readonly samples: (id: string) => boolean;

  constructor(opts: DecisionLogOptions) {
    this.samples = (id) => sampledId(opts.seed, id, opts.sample);
    this.recorder = {
      scheduled: (cycle) => {
        const id = cycle.req.id;
        if (!this.samples(id)) return;
        const line = decisionLineOf(cycle, { policy: opts.policy, pool: 0, inputTokens: null, arrivalUs: this.arrivals.get(id) ?? cycle.ctx.nowUs, truth: null });
        this.lines++;
        opts.write(JSON.stringify(line));
      },
    };
  }

  /** A request's body is complete: it is decided from now on. */
  arrived(id: string, nowUs: number): void {
    this.arrivals.set(id, nowUs);
  }

  /** The request was dispatched or rejected: no further cycle of it is logged with this arrival. */
  settled(id: string): void {
    this.arrivals.delete(id);
  }

  /** Requests between arrival and their final decision (bounded-memory checks). */
  get pending(): number {
    return this.arrivals.size;
  }
}

/** A line writer appending to `path` (truncated at start), synchronously so no line is lost on a crash. */
export function fileLineWriter(path: string): { write: (line: string) => void; close: () => void } {
  const fd = openSync(path, 'w');
  let open = true;
  return {
    write: (line) => {
      if (open) writeSync(fd, `${line}\n`);
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
