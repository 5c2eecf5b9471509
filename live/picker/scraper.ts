/**
 * The pool as the picker sees it: one entry per endpoint with its metrics as last scraped. Every
 * `refreshMs` each endpoint's `http://<address>/metrics` is fetched (per-poll timeout 1 s, as the
 * router; a poll still running is not started again) and mapped by promMetrics.ts.
 *
 * Staleness exactly as in simulation (sim/gateway): an endpoint never scraped successfully has
 * metrics null; a failed scrape (timeout, connection refused, HTTP error, a lying value) keeps the
 * last good metrics with their old updateTimeUs, so they age and the utilization detector counts
 * them as saturated once older than its threshold. The endpoint stays a candidate (production has
 * no staleness filter on candidates, epp.md §4).
 */
import type { PoolEndpoint } from '../../policies/framework/director.js';
import type { EndpointMetrics } from '../../policies/types.js';
import type { LiveEndpoint } from './endpoints.js';
import { metricsFromText } from './promMetrics.js';

export const SCRAPE_TIMEOUT_MS = 1000;

interface Entry {
  name: string;
  index: number;
  labels: Readonly<Record<string, string>>;
  address: string;
  metrics: EndpointMetrics | null;
  /** The scrape in progress, if any. */
  busy: Promise<void> | null;
  /** Last failure in words ('' = the last scrape succeeded). */
  lastError: string;
}

export interface ScrapeCounters {
  ok: number;
  failed: number;
}

export class MetricsScraper {
  private entries: Entry[] = [];
  /** Name → entry (the first of a name, as the list order has it): per-request address look-ups. */
  private byName = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  readonly counters: ScrapeCounters = { ok: 0, failed: 0 };

  constructor(
    private readonly nowUs: () => number,
    private readonly refreshMs: number,
    private readonly timeoutMs = SCRAPE_TIMEOUT_MS,
    /** Called after each polling round (the picker releases flow-control queues then). */
    private readonly afterRound: () => void = () => {},
  ) {}

  /** Replaces the endpoint list, keeping the metrics of endpoints whose name and address are unchanged. */
  setEndpoints(eps: readonly LiveEndpoint[]): void {
    const old = new Map(this.entries.map((e) => [e.name, e]));
    this.entries = eps.map((e, index) => {
      const prev = old.get(e.name);
      const keep = prev !== undefined && prev.address === e.address;
      return { name: e.name, index, labels: e.labels, address: e.address, metrics: keep ? prev.metrics : null, busy: null, lastError: keep ? prev.lastError : 'not scraped yet' };
    });
    this.byName = new Map();
    for (const e of this.entries) if (!this.byName.has(e.name)) this.byName.set(e.name, e);
  }

  /** The pool for the director (entries are live objects: a scrape updates them in place). */
  get pool(): readonly PoolEndpoint[] {
    return this.entries;
  }

  /** Endpoint name → host:port. */
  addressOf(name: string): string | undefined {
    return this.byName.get(name)?.address;
  }

  status(): { name: string; address: string; scraped: boolean; lastError: string }[] {
    return this.entries.map((e) => ({ name: e.name, address: e.address, scraped: e.metrics !== null, lastError: e.lastError }));
  }

  start(): void {
    if (this.timer) return;
    const tick = async (): Promise<void> => {
      // a poll still running is not started again
      await Promise.all(this.entries.map((e) => e.busy ?? this.scrapeOne(e)));
      this.afterRound();
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A polling round now: every endpoint scraped by a request started after this call (tests, replays). */
  async scrapeAll(): Promise<void> {
    await Promise.all(this.entries.map((e) => this.scrapeFresh(e)));
    this.afterRound();
  }

  /** Scrapes one endpoint by name now (tests, replays). */
  async scrapeNamed(name: string): Promise<void> {
    const e = this.byName.get(name);
    if (e) await this.scrapeFresh(e);
  }

  private async scrapeFresh(e: Entry): Promise<void> {
    while (e.busy) await e.busy;
    await this.scrapeOne(e);
  }

  private scrapeOne(e: Entry): Promise<void> {
    const p = this.fetchInto(e).finally(() => {
      if (e.busy === p) e.busy = null;
    });
    e.busy = p;
    return p;
  }

  private async fetchInto(e: Entry): Promise<void> {
    try {
      const res = await fetch(`http://${e.address}/metrics`, { signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const r = metricsFromText(text, this.nowUs());
      if ('error' in r) throw new Error(r.error);
      e.metrics = r.metrics;
      e.lastError = '';
      this.counters.ok++;
    } catch (err) {
      e.lastError = err instanceof Error ? (err.name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : err.message) : String(err);
      this.counters.failed++;
    }
  }
}
