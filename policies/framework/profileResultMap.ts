/**
 * The scheduler loop's results per profile (SchedulingResult.profileResults, a Go map in
 * production): a ReadonlyMap in insertion order, as a JS Map, kept as inline fields for the first
 * entry and arrays past it. A single-profile handler hands this map on as the request's result, which
 * the director keeps until ResponseComplete; a JS Map for one entry was ≈ 190 B a request that lived
 * as long as the request (issue 15), this is ≈ 60 B.
 */
import type { ProfileRunResult } from './types.js';

type Value = ProfileRunResult | null;

export class ProfileResultMap implements ReadonlyMap<string, Value> {
  size = 0;
  private k0 = '';
  private v0: Value = null;
  /** Entries 1 … size − 1. */
  private keysRest: string[] | null = null;
  private valuesRest: Value[] | null = null;

  get(key: string): Value | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : i === 0 ? this.v0 : this.valuesRest![i - 1];
  }

  has(key: string): boolean {
    return this.indexOf(key) >= 0;
  }

  /** Adds an entry, or replaces the value of an existing key in place (Map order). */
  set(key: string, value: Value): this {
    const i = this.indexOf(key);
    if (i === 0) this.v0 = value;
    else if (i > 0) this.valuesRest![i - 1] = value;
    else if (this.size === 0) {
      this.k0 = key;
      this.v0 = value;
      this.size = 1;
    } else {
      (this.keysRest ??= []).push(key);
      (this.valuesRest ??= []).push(value);
      this.size++;
    }
    return this;
  }

  /** Key of entry i (0 ≤ i < size), in insertion order. */
  keyAt(i: number): string {
    return i === 0 ? this.k0 : this.keysRest![i - 1]!;
  }

  /** Value of entry i (0 ≤ i < size), in insertion order. */
  valueAt(i: number): Value {
    return i === 0 ? this.v0 : this.valuesRest![i - 1]!;
  }

  // forEach makes no iterator (the scheduling path reads the map through it): the generators below
  // cost ≈ 500 B a request there (issue 15).
  forEach(fn: (value: Value, key: string, map: ReadonlyMap<string, Value>) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.size; i++) fn.call(thisArg, this.valueAt(i), this.keyAt(i), this);
  }

  *entries(): IterableIterator<[string, Value]> {
    if (this.size === 0) return;
    yield [this.k0, this.v0];
    for (let i = 0; i < this.size - 1; i++) yield [this.keysRest![i]!, this.valuesRest![i]!];
  }

  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<Value> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[string, Value]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'ProfileResultMap';
  }

  private indexOf(key: string): number {
    if (this.size === 0) return -1;
    if (this.k0 === key) return 0;
    const rest = this.keysRest;
    if (rest === null) return -1;
    const i = rest.indexOf(key);
    return i < 0 ? -1 : i + 1;
  }
}
