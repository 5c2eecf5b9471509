/**
 * Finished requests' records kept in columns while the run goes on (issue 15): a record whose
 * request has ended is final, so the simulation moves it here — numbers into Float64Array chunks,
 * strings into interned indices — and drops the object. Live heap then holds only the requests in
 * flight, so a long run's garbage collections no longer walk every record of the run; at the end
 * `materialize` turns the rows back into records (the same fields, in newRequestRecord's order,
 * the same values), one chunk at a time, freeing each chunk as it goes.
 */
import type { Outcome, RequestRecord } from './types.js';

/** Rows per chunk. */
const CHUNK = 65536;

/** Numeric fields, in newRequestRecord's order (strings and the boolean are kept apart). */
const NUM = [
  'id',
  'arrivalUs',
  'dispatchUs',
  'replica',
  'inputTokens',
  'outputTokens',
  'cachedTokens',
  'enqueueUs',
  'scheduledUs',
  'firstTokenUs',
  'lastTokenUs',
  'endUs',
  'prefillUs',
  'preemptions',
  'status',
  'priority',
  'client',
  'pool',
  'route',
  'prefillReplica',
  'prefillQueueUs',
  'prefillComputeUs',
  'decodeQueueUs',
  'kvTransferUs',
  'kvTransferBytes',
  'kvReadyUs',
  'attempts',
] as const;
const N = NUM.length;
/** String-valued fields (adapter: null is its own index). */
const STR = ['outcome', 'reason', 'detail', 'adapter', 'model'] as const;
const S = STR.length;

type Num = (typeof NUM)[number];
type Str = (typeof STR)[number];

interface Chunk {
  readonly nums: Float64Array;
  readonly strs: Int32Array;
  /** Bit 0: the row was written; bit 1: `fallback`. */
  readonly flags: Uint8Array;
}

export class RecordColumns {
  private readonly chunks: (Chunk | null)[] = [];
  private readonly strings: (string | null)[] = [];
  private readonly stringIds = new Map<string | null, number>();

  /** Store `rec` as row `row` (its index in the run's records). */
  write(row: number, rec: RequestRecord): void {
    const c = this.chunk(Math.floor(row / CHUNK));
    const k = row % CHUNK;
    const nums = c.nums;
    const base = k * N;
    for (let f = 0; f < N; f++) nums[base + f] = rec[NUM[f]!];
    const sb = k * S;
    for (let f = 0; f < S; f++) c.strs[sb + f] = this.intern(rec[STR[f]!]);
    c.flags[k] = rec.fallback ? 3 : 1;
  }

  /**
   * Replace every `placeholder` entry of `records` that was written by its row, rebuilt; chunks are released as
   * soon as their rows are rebuilt, so the columns and the objects never coexist in full.
   */
  materialize(records: RequestRecord[], placeholder: RequestRecord): void {
    for (let ci = 0; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci];
      if (c === null || c === undefined) continue;
      const end = Math.min(records.length, (ci + 1) * CHUNK);
      for (let row = ci * CHUNK; row < end; row++) if (records[row] === placeholder && (c.flags[row % CHUNK]! & 1) === 1) records[row] = this.read(c, row % CHUNK);
      this.chunks[ci] = null;
    }
  }

  private read(c: Chunk, k: number): RequestRecord {
    const n = c.nums;
    const b = k * N;
    const s = k * S;
    const str = (f: number): string => this.strings[c.strs[s + f]!] as string;
    // Field order as newRequestRecord (records.ts): objects of one shape, as before.
    return {
      id: n[b + 0]!,
      arrivalUs: n[b + 1]!,
      dispatchUs: n[b + 2]!,
      replica: n[b + 3]!,
      inputTokens: n[b + 4]!,
      outputTokens: n[b + 5]!,
      cachedTokens: n[b + 6]!,
      enqueueUs: n[b + 7]!,
      scheduledUs: n[b + 8]!,
      firstTokenUs: n[b + 9]!,
      lastTokenUs: n[b + 10]!,
      endUs: n[b + 11]!,
      prefillUs: n[b + 12]!,
      preemptions: n[b + 13]!,
      outcome: str(0) as Outcome,
      reason: str(1),
      detail: str(2),
      status: n[b + 14]!,
      adapter: this.strings[c.strs[s + 3]!]!,
      priority: n[b + 15]!,
      client: n[b + 16]!,
      pool: n[b + 17]!,
      route: n[b + 18]!,
      model: str(4),
      prefillReplica: n[b + 19]!,
      prefillQueueUs: n[b + 20]!,
      prefillComputeUs: n[b + 21]!,
      decodeQueueUs: n[b + 22]!,
      kvTransferUs: n[b + 23]!,
      kvTransferBytes: n[b + 24]!,
      kvReadyUs: n[b + 25]!,
      attempts: n[b + 26]!,
      fallback: (c.flags[k]! & 2) === 2,
    };
  }

  private chunk(i: number): Chunk {
    while (this.chunks.length <= i) this.chunks.push(null);
    let c = this.chunks[i];
    if (c === null || c === undefined) {
      c = { nums: new Float64Array(CHUNK * N), strs: new Int32Array(CHUNK * S), flags: new Uint8Array(CHUNK) };
      this.chunks[i] = c;
    }
    return c;
  }

  private intern(s: string | null): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }
}

export type { Num as RecordNumberField, Str as RecordStringField };
