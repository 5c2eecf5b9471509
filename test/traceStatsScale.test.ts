/**
 * Trace statistics at scale (issue 15): the exact typed-array key set against a JS Set, the Bloom
 * filter's error on a known number of keys, the switch from one to the other, exact length
 * percentiles past the Map's distinct-value bound, and small traces unchanged (exact, no estimate).
 */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../sim/core/rng.js';
import { BlockHasher } from '../sim/engine/blockHasher.js';
import { createRequestStream } from '../sim/workload/generator.js';
import { outputContentOf, uniqueContentOf } from '../sim/workload/prompts.js';
import type { Segment, SimRequest } from '../sim/workload/request.js';
import { BloomKeySet, KeySet, PrefixKeySet } from '../sim/workload/traces/distinct.js';
import { traceSource, traceWorkload, workloadStats } from '../sim/workload/traces/source.js';
import { renderTraceStats, traceStats, type StatsOptions } from '../sim/workload/traces/stats.js';

const dir = mkdtempSync(join(tmpdir(), 'routesim-tracescale-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** `n` distinct random keys in 1…2^53 − 1 from a seeded stream. */
function randomKeys(n: number, seed: number): number[] {
  const rng = createRng(seed, 'keys');
  const out = new Set<number>();
  while (out.size < n) out.add(Math.floor(rng() * 2 ** 21) * 2 ** 32 + Math.floor(rng() * 2 ** 32) || 1);
  return [...out];
}

describe('KeySet (exact, typed array)', () => {
  it('property: same members and size as a JS Set, through growth, with 0 and 53-bit keys', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.maxSafeNat());
    fc.assert(
      fc.property(fc.array(key, { maxLength: 300 }), fc.array(key, { maxLength: 50 }), (adds, probes) => {
        const ours = new KeySet(4); // starts tiny: every few adds make it grow
        const ref = new Set<number>();
        for (const k of adds) {
          expect(ours.has(k)).toBe(ref.has(k));
          ours.add(k);
          ref.add(k);
        }
        expect(ours.size).toBe(ref.size);
        for (const k of [...adds, ...probes]) expect(ours.has(k)).toBe(ref.has(k));
        expect(new Set(ours.keys())).toEqual(ref);
      }),
      { numRuns: 200 },
    );
  });

  it('with a ceiling it doubles to 2^13 slots, then jumps to the ceiling in one step (no churn of big tables)', () => {
    const s = new KeySet(4, 1 << 16);
    const keys = randomKeys(20_000, 5);
    const slotsAt: number[] = [];
    for (const k of keys) {
      s.add(k);
      if (slotsAt.at(-1) !== s.slots) slotsAt.push(s.slots);
    }
    // 3/4 of 2^13 = 6,144 keys fill the last doubled table; key 6,145 moves it to 2^16 at once.
    expect(slotsAt).toEqual([4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 65536]);
    expect(s.size).toBe(20_000);
    for (const k of keys) expect(s.has(k)).toBe(true);
    expect(new Set(s.keys())).toEqual(new Set(keys));
  });

  it('never fills: load stays ≤ 3/4 (100,000 keys → 2^18 slots)', () => {
    const s = new KeySet(4);
    for (const k of randomKeys(100_000, 3)) s.add(k);
    // 100,000 / 0.75 = 133,334 slots needed → the next power of two, 2^18 = 262,144.
    expect(s.size).toBe(100_000);
    expect(s.slots).toBe(2 ** 18);
  });
});

describe('BloomKeySet', () => {
  it('property: no false negatives', () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeNat(), { maxLength: 200 }), (keys) => {
        const b = new BloomKeySet(1024, 3);
        for (const k of keys) b.add(k);
        for (const k of keys) expect(b.has(k)).toBe(true);
      }),
    );
  });

  it('false-positive rate on 20,000 keys in 2^18 bits with 4 probes matches (1 − e^(−kn/m))^k (seeded)', () => {
    const keys = randomKeys(220_000, 7);
    const b = new BloomKeySet(2 ** 18, 4);
    for (const k of keys.slice(0, 20_000)) b.add(k);
    // kn/m = 80,000 / 262,144 = 0.30518; 1 − e^−0.30518 = 0.26297; ^4 = 0.004782.
    const reported = b.falsePositiveRate();
    expect(Math.abs(reported - 0.004782)).toBeLessThan(0.0003);
    // 200,000 keys never added: the share taken for members is a binomial proportion with
    // s.d. √(p(1−p)/200,000) ≈ 0.000154; allow 4 s.d.
    let fp = 0;
    for (const k of keys.slice(20_000)) if (b.has(k)) fp++;
    expect(Math.abs(fp / 200_000 - reported)).toBeLessThan(4 * 0.000154);
  });
});

describe('PrefixKeySet: exact, then a Bloom filter', () => {
  const budget = { exactSlots: 64, bloomBits: 2 ** 16, bloomHashes: 4, shards: 1 };

  it('is exact up to 3/4 of its slot budget (48 of 64) and switches on the 49th distinct key', () => {
    const keys = randomKeys(60, 11);
    const s = new PrefixKeySet(budget);
    for (const k of keys.slice(0, 48)) s.add(k);
    for (const k of keys.slice(0, 48)) s.add(k); // re-adding a member at the threshold does not switch
    expect(s.estimate()).toBeNull();
    s.add(keys[48]!);
    const e = s.estimate()!;
    expect(e).toMatchObject({ method: 'bloom', exact_until: 48, bits: 2 ** 16, hashes: 4 });
    for (const k of keys.slice(0, 49)) expect(s.has(k)).toBe(true); // everything moved across
    // 49 keys × 4 probes in 65,536 bits: at most 196 bits set → rate ≤ (196/65,536)^4 ≈ 8·10⁻¹¹.
    expect(e.false_positive_rate).toBeLessThanOrEqual((196 / 65536) ** 4);
    expect(e.false_positive_rate).toBeGreaterThan(0);
  });

  it('in shards, each switches on its own: exact until the first shard is full, no key lost', () => {
    // 4 shards of 64 slots each hold ≤ 48 keys: the first switch comes after 48…4 × 48 = 192 keys.
    const keys = randomKeys(400, 13);
    const s = new PrefixKeySet({ exactSlots: 256, bloomBits: 2 ** 16, bloomHashes: 4, shards: 4 });
    for (const k of keys.slice(0, 48)) s.add(k);
    expect(s.estimate()).toBeNull(); // no shard can be over 48 yet
    for (const k of keys) s.add(k);
    const e = s.estimate()!;
    expect(e.exact_until).toBeGreaterThanOrEqual(48);
    expect(e.exact_until).toBeLessThanOrEqual(192);
    expect(e.bits).toBe(2 ** 16);
    for (const k of keys) expect(s.has(k)).toBe(true);
    // Each shard's filter has 2^14 bits; ≤ 400 × 4 bits set in any → rate ≤ (1600 / 16,384)^4 ≈ 9·10⁻⁵.
    expect(e.false_positive_rate).toBeLessThanOrEqual((1600 / 16384) ** 4);
  });
});

describe('PrefixKeySet: a filter as large as the table takes over its memory', () => {
  it('property: no key lost when each shard becomes a filter in its own table (64 slots → 4096 bits)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 600 }), (seed, n) => {
        const keys = randomKeys(n, seed);
        const s = new PrefixKeySet({ exactSlots: 256, bloomBits: 256 * 64, bloomHashes: 3, shards: 4 });
        for (const k of keys) s.add(k);
        for (const k of keys) expect(s.has(k)).toBe(true);
        // Beyond 4 × 48 = 192 keys some shard must have switched; up to 48 none can have.
        if (n > 192) expect(s.estimate()).not.toBeNull();
        if (n <= 48) expect(s.estimate()).toBeNull();
      }),
      { numRuns: 30 },
    );
  });
});

/** 200 Mooncake rows: ids [1, 2, 1000 + i], 1536 prompt tokens (3 × 512), 1 output token. */
function sharedTrace(): string {
  const rows = Array.from({ length: 200 }, (_, i) => JSON.stringify({ timestamp: i * 100, input_length: 1536, output_length: 1, hash_ids: [1, 2, 1000 + i] }));
  return file('shared.jsonl', rows.join('\n') + '\n');
}

function statsOf(path: string, opts: StatsOptions) {
  const stream = createRequestStream(traceWorkload(traceSource(path)), { seed: 1, limits: {}, defaultAdapterRank: 16 });
  return traceStats(stream, opts);
}

describe('ideal prefix reuse through the switch', () => {
  // Rows 2…200 reuse their first two blocks (ids 1, 2): 199 × 2 = 398 of 600 units, 398 × 512 =
  // 203,776 of 200 × 1536 = 307,200 prompt tokens → both shares 0.6633. Distinct units: 2 shared +
  // 200 third blocks + 200 answers = 402.
  const exact = { block_tokens: null, blocks: 600, reused_blocks: 398, token_reuse: 0.6633, block_reuse: 0.6633 };

  it('a small trace stays exact: the same figures and no estimate field', () => {
    const s = statsOf(sharedTrace(), {});
    expect(s.prefix_reuse).toEqual(exact);
    expect(renderTraceStats('t', s)).not.toContain('estimate');
  });

  it('past the exact budget the figures carry the estimate and never fall below the exact ones', () => {
    const s = statsOf(sharedTrace(), { prefixBudget: { exactSlots: 64, bloomBits: 2 ** 20, bloomHashes: 8, shards: 1 } });
    const p = s.prefix_reuse!;
    expect(p.estimate).toMatchObject({ method: 'bloom', exact_until: 48, bits: 2 ** 20, hashes: 8 });
    // ≤ 402 keys × 8 probes in 2^20 bits → rate ≤ (3216 / 1,048,576)^8 ≈ 8·10⁻²¹: the same counts.
    expect(p.reused_blocks).toBe(398);
    expect(renderTraceStats('t', s)).toContain('estimate: exact to 48 distinct units, then a 0 MB Bloom filter (8 probes)');
  });

  it('property: a Bloom filter of any size only overstates reuse (no false negatives)', () => {
    const path = sharedTrace();
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 16 }), fc.integer({ min: 1, max: 4 }), (log2Bits, hashes) => {
        const p = statsOf(path, { prefixBudget: { exactSlots: 16, bloomBits: 2 ** log2Bits, bloomHashes: hashes, shards: 1 } }).prefix_reuse!;
        expect(p.reused_blocks).toBeGreaterThanOrEqual(398);
        expect(p.token_reuse).toBeGreaterThanOrEqual(0.6633);
      }),
      { numRuns: 10 },
    );
  });
});

describe('ideal prefix reuse skips prompts of only their own content', () => {
  // A request is one of: its own unique prompt; a shared pool prompt (+ its own tail); a later turn
  // of an earlier request (that request's prompt, its answer, a question of its own).
  type Shape = { kind: 'own' | 'pool' | 'turn'; pick: number; tokens: number; adapter: boolean };
  const shape = fc.record({ kind: fc.constantFrom('own', 'pool', 'turn'), pick: fc.nat(50), tokens: fc.integer({ min: 1, max: 40 }), adapter: fc.boolean() }) as fc.Arbitrary<Shape>;

  function requests(shapes: readonly Shape[]): SimRequest[] {
    const out: SimRequest[] = [];
    shapes.forEach((sh, id) => {
      const mine: Segment = { content: uniqueContentOf(id), tokens: sh.tokens };
      let segments: Segment[] = [mine];
      let adapter: string | null = sh.adapter ? 'a' : null;
      if (sh.kind === 'pool') segments = [{ content: 7_000 + (sh.pick % 3), tokens: 16 + (sh.pick % 3) * 8 }, ...(sh.pick % 2 === 0 ? [mine] : [])];
      if (sh.kind === 'turn' && out.length > 0) {
        const prev = out[sh.pick % out.length]!;
        // As the workloads build a history: the earlier prompt's shared part (never another
        // request's unique content: sim/engine/uniqueKeys.ts), its answer, then a new question.
        const shared = prev.segments.filter((x) => x.content !== uniqueContentOf(prev.id));
        segments = [...shared, { content: prev.outputContent, tokens: prev.outputTokens }, { content: 9_000 + id, tokens: sh.tokens }];
        adapter = prev.adapter;
      }
      const inputTokens = segments.reduce((a, x) => a + x.tokens, 0);
      out.push({ id, arrivalUs: id, segments, inputTokens, outputTokens: 1 + (sh.tokens % 9), outputContent: outputContentOf(id), adapter, adapterRank: 0, priority: 0, group: -1, session: -1, turn: 0 });
    });
    return out;
  }

  /** The cache before the skip: every request's units and answer hashed into one JS Set. */
  function reference(rs: readonly SimRequest[], blockTokens: number | null) {
    const seen = new Set<string | number>();
    let units = 0, reusedUnits = 0, tokens = 0, reusedTokens = 0, structured = false;
    for (const r of rs) {
      structured ||= r.segments.some((x) => x.content !== uniqueContentOf(r.id));
      tokens += r.inputTokens;
      let hit = true;
      if (blockTokens === null) {
        let chain = `${r.adapter}`;
        for (const x of r.segments) {
          chain += `|${x.content}:${x.tokens}`;
          units++;
          if (hit && seen.has(chain)) (reusedUnits++, (reusedTokens += x.tokens));
          else (hit = false), seen.add(chain);
        }
        seen.add(`${chain}|${r.outputContent}:${r.outputTokens}`); // the answer: a unit like any other
      } else {
        const h = new BlockHasher(r.segments, r.outputContent, r.outputTokens, blockTokens, r.adapter);
        units += Math.ceil(r.inputTokens / blockTokens);
        for (let i = 0; i < Math.floor(r.inputTokens / blockTokens); i++) {
          if (hit && seen.has(h.hashAt(i))) (reusedUnits++, (reusedTokens += blockTokens));
          else hit = false;
        }
        for (let i = 0; i < Math.floor((r.inputTokens + r.outputTokens) / blockTokens); i++) seen.add(h.hashAt(i));
      }
    }
    if (!structured || units === 0) return null;
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    return { block_tokens: blockTokens, blocks: units, reused_blocks: reusedUnits, token_reuse: r4(reusedTokens / tokens), block_reuse: r4(reusedUnits / units) };
  }

  it('property: the same figures as hashing every request, by segments and by 8-token blocks', () => {
    let reusing = 0;
    fc.assert(
      fc.property(fc.array(shape, { minLength: 1, maxLength: 60 }), fc.constantFrom(null, 8), (shapes, blockTokens) => {
        const rs = requests(shapes);
        const got = traceStats(rs[Symbol.iterator](), { blockTokens }).prefix_reuse;
        const want = reference(rs, blockTokens);
        expect(got).toEqual(want);
        if (want !== null && want.reused_blocks > 0) reusing++;
      }),
      { numRuns: 300 },
    );
    expect(reusing).toBeGreaterThan(100); // most cases reuse something: the comparison is not vacuous
  });
});

describe('length percentiles past the Map bound (dense counts)', () => {
  it('70,000 distinct input lengths 1…70,000: exact nearest-rank percentiles', () => {
    const rows = Array.from({ length: 70_000 }, (_, i) => `2023-01-01 00:00:${(i / 2000).toFixed(4).padStart(7, '0')},${i + 1},${(i % 7) + 1}`);
    const p = file('lengths.csv', ['TIMESTAMP,ContextTokens,GeneratedTokens', ...rows].join('\n'));
    const s = workloadStats(traceWorkload(traceSource(p)), { seed: 1, limits: {}, defaultAdapterRank: 16 }, { prefix: false })!;
    // Uniform 1…70,000: p50 = rank 35,000 → 35,000; p90 = rank 63,000; p99 = rank 69,300; mean 35,000.5.
    expect(s.input_tokens).toEqual({ mean: 35000.5, p50: 35000, p90: 63000, p99: 69300, max: 70000 });
    // Outputs 1…7, 10,000 each: p50 = rank 35,000 → 4; p90 = rank 63,000 → 7 (cumulative 60,000 at 6); mean 4.
    expect(s.output_tokens).toEqual({ mean: 4, p50: 4, p90: 7, p99: 7, max: 7 });
  });
});
