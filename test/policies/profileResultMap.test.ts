import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileResultMap } from '../../policies/framework/profileResultMap.js';
import type { ProfileRunResult } from '../../policies/framework/types.js';

const result = (n: number): ProfileRunResult | null => (n < 0 ? null : { targetEndpoints: [{ name: `p${n}` } as never] });

describe('ProfileResultMap (the scheduler loop’s results per profile)', () => {
  it('reads as a JS Map: insertion order, replacement in place, null results kept', () => {
    const m = new ProfileResultMap();
    const a = result(1);
    const b = result(2);
    m.set('decode', a).set('prefill', null).set('encode', b).set('decode', b);
    expect(m.size).toBe(3);
    expect([...m.keys()]).toEqual(['decode', 'prefill', 'encode']);
    expect(m.get('decode')).toBe(b);
    expect(m.get('prefill')).toBeNull();
    expect(m.has('prefill')).toBe(true);
    expect(m.get('other')).toBeUndefined();
    expect(m.has('other')).toBe(false);
    expect(new Map(m)).toEqual(new Map([['decode', b], ['prefill', null], ['encode', b]]));
    const seen: string[] = [];
    m.forEach((v, k, self) => seen.push(`${k}:${v === null ? 'null' : v.targetEndpoints[0]!.name}:${self === m}`));
    expect(seen).toEqual(['decode:p2:true', 'prefill:null:true', 'encode:p2:true']);
  });

  it('matches a JS Map after any sequence of sets (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('', 'decode', 'prefill', 'encode', 'x'), fc.integer({ min: -1, max: 5 })), { maxLength: 12 }), (ops) => {
        const ours = new ProfileResultMap();
        const ref = new Map<string, ProfileRunResult | null>();
        for (const [k, v] of ops) {
          const r = result(v);
          ours.set(k, r);
          ref.set(k, r);
        }
        expect(ours.size).toBe(ref.size);
        expect([...ours.entries()]).toEqual([...ref.entries()]);
        expect([...ours.values()]).toEqual([...ref.values()]);
        for (const k of ['', 'decode', 'prefill', 'encode', 'x', 'y']) {
          expect(ours.has(k)).toBe(ref.has(k));
          expect(ours.get(k)).toBe(ref.get(k));
        }
      }),
      { numRuns: 300 },
    );
  });
});
