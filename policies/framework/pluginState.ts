/**
 * Per-request plugin state (GAIE v1.5.0 `PluginState`, `epp.md` §1.8) with the production's
 * 5-minute GC of untouched entries.
 */
import type { PluginState } from './types.js';

/** PluginState entries untouched this long are garbage-collected (§1.8). */
export const PLUGIN_STATE_TTL_US = 5 * 60 * 1e6;

/**
 * One request's state: its first key's value inline (most requests have state from one plugin, and
 * these entries live as long as the request), further keys in a map.
 */
interface Entry {
  readonly key: string;
  value: unknown;
  more: Map<string, unknown> | null;
  touchedUs: number;
}

/**
 * Per-request plugin state with the production's 5-minute GC of untouched entries, swept lazily
 * (at most once per minute of clock time, when the director is called).
 *
 * The entry written last for a request without one waits in a slot outside the map until another
 * request's entry needs the slot (issue 15): a producer that writes its state at PrepareData and
 * clears it at PreRequest (approx-prefix-cache-producer) then never touches the map, whose table
 * V8 otherwise reallocated as it emptied and filled again on every request.
 */
export class TtlPluginState implements PluginState {
  nowUs = 0;
  private readonly entries = new Map<string, Entry>();
  /** The slot's request id (null: empty) and entry; never also in `entries`. */
  private slotId: string | null = null;
  private slot: Entry | null = null;
  private lastSweepUs = 0;

  read(requestId: string, key: string): unknown {
    const e = this.entryOf(requestId);
    if (!e) return undefined;
    e.touchedUs = this.nowUs;
    if (e.key === key) return e.value;
    return e.more?.get(key);
  }

  /**
   * Writing `undefined` to a request's only key frees its entry (what read answers is the same): the
   * approx-prefix-cache-producer clears its state at PreRequest, and the entry would otherwise live
   * until the response ends (≈ 10,000 at once in a 1M-request run, issue 15).
   */
  write(requestId: string, key: string, value: unknown): void {
    const e = this.entryOf(requestId);
    if (!e) {
      if (value === undefined) return;
      if (this.slotId !== null) this.entries.set(this.slotId, this.slot!);
      this.slotId = requestId;
      this.slot = { key, value, more: null, touchedUs: this.nowUs };
      return;
    }
    e.touchedUs = this.nowUs;
    if (e.key !== key) (e.more ??= new Map()).set(key, value);
    else if (value === undefined && e.more === null) this.delete(requestId);
    else e.value = value;
  }

  delete(requestId: string): void {
    if (requestId === this.slotId) {
      this.slotId = null;
      this.slot = null;
    } else if (this.entries.size > 0) this.entries.delete(requestId);
  }

  /** Requests with state. */
  get size(): number {
    return this.entries.size + (this.slotId !== null ? 1 : 0);
  }

  /** Sets the clock and drops entries untouched for PLUGIN_STATE_TTL_US (checked once per minute). */
  advance(nowUs: number): void {
    this.nowUs = nowUs;
    if (nowUs - this.lastSweepUs < 60e6) return;
    this.lastSweepUs = nowUs;
    if (this.slotId !== null && nowUs - this.slot!.touchedUs > PLUGIN_STATE_TTL_US) this.delete(this.slotId);
    for (const [id, e] of this.entries) if (nowUs - e.touchedUs > PLUGIN_STATE_TTL_US) this.entries.delete(id);
  }

  private entryOf(requestId: string): Entry | undefined {
    if (requestId === this.slotId) return this.slot!;
    return this.entries.size > 0 ? this.entries.get(requestId) : undefined;
  }
}
