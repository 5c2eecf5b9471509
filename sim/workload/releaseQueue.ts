/**
 * Requests a closed-loop source has released and the simulation has not pulled yet, in release
 * order (sessions.ts, inferencePerf/stream.ts): `next()` hands them out one at a time and says done
 * while none is waiting, which is not the end of the stream while requests are in flight.
 */
import type { SimRequest } from './request.js';

export class ReleaseQueue {
  private readonly items: SimRequest[] = [];
  private head = 0;

  push(req: SimRequest): void {
    this.items.push(req);
  }

  next(): IteratorResult<SimRequest> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      return { done: false, value };
    }
    return { done: true, value: undefined };
  }
}
