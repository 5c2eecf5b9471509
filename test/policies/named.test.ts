/**
 * Named policies of other routers (policies.md): SGLang cache-aware, Dynamo KV, power-of-two and
 * consistent hashing with bounded loads. Expected numbers are derived by hand in the comments.
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { ParamError } from '../../policies/framework/registry.js';
import type { Prompt } from '../../policies/framework/types.js';
import { ConsistentHashBoundedLoadRouter, boundedLoadCapacity } from '../../policies/named/consistentHashBoundedLoad.js';
import { DynamoKvRouter, KvBlockIndex } from '../../policies/named/dynamoKv.js';
import { NAMED_POLICY_TYPES, createNamedRouter, namedPolicyDocs } from '../../policies/named/index.js';
import { NumIntMap } from '../../policies/named/numMap.js';
import { PowerOfTwoRouter } from '../../policies/named/powerOfTwo.js';
import { ApproxRadixTree, type TreeNode } from '../../policies/named/radixTree.js';
import { SglangCacheAwareRouter } from '../../policies/named/sglangCacheAware.js';
import { prefixKey, promptPieces, type Piece } from '../../policies/named/text.js';
import type { Endpoint, EndpointMetrics, RouteContext, RouteRequest } from '../../policies/types.js';
import { metrics as baseMetrics } from './loadFixtures.js';

const metrics = (blockSize = 16): EndpointMetrics => baseMetrics({ cacheBlockSize: blockSize, cacheNumGpuBlocks: 1000 });

const eps = (loads: readonly number[]): Endpoint[] => loads.map((inFlight, index) => ({ name: `ep-${index}`, index, metrics: metrics(), inFlight }));

const ctxOf = (nowUs: number, rng: () => number): RouteContext => ({ nowUs, rng });
const fixed = (u: number) => () => u;
/** A stub rng returning the given values in turn. */
const seq = (...us: number[]) => {
  let i = 0;
  return () => us[i++ % us.length]!;
};

let nextId = 0;
const text = (t: string, extra: Partial<RouteRequest> = {}): RouteRequest => ({
  id: nextId++,
  model: 'm',
  adapter: null,
  priority: 0,
  inputTokens: Math.max(1, Math.round(t.length / 4)),
  prompt: { kind: 'completion', text: t },
  ...extra,
});
const spans = (s: [number, number][], cpt = 4, extra: Partial<RouteRequest> = {}): RouteRequest => ({
  id: nextId++,
  model: 'm',
  adapter: null,
  priority: 0,
  inputTokens: s.reduce((a, [, t]) => a + t, 0),
  prompt: { kind: 'synthetic', spans: s.map(([content, tokens]) => ({ content, tokens })), charsPerToken: cpt },
  ...extra,
});

// ---------------------------------------------------------------------------------------------

describe('named policy registry', () => {
  it('creates every type with defaults', () => {
    for (const t of NAMED_POLICY_TYPES) expect(createNamedRouter(t, {}).type).toBe(t);
  });

  it('documents the policies.md defaults', () => {
    const docs = Object.fromEntries(namedPolicyDocs().map((d) => [d.type, Object.fromEntries(d.params.map((p) => [p.name, p.default]))]));
    // SGLang CLI: 0.3 / 64 / 1.5 / 120 s / 2^26 (policies.md §2.3, §2.13).
    expect(docs['sglang-cache-aware']).toEqual({
      cache_threshold: 0.3,
      balance_abs_threshold: 64,
      balance_rel_threshold: 1.5,
      eviction_interval_secs: 120,
      max_tree_size: 67108864,
    });
    // Dynamo: weight 1.0, temperature 0.0, approx TTL 120 s (§2.4).
    expect(docs['dynamo-kv']).toMatchObject({ overlap_score_weight: 1, router_temperature: 0, use_kv_events: true, router_ttl_secs: 120 });
    expect(docs['consistent-hash-bounded-load']).toMatchObject({ epsilon: 0.25 });
    expect(docs['power-of-two']).toEqual({});
  });

  it('rejects unknown parameters and bad values naming the parameter', () => {
    const err = (f: () => unknown): ParamError => {
      try {
        f();
      } catch (e) {
        return e as ParamError;
      }
      throw new Error('did not throw');
    };
    const e1 = err(() => createNamedRouter('sglang-cache-aware', { cache_treshold: 0.5 }));
    expect(e1).toBeInstanceOf(ParamError);
    expect(e1.param).toBe('cache_treshold');
    expect(e1.message).toMatch(/allowed: cache_threshold/);
    const e2 = err(() => createNamedRouter('sglang-cache-aware', { cache_threshold: 1.5 }));
    expect(e2.param).toBe('cache_threshold');
    expect(err(() => createNamedRouter('dynamo-kv', { router_temperature: -1 })).param).toBe('router_temperature');
    expect(err(() => createNamedRouter('power-of-two', { d: 3 })).param).toBe('d');
    expect(() => createNamedRouter('nope', {})).toThrow(/unknown named policy type "nope"/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('power-of-two', () => {
  const p2 = new PowerOfTwoRouter();

  it('takes the less loaded of two distinct random endpoints, ties to the first sampled', () => {
    // u = 0.6, 0.2 with n = 4: a = ⌊0.6·4⌋ = 2, b = ⌊0.2·3⌋ = 0 (< a, kept) → loads 5 vs 3 → 2.
    expect(p2.pick(text('x'), eps([5, 1, 3, 0]), ctxOf(0, seq(0.6, 0.2)))).toBe(0 + 2);
    // u = 0.1, 0.5: a = 0, b = ⌊1.5⌋ = 1 → skips a → 2; loads e0 = 5, e2 = 3 → 2.
    expect(p2.pick(text('x'), eps([5, 1, 3, 0]), ctxOf(0, seq(0.1, 0.5)))).toBe(2);
    // Same draws with equal loads: the first sampled (a = 0).
    expect(p2.pick(text('x'), eps([4, 4, 4, 4]), ctxOf(0, seq(0.1, 0.5)))).toBe(0);
    // u = 0.99, 0.99: a = 3, b = ⌊2.97⌋ = 2 → loads 0 vs 3 → 3.
    expect(p2.pick(text('x'), eps([5, 1, 3, 0]), ctxOf(0, seq(0.99, 0.99)))).toBe(3);
    expect(p2.pick(text('x'), eps([7]), ctxOf(0, fixed(0.5)))).toBe(0);
  });

  it('the unique least-loaded of 4 wins exactly when sampled: P = 1 − C(3,2)/C(4,2) = 1/2', () => {
    const rng = seedrandom('p2');
    const N = 20000;
    let wins = 0;
    for (let i = 0; i < N; i++) if (p2.pick(text('x'), eps([9, 0, 9, 9]), ctxOf(0, rng)) === 1) wins++;
    // sd = √(0.25 / 20000) ≈ 0.0035; 4 sd ≈ 0.014.
    expect(Math.abs(wins / N - 0.5)).toBeLessThan(0.014);
  });

  it('property: a valid index whose load is no more than one other sampled endpoint', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 1, maxLength: 64 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (loads, u1, u2) => {
        const i = p2.pick(text('x'), eps(loads), ctxOf(0, seq(u1, u2)));
        expect(i).toBeGreaterThanOrEqual(0);
        expect(i).toBeLessThan(loads.length);
        if (loads.length > 1) {
          const a = Math.floor(u1 * loads.length);
          let b = Math.floor(u2 * (loads.length - 1));
          if (b >= a) b++;
          expect([a, b]).toContain(i);
          expect(loads[i]).toBe(Math.min(loads[a]!, loads[b]!));
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('consistent-hash-bounded-load', () => {
  it('capacity = ⌈(1 + ε)·m/n⌉', () => {
    expect(boundedLoadCapacity(0.25, 10, 4)).toBe(4); // 12.5 / 4 = 3.125 → 4
    expect(boundedLoadCapacity(0.25, 8, 4)).toBe(3); // 2.5 → 3
    expect(boundedLoadCapacity(0, 8, 4)).toBe(2); // exactly 2
    expect(boundedLoadCapacity(0.1, 10, 11)).toBe(1); // 1.1·10/11 = 1 (float noise must not make it 2)
    expect(boundedLoadCapacity(0.25, 2, 4)).toBe(1); // 0.625 → 1
  });

  it('same prefix → same endpoint; overflow walks to the next endpoint on the ring', () => {
    const r = new ConsistentHashBoundedLoadRouter({ epsilon: 0.25, virtual_nodes: 160, prefix_tokens: 256 });
    const req = spans([[11, 300]]);
    const idle = eps([0, 0]);
    const home = r.home(req, idle);
    expect(r.pick(req, idle, ctxOf(0, fixed(0)))).toBe(home);
    const other = 1 - home;
    // home 1, other 0: m = 2, cap = ⌈1.25·2/2⌉ = 2 → 1 < 2 → home.
    const l1 = [0, 0];
    l1[home] = 1;
    expect(r.pick(req, eps(l1), ctxOf(0, fixed(0)))).toBe(home);
    // home 2, other 0: m = 3, cap = ⌈1.25·3/2⌉ = ⌈1.875⌉ = 2 → home full → other.
    const l2 = [0, 0];
    l2[home] = 2;
    expect(r.pick(req, eps(l2), ctxOf(0, fixed(0)))).toBe(other);
    // home 3, other 2: m = 6, cap = ⌈3.75⌉ = 4 → home.
    const l3 = [2, 2];
    l3[home] = 3;
    expect(r.pick(req, eps(l3), ctxOf(0, fixed(0)))).toBe(home);
  });

  it('the key covers the first prefix_tokens tokens (and the adapter)', () => {
    // First 256 tokens: (1, 200), (2, 56) in both.
    expect(prefixKey(spans([[1, 200], [2, 100]]), 256)).toBe(prefixKey(spans([[1, 200], [2, 56], [3, 40]]), 256));
    expect(prefixKey(spans([[1, 200], [2, 100]]), 256)).not.toBe(prefixKey(spans([[1, 200], [4, 100]]), 256));
    expect(prefixKey(spans([[1, 200], [2, 100]]), 0)).not.toBe(prefixKey(spans([[1, 200], [2, 56]]), 0)); // whole prompt
    expect(prefixKey(spans([[1, 300]]), 256)).not.toBe(prefixKey(spans([[1, 300]], 4, { adapter: 'lora-a' }), 256));
    // Text: 4 characters per token → the first 8 characters with prefix_tokens 2.
    expect(prefixKey(text('abcdefgh-one'), 2)).toBe(prefixKey(text('abcdefgh-two'), 2));
    expect(prefixKey(text('abcdefgX-one'), 2)).not.toBe(prefixKey(text('abcdefgh-one'), 2));
  });

  it('property: adding an endpoint moves keys only onto the new endpoint', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.nat(), { minLength: 1, maxLength: 50 }), (n, contents) => {
        const r = new ConsistentHashBoundedLoadRouter({ epsilon: 0.25, virtual_nodes: 40, prefix_tokens: 0 });
        const before = eps(new Array(n).fill(0));
        const after = eps(new Array(n + 1).fill(0));
        for (const c of contents) {
          const req = spans([[c, 10]]);
          const h0 = r.home(req, before);
          const h1 = r.home(req, after);
          expect(h1 === h0 || h1 === n).toBe(true);
        }
      }),
    );
  });

  it('property: every placement respects the bound when every request is dispatched through it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.array(fc.oneof(fc.record({ arrive: fc.constant(true), key: fc.nat(6) }), fc.record({ arrive: fc.constant(false), slot: fc.nat() })), { maxLength: 200 }),
        (n, epsilon, ops) => {
          const r = new ConsistentHashBoundedLoadRouter({ epsilon, virtual_nodes: 20, prefix_tokens: 0 });
          const loads = new Array<number>(n).fill(0);
          const active: number[] = []; // endpoint of each in-flight request
          for (const op of ops) {
            if (op.arrive) {
              const i = r.pick(spans([[op.key, 5]]), eps(loads), ctxOf(0, fixed(0)));
              expect(i).toBeGreaterThanOrEqual(0);
              expect(i).toBeLessThan(n);
              loads[i]!++;
              active.push(i);
              const m = active.length; // in flight including this request
              expect(loads[i]).toBeLessThanOrEqual(boundedLoadCapacity(epsilon, m, n));
            } else if (active.length > 0) {
              const [i] = active.splice(op.slot % active.length, 1);
              loads[i!]!--;
            }
          }
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('SGLang approximate radix tree', () => {
  const t = (s: string): Piece[] => promptPieces({ kind: 'completion', text: s });

  it('splits, counts characters per tenant and matches the longest prefix', () => {
    const tree = new ApproxRadixTree();
    tree.insert(t('hello world'), 0, 1);
    tree.insert(t('hello there'), 0, 2); // split "hello " | "world", new leaf "there"
    expect(tree.chars(0)).toBe(11 + 5); // "hello " 6 + "world" 5 + "there" 5
    expect(tree.prefixMatch(t('hello'), 3)).toEqual({ matched: 5, tenant: 0 });
    expect(tree.prefixMatch(t('hello thermos'), 3)).toEqual({ matched: 10, tenant: 0 }); // "hello ther"
    expect(tree.prefixMatch(t('goodbye'), 3).matched).toBe(0);
    tree.insert(t('hello world'), 1, 4); // tenant 1 joins "hello " and "world"
    expect(tree.chars(1)).toBe(11);
  });

  it('evicts each tenant\'s least recently used leaves until it holds ≤ max characters', () => {
    const tree = new ApproxRadixTree();
    tree.insert(t('abcdef'), 1, 0); // tenant 1: "abcdef" (6)
    tree.insert(t('abcdef'), 0, 1); // tenant 0 joins it: 6
    tree.insert(t('abcxyz'), 0, 2); // split "abc" | "def"; leaf "xyz": tenant 0 has 3 + 3 + 3 = 9
    tree.insert(t('qrs'), 0, 3); // tenant 0: 12
    expect(tree.chars(0)).toBe(12);
    tree.evictBySize(6);
    // Leaves: (def, tenant 1, ts 0), (def, 0, 1), (xyz, 0, 2), (qrs, 0, 3). Pop (def, 1): 6 ≤ 6, skip.
    // Pop (def, 0): 12 > 6 → 9; the node stays (tenant 1 holds it); "abc" still has 0 below ("xyz").
    // Pop (xyz, 0): 9 > 6 → 6, node deleted; "abc" is now a leaf for 0 → pushed with ts 2, popped
    // at 6 ≤ 6: kept. (qrs, 0): 6 ≤ 6, kept.
    expect(tree.chars(0)).toBe(6);
    expect(tree.chars(1)).toBe(6); // tenant 1 at the limit: untouched
    expect(tree.prefixMatch(t('abcxyz'), 9).matched).toBe(3); // "xyz" is gone
    expect(tree.prefixMatch(t('abcdef'), 9)).toEqual({ matched: 6, tenant: 1 }); // "def" now only tenant 1
    expect(tree.prefixMatch(t('qrs'), 9)).toEqual({ matched: 3, tenant: 0 });
  });

  // Invariants over random inserts and evictions.
  const textArb = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 12 }).map((s) => promptPieces({ kind: 'completion', text: s })),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 })), { maxLength: 4 }).map((s) =>
      promptPieces({ kind: 'synthetic', spans: s.map(([content, tokens]) => ({ content, tokens })), charsPerToken: 2 }),
    ),
  );

  it('property: char counts equal Σ label lengths per tenant, tenants only where the parent has them, inserted text fully matches, eviction bounds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ text: textArb, tenant: fc.nat(3) }), fc.record({ evict: fc.nat(20) })), { maxLength: 60 }),
        (ops) => {
          const tree = new ApproxRadixTree();
          let now = 0;
          for (const op of ops) {
            now++;
            if ('text' in op) {
              tree.insert(op.text, op.tenant, now);
              const len = op.text.reduce((a, p) => a + p.len, 0);
              expect(tree.prefixMatch(op.text, now).matched).toBe(len);
            } else {
              tree.evictBySize(op.evict);
              for (const [, c] of tree.charCount) expect(c).toBeLessThanOrEqual(op.evict);
            }
            const sums = new Map<number, number>();
            const walk = (n: TreeNode) => {
              for (const tn of n.tenants.keys()) {
                sums.set(tn, (sums.get(tn) ?? 0) + n.len);
                if (n.parent) expect(n.parent.tenants.has(tn)).toBe(true);
              }
              for (const c of n.children.values()) {
                expect(c.parent).toBe(n);
                expect(c.len).toBeGreaterThan(0);
                walk(c);
              }
            };
            walk(tree.root);
            for (const [tn, c] of tree.charCount) expect(sums.get(tn) ?? 0).toBe(c);
          }
        },
      ),
    );
  });
});

describe('sglang-cache-aware', () => {
  const router = () => createNamedRouter('sglang-cache-aware', {}) as SglangCacheAwareRouter;
  const idle = eps([0, 0, 0]);
  const r99 = fixed(0.99); // reservoir tie-break keeps the first tie

  it('balanced: longest match if match rate > 0.3, else the smallest tree', () => {
    const r = router();
    // Empty tree: rate 0 → smallest tree; all three at 0 chars, ties → the first (rng 0.99).
    expect(r.pick(text('hello world'), idle, ctxOf(0, r99))).toBe(0);
    // "hello there" matches "hello " = 6/11 = 0.545 > 0.3 → tenant of that node: 0.
    expect(r.pick(text('hello there'), idle, ctxOf(1, r99))).toBe(0);
    expect(r.tree.chars(0)).toBe(16);
    // "goodbye": rate 0 → smallest tree: {0: 16, 1: 0, 2: 0} → 1 (first tie).
    expect(r.pick(text('goodbye'), idle, ctxOf(2, r99))).toBe(1);
    // "help me": "hel" = 3/7 = 0.43 > 0.3 → 0.
    expect(r.pick(text('help me'), idle, ctxOf(3, r99))).toBe(0);
    // "hxyz": "h" = 1/4 = 0.25 ≤ 0.3 → smallest: {0: 16 + 4 ("p me"), 1: 7, 2: 0} → 2.
    expect(r.pick(text('hxyz'), idle, ctxOf(4, r99))).toBe(2);
    // "go": 2/2 = 1.0 → the "goodbye" node's tenant 1.
    expect(r.pick(text('go'), idle, ctxOf(5, r99))).toBe(1);
  });

  it('the match rate must exceed cache_threshold strictly', () => {
    const r = router();
    expect(r.pick(text('abcdefghij'), idle, ctxOf(0, r99))).toBe(0);
    // "abcXXXXXXX": 3/10 = 0.3, not > 0.3 → smallest tree {0: 10, 1: 0, 2: 0} → 1.
    expect(r.pick(text('abcXXXXXXX'), idle, ctxOf(1, r99))).toBe(1);
    // "abcdYYYYYY": "abcd" = 4/10 = 0.4 > 0.3 → the "abcdefghij" branch's tenant 0.
    expect(r.pick(text('abcdYYYYYY'), idle, ctxOf(2, r99))).toBe(0);
  });

  it('imbalanced (max − min > 64 AND max > 1.5 × min) → least loaded, text still inserted', () => {
    const r = router();
    r.pick(text('hello world'), idle, ctxOf(0, r99)); // → 0
    // [70, 0, 3]: 70 − 0 = 70 > 64 and 70 > 0 → imbalanced → argmin 1, despite the full match on 0.
    expect(r.pick(text('hello world'), eps([70, 0, 3]), ctxOf(1, r99))).toBe(1);
    expect(r.tree.chars(1)).toBe(11);
    // [64, 0, 0]: 64 is not > 64 → balanced → cache path: full match, node tenants {0, 1}.
    const i = r.pick(text('hello world'), eps([64, 0, 0]), ctxOf(2, r99));
    expect([0, 1]).toContain(i);
    // [200, 135, 150]: 65 > 64 but 200 > 135 × 1.5 = 202.5 fails → balanced → the match again.
    expect([0, 1]).toContain(r.pick(text('hello world'), eps([200, 135, 150]), ctxOf(3, r99)));
    // [195, 150, 130]: 65 > 64 but 195 > 130 × 1.5 = 195 is false (strict) → balanced → the match
    // (0 or 1), not the least loaded (2).
    expect([0, 1]).toContain(r.pick(text('hello world'), eps([195, 150, 130]), ctxOf(3, r99)));
    // [200, 100, 150]: 100 > 64 and 200 > 150 → imbalanced → 1.
    expect(r.pick(text('zzz'), eps([200, 100, 150]), ctxOf(4, r99))).toBe(1);
    // Ties of the least load go to the first (Rust min_by_key): [80, 5, 5] → 1.
    expect(r.pick(text('zzz'), eps([80, 5, 5]), ctxOf(5, fixed(0)))).toBe(1);
  });

  it('a node shared by several workers always answers the same one (per-node order)', () => {
    const r = router();
    r.pick(text('shared prefix'), idle, ctxOf(0, r99)); // 0
    r.pick(text('shared prefix'), eps([100, 0, 0]), ctxOf(1, r99)); // imbalanced → 1
    r.pick(text('shared prefix'), eps([100, 100, 0]), ctxOf(2, r99)); // imbalanced → 2
    const first = r.tree.prefixMatch(promptPieces({ kind: 'completion', text: 'shared prefix' }), 3).tenant;
    for (let k = 0; k < 5; k++) expect(r.tree.prefixMatch(promptPieces({ kind: 'completion', text: 'shared prefix' }), 4 + k).tenant).toBe(first);
    expect([0, 1, 2]).toContain(first);
  });

  it('synthetic prompts match by characters of spans (tokens × charsPerToken)', () => {
    const r = router();
    // A = sys(100 tok) + q1(20): 480 chars → empty tree → 0.
    expect(r.pick(spans([[7, 100], [1, 20]]), idle, ctxOf(0, r99))).toBe(0);
    // B = sys(100) + q2(20): matches sys = 400 / 480 = 0.83 → 0.
    expect(r.pick(spans([[7, 100], [2, 20]]), idle, ctxOf(1, r99))).toBe(0);
    // C = sys(50) + q3(100): the first 50 tokens of sys match = 200 / 600 = 0.333 > 0.3 → 0.
    expect(r.pick(spans([[7, 50], [3, 100]]), idle, ctxOf(2, r99))).toBe(0);
    // D = sys(30) + q4(100): 120 / 520 = 0.23 ≤ 0.3 → smallest tree: 1 (0 has chars).
    expect(r.pick(spans([[7, 30], [4, 100]]), idle, ctxOf(3, r99))).toBe(1);
    // A's text occupies 480 chars, B adds 80, C adds 400 (q3 after the split at 200): 960 for 0.
    expect(r.tree.chars(0)).toBe(480 + 80 + 400);
    expect(r.tree.chars(1)).toBe(120 + 400);
  });

  it('evicts every eviction_interval_secs down to max_tree_size', () => {
    const r = createNamedRouter('sglang-cache-aware', { eviction_interval_secs: 1, max_tree_size: 0 }) as SglangCacheAwareRouter;
    const total = () => [0, 1, 2].reduce((a, i) => a + r.tree.chars(i), 0);
    r.pick(text('hello world'), idle, ctxOf(0, r99));
    r.pick(text('zzz'), idle, ctxOf(900_000, r99)); // before the first pass at 1 s: 11 + 3
    expect(total()).toBe(14);
    r.pick(text('yyyy'), idle, ctxOf(1_500_000, r99)); // pass at 1 s evicts everything, then inserts 4
    expect(total()).toBe(4);
    r.pick(text('xx'), idle, ctxOf(1_900_000, r99)); // next pass at 2 s
    expect(total()).toBe(6);
    r.pick(text('w'), idle, ctxOf(5_000_000, r99)); // passes due at 2, 3, 4, 5 s: one run suffices
    expect(total()).toBe(1);
  });

  it('property: always a valid endpoint index', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.string({ maxLength: 8 }), loads: fc.array(fc.nat(200), { minLength: 1, maxLength: 8 }) }), { maxLength: 40 }),
        fc.integer(),
        (reqs, seed) => {
          const r = router();
          const rng = seedrandom(String(seed));
          let now = 0;
          for (const q of reqs) {
            const i = r.pick(text(q.s), eps(q.loads), ctxOf((now += 1000), rng));
            expect(Number.isInteger(i) && i >= 0 && i < q.loads.length).toBe(true);
          }
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('dynamo-kv', () => {
  const K = [101, 102, 103, 104];
  const req = (isl = 64, keys = K): RouteRequest => ({ id: nextId++, model: 'm', adapter: null, priority: 0, inputTokens: isl, tokenBlockKeys: () => keys });
  const setup = (params: Record<string, unknown> = {}) => {
    const r = createNamedRouter('dynamo-kv', params) as DynamoKvRouter;
    r.onKvEvent!({ kind: 'stored', index: 0, keys: [101, 102, 103] }, ctxOf(0, fixed(0)));
    r.onKvEvent!({ kind: 'stored', index: 1, keys: [101, 103, 104] }, ctxOf(0, fixed(0)));
    return r;
  };
  const three = eps([0, 0, 0]);

  it('cost = weight × prefill blocks + active blocks + request blocks', () => {
    const r = setup();
    // bs 16, ISL 64 → 4 request blocks. Overlap (consecutive from the first block): w0 3, w1 1
    // (102 missing), w2 0. Costs: w0 (64 − 48)/16 + 4 = 5; w1 (64 − 16)/16 + 4 = 7; w2 4 + 4 = 8.
    const a = req();
    expect(r.pick(a, three, ctxOf(0, fixed(0)))).toBe(0);
    expect(r.lastCosts()).toEqual([5, 7, 8]);
    r.onDispatch!(a, 0, ctxOf(0, fixed(0))); // active w0 = 4
    // w0 1 + 4 + 4 = 9, w1 7, w2 8 → 1.
    const b = req();
    expect(r.pick(b, three, ctxOf(0, fixed(0)))).toBe(1);
    r.onDispatch!(b, 1, ctxOf(0, fixed(0))); // active w1 = 4
    // w0 9, w1 3 + 4 + 4 = 11, w2 8 → 2.
    expect(r.pick(req(), three, ctxOf(0, fixed(0)))).toBe(2);
    r.onComplete!(a, 0, ctxOf(0, fixed(0))); // w0 back to 0 active
    expect(r.activeBlocks(0)).toBe(0);
    expect(r.pick(req(), three, ctxOf(0, fixed(0)))).toBe(0); // w0 5 again
    // ISL 70 (4 full blocks, ⌈70/16⌉ = 5): w0 (70 − 48)/16 + 0 + 5 = 6.375.
    r.pick(req(70), three, ctxOf(0, fixed(0)));
    expect(r.lastCosts()[0]).toBe(6.375);
  });

  it('overlap_score_weight scales the prefill term', () => {
    const r = setup({ overlap_score_weight: 2 });
    r.pick(req(), three, ctxOf(0, fixed(0)));
    // w0 2·1 + 4 = 6, w1 2·3 + 4 = 10, w2 2·4 + 4 = 12.
    expect(r.lastCosts()).toEqual([6, 10, 12]);
  });

  it('removed and cleared events shrink the overlap (which must start at the first block)', () => {
    const r = setup();
    r.onKvEvent!({ kind: 'removed', index: 0, keys: [101] }, ctxOf(0, fixed(0)));
    r.pick(req(), three, ctxOf(0, fixed(0)));
    // w0 now misses block 0 → overlap 0 → 8; w1 7; w2 8.
    expect(r.lastCosts()).toEqual([8, 7, 8]);
    r.onKvEvent!({ kind: 'cleared', index: 1 }, ctxOf(0, fixed(0)));
    r.pick(req(), three, ctxOf(0, fixed(0)));
    expect(r.lastCosts()).toEqual([8, 8, 8]);
  });

  it('temperature 0 breaks ties uniformly; T > 0 samples the softmax of normalised costs', () => {
    const r = setup({ router_temperature: 1 });
    // Costs [5, 7, 8] → (c − 5)/(3·1) = [0, 2/3, 1] → weights [1, e^(−2/3), e^(−1)] =
    // [1, 0.51342, 0.36788], Σ 1.88130 → p = [0.53155, 0.27291, 0.19554]; cumulative 0.53155, 0.80446.
    expect(r.pick(req(), three, ctxOf(0, fixed(0.53)))).toBe(0);
    expect(r.pick(req(), three, ctxOf(0, fixed(0.54)))).toBe(1);
    expect(r.pick(req(), three, ctxOf(0, fixed(0.8)))).toBe(1);
    expect(r.pick(req(), three, ctxOf(0, fixed(0.81)))).toBe(2);
    // No overlap anywhere and nothing active: all costs equal → uniform (reservoir: rng 0 keeps the last).
    const plain = createNamedRouter('dynamo-kv', {}) as DynamoKvRouter;
    expect(plain.pick(req(), three, ctxOf(0, fixed(0)))).toBe(2);
    expect(plain.pick(req(), three, ctxOf(0, fixed(0.99)))).toBe(0);
  });

  it('block size comes from the scraped cache_config_info when not set', () => {
    const r = createNamedRouter('dynamo-kv', {}) as DynamoKvRouter;
    const e = eps([0, 0]).map((x) => ({ ...x, metrics: metrics(32) }));
    r.pick(req(64, []), e, ctxOf(0, fixed(0)));
    // bs 32: prefill 64/32 = 2, request blocks 2 → 4.
    expect(r.lastCosts()).toEqual([4, 4]);
  });

  it('approximate mode: own dispatches count as cached for router_ttl_secs; events are ignored', () => {
    const r = createNamedRouter('dynamo-kv', { use_kv_events: false, router_ttl_secs: 1 }) as DynamoKvRouter;
    r.onKvEvent!({ kind: 'stored', index: 2, keys: K }, ctxOf(0, fixed(0)));
    const a = req();
    expect(r.pick(a, three, ctxOf(0, fixed(0.99)))).toBe(0); // all 8 → the first tie with rng 0.99
    r.onDispatch!(a, 0, ctxOf(0, fixed(0)));
    r.onComplete!(a, 0, ctxOf(0, fixed(0)));
    // At 0.5 s: w0 overlap 4 → 0 + 4 = 4; others 8.
    expect(r.pick(req(), three, ctxOf(500_000, fixed(0)))).toBe(0);
    expect(r.lastCosts()).toEqual([4, 8, 8]);
    // At 1 s the record expires (dispatch at 0 + TTL 1 s ≤ now).
    r.pick(req(), three, ctxOf(1_000_000, fixed(0)));
    expect(r.lastCosts()).toEqual([8, 8, 8]);
    expect(r.index.has(101, 0)).toBe(false);
  });

  it('property: the index overlaps equal a naive count for fleets beyond 32 workers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.array(
          fc.record({ op: fc.constantFrom('add', 'remove', 'clear'), w: fc.nat(69), keys: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 6 }) }),
          { maxLength: 80 },
        ),
        fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 8 }),
        (n, ops, query) => {
          const idx = new KvBlockIndex();
          const naive: Set<number>[] = Array.from({ length: 70 }, () => new Set());
          for (const o of ops) {
            if (o.op === 'add') {
              idx.add(o.keys, o.w);
              for (const k of o.keys) naive[o.w]!.add(k);
            } else if (o.op === 'remove') {
              idx.remove(o.keys, o.w);
              for (const k of o.keys) naive[o.w]!.delete(k);
            } else {
              idx.clear(o.w);
              naive[o.w]!.clear();
            }
          }
          const out = new Int32Array(n);
          idx.overlaps(query, n, out);
          for (let w = 0; w < n; w++) {
            let c = 0;
            while (c < query.length && naive[w]!.has(query[c]!)) c++;
            expect(out[w]).toBe(c);
          }
        },
      ),
    );
  });

  it('property: at temperature 0 the pick has the minimum cost and is a valid index', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ w: fc.nat(7), keys: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }) }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (stores, keys, n, u) => {
          const r = createNamedRouter('dynamo-kv', {}) as DynamoKvRouter;
          for (const s of stores) r.onKvEvent!({ kind: 'stored', index: s.w % n, keys: s.keys }, ctxOf(0, fixed(0)));
          const i = r.pick(req(keys.length * 16 + 3, keys), eps(new Array(n).fill(0)), ctxOf(0, fixed(u)));
          expect(i).toBeGreaterThanOrEqual(0);
          expect(i).toBeLessThan(n);
          if (n > 1) expect(r.lastCosts()[i]).toBe(Math.min(...r.lastCosts().slice(0, n)));
        },
      ),
    );
  });
});

describe('NumIntMap (the KV index table)', () => {
  it('property: behaves like a Map of non-zero values under sets, overwrites and deletes (53-bit keys)', () => {
    const keyArb = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(2 ** 53 - 1, 2 ** 32, 2 ** 32 + 1, 4294967295 * 3));
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.integer({ min: -3, max: 3 })), { maxLength: 300 }), (ops) => {
        const m = new NumIntMap(4);
        const ref = new Map<number, number>();
        for (const [k, v] of ops) {
          m.set(k, v);
          if (v === 0) ref.delete(k);
          else ref.set(k, v);
          expect(m.size).toBe(ref.size);
        }
        for (let k = 0; k <= 40; k++) expect(m.get(k)).toBe(ref.get(k) ?? 0);
        for (const k of [2 ** 53 - 1, 2 ** 32, 2 ** 32 + 1, 4294967295 * 3]) expect(m.get(k)).toBe(ref.get(k) ?? 0);
        const seen = new Map<number, number>();
        m.forEach((k, v) => seen.set(k, v));
        expect(seen).toEqual(ref);
      }),
    );
  });
});

// Prompt helper used above must accept every Prompt kind.
describe('prompt text', () => {
  it('chat text is the message contents joined with " " (SGLang extract_text_for_routing)', () => {
    const p: Prompt = { kind: 'chat', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'x' } }] }] };
    const pieces = promptPieces(p);
    expect(pieces).toHaveLength(1);
    expect(pieces[0]!.src).toBe('be brief hi');
    expect(promptPieces(undefined)).toEqual([]);
    expect(promptPieces({ kind: 'synthetic', spans: [{ content: 5, tokens: 3 }, { content: 6, tokens: 0 }], charsPerToken: 3.5 })).toEqual([{ src: 5, off: 0, len: 11 }]); // round(10.5) = 11
  });
});
