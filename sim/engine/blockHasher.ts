/**
 * Chained block hashes of one sequence (prompt segments followed by its generated tokens):
 * `h_i = H(h_{i−1}, content of block i, adapter)` (engine.md §2). Work is per block and per segment
 * piece, never per token: a piece is (content id, offset in the segment, length).
 */
import type { Segment } from '../workload/request.js';
import { hashInts, hashString, joinLanes, mix32 } from '../core/hash.js';

export class BlockHasher {
  /** Hashes of blocks 0..length-1 computed so far. */
  readonly hashes: number[] = [];
  private segIdx = 0;
  private segOff = 0;
  private laneA: number;
  private laneB: number;

  constructor(
    private readonly segments: readonly Segment[],
    private readonly outputContent: number,
    private readonly outputTokens: number,
    private readonly blockSize: number,
    adapter: string | null,
  ) {
    const key = adapter === null ? 0 : hashString(adapter);
    this.laneA = hashInts(0x51ed, key) | 0;
    this.laneB = hashInts(0x2f7a, key) | 0;
  }

  /** Hash of block `i`; the block must lie within prompt + output tokens. */
  hashAt(i: number): number {
    while (this.hashes.length <= i) this.hashes.push(this.nextBlock());
    return this.hashes[i]!;
  }

  private nextBlock(): number {
    let remaining = this.blockSize;
    let a = this.laneA;
    let b = this.laneB;
    while (remaining > 0) {
      let content: number;
      let length: number;
      if (this.segIdx < this.segments.length) {
        const s = this.segments[this.segIdx]!;
        content = s.content;
        length = s.tokens;
      } else if (this.segIdx === this.segments.length) {
        content = this.outputContent;
        length = this.outputTokens;
      } else {
        throw new Error('block hash requested beyond the end of the sequence');
      }
      const take = Math.min(remaining, length - this.segOff);
      a = mix32(mix32(mix32(a, content), this.segOff), take);
      b = mix32(mix32(mix32(b, take), content ^ 0x7f4a7c15), this.segOff);
      this.segOff += take;
      remaining -= take;
      if (this.segOff === length) {
        this.segIdx++;
        this.segOff = 0;
      }
    }
    this.laneA = a;
    this.laneB = b;
    return joinLanes(a, b);
  }
}
