/**
 * A list of sequences (each with a number alongside) reused step after step: a step's batch (with
 * each sequence's tokens) and the decode cohort's per-step lists. Emptying a JS array with
 * `length = 0` gives up its storage, so refilling it every step allocates again (most of a run's
 * garbage once, issue 15). This keeps its storage and only drops the references it no longer needs.
 */
import type { Sequence } from './sequence.js';

/** Placeholder for a dropped slot (keeps the array's element kind). */
const NONE = null as unknown as Sequence;

export class SeqList {
  private readonly items: Sequence[] = [];
  private readonly tags: number[] = [];
  /** Sequences 0 … length − 1. */
  length = 0;

  at(i: number): Sequence {
    return this.items[i]!;
  }

  /** The number stored with sequence i. */
  tag(i: number): number {
    return this.tags[i]!;
  }

  push(seq: Sequence, tag = 0): void {
    const i = this.length++;
    if (i < this.items.length) {
      this.items[i] = seq;
      this.tags[i] = tag;
    } else {
      this.items.push(seq);
      this.tags.push(tag);
    }
  }

  clear(): void {
    for (let i = 0; i < this.length; i++) this.items[i] = NONE;
    this.length = 0;
  }

  /** Keep the sequences for which `keep` holds, in order. */
  filter(keep: (seq: Sequence) => boolean): void {
    let w = 0;
    for (let i = 0; i < this.length; i++) {
      const seq = this.items[i]!;
      if (!keep(seq)) continue;
      this.items[w] = seq;
      this.tags[w++] = this.tags[i]!;
    }
    for (let i = w; i < this.length; i++) this.items[i] = NONE;
    this.length = w;
  }

  /** Move the last sequence to position j (those from j on move up one). */
  moveLastTo(j: number): void {
    const last = this.length - 1;
    const seq = this.items[last]!;
    const tag = this.tags[last]!;
    for (let i = last; i > j; i--) {
      this.items[i] = this.items[i - 1]!;
      this.tags[i] = this.tags[i - 1]!;
    }
    this.items[j] = seq;
    this.tags[j] = tag;
  }

  /** Take `seq` out (order kept); returns its number, or undefined when absent. */
  remove(seq: Sequence): number | undefined {
    let i = 0;
    while (i < this.length && this.items[i] !== seq) i++;
    if (i === this.length) return undefined;
    const tag = this.tags[i]!;
    for (; i + 1 < this.length; i++) {
      this.items[i] = this.items[i + 1]!;
      this.tags[i] = this.tags[i + 1]!;
    }
    this.items[--this.length] = NONE;
    return tag;
  }
}
