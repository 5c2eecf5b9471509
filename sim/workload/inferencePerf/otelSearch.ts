/**
 * The two look-ups otelSession.ts makes for each span j of a session (spans in start order), in
 * time linear in the session's messages instead of a scan of every earlier span:
 * - EndedSpans: among the spans i < j that ended by j's start, the latest-ending one (ties: the
 *   later i), overall and per output message (the producer of a repeated message);
 * - PrefixTrie: the earlier span whose leading input messages repeat the most of j's (ties: the
 *   later span).
 */
import type { OtelSpan } from './otelFile.js';

export class EndedSpans {
  /** Latest-ending admitted span, -1 when none. */
  close = -1;
  private readonly byOutput = new Map<string, number>();
  /** Span indices by end time (then index), admitted in this order. */
  private readonly byEnd: number[];
  private next = 0;
  /** Ended by a start reached before the span itself (zero-length spans at one time): admitted after it. */
  private readonly deferred: boolean[];

  constructor(private readonly spans: readonly OtelSpan[]) {
    this.byEnd = spans.map((_, i) => i).sort((a, b) => spans[a]!.endUs - spans[b]!.endUs || a - b);
    this.deferred = spans.map(() => false);
  }

  /** Admits every span i < j with end ≤ span j's start (start times never decrease with j). */
  admitUpTo(j: number): void {
    if (j > 0 && this.deferred[j - 1]) this.admit(j - 1);
    const start = this.spans[j]!.startUs;
    while (this.next < this.byEnd.length && this.spans[this.byEnd[this.next]!]!.endUs <= start) {
      const i = this.byEnd[this.next++]!;
      if (i < j) this.admit(i);
      else this.deferred[i] = true;
    }
  }

  /** The admitted span that output a message with this key, -1 when none. */
  producerOf(key: string): number {
    return this.byOutput.get(key) ?? -1;
  }

  private later(i: number, than: number): boolean {
    if (than < 0) return true;
    const a = this.spans[i]!.endUs;
    const b = this.spans[than]!.endUs;
    return a > b || (a === b && i > than);
  }

  private admit(i: number): void {
    if (this.later(i, this.close)) this.close = i;
    for (const m of this.spans[i]!.output) if (this.later(i, this.producerOf(m.key))) this.byOutput.set(m.key, i);
  }
}

interface Node {
  /** The latest span whose input starts with the messages on the path here. */
  latest: number;
  readonly next: Map<string, Node>;
}

export class PrefixTrie {
  private readonly root: Node = { latest: -1, next: new Map() };

  /** Adds span i's input; spans are added in increasing i. */
  insert(input: readonly { readonly key: string }[], i: number): void {
    let node = this.root;
    for (const m of input) {
      let child = node.next.get(m.key);
      if (child === undefined) {
        child = { latest: i, next: new Map() };
        node.next.set(m.key, child);
      }
      child.latest = i;
      node = child;
    }
  }

  /** The longest run of leading messages shared with an added span and that span (-1, 0 when none). */
  longest(input: readonly { readonly key: string }[]): { src: number; len: number } {
    let node = this.root;
    let len = 0;
    for (const m of input) {
      const child = node.next.get(m.key);
      if (child === undefined) break;
      node = child;
      len++;
    }
    return { src: len > 0 ? node.latest : -1, len };
  }
}
