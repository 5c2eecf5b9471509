/**
 * The waiting queue: FCFS (arrival order, preempted requests to the front) or priority order
 * (higher priority first, then arrival; preempted requests re-inserted by the same order).
 * An array with a head offset so popping the front is O(1).
 */
import type { Sequence } from './sequence.js';

export class WaitingQueue {
  private items: Sequence[] = [];
  private head = 0;

  constructor(private readonly priorityOrder: boolean) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** i-th waiting sequence in scheduling order. */
  at(i: number): Sequence {
    return this.items[this.head + i]!;
  }

  /** A newly arrived request. */
  add(seq: Sequence): void {
    if (this.priorityOrder) this.insertSorted(seq);
    else this.items.push(seq);
  }

  /** A preempted request: front of the queue (FCFS) or its place by priority. */
  addPreempted(seq: Sequence): void {
    if (this.priorityOrder) this.insertSorted(seq);
    else this.pushFront(seq);
  }

  /**
   * Remove the first `consumed` entries: `skipped` (in their order) were passed over and go back to
   * the front; the others were admitted.
   */
  consumeFront(consumed: number, skipped: readonly Sequence[]): void {
    // Drop the references of the consumed entries: the array keeps its slots until it compacts, and
    // a slot still holding an ended request would keep its sequence, records and blocks alive
    // (≈ 770 requests a replica on average, half the live heap of a 64-replica run; issue 15).
    const items = this.items;
    for (let i = this.head, end = this.head + consumed; i < end; i++) items[i] = undefined as unknown as Sequence;
    this.head += consumed;
    for (let i = skipped.length - 1; i >= 0; i--) this.pushFront(skipped[i]!);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Take `seq` out wherever it is (an aborted request); false when it is not queued. O(length). */
  remove(seq: Sequence): boolean {
    const i = this.items.indexOf(seq, this.head);
    if (i < 0) return false;
    if (i === this.head) this.items[this.head++] = undefined as unknown as Sequence;
    else this.items.splice(i, 1);
    return true;
  }

  /** Empty the queue (engine crash). */
  clear(): void {
    this.items = [];
    this.head = 0;
  }

  *[Symbol.iterator](): IterableIterator<Sequence> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }

  private pushFront(seq: Sequence): void {
    if (this.head > 0) this.items[--this.head] = seq;
    else this.items.unshift(seq);
  }

  private insertSorted(seq: Sequence): void {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (comesBefore(this.items[mid]!, seq)) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, seq);
  }
}

/** Priority order: higher priority, then earlier arrival, then lower id. */
export function comesBefore(a: Sequence, b: Sequence): boolean {
  if (a.req.priority !== b.req.priority) return a.req.priority > b.req.priority;
  if (a.req.arrivalUs !== b.req.arrivalUs) return a.req.arrivalUs < b.req.arrivalUs;
  return a.req.id < b.req.id;
}
