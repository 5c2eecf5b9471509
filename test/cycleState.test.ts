/**
 * The scheduling cycle's CycleState (policies/framework/director.ts): one Map per cycle, made when a
 * plugin first reads it, the same Map on every later read within the cycle, a fresh one for the next
 * cycle, and the queued request's own when flow control hands one over.
 */
import { describe, expect, it } from 'vitest';
import { EndpointPicker } from '../policies/framework/director.js';
import { loadPickerConfig } from '../policies/config/loader.js';
import type { CycleContext } from '../policies/framework/types.js';

describe('CycleState', () => {
  it('is one Map per cycle, shared by every read within it, fresh for the next, or the one handed over', () => {
    const picker = new EndpointPicker(loadPickerConfig(null), { rng: () => 0.5 });
    // context is private: the director builds one per scheduling cycle (and per ResponseComplete).
    const context = (now: number, state?: Map<string, unknown>): CycleContext => (picker as unknown as { context(n: number, s?: Map<string, unknown>): CycleContext }).context(now, state);
    const a = context(7);
    expect(a.cycleState).toBe(a.cycleState);
    a.cycleState.set('tokenized-prompt', 42);
    expect(a.cycleState.get('tokenized-prompt')).toBe(42);
    const b = context(8);
    expect(b.cycleState).not.toBe(a.cycleState);
    expect(b.cycleState.size).toBe(0);
    const queued = new Map<string, unknown>([['agent', 'x']]);
    expect(context(9, queued).cycleState).toBe(queued);
    expect([a.nowUs, b.nowUs, a.rng()]).toEqual([7, 8, 0.5]);
    expect(a.pluginState).toBe(picker.pluginState);
  });
});
