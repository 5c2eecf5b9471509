/**
 * The live picker's decision core: the SAME EndpointPicker (policies/framework/director.ts) and
 * plugins a simulation runs, fed with the scraped pool (scraper.ts) and the wall clock. It turns a
 * director decision into what goes on the wire: a destination (`host:port` of the pick, then the
 * fallbacks) or a production error (status, `inference error: <Code> - <message>` body, drop
 * reason). Flow-control queueing is honoured: a queued request waits (a promise) until a later
 * release — after each scrape round, each completed response, and on its own tick — dispatches or
 * expires it (late binding against the then-current pool, as in simulation). With a decision log
 * (`--decisions`, decisionLog.ts) its recorder is installed around each director call that schedules
 * (a new request only when its id is in the sample).
 */
import { EndpointPicker, type Decision } from '../../policies/framework/director.js';
import { EPP_ERROR_CODES, type EppStatus } from '../../policies/framework/eppError.js';
import type { EndpointPickerOptions } from '../../policies/framework/decisions.js';
import type { ResolvedConfig } from '../../policies/config/loader.js';
import type { LLMRequest } from '../../policies/framework/types.js';
import { withSchedulingRecorder } from '../../policies/framework/scheduler.js';
import type { LiveDecisionLog } from './decisionLog.js';
import type { MetricsScraper } from './scraper.js';

export type Answer =
  | { readonly kind: 'dispatch'; readonly target: string; readonly addresses: readonly string[]; readonly fallbacks: readonly string[] }
  | { readonly kind: 'reject'; readonly status: number; readonly body: string; readonly reason: string; readonly dropReason?: string };

const CODE_NAME = new Map<number, string>(Object.entries(EPP_ERROR_CODES).map(([name, status]) => [status, name]));

/** The production's error body (live.md §2.4). */
export function errorBody(status: number, message: string): string {
  return `inference error: ${CODE_NAME.get(status) ?? 'Internal'} - ${message}`;
}

export function reject(status: EppStatus | number, message: string, dropReason?: string): Answer {
  return dropReason === undefined ? { kind: 'reject', status, body: errorBody(status, message), reason: message } : { kind: 'reject', status, body: errorBody(status, message), reason: message, dropReason };
}

export interface PickerCounters {
  requests: number;
  dispatched: number;
  rejected: Record<string, number>;
  completed: number;
  queued: number;
}

export class PickerCore {
  readonly picker: EndpointPicker;
  private readonly waiting = new Map<string, (d: Decision) => void>();
  private timer: NodeJS.Timeout | null = null;
  readonly counters: PickerCounters = { requests: 0, dispatched: 0, rejected: {}, completed: 0, queued: 0 };

  constructor(
    config: ResolvedConfig,
    opts: EndpointPickerOptions,
    readonly scraper: MetricsScraper,
    readonly nowUs: () => number,
    readonly decisions: LiveDecisionLog | null = null,
  ) {
    this.picker = new EndpointPicker(config, opts);
  }

  /**
   * A director call, under the decision log's recorder when there is one. A call that can only
   * schedule `onlyFor` (a new request) runs unrecorded when that request is outside the sample, so
   * the scheduler does not trace a cycle whose line would be dropped.
   */
  private recorded<T>(fn: () => T, onlyFor?: string): T {
    if (this.decisions === null || (onlyFor !== undefined && !this.decisions.samples(onlyFor))) return fn();
    return withSchedulingRecorder(this.decisions.recorder, fn);
  }

  /** Starts the flow-control release tick (only when the gate is on). */
  start(tickMs: number): void {
    if (!this.picker.flowControlEnabled || this.timer) return;
    this.timer = setInterval(() => this.release(), tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const [id, resolve] of this.waiting) resolve({ kind: 'reject', status: 503, code: 'flow-control-ttl', reason: 'picker shutting down', dropReason: 'rejected-shutting-down', requestId: id, request: null as unknown as LLMRequest });
    this.waiting.clear();
  }

  /** Runs the request lifecycle; resolves once the request is dispatched or rejected. */
  async decide(req: LLMRequest): Promise<Answer> {
    this.counters.requests++;
    const now = this.nowUs();
    this.decisions?.arrived(req.id, now);
    try {
      const d = this.recorded(() => this.picker.handleRequest(req, this.scraper.pool, now), req.id);
      const final = d.kind === 'queued' ? await this.wait(d.requestId) : d;
      return this.toAnswer(final);
    } finally {
      this.decisions?.settled(req.id);
    }
  }

  /** The response finished (or the stream died after a pick): ResponseComplete plugins run. */
  complete(requestId: string, target: string, usage?: { promptTokens: number; completionTokens: number }): ReadonlyMap<string, string> {
    this.counters.completed++;
    const h = this.picker.responseComplete(requestId, target, this.nowUs(), usage);
    this.release();
    return h;
  }

  /** Response headers came back: v0.10 ResponseHeaderProcessor plugins run (once). */
  responseHeaders(requestId: string, target: string): ReadonlyMap<string, string> {
    return this.picker.responseHeaders(requestId, target, this.nowUs());
  }

  /** Flow control: expire and dispatch whatever may go now. */
  release(): void {
    if (this.waiting.size === 0) return;
    const now = this.nowUs();
    for (const e of this.picker.expireQueued(now)) {
      const r = e.dropReason === undefined ? { kind: 'reject' as const, status: e.status, code: e.code, reason: e.reason, requestId: e.requestId, request: e.request } : { kind: 'reject' as const, status: e.status, code: e.code, reason: e.reason, dropReason: e.dropReason, requestId: e.requestId, request: e.request };
      this.settle(e.requestId, r);
    }
    for (const d of this.recorded(() => this.picker.dispatchQueued(this.scraper.pool, now))) this.settle(d.requestId, d);
  }

  /** Requests dispatched whose response has not completed (bounded-memory checks). */
  get inFlight(): number {
    return this.picker.inFlightCount;
  }

  get queued(): number {
    return this.waiting.size;
  }

  private wait(id: string): Promise<Decision> {
    this.counters.queued++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.release();
    });
  }

  private settle(id: string, d: Decision): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.(d);
  }

  private toAnswer(d: Decision): Answer {
    if (d.kind === 'dispatch') {
      const names = [d.target, ...d.fallbacks];
      const addresses = names.map((n) => this.scraper.addressOf(n)).filter((a): a is string => a !== undefined);
      if (this.scraper.addressOf(d.target) === undefined) {
        // the endpoints file dropped the pick while the request waited: no endpoint to send it to
        this.picker.responseComplete(d.requestId, d.target, this.nowUs());
        this.counters.rejected['503'] = (this.counters.rejected['503'] ?? 0) + 1;
        return reject(503, `endpoint ${d.target} left the pool`);
      }
      this.counters.dispatched++;
      return { kind: 'dispatch', target: d.target, addresses, fallbacks: d.fallbacks };
    }
    if (d.kind === 'queued') return reject(500, 'request still queued');
    this.counters.rejected[String(d.status)] = (this.counters.rejected[String(d.status)] ?? 0) + 1;
    return reject(d.status, d.reason, d.dropReason);
  }
}
