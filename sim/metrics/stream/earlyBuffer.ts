/**
 * The ended requests of a streamed run that may still fall in its warm-up: those arriving before
 * first arrival + the longest warm-up the run can have. The warm-up is only known at the end (the
 * automatic one is a tenth of the arrival span, capped at 60 s), so their window figures wait here,
 * in typed-array columns (≈ 90 B a request, bounded by the arrivals of that first stretch), and are
 * replayed at the end through one reused record. Everything the subset figures read is kept.
 */
import type { Outcome, RequestRecord } from '../types.js';

const OUTCOMES: readonly Outcome[] = ['completed', 'rejected', 'dropped', 'failed'];
const F64 = ['arrivalUs', 'endUs', 'firstTokenUs', 'lastTokenUs', 'enqueueUs', 'scheduledUs', 'inputTokens', 'outputTokens', 'cachedTokens'] as const;

/** The record fields the window figures read, on one object that is overwritten per replayed request. */
export type WindowFields = Pick<RequestRecord, (typeof F64)[number] | 'outcome'>;

export class EarlyBuffer {
  private cols: Float64Array[] = F64.map(() => new Float64Array(1024));
  private outcome = new Uint8Array(1024);
  /** Per request, the indices of the groups (e.g. class folders) it belongs to, GROUPS per request. */
  private groups: Int32Array;
  size = 0;

  constructor(private readonly groupsPerRequest: number) {
    this.groups = new Int32Array(1024 * groupsPerRequest);
  }

  push(r: RequestRecord, groups: readonly number[]): void {
    if (this.size === this.outcome.length) this.grow();
    const i = this.size++;
    for (let c = 0; c < F64.length; c++) this.cols[c]![i] = r[F64[c]!];
    this.outcome[i] = OUTCOMES.indexOf(r.outcome);
    for (let g = 0; g < this.groupsPerRequest; g++) this.groups[i * this.groupsPerRequest + g] = groups[g]!;
  }

  /** Calls `visit` with each buffered request arriving at or after `fromUs`, in push order. */
  replay(fromUs: number, visit: (r: WindowFields, groups: Int32Array, offset: number) => void): void {
    const r = { outcome: 'completed' } as { -readonly [K in keyof WindowFields]: WindowFields[K] };
    const arrival = this.cols[0]!;
    for (let i = 0; i < this.size; i++) {
      if (arrival[i]! < fromUs) continue;
      for (let c = 0; c < F64.length; c++) r[F64[c]!] = this.cols[c]![i]!;
      r.outcome = OUTCOMES[this.outcome[i]!]!;
      visit(r, this.groups, i * this.groupsPerRequest);
    }
  }

  private grow(): void {
    const n = this.outcome.length * 2;
    this.cols = this.cols.map((c) => {
      const d = new Float64Array(n);
      d.set(c);
      return d;
    });
    const o = new Uint8Array(n);
    o.set(this.outcome);
    this.outcome = o;
    const g = new Int32Array(n * this.groupsPerRequest);
    g.set(this.groups);
    this.groups = g;
  }
}
