/**
 * Per-request plugin state (GAIE v1.5.0 `PluginState`, `epp.md` §1.8) with the production's
 * 5-minute GC of untouched entries.
 */
import type { PluginState } from './types.js';

/** PluginState entries untouched this long are garbage-collected (§1.8). */
export const PLUGIN_STATE_TTL_US = 5 * 60 * 1e6;

/**
 * Per-request plugin state with the production's 5-minute GC of untouched entries, swept lazily
 * (at most once per minute of clock time, when the director is called).
 */
export class TtlPluginState implements PluginState {
  nowUs = 0;
  private readonly entries = new Map<string, { values: Map<string, unknown>; touchedUs: number }>();
  private lastSweepUs = 0;

  read(requestId: string, key: string): unknown {
    const e = this.entries.get(requestId);
    if (!e) return undefined;
    e.touchedUs = this.nowUs;
    return e.values.get(key);
  }

  write(requestId: string, key: string, value: unknown): void {
    let e = this.entries.get(requestId);
    if (!e) {
      e = { values: new Map(), touchedUs: this.nowUs };
      this.entries.set(requestId, e);
    }
    e.touchedUs = this.nowUs;
    e.values.set(key, value);
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
