/**
 * ProfileResultMap (policies/framework/profileResultMap.ts), the scheduler loop's results per
 * profile: a ReadonlyMap in insertion order like a JS Map, read by index (keyAt / valueAt) and by
 * forEach without an iterator, and by firstRunResult.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileResultMap } from '../policies/framework/profileResultMap.js';
import { firstRunResult } from '../policies/plugins/profile/profileResults.js';
import { SchedulingError, type ProfileRunResult } from '../policies/framework/types.js';

const result = (n: number): ProfileRunResult => ({ targetEndpoints: [{ name: `pod-${n}` }] }) as unknown as ProfileRunResult;

describe('ProfileResultMap', () => {
  it('property: set / get / has / size, forEach, entries, keys, values and keyAt / valueAt agree with a Map', () => {
    const op = fc.tuple(fc.constantFrom('decode', 'prefill', 'encode', 'a', 'b'), fc.option(fc.nat(9), { nil: null }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const mine = new ProfileResultMap();
        const model = new Map<string, ProfileRunResult | null>();
        for (const [k, v] of ops) {
          const value = v === null ? null : result(v);
          mine.set(k, value);
          model.set(k, value);
        }
        expect(mine.size).toBe(model.size);
        for (const k of ['decode', 'prefill', 'encode', 'a', 'b', 'c']) {
          expect(mine.has(k)).toBe(model.has(k));
          expect(mine.get(k)).toBe(model.get(k));
        }
        expect([...mine.entries()]).toEqual([...model.entries()]);
        expect([...mine.keys()]).toEqual([...model.keys()]);
        expect([...mine.values()]).toEqual([...model.values()]);
        const seen: [string, ProfileRunResult | null][] = [];
        mine.forEach((v, k, m) => {
          expect(m).toBe(mine);
          seen.push([k, v]);
        });
        expect(seen).toEqual([...model.entries()]);
        expect(Array.from({ length: mine.size }, (_, i) => [mine.keyAt(i), mine.valueAt(i)])).toEqual([...model.entries()]);
      }),
      { numRuns: 300 },
    );
  });

  it('firstRunResult reads the first entry of a ProfileResultMap as of a Map, and fails the same way', () => {
    const r = result(1);
    const mine = new ProfileResultMap().set('decode', r).set('prefill', result(2));
    expect(firstRunResult(mine)).toEqual(firstRunResult(new Map([['decode', r], ['prefill', result(2)]])));
    expect(firstRunResult(mine)).toEqual(['decode', r]);
    expect(() => firstRunResult(new ProfileResultMap())).toThrow(SchedulingError);
    expect(() => firstRunResult(new ProfileResultMap().set('x', null))).toThrow("failed to run scheduler profile 'x'");
    expect(() => firstRunResult(new Map([['x', null]]))).toThrow("failed to run scheduler profile 'x'");
  });
});
