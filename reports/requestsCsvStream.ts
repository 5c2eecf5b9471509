/**
 * The per-request CSV written while the simulation runs (issue 15): each request's row goes to the
 * file as soon as its record is final and every request that arrived before it has been written,
 * so the file has exactly the rows, in exactly the order, that requestsCsvRows gives at the end of
 * the run (record order = arrival order), without holding a run's rows in memory.
 *
 * Only requests that arrived earlier and are still in flight are held back (a reorder buffer, as
 * long as the longest request in flight lets it grow); requests still in flight when the run ends
 * are written by `finish`, in order, as the end-of-run writer wrote them.
 */
import type { PolicyRun, RequestRecord } from '../sim/metrics/types.js';
import { requestsCsvRows, type CsvNames } from './requestsCsv.js';

/** Rows are formatted and written in batches of this many. */
const BATCH = 1024;

export interface RequestsCsvOptions {
  readonly policy: string;
  readonly tenantNames?: readonly string[];
  /** The header has the pool columns (csvIsExtended): the names come from the run's start. */
  readonly extended: boolean;
  readonly attempts: boolean;
}

export class RequestsCsvStream {
  /** Records not written yet, in record order, from `head` on. */
  private pending: RequestRecord[] = [];
  private head = 0;
  /** Ids of pending requests that have ended. */
  private readonly ended = new Set<number>();
  private names: CsvNames | undefined;
  private batch: RequestRecord[] = [];

  constructor(
    private readonly write: (text: string) => void,
    private readonly opts: RequestsCsvOptions,
  ) {}

  /** RunObserver hooks (sim/simulation.ts). */
  readonly onStart = (names: Pick<PolicyRun, 'pools' | 'routes'>): void => {
    this.names = names;
  };

  readonly onRecord = (rec: RequestRecord): void => {
    this.pending.push(rec);
  };

  readonly onRequestEnd = (id: number): void => {
    this.ended.add(id);
    const p = this.pending;
    while (this.head < p.length && this.ended.delete(p[this.head]!.id)) this.take(p[this.head++]!);
    if (this.head > 4096 && this.head * 2 > p.length) {
      this.pending = p.slice(this.head);
      this.head = 0;
    }
  };

  /** The run ended: write every record not written yet, in order. */
  finish(): void {
    for (let i = this.head; i < this.pending.length; i++) this.take(this.pending[i]!);
    this.flush();
    this.pending = [];
    this.head = 0;
    this.ended.clear();
  }

  private take(rec: RequestRecord): void {
    this.batch.push(rec);
    if (this.batch.length === BATCH) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const o = this.opts;
    this.write(requestsCsvRows(o.policy, this.batch, o.tenantNames, o.extended ? (this.names ?? {}) : undefined, o.attempts));
    this.batch = [];
  }
}
