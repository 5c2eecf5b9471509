/**
 * Flow control (epp.md §2.10): strict priority, head-of-line blocking, fairness and ordering
 * policies, capacity rejections, TTL expiry, and a model-based property over random operation
 * sequences.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFlowController, flowControlConfig } from '../../policies/flowcontrol/controller.js';
import type { FlowControlConfig } from '../../policies/flowcontrol/types.js';
import type { LLMRequest, OrderingPolicy, Plugin, QueueItem, UsageLimitPolicy } from '../../policies/framework/types.js';
import { flowControlPlugins } from '../../policies/plugins/flowControl.js';
import { EdfOrderingPolicy } from '../../policies/plugins/flowcontrol/edfOrdering.js';
import { FcfsOrderingPolicy } from '../../policies/plugins/flowcontrol/fcfsOrdering.js';
import { GlobalStrictFairnessPolicy } from '../../policies/plugins/flowcontrol/globalStrictFairness.js';
import { RoundRobinFairnessPolicy } from '../../policies/plugins/flowcontrol/roundRobinFairness.js';
import { SloDeadlineOrderingPolicy } from '../../policies/plugins/flowcontrol/sloDeadlineOrdering.js';
import { StaticUsageLimitPolicy } from '../../policies/plugins/flowcontrol/staticUsageLimit.js';

function req(id: string, priority = 0, fairnessId = '', headers: Record<string, string> = {}): LLMRequest {
  return {
    id,
    model: 'm',
    targetModel: 'm',
    headers,
    prompt: { kind: 'completion', text: id },
    priority,
    fairnessId,
    requestSizeBytes: null,
  };
}

const none = new Map<string, Plugin>();

/** Dispatches until null at the given saturation; returns the ids in order. */
function drain(ctl: ReturnType<typeof createFlowController>, saturation = 0, now = 0): string[] {
  const out: string[] = [];
  for (let r = ctl.dispatchOne(saturation, now); r !== null; r = ctl.dispatchOne(saturation, now)) out.push(r.id);
  return out;
}

describe('flow-control plugin definitions', () => {
  const def = (type: string) => flowControlPlugins.find((d) => d.type === type)!;

  it('registers the six v1.5.0 policy types', () => {
    expect(flowControlPlugins.map((d) => d.type).sort()).toEqual([
      'edf-ordering-policy',
      'fcfs-ordering-policy',
      'global-strict-fairness-policy',
      'round-robin-fairness-policy',
      'slo-deadline-ordering-policy',
      'static-usage-limit-policy',
    ]);
  });

  it('static-usage-limit-policy defaults threshold to 1.0 (epp.md §10) and rejects unknown parameters', () => {
    const d = def('static-usage-limit-policy');
    const p = d.create('s', d.params.parse({}), { plugin: () => undefined }) as StaticUsageLimitPolicy;
    expect(p.ceiling(0.3, 7)).toBe(1.0);
    expect(p.ceiling(5, -3)).toBe(1.0);
    expect(() => d.params.parse({ treshold: 2 })).toThrow(/treshold/);
    expect(() => def('fcfs-ordering-policy').params.parse({ x: 1 })).toThrow();
  });
});

describe('strict priority and head-of-line blocking', () => {
  it('dispatches higher priority bands first, FCFS within a band', () => {
    const ctl = createFlowController(flowControlConfig(), none);
    ctl.enqueue(req('a0', 0), 1, 0);
    ctl.enqueue(req('b10', 10), 1, 1);
    ctl.enqueue(req('c-1', -1), 1, 2);
    ctl.enqueue(req('d0', 0), 1, 3);
    ctl.enqueue(req('e10', 10), 1, 4);
    expect(ctl.queued).toBe(5);
    // Bands 10 > 0 > −1; inside each, enqueue order.
    expect(drain(ctl)).toEqual(['b10', 'e10', 'a0', 'd0', 'c-1']);
    expect(ctl.queued).toBe(0);
  });

  it('saturation ≥ ceiling (static 1.0) dispatches nothing, even though requests wait', () => {
    const ctl = createFlowController(flowControlConfig(), none);
    ctl.enqueue(req('a', 0), 1, 0);
    expect(ctl.dispatchOne(1.0, 0)).toBeNull(); // 1.0 ≥ 1.0: blocked (the comparison is ≥)
    expect(ctl.dispatchOne(3.2, 0)).toBeNull();
    expect(ctl.queued).toBe(1);
    expect(ctl.dispatchOne(0.999, 0)?.id).toBe('a');
  });

  it('a saturated high band blocks every lower band; empty bands are skipped, not blocking', () => {
    // Ceilings: band 10 → 2.0, band 0 → 0.5, band −1 → 2.0.
    const usage: UsageLimitPolicy = { type: 'test-usage', name: 'u', ceiling: (_s, p) => (p === 0 ? 0.5 : 2.0) };
    const ctl = createFlowController(flowControlConfig({ usageLimitPolicyRef: 'u' }), new Map([['u', usage]]));
    ctl.enqueue(req('hi', 10), 1, 0);
    ctl.enqueue(req('mid', 0), 1, 0);
    ctl.enqueue(req('low', -1), 1, 0);
    // sat 0.7: band 10 (0.7 < 2.0) dispatches.
    expect(ctl.dispatchOne(0.7, 0)?.id).toBe('hi');
    // Band 10 is now empty and skipped; band 0 has 0.7 ≥ 0.5 → the cycle stops, so band −1 (whose
    // ceiling 2.0 would allow it) does not dispatch: head-of-line blocking.
    expect(ctl.dispatchOne(0.7, 0)).toBeNull();
    // An empty high band never blocks: with band 0 drained, band −1 dispatches at the same saturation.
    expect(ctl.dispatchOne(0.4, 0)?.id).toBe('mid');
    expect(ctl.dispatchOne(0.7, 0)?.id).toBe('low');
  });
});

describe('fairness policies', () => {
  // Band 0, flows a, b, c; enqueue times a1@1 a2@2 a3@3 b1@4 c1@5 b2@6.
  const load = (fairness: string) => {
    const ctl = createFlowController(flowControlConfig({ defaultPriorityBand: { fairnessPolicyRef: fairness } }), none);
    const seq: [string, string, number][] = [
      ['a1', 'a', 1],
      ['a2', 'a', 2],
      ['a3', 'a', 3],
      ['b1', 'b', 4],
      ['c1', 'c', 5],
      ['b2', 'b', 6],
    ];
    for (const [id, f, t] of seq) expect(ctl.enqueue(req(id, 0, f), 1, t).kind).toBe('queued');
    return ctl;
  };

  it('global-strict: one global FIFO across flows (earliest head first)', () => {
    // Heads a1@1, b1@4, c1@5 → a1; then a2@2 … strictly by enqueue time.
    expect(drain(load('global-strict-fairness-policy'))).toEqual(['a1', 'a2', 'a3', 'b1', 'c1', 'b2']);
  });

  it('round-robin: rotates a → b → c over non-empty flows', () => {
    // No last → smallest id a: a1. After a → b: b1. After b → c: c1. After c → wrap to a: a2.
    // After a → b: b2. After b → c is empty, wrap → a: a3.
    expect(drain(load('round-robin-fairness-policy'))).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('round-robin keeps one rotation per band', () => {
    const rr = new RoundRobinFairnessPolicy('rr');
    const view = (id: string, n: number) => ({ fairnessId: id, items: [], length: n, head: null });
    const flows = [view('x', 1), view('y', 1)];
    expect(rr.selectQueue(0, flows)?.fairnessId).toBe('x');
    expect(rr.selectQueue(5, flows)?.fairnessId).toBe('x'); // band 5 starts its own rotation
    expect(rr.selectQueue(0, flows)?.fairnessId).toBe('y');
    expect(rr.selectQueue(0, [view('x', 0), view('y', 0)])).toBeNull();
  });

  it('global-strict compares heads with the band ordering (EDF: earliest deadline across flows)', () => {
    const ctl = createFlowController(
      flowControlConfig({ defaultPriorityBand: { orderingPolicyRef: 'edf-ordering-policy' } }),
      none,
    );
    ctl.enqueue(req('a-late', 0, 'a'), 1, 0, 1000); // deadline 1000
    ctl.enqueue(req('b-soon', 0, 'b'), 1, 10, 100); // deadline 110
    // FIFO would give a-late (enqueued first); EDF heads compare 110 < 1000 → b-soon.
    expect(drain(ctl)).toEqual(['b-soon', 'a-late']);
  });
});

describe('ordering policies', () => {
  it('edf: enqueue + TTL, no TTL = +∞ after all, equal deadlines FCFS', () => {
    const ctl = createFlowController(
      flowControlConfig({ defaultPriorityBand: { orderingPolicyRef: 'edf-ordering-policy' } }),
      none,
    );
    ctl.enqueue(req('x'), 1, 0, 100); // deadline 100
    ctl.enqueue(req('z'), 1, 5); // no TTL → ∞
    ctl.enqueue(req('y'), 1, 10, 50); // deadline 60
    ctl.enqueue(req('w'), 1, 20, 40); // deadline 60, enqueued after y
    ctl.enqueue(req('v'), 1, 30); // ∞, after z by enqueue time
    expect(drain(ctl)).toEqual(['y', 'w', 'x', 'z', 'v']);
  });

  it('edf uses defaultRequestTTL when the request has none', () => {
    const ctl = createFlowController(
      flowControlConfig({ defaultRequestTtlUs: 1000, defaultPriorityBand: { orderingPolicyRef: 'edf-ordering-policy' } }),
      none,
    );
    ctl.enqueue(req('dflt'), 1, 0); // 0 + 1000
    ctl.enqueue(req('own'), 1, 100, 500); // 600
    expect(drain(ctl)).toEqual(['own', 'dflt']);
  });

  it('slo-deadline: enqueue + x-gateway-slo-ttft-ms, requests without an SLO last, FCFS', () => {
    const ctl = createFlowController(
      flowControlConfig({ defaultPriorityBand: { orderingPolicyRef: 'slo-deadline-ordering-policy' } }),
      none,
    );
    const slo = (ms: string) => ({ 'x-gateway-slo-ttft-ms': ms });
    ctl.enqueue(req('plain1'), 1, 0); // ∞
    ctl.enqueue(req('s500', 0, '', slo('500')), 1, 1000); // 1000 + 500 000 = 501 000
    ctl.enqueue(req('s100', 0, '', slo('100')), 1, 2000); // 102 000
    ctl.enqueue(req('bad', 0, '', slo('fast')), 1, 3000); // not a number → ∞, after plain1
    ctl.enqueue(req('s0', 0, '', slo('0')), 1, 4000); // not positive → ∞
    expect(drain(ctl)).toEqual(['s100', 's500', 'plain1', 'bad', 's0']);
  });

  it('fcfs / edf / slo selectItem agree with their comparators on an item list', () => {
    const item = (enqueueUs: number, ttlUs: number, h: Record<string, string> = {}): QueueItem => ({
      request: req(`r${enqueueUs}`, 0, '', h),
      enqueueUs,
      ttlUs,
      bytes: 1,
    });
    const items = [item(5, 0), item(7, 10), item(9, 2, { 'x-gateway-slo-ttft-ms': '0.001' })];
    expect(new FcfsOrderingPolicy('f').selectItem(items)).toBe(0); // earliest enqueue 5
    expect(new EdfOrderingPolicy('e').selectItem(items)).toBe(2); // deadlines ∞, 17, 11
    expect(new SloDeadlineOrderingPolicy('s').selectItem(items)).toBe(2); // 9 + 1 µs vs ∞, ∞
  });

  it('an ordering policy without a comparator is served through selectItem (enqueue-ordered items)', () => {
    const lifo: OrderingPolicy = { type: 'lifo', name: 'lifo', selectItem: (items) => items.length - 1 };
    const ctl = createFlowController(flowControlConfig({ defaultPriorityBand: { orderingPolicyRef: 'lifo' } }), new Map([['lifo', lifo]]));
    for (const [i, id] of ['p', 'q', 'r'].entries()) ctl.enqueue(req(id), 1, i);
    expect(drain(ctl)).toEqual(['r', 'q', 'p']);
  });

  it('global-strict without an ordering compares heads by enqueue time', () => {
    const gs = new GlobalStrictFairnessPolicy('g');
    const it0 = (t: number): QueueItem => ({ request: req(`t${t}`), enqueueUs: t, ttlUs: 0, bytes: 1 });
    const flows = [
      { fairnessId: 'a', items: [it0(9)] },
      { fairnessId: 'b', items: [it0(3), it0(12)] },
      { fairnessId: 'c', items: [] },
    ];
    expect(gs.selectQueue(0, flows)?.fairnessId).toBe('b');
    expect(gs.selectQueue(0, [{ fairnessId: 'c', items: [] }])).toBeNull();
  });
});

describe('capacity → 429', () => {
  it('global maxRequests', () => {
    const ctl = createFlowController(flowControlConfig({ maxRequests: 2 }), none);
    expect(ctl.enqueue(req('a', 0), 1, 0).kind).toBe('queued');
    expect(ctl.enqueue(req('b', 5), 1, 0).kind).toBe('queued'); // global: counts every band
    const r = ctl.enqueue(req('c', 0), 1, 0);
    expect(r).toMatchObject({ kind: 'rejected', status: 429 });
    expect(r.kind === 'rejected' && r.reason).toMatch(/maxRequests 2/);
    expect(ctl.queued).toBe(2);
    ctl.dispatchOne(0, 0);
    expect(ctl.enqueue(req('c', 0), 1, 0).kind).toBe('queued');
  });

  it('global maxBytes: 60 + 50 > 100 is rejected, 60 + 40 = 100 fits', () => {
    const ctl = createFlowController(flowControlConfig({ maxBytes: 100 }), none);
    expect(ctl.enqueue(req('a'), 60, 0).kind).toBe('queued');
    expect(ctl.enqueue(req('b', 3), 50, 0)).toMatchObject({ kind: 'rejected', status: 429 });
    expect(ctl.enqueue(req('c', 3), 40, 0).kind).toBe('queued');
    expect(ctl.queuedBytes).toBe(100);
    expect(ctl.enqueue(req('d'), 1, 0).kind).toBe('rejected');
  });

  it('band maxBytes and maxRequests only constrain their own band', () => {
    const cfg: FlowControlConfig = flowControlConfig({
      priorityBands: [
        { priority: 5, maxBytes: 10, maxRequests: 0, fairnessPolicyRef: 'global-strict-fairness-policy', orderingPolicyRef: 'fcfs-ordering-policy' },
        { priority: 7, maxBytes: 0, maxRequests: 1, fairnessPolicyRef: 'global-strict-fairness-policy', orderingPolicyRef: 'fcfs-ordering-policy' },
      ],
    });
    const ctl = createFlowController(cfg, none);
    expect(ctl.enqueue(req('a5', 5), 10, 0).kind).toBe('queued');
    expect(ctl.enqueue(req('b5', 5), 1, 0)).toMatchObject({ kind: 'rejected', status: 429 }); // 10 + 1 > 10
    expect(ctl.enqueue(req('c0', 0), 1000, 0).kind).toBe('queued'); // band 0: default band, 1 GB
    expect(ctl.enqueue(req('d7', 7), 5, 0).kind).toBe('queued');
    const r = ctl.enqueue(req('e7', 7), 5, 0); // second request in band 7 (maxRequests 1)
    expect(r.kind === 'rejected' && r.reason).toMatch(/band 7 maxRequests 1/);
    expect(drain(ctl)).toEqual(['d7', 'a5', 'c0']);
  });

  it('default band maxBytes is 1 GB (10^9 bytes)', () => {
    const ctl = createFlowController(flowControlConfig(), none);
    expect(ctl.enqueue(req('big'), 1_000_000_000, 0).kind).toBe('queued');
    expect(ctl.enqueue(req('one'), 1, 0).kind).toBe('rejected');
    expect(ctl.enqueue(req('other-band', 1), 1, 0).kind).toBe('queued');
  });
});

describe('TTL expiry → 503', () => {
  it('expires exactly the items with enqueue + TTL ≤ now, earliest deadline first', () => {
    const ctl = createFlowController(flowControlConfig({ defaultRequestTtlUs: 1000 }), none);
    ctl.enqueue(req('A'), 1, 0); // deadline 0 + 1000 = 1000 (default TTL)
    ctl.enqueue(req('B'), 1, 500, 200); // 500 + 200 = 700 (own TTL)
    ctl.enqueue(req('C', 3), 1, 600); // 1600
    ctl.enqueue(req('D'), 1, 650, 50); // 700, enqueued after B
    expect(ctl.expire(699)).toEqual([]);
    expect(ctl.expire(700).map((r) => r.id)).toEqual(['B', 'D']);
    expect(ctl.expire(999)).toEqual([]);
    expect(ctl.expire(1000).map((r) => r.id)).toEqual(['A']);
    expect(ctl.queued).toBe(1);
    expect(ctl.expire(1599)).toEqual([]);
    expect(ctl.expire(1600).map((r) => r.id)).toEqual(['C']);
    expect(ctl.queued).toBe(0);
  });

  it('no TTL (0) never expires; a dispatched item is not expired later', () => {
    const ctl = createFlowController(flowControlConfig(), none);
    ctl.enqueue(req('forever'), 1, 0);
    ctl.enqueue(req('short'), 1, 0, 10);
    expect(ctl.dispatchOne(0, 5)?.id).toBe('forever');
    expect(ctl.expire(1e15).map((r) => r.id)).toEqual(['short']);
    ctl.enqueue(req('again'), 1, 0);
    expect(ctl.expire(1e15)).toEqual([]);
    expect(ctl.queued).toBe(1);
  });

  it('expired items free their bytes for capacity', () => {
    const ctl = createFlowController(flowControlConfig({ maxBytes: 10 }), none);
    ctl.enqueue(req('a'), 10, 0, 5);
    expect(ctl.enqueue(req('b'), 1, 1).kind).toBe('rejected');
    expect(ctl.expire(5)).toHaveLength(1);
    expect(ctl.enqueue(req('b'), 10, 6).kind).toBe('queued');
  });
});

describe('configuration errors', () => {
  it('unknown policy references and wrong kinds are refused at construction', () => {
    expect(() => createFlowController(flowControlConfig({ usageLimitPolicyRef: 'nope' }), none)).toThrow(/nope/);
    const fcfs = new FcfsOrderingPolicy('f');
    expect(() =>
      createFlowController(flowControlConfig({ defaultPriorityBand: { fairnessPolicyRef: 'f' } }), new Map([['f', fcfs]])),
    ).toThrow(/not a fairness policy/);
  });
});

// ---------------------------------------------------------------------------------------------
// Model-based property: default config (global-strict + FCFS) against a naive list model.

type Op =
  | { kind: 'enq'; priority: number; flow: string; bytes: number; ttl: number; dt: number }
  | { kind: 'disp'; sat: number; dt: number }
  | { kind: 'exp'; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('enq' as const),
    priority: fc.integer({ min: -2, max: 2 }),
    flow: fc.constantFrom('', 'a', 'b', 'c'),
    bytes: fc.integer({ min: 0, max: 40 }),
    ttl: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 })),
    dt: fc.integer({ min: 0, max: 10 }),
  }),
  fc.record({ kind: fc.constant('disp' as const), sat: fc.constantFrom(0, 0.5, 1, 1.5), dt: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ kind: fc.constant('exp' as const), dt: fc.integer({ min: 0, max: 20 }) }),
);

interface ModelItem {
  id: string;
  priority: number;
  seq: number;
  deadline: number;
  bytes: number;
}

describe('property: every request ends dispatched or expired exactly once', () => {
  it('matches a naive model (strict priority, global FIFO, HoL at sat ≥ 1, exact TTL) and drains completely', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 120 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 30 }),
        (ops, maxBytes, maxRequests, defaultTtl) => {
          const ctl = createFlowController(flowControlConfig({ maxBytes, maxRequests, defaultRequestTtlUs: defaultTtl }), none);
          let model: ModelItem[] = [];
          let now = 0;
          let n = 0;
          const outcome = new Map<string, string>();
          const record = (id: string, what: string) => {
            expect(outcome.has(id), `${id} ended twice`).toBe(false);
            outcome.set(id, what);
          };
          const modelExpire = (t: number) => {
            const gone = model.filter((m) => m.deadline <= t).sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
            model = model.filter((m) => m.deadline > t);
            return gone.map((m) => m.id);
          };
          for (const op of ops) {
            now += op.dt;
            if (op.kind === 'enq') {
              const id = `r${n}`;
              const bytes = model.reduce((s, m) => s + m.bytes, 0);
              const full = (maxRequests > 0 && model.length + 1 > maxRequests) || (maxBytes > 0 && bytes + op.bytes > maxBytes);
              const r = ctl.enqueue(req(id, op.priority, op.flow), op.bytes, now, op.ttl);
              expect(r.kind).toBe(full ? 'rejected' : 'queued');
              if (!full) {
                const ttl = op.ttl > 0 ? op.ttl : defaultTtl;
                model.push({ id, priority: op.priority, seq: n, deadline: ttl > 0 ? now + ttl : Infinity, bytes: op.bytes });
              }
              n++;
            } else if (op.kind === 'disp') {
              const got = ctl.dispatchOne(op.sat, now);
              let want: ModelItem | undefined;
              if (op.sat < 1) for (const m of model) if (!want || m.priority > want.priority || (m.priority === want.priority && m.seq < want.seq)) want = m;
              expect(got?.id).toBe(want?.id);
              if (want) {
                model = model.filter((m) => m !== want);
                record(want.id, 'dispatched');
              }
            } else {
              const got = ctl.expire(now).map((r) => r.id);
              expect(got).toEqual(modelExpire(now));
              for (const id of got) record(id, 'expired');
            }
            expect(ctl.queued).toBe(model.length);
            expect(ctl.queuedBytes).toBe(model.reduce((s, m) => s + m.bytes, 0));
          }
          // Saturation drops to 0: everything left dispatches (none expires after being dispatched).
          for (const id of drain(ctl, 0, now)) record(id, 'dispatched');
          expect(ctl.expire(Number.MAX_SAFE_INTEGER)).toEqual([]);
          expect(ctl.queued).toBe(0);
          expect(ctl.queuedBytes).toBe(0);
          for (const m of model) expect(outcome.get(m.id)).toBe('dispatched');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with round-robin fairness and EDF ordering, nothing is lost or duplicated and counts stay consistent', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 150 }), (ops) => {
        const ctl = createFlowController(
          flowControlConfig({
            defaultPriorityBand: { fairnessPolicyRef: 'round-robin-fairness-policy', orderingPolicyRef: 'edf-ordering-policy' },
          }),
          none,
        );
        let now = 0;
        let queued = 0;
        const enqueued = new Set<string>();
        const ended = new Set<string>();
        const end = (id: string) => {
          expect(enqueued.has(id)).toBe(true);
          expect(ended.has(id)).toBe(false);
          ended.add(id);
          queued--;
        };
        for (const [i, op] of ops.entries()) {
          now += op.dt;
          if (op.kind === 'enq') {
            expect(ctl.enqueue(req(`r${i}`, op.priority, op.flow), op.bytes, now, op.ttl).kind).toBe('queued');
            enqueued.add(`r${i}`);
            queued++;
          } else if (op.kind === 'disp') {
            const r = ctl.dispatchOne(op.sat, now);
            if (op.sat >= 1) expect(r).toBeNull();
            if (r) end(r.id);
            else if (op.sat < 1) expect(queued).toBe(0);
          } else {
            for (const r of ctl.expire(now)) end(r.id);
          }
          expect(ctl.queued).toBe(queued);
        }
        for (const id of drain(ctl, 0, now)) end(id);
        expect(ended.size).toBe(enqueued.size);
        expect(ctl.queued).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
