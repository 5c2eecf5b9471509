/**
 * Ended requests of a streamed run whose place in the measurement window is not known yet, kept in
 * typed-array columns (≈ 41 B a request: int32 offsets where the values allow (compactColumn.ts), and one
 * index of its group tuple) with what the window figures read:
 * - those arriving within the longest warm-up the run can have of its first arrival (the automatic
 *   warm-up is a tenth of the arrival span, capped at 60 s, so only the end fixes it);
 * - with a cool-down, those arriving within it of the latest arrival so far (the window ends at the
 *   last arrival − cool-down): `drain` releases them as later arrivals come, so they stay bounded by
 *   the arrivals of one cool-down.
 * They are replayed through one reused record object once their bounds are known. The P/D columns
 * are made only when a held request has a P/D field that is not its default (a run that disaggregates
 * nothing keeps 9 columns, not 16: 14 MB less on 1M requests, issue 15).
 */
import type { Outcome, RequestRecord } from '../types.js';
import { newRequestRecord } from '../records.js';
import { CompactColumn } from './compactColumn.js';

const OUTCOMES: readonly Outcome[] = ['completed', 'rejected', 'dropped', 'failed'];
const F64 = [
  'arrivalUs', 'endUs', 'firstTokenUs', 'lastTokenUs', 'enqueueUs', 'scheduledUs', 'inputTokens', 'outputTokens', 'cachedTokens',
  // P/D parts (pdBreakdown.ts), from index PD_FROM on
  'prefillReplica', 'kvReadyUs', 'prefillQueueUs', 'prefillComputeUs', 'decodeQueueUs', 'kvTransferUs', 'kvTransferBytes',
] as const;
const PD_FROM = F64.indexOf('prefillReplica');
// push, load and pdDefaults name the fields one by one in this order (16, P/D from 9 on).
if (F64.length !== 16 || PD_FROM !== 9) throw new Error('heldRequests: F64 changed; update push, load and pdDefaults');
/** A fresh record: its P/D fields have their values in a request that was not disaggregated. */
const NOT_DISAGGREGATED = newRequestRecord({ id: 0, arrivalUs: 0, inputTokens: 0, outputTokens: 0, adapter: null, priority: 0 });

/** The record fields the window figures read, on one object that is overwritten per replayed request. */
export type WindowFields = Pick<RequestRecord, (typeof F64)[number] | 'outcome'>;

/** Visits a held request: its fields and the indices of its groups (`groups[offset …]`). */
export type HeldVisitor = (r: WindowFields, groups: Int32Array, offset: number) => void;

export class HeldRequests {
  /** One column per F64 field; the P/D ones (PD_FROM on) only once some held request needed them. */
  private cols: CompactColumn[] = F64.slice(0, PD_FROM).map(() => new CompactColumn(1024));
  private outcome = new Uint8Array(1024);
  /**
   * Per request, the index of its group tuple: the indices of the groups (e.g. class folders) it
   * belongs to, groupsPerRequest each, are kept once per distinct tuple in `tuples` (a run has few:
   * 4 B a request instead of 28).
   */
  private tupleOf = new Int32Array(1024);
  private tuples: Int32Array;
  private readonly tupleIndex = new Map<string, number>();
  /** The tuple of the latest push (-1: none yet). */
  private lastTuple = -1;
  /** The P/D fields stay at NOT_DISAGGREGATED's values while there are no P/D columns. */
  private readonly row: { -readonly [K in keyof WindowFields]: WindowFields[K] } = { ...pick(NOT_DISAGGREGATED), outcome: 'completed' };
  size = 0;

  constructor(private readonly groupsPerRequest: number) {
    this.tuples = new Int32Array(16 * groupsPerRequest);
  }

  push(r: RequestRecord, groups: readonly number[]): void {
    if (this.size === this.outcome.length) this.grow();
    if (this.cols.length === PD_FROM && !pdDefaults(r)) this.addPdColumns();
    const i = this.size++;
    const cols = this.cols;
    // Field by field in F64 order, not `r[F64[c]]`: keyed reads through a table of names are
    // megamorphic, and the row's keyed writes in `load` boxed every number (issue 15).
    cols[0]!.set(i, r.arrivalUs);
    cols[1]!.set(i, r.endUs);
    cols[2]!.set(i, r.firstTokenUs);
    cols[3]!.set(i, r.lastTokenUs);
    cols[4]!.set(i, r.enqueueUs);
    cols[5]!.set(i, r.scheduledUs);
    cols[6]!.set(i, r.inputTokens);
    cols[7]!.set(i, r.outputTokens);
    cols[8]!.set(i, r.cachedTokens);
    if (cols.length > PD_FROM) {
      cols[9]!.set(i, r.prefillReplica);
      cols[10]!.set(i, r.kvReadyUs);
      cols[11]!.set(i, r.prefillQueueUs);
      cols[12]!.set(i, r.prefillComputeUs);
      cols[13]!.set(i, r.decodeQueueUs);
      cols[14]!.set(i, r.kvTransferUs);
      cols[15]!.set(i, r.kvTransferBytes);
    }
    this.outcome[i] = OUTCOMES.indexOf(r.outcome);
    this.tupleOf[i] = this.tupleFor(groups);
  }

  /** Typed columns it keeps (9, or 16 once a held request had a P/D field set). */
  get columnCount(): number {
    return this.cols.length;
  }

  /** Distinct group tuples seen (for tests). */
  get tupleCount(): number {
    return this.tupleIndex.size;
  }

  /** Columns still keeping int32 offsets (for tests). */
  get compactColumns(): number {
    return this.cols.filter((c) => c.compact).length;
  }

  /**
   * Visits, in push order, each request arriving in [fromUs, toUs], and the others with `outside`
   * when given; then holds none (call once, at the end).
   */
  replay(fromUs: number, toUs: number, visit: HeldVisitor, outside?: HeldVisitor): void {
    const arrival = this.cols[0]!;
    const gp = this.groupsPerRequest;
    for (let i = 0; i < this.size; i++) {
      const a = arrival.get(i);
      if (a >= fromUs && a <= toUs) visit(this.load(i), this.tuples, this.tupleOf[i]! * gp);
      else outside?.(this.load(i), this.tuples, this.tupleOf[i]! * gp);
    }
    this.size = 0;
  }

  /** Visits, in push order, and removes each request arriving at or before `uptoUs`; the rest stay, in order. */
  drain(uptoUs: number, visit: HeldVisitor): void {
    const arrival = this.cols[0]!;
    const gp = this.groupsPerRequest;
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      if (arrival.get(i) <= uptoUs) {
        visit(this.load(i), this.tuples, this.tupleOf[i]! * gp);
        continue;
      }
      if (kept !== i) {
        for (const c of this.cols) c.move(kept, i);
        this.outcome[kept] = this.outcome[i]!;
        this.tupleOf[kept] = this.tupleOf[i]!;
      }
      kept++;
    }
    this.size = kept;
  }

  private load(i: number): WindowFields {
    const r = this.row;
    const cols = this.cols;
    r.arrivalUs = cols[0]!.get(i);
    r.endUs = cols[1]!.get(i);
    r.firstTokenUs = cols[2]!.get(i);
    r.lastTokenUs = cols[3]!.get(i);
    r.enqueueUs = cols[4]!.get(i);
    r.scheduledUs = cols[5]!.get(i);
    r.inputTokens = cols[6]!.get(i);
    r.outputTokens = cols[7]!.get(i);
    r.cachedTokens = cols[8]!.get(i);
    if (cols.length > PD_FROM) {
      r.prefillReplica = cols[9]!.get(i);
      r.kvReadyUs = cols[10]!.get(i);
      r.prefillQueueUs = cols[11]!.get(i);
      r.prefillComputeUs = cols[12]!.get(i);
      r.decodeQueueUs = cols[13]!.get(i);
      r.kvTransferUs = cols[14]!.get(i);
      r.kvTransferBytes = cols[15]!.get(i);
    }
    r.outcome = OUTCOMES[this.outcome[i]!]!;
    return r;
  }

  /** The index of the tuple `groups` (its first groupsPerRequest entries), added when new. */
  private tupleFor(groups: readonly number[]): number {
    const gp = this.groupsPerRequest;
    // Most requests have the previous one's tuple: found without building its key (issue 15).
    const last = this.lastTuple;
    if (last >= 0) {
      let g = 0;
      while (g < gp && this.tuples[last * gp + g] === groups[g]) g++;
      if (g === gp) return last;
    }
    this.lastTuple = this.keyedTuple(groups);
    return this.lastTuple;
  }

  /** The index of the tuple `groups`, found or added by its key. */
  private keyedTuple(groups: readonly number[]): number {
    const gp = this.groupsPerRequest;
    let key = '';
    for (let g = 0; g < gp; g++) key += `${groups[g]!},`;
    let t = this.tupleIndex.get(key);
    if (t !== undefined) return t;
    t = this.tupleIndex.size;
    this.tupleIndex.set(key, t);
    if ((t + 1) * gp > this.tuples.length) {
      const grown = new Int32Array(this.tuples.length * 2);
      grown.set(this.tuples);
      this.tuples = grown;
    }
    for (let g = 0; g < gp; g++) this.tuples[t * gp + g] = groups[g]!;
    return t;
  }

  /** Makes the P/D columns, the requests held so far at their defaults (each was checked to be). */
  private addPdColumns(): void {
    const n = this.outcome.length;
    for (let c = PD_FROM; c < F64.length; c++) {
      const col = new CompactColumn(n);
      const v = NOT_DISAGGREGATED[F64[c]!];
      for (let i = 0; i < this.size; i++) col.set(i, v);
      this.cols.push(col);
    }
  }

  private grow(): void {
    const n = this.outcome.length * 2;
    for (const c of this.cols) c.grow(n, this.size);
    const o = new Uint8Array(n);
    o.set(this.outcome);
    this.outcome = o;
    const t = new Int32Array(n);
    t.set(this.tupleOf);
    this.tupleOf = t;
  }
}

/** Whether every P/D field of `r` has its value of a request that was not disaggregated. */
function pdDefaults(r: RequestRecord): boolean {
  const d = NOT_DISAGGREGATED;
  return (
    r.prefillReplica === d.prefillReplica &&
    r.kvReadyUs === d.kvReadyUs &&
    r.prefillQueueUs === d.prefillQueueUs &&
    r.prefillComputeUs === d.prefillComputeUs &&
    r.decodeQueueUs === d.decodeQueueUs &&
    r.kvTransferUs === d.kvTransferUs &&
    r.kvTransferBytes === d.kvTransferBytes
  );
}

/** The window fields of `r`. */
function pick(r: RequestRecord): WindowFields {
  return Object.fromEntries([...F64, 'outcome'].map((f) => [f, r[f as keyof WindowFields]])) as unknown as WindowFields;
}
