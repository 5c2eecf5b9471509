/**
 * Processor-sharing KV transfer links (gateway.md §4.5; BLIS's optional fair share, here per link).
 * Transfers active on one link share its bandwidth equally (each gets bw/n while n send); a transfer
 * is delivered `latencyUs` after its last byte, at the next whole µs (ceil of the exact time).
 *
 * Each link keeps a virtual clock `v` = bytes served to every active transfer since it went busy; a
 * transfer started at virtual time v0 with b bytes finishes when v reaches its tag v0 + b, so the
 * smallest tag finishes next, at last + (tag − v)·n/bw. Links advance lazily (on `start` to `now`,
 * on `takeDone`): a start or a finish costs O(active transfers on that link). `nextDoneUs` scans the
 * busy links. The caller schedules one event at `nextDoneUs()` and calls `takeDone` there; a later
 * `start` can slow a link, so an event may find nothing due: call `nextDoneUs()` again after every
 * `start` and `takeDone`.
 */

interface Sending<T> {
  readonly payload: T;
  /** Virtual time at which its last byte is sent. */
  readonly tag: number;
  /** Global start order (tie-break). */
  readonly order: number;
}

interface Landed<T> {
  readonly payload: T;
  readonly deliverUs: number;
  readonly order: number;
}

interface Link<T> {
  sending: Sending<T>[];
  /** Last bytes sent, awaiting their latency; deliverUs non-decreasing. */
  landed: Landed<T>[];
  v: number;
  lastUs: number;
  busy: boolean;
}

/** Absorbs float noise so an exactly integral time is not pushed to the next µs. */
const EPS_US = 1e-6;

function ceilUs(t: number): number {
  return Math.ceil(t - EPS_US) + 0; // + 0: no -0
}

export class KvLinks<T> {
  private readonly links: Link<T>[] = [];
  private readonly busyLinks: number[] = [];
  private order = 0;
  private count = 0;

  constructor(
    private readonly bytesPerUs: number,
    private readonly latencyUs: number,
  ) {
    if (!(bytesPerUs > 0) || !Number.isFinite(bytesPerUs)) throw new Error(`link bandwidth must be > 0 bytes/µs, got ${bytesPerUs}`);
    if (!(latencyUs >= 0) || !Number.isFinite(latencyUs)) throw new Error(`link latency must be ≥ 0 µs, got ${latencyUs}`);
  }

  /** Transfers started and not yet returned by `takeDone`, over all links. */
  get size(): number {
    return this.count;
  }

  /** Start sending `bytes` on `link` at `now` (µs, non-decreasing across calls on a link). */
  start(link: number, bytes: number, payload: T, now: number): void {
    if (!Number.isInteger(link) || link < 0) throw new Error(`link must be a non-negative integer, got ${link}`);
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new Error(`transfer bytes must be ≥ 0, got ${bytes}`);
    let l = this.links[link];
    if (l === undefined) {
      while (this.links.length <= link) this.links.push({ sending: [], landed: [], v: 0, lastUs: now, busy: false });
      l = this.links[link]!;
    }
    this.advance(l, now);
    if (l.sending.length === 0) l.v = 0;
    l.sending.push({ payload, tag: l.v + bytes, order: this.order++ });
    this.count++;
    if (!l.busy) {
      l.busy = true;
      this.busyLinks.push(link);
    }
  }

  /** Time of the next delivery if nothing else starts (integer µs), Infinity if none is in flight. */
  nextDoneUs(): number {
    let best = Infinity;
    for (const i of this.busyLinks) {
      const l = this.links[i]!;
      let t: number;
      if (l.landed.length > 0) t = l.landed[0]!.deliverUs;
      else if (l.sending.length > 0) {
        let tag = Infinity;
        for (const s of l.sending) if (s.tag < tag) tag = s.tag;
        t = ceilUs(l.lastUs + ((tag - l.v) * l.sending.length) / this.bytesPerUs + this.latencyUs);
      } else continue;
      if (t < best) best = t;
    }
    return best;
  }

  /** Payloads delivered at or before `now`, in delivery order, ties by start order. */
  takeDone(now: number): T[] {
    const out: Landed<T>[] = [];
    let w = 0;
    for (let k = 0; k < this.busyLinks.length; k++) {
      const i = this.busyLinks[k]!;
      const l = this.links[i]!;
      this.advance(l, now);
      let n = 0;
      while (n < l.landed.length && l.landed[n]!.deliverUs <= now) out.push(l.landed[n++]!);
      if (n > 0) l.landed.splice(0, n);
      if (l.sending.length === 0 && l.landed.length === 0) l.busy = false;
      else this.busyLinks[w++] = i;
    }
    this.busyLinks.length = w;
    if (out.length === 0) return [];
    this.count -= out.length;
    out.sort((a, b) => a.deliverUs - b.deliverUs || a.order - b.order);
    return out.map((d) => d.payload);
  }

  /** Transfers on `link` started and not yet returned by `takeDone` (sending or within their latency). */
  active(link: number): number {
    const l = this.links[link];
    return l === undefined ? 0 : l.sending.length + l.landed.length;
  }

  /** Move `l` to time `t`: finish every transfer whose last byte is sent by then. */
  private advance(l: Link<T>, t: number): void {
    if (t < l.lastUs) throw new Error(`link time went back: ${t} < ${l.lastUs}`);
    const bw = this.bytesPerUs;
    while (l.sending.length > 0) {
      const n = l.sending.length;
      let tag = Infinity;
      for (const s of l.sending) if (s.tag < tag) tag = s.tag;
      const lastByteUs = l.lastUs + ((tag - l.v) * n) / bw;
      // Within EPS_US of t counts as sent by t, as nextDoneUs's ceilUs does: otherwise float noise
      // just above an integral time makes nextDoneUs name t forever while takeDone(t) finds nothing.
      if (lastByteUs > t + EPS_US) {
        l.v += ((t - l.lastUs) * bw) / n;
        l.lastUs = t;
        return;
      }
      // Every transfer with this tag sends its last byte now, in start order (sending is in start order).
      const deliverUs = ceilUs(Math.max(lastByteUs, l.lastUs) + this.latencyUs);
      let w = 0;
      for (const s of l.sending) {
        if (s.tag === tag) l.landed.push({ payload: s.payload, deliverUs, order: s.order });
        else l.sending[w++] = s;
      }
      l.sending.length = w;
      l.v = tag;
      l.lastUs = Math.max(lastByteUs, l.lastUs);
    }
    l.lastUs = t;
  }
}
