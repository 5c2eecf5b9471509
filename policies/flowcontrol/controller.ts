/**
 * The EPP flow controller (GAIE v1.5.0, `epp.md` §2.10, feature gate `flowControl`).
 *
 * - Flow key = (fairnessId, priority). One priority band per priority, created on demand: from the
 *   explicit `priorityBands` entry with that priority, else from `defaultPriorityBand`. Strict
 *   priority across bands (higher first).
 * - Within a band the fairness policy picks a flow queue and the ordering policy its item. With an
 *   ordering policy that exposes `compare` (all of routesim's do; GAIE's are comparators), each flow
 *   is a heap by it (FIFO among equals), so enqueue, dispatch and expiry are O(log n) + O(flows in
 *   the band); a policy with only `selectItem` gets the flow's items in enqueue order (O(n)).
 * - `dispatchOne(saturation)`: ceilings from the usage-limit policy; walk bands high → low, skipping
 *   empty bands (an empty band has nothing to dispatch and so cannot block — GAIE's processor
 *   `continue`s when a band yields no item); at the first non-empty band, `saturation ≥ ceiling`
 *   stops the whole cycle (head-of-line blocking: nothing of lower priority dispatches), else its
 *   selected item is removed and returned.
 * - Capacity: global `maxBytes` / `maxRequests` and per-band `maxBytes` / `maxRequests`, each 0 =
 *   unlimited; a request that would exceed any of them is rejected (RejectedCapacity → 429).
 * - TTL: the request's own (the `ttlUs` argument) or `defaultRequestTtlUs`; 0 = none. `expire(now)`
 *   removes exactly the items with enqueue + TTL ≤ now, earliest deadline first. Production sweeps
 *   once per second, so there a request lives up to ~1 s past its TTL; here the caller decides when
 *   to call `expire` (call it every 1 s of simulated time to emulate the sweep). `dispatchOne` never
 *   expires: an item past its TTL that the sweep has not removed yet can still dispatch, as in
 *   production.
 *
 * - llm-d-router v0.10.0 (`llm-d-router.md` §4.8): configured bands exist from the start, so the
 *   registered priority levels are the configured bands plus those created on demand (never GC'd
 *   here). A usage-limit policy with `ceilings` (BandAwareUsageLimitPolicy: priority-holdback,
 *   soft-reflective-ceiling) gets all levels once per `dispatchOne`; a fairness policy with
 *   `observeNow` (program-aware-fairness) gets the dispatch time before `selectQueue`. Eviction
 *   (`enableEviction`) is not run here: see eviction.ts.
 *
 * Flows are never garbage-collected (production drops idle flows after a while; that only matters
 * for round-robin's rotation, which routesim keys by fairness id).
 */
import { pluginDefinition, type FactoryContext, type PluginDefinition } from '../framework/registry.js';
import {
  isFairnessPolicy,
  isOrderingPolicy,
  isUsageLimitPolicy,
  type FairnessPolicy,
  type FlowQueueView,
  type LLMRequest,
  type OrderingPolicy,
  type Plugin,
  type QueueItem,
  type UsageLimitPolicy,
} from '../framework/types.js';
import { flowControlPlugins } from '../plugins/flowControl.js';
import { IndexedHeap } from './heap.js';
import {
  isBandAwareUsageLimitPolicy,
  isClockedFairnessPolicy,
  type EnqueueOutcome,
  type FlowControlConfig,
  type FlowController,
  type PriorityBandConfig,
} from './types.js';

/** A queued request with its positions in its flow's heap and the TTL heap. */
class Item implements QueueItem {
  flowPos = -1;
  ttlPos = -1;
  constructor(
    readonly request: LLMRequest,
    readonly enqueueUs: number,
    readonly ttlUs: number,
    readonly bytes: number,
    /** Global enqueue sequence: FIFO among items the ordering policy ranks equal. */
    readonly seq: number,
    /** enqueue + TTL, or +∞. */
    readonly deadlineUs: number,
    readonly flow: Flow,
  ) {}
}

const setFlowPos = (x: Item, p: number): void => {
  x.flowPos = p;
};
const setTtlPos = (x: Item, p: number): void => {
  x.ttlPos = p;
};
const bySeq = (a: Item, b: Item): boolean => a.seq < b.seq;

/** One flow queue (fairness id within a band); also the view the fairness policy sees. */
class Flow implements FlowQueueView {
  readonly heap: IndexedHeap<Item>;
  constructor(
    readonly fairnessId: string,
    readonly band: Band,
    ordering: OrderingPolicy,
  ) {
    const cmp = ordering.compare?.bind(ordering);
    this.heap = new IndexedHeap<Item>(
      cmp
        ? (a, b) => {
            const c = cmp(a, b);
            return c < 0 || (c === 0 && a.seq < b.seq);
          }
        : bySeq,
      setFlowPos,
    );
  }

  get length(): number {
    return this.heap.size;
  }

  /** Next item by the ordering's comparator (null when empty); without a comparator, by selectItem. */
  get head(): Item | null {
    if (this.heap.size === 0) return null;
    if (this.band.ordering.compare) return this.heap.peek()!;
    const items = this.items;
    return items[this.band.ordering.selectItem(items)] ?? null;
  }

  /** Items in enqueue order (materialised: O(n log n)). */
  get items(): readonly Item[] {
    return [...this.heap.raw()].sort((a, b) => a.seq - b.seq);
  }
}

class Band {
  readonly flows: Flow[] = []; // sorted by fairness id
  private readonly byId = new Map<string, Flow>();
  count = 0;
  bytes = 0;
  constructor(
    readonly priority: number,
    readonly maxBytes: number,
    readonly maxRequests: number,
    readonly fairness: FairnessPolicy,
    readonly ordering: OrderingPolicy,
  ) {}

  flow(fairnessId: string): Flow {
    let f = this.byId.get(fairnessId);
    if (!f) {
      f = new Flow(fairnessId, this, this.ordering);
      this.byId.set(fairnessId, f);
      let i = this.flows.length;
      while (i > 0 && this.flows[i - 1]!.fairnessId > fairnessId) i--;
      this.flows.splice(i, 0, f);
    }
    return f;
  }
}

const DEFAULTS = new Map<string, PluginDefinition>(flowControlPlugins.map((d) => [d.type, d]));

/**
 * Resolves a policy reference: an instance of the config's plugins by name, else (the loader
 * normally instantiates the defaults) a fresh default-parameter instance of the flow-control policy
 * type of that name.
 */
function resolvePolicy<T extends Plugin>(
  ref: string,
  plugins: ReadonlyMap<string, Plugin>,
  created: Map<string, Plugin>,
  guard: (p: Plugin) => p is T,
  what: string,
): T {
  let p = plugins.get(ref) ?? created.get(ref);
  if (!p) {
    const def = DEFAULTS.get(ref) ?? pluginDefinition(ref);
    if (def) {
      const ctx: FactoryContext = { plugin: (n) => plugins.get(n) };
      p = def.create(ref, def.params.parse({}), ctx);
      created.set(ref, p);
    }
  }
  if (!p) throw new Error(`flow control: ${what} "${ref}" is not a configured plugin`);
  if (!guard(p)) throw new Error(`flow control: plugin "${ref}" (${p.type}) is not a ${what}`);
  return p;
}

class Controller implements FlowController {
  private readonly bands = new Map<number, Band>();
  /** Bands sorted by priority, highest first. */
  private readonly order: Band[] = [];
  private readonly explicit = new Map<number, PriorityBandConfig>();
  private readonly ttlHeap = new IndexedHeap<Item>((a, b) => a.deadlineUs < b.deadlineUs || (a.deadlineUs === b.deadlineUs && a.seq < b.seq), setTtlPos);
  private readonly created = new Map<string, Plugin>();
  private readonly usage: UsageLimitPolicy;
  private levels: readonly number[] | null = null;
  private count = 0;
  private bytes = 0;
  private seq = 0;

  constructor(
    private readonly config: FlowControlConfig,
    private readonly plugins: ReadonlyMap<string, Plugin>,
  ) {
    for (const b of config.priorityBands) {
      if (this.explicit.has(b.priority)) throw new Error(`flow control: priority band ${b.priority} configured twice`);
      this.explicit.set(b.priority, b);
    }
    this.usage = resolvePolicy(config.usageLimitPolicyRef, plugins, this.created, isUsageLimitPolicy, 'usage-limit policy');
    // Resolve every configured policy up front so a bad reference fails at construction.
    for (const b of [config.defaultPriorityBand, ...config.priorityBands]) this.policiesOf(b);
    // Configured bands are registered priority levels from the start (v0.10 usage-limit policies
    // see them even while empty; empty bands never block, so nothing else changes).
    for (const b of config.priorityBands) this.band(b.priority);
  }

  /** Every registered priority level, highest first (`llm-d-router.md` §4.8); rebuilt when a band is created. */
  get priorities(): readonly number[] {
    if (this.levels === null) this.levels = this.order.map((b) => b.priority);
    return this.levels;
  }

  get queued(): number {
    return this.count;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  private policiesOf(b: PriorityBandConfig): [FairnessPolicy, OrderingPolicy] {
    return [
      resolvePolicy(b.fairnessPolicyRef, this.plugins, this.created, isFairnessPolicy, 'fairness policy'),
      resolvePolicy(b.orderingPolicyRef, this.plugins, this.created, isOrderingPolicy, 'ordering policy'),
    ];
  }

  private band(priority: number): Band {
    let b = this.bands.get(priority);
    if (!b) {
      const cfg = this.explicit.get(priority) ?? this.config.defaultPriorityBand;
      const [fairness, ordering] = this.policiesOf(cfg);
      b = new Band(priority, cfg.maxBytes, cfg.maxRequests, fairness, ordering);
      this.bands.set(priority, b);
      let i = this.order.length;
      while (i > 0 && this.order[i - 1]!.priority < priority) i--;
      this.order.splice(i, 0, b);
      this.levels = null;
    }
    return b;
  }

  enqueue(req: LLMRequest, bytes: number, nowUs: number, ttlUs?: number): EnqueueOutcome {
    const c = this.config;
    const band = this.band(req.priority);
    if (c.maxRequests > 0 && this.count + 1 > c.maxRequests)
      return { kind: 'rejected', status: 429, reason: `flow control: global maxRequests ${c.maxRequests} reached` };
    if (c.maxBytes > 0 && this.bytes + bytes > c.maxBytes)
      return { kind: 'rejected', status: 429, reason: `flow control: global maxBytes ${c.maxBytes} exceeded (${this.bytes} queued + ${bytes})` };
    if (band.maxRequests > 0 && band.count + 1 > band.maxRequests)
      return { kind: 'rejected', status: 429, reason: `flow control: band ${band.priority} maxRequests ${band.maxRequests} reached` };
    if (band.maxBytes > 0 && band.bytes + bytes > band.maxBytes)
      return {
        kind: 'rejected',
        status: 429,
        reason: `flow control: band ${band.priority} maxBytes ${band.maxBytes} exceeded (${band.bytes} queued + ${bytes})`,
      };
    const ttl = ttlUs !== undefined && ttlUs > 0 ? ttlUs : c.defaultRequestTtlUs > 0 ? c.defaultRequestTtlUs : 0;
    const flow = band.flow(req.fairnessId);
    const item = new Item(req, nowUs, ttl, bytes, this.seq++, ttl > 0 ? nowUs + ttl : Infinity, flow);
    flow.heap.push(item);
    if (ttl > 0) this.ttlHeap.push(item);
    band.count++;
    band.bytes += bytes;
    this.count++;
    this.bytes += bytes;
    return { kind: 'queued' };
  }

  private remove(item: Item): void {
    const band = item.flow.band;
    item.flow.heap.removeAt(item.flowPos);
    if (item.ttlPos >= 0) this.ttlHeap.removeAt(item.ttlPos);
    band.count--;
    band.bytes -= item.bytes;
    this.count--;
    this.bytes -= item.bytes;
  }

  dispatchOne(saturation: number, nowUs: number): LLMRequest | null {
    if (this.count === 0) return null;
    const ceilings = isBandAwareUsageLimitPolicy(this.usage) ? this.usage.ceilings(saturation, this.priorities) : null;
    for (let i = 0; i < this.order.length; i++) {
      const band = this.order[i]!;
      if (band.count === 0) continue;
      const ceiling = ceilings !== null ? (ceilings[i] ?? 1.0) : this.usage.ceiling(saturation, band.priority);
      if (saturation >= ceiling) return null; // HoL blocking
      if (isClockedFairnessPolicy(band.fairness)) band.fairness.observeNow(nowUs);
      const flow = band.fairness.selectQueue(band.priority, band.flows, band.ordering) as Flow | null;
      const item = flow === null ? null : flow.head;
      if (item === null) continue; // the fairness policy found nothing to serve
      if (!(item instanceof Item) || item.flow !== flow) throw new Error(`flow control: fairness policy ${band.fairness.name} returned a foreign queue`);
      this.remove(item);
      return item.request;
    }
    return null;
  }

  expire(nowUs: number): LLMRequest[] {
    const out: LLMRequest[] = [];
    for (let top = this.ttlHeap.peek(); top !== undefined && top.deadlineUs <= nowUs; top = this.ttlHeap.peek()) {
      this.remove(top);
      out.push(top.request);
    }
    return out;
  }
}

export function createFlowController(config: FlowControlConfig, plugins: ReadonlyMap<string, Plugin>): FlowController {
  return new Controller(config, plugins);
}

/** Production defaults of the `flowControl` section (band maxBytes 1 GB = 10^9 bytes) and its default policies. */
export const DEFAULT_BAND_MAX_BYTES = 1_000_000_000;
export const DEFAULT_FAIRNESS_POLICY = 'global-strict-fairness-policy';
export const DEFAULT_ORDERING_POLICY = 'fcfs-ordering-policy';
export const DEFAULT_USAGE_LIMIT_POLICY = 'static-usage-limit-policy';

/** A FlowControlConfig with production defaults, overridden by `overrides`. */
export function flowControlConfig(
  overrides: Partial<Omit<FlowControlConfig, 'defaultPriorityBand'>> & { defaultPriorityBand?: Partial<PriorityBandConfig> } = {},
): FlowControlConfig {
  const band: PriorityBandConfig = {
    priority: 0,
    maxBytes: DEFAULT_BAND_MAX_BYTES,
    maxRequests: 0,
    fairnessPolicyRef: DEFAULT_FAIRNESS_POLICY,
    orderingPolicyRef: DEFAULT_ORDERING_POLICY,
    ...overrides.defaultPriorityBand,
  };
  return {
    maxBytes: 0,
    maxRequests: 0,
    defaultRequestTtlUs: 0,
    priorityBands: [],
    usageLimitPolicyRef: DEFAULT_USAGE_LIMIT_POLICY,
    ...overrides,
    defaultPriorityBand: band,
  };
}
