/**
 * The per-replica frontend output handler (calibration.md §1.1 stage 3, §1.4 c_out, §6.4): each
 * step's outputs (detokenisation, RequestOutput objects, SSE chunks) are processed by one server,
 * FIFO, one step at a time. A step that ended at `endUs` with R requests emitting a token is done
 * at max(endUs, previous done) + perStep + R·perRequest, and its tokens reach the client then (the
 * α2/α1 shifts come on top). Egress thus grows with concurrent streams, and queues when the frontend
 * is slower than the steps. O(1) per step; steps that emit nothing skip it.
 */
export class Frontend {
  /** When the frontend finishes the last step's outputs it was given (µs). */
  private freeUs = 0;

  constructor(
    private readonly perStepUs: number,
    private readonly perRequestUs: number,
  ) {}

  /** False when both costs are 0: tokens are visible at the step's end, as without a frontend. */
  get enabled(): boolean {
    return this.perStepUs > 0 || this.perRequestUs > 0;
  }

  /** The outputs of a step ending at `endUs` in which `emitting` requests emitted a token: when the client sees them (whole µs). */
  process(endUs: number, emitting: number): number {
    if (emitting === 0 || !this.enabled) return endUs;
    const start = endUs > this.freeUs ? endUs : this.freeUs;
    this.freeUs = start + Math.round(this.perStepUs + emitting * this.perRequestUs);
    return this.freeUs;
  }

  /** A restarted process: nothing queued. */
  reset(): void {
    this.freeUs = 0;
  }
}
