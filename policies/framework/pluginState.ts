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
 */
export class TtlPluginState implements PluginState {
  nowUs = 0;
  private readonly entries = new Map<string, Entry>();
  private lastSweepUs = 0;

  read(requestId: string, key: string): unknown {
    const e = this.entries.get(requestId);
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
    const e = this.entries.get(requestId);
    if (!e) {
      if (value !== undefined) this.entries.set(requestId, { key, value, more: null, touchedUs: this.nowUs });
      return;
    }
    e.touchedUs = this.nowUs;
    if (e.key !== key) (e.more ??= new Map()).set(key, value);
    else if (value === undefined && e.more === null) this.entries.delete(requestId);
    else e.value = value;
  }

  delete(requestId: string): void {
    this.entries.delete(requestId);
  }

  /** Requests with state. */
  get size(): number {
    return this.entries.size;
  }

  /** Sets the clock and drops entries untouched for PLUGIN_STATE_TTL_US (checked once per minute). */
  advance(nowUs: number): void {
    this.nowUs = nowUs;
    if (nowUs - this.lastSweepUs < 60e6) return;
    this.lastSweepUs = nowUs;
    for (const [id, e] of this.entries) if (nowUs - e.touchedUs > PLUGIN_STATE_TTL_US) this.entries.delete(id);
  }
}
