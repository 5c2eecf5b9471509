/**
 * Runs callbacks at given simulated times, in the order they were given (one response's chunks):
 * those already due run at once, the rest wait for one timer at a time. `cancel` drops what is left
 * (the client went away or the server is stopping).
 */
import type { SimClock } from '../engine/simClock.js';

interface Item {
  readonly atUs: number;
  readonly run: () => void;
}

export class PacedWriter {
  private readonly queue: Item[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private cancelled = false;

  constructor(private readonly clock: SimClock) {}

  /** Run `run` at simulated time `atUs` (not before anything given earlier). */
  at(atUs: number, run: () => void): void {
    if (this.cancelled) return;
    this.queue.push({ atUs, run });
    if (this.timer === null) this.pump();
  }

  cancel(): void {
    this.cancelled = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.head = 0;
  }

  private pump(): void {
    this.timer = null;
    while (!this.cancelled && this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      const delay = this.clock.delayMs(item.atUs);
      if (delay > 0) {
        this.timer = setTimeout(() => this.pump(), Math.ceil(delay));
        return;
      }
      this.head++;
      item.run();
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
  }
}
