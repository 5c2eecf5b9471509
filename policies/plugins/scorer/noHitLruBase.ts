/**
 * What the two `no-hit-lru-scorer` twins share (llm-d v0.7.0 noHitLru.ts, `epp.md` §2.12, and
 * llm-d-router v0.10.0 noHitLru.v010.ts, `llm-d-router.md` §5): the cold-request LRU and its
 * scoring. Each twin only says what "cold" means (`isCold`).
 *
 * Warm → 0.5 everywhere. Cold over n candidates: never-used candidates, in candidate order,
 * 1 − i/(n−1); a used one max(0, 1 − (neverUsed + LRU position)/(n−1)) (0 = least recently used,
 * counted over every endpoint in the LRU); n = 1 → 1. PreRequest, for cold requests only, marks
 * the primary profile's target and the `prefill` profile's target most recently used (LRU of
 * lruSize endpoints).
 */
import type { CycleContext, LLMRequest, PreRequest, SchedEndpoint, SchedulingResult, Scorer } from '../../framework/types.js';
import { primaryAndPrefillTargets } from '../producer/approxPrefixCache.js';

export abstract class NoHitLruBase implements Scorer, PreRequest {
  readonly type = 'no-hit-lru-scorer';
  readonly category = 'Distribution' as const;
  /** Endpoint names, least recently used first (Map insertion order). */
  private readonly lru = new Map<string, true>();
  private readonly stateKey: string;

  constructor(
    readonly name: string,
    readonly lruSize: number,
  ) {
    this.stateKey = `no-hit-lru-scorer/${name}/cold`;
  }

  /** Whether the request is cold (no cached prefix, in the twin's sense). */
  protected abstract isCold(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): boolean;

  score(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const cold = this.isCold(ctx, req, endpoints);
    ctx.pluginState.write(req.id, this.stateKey, cold);
    const out = new Map<string, number>();
    const n = endpoints.length;
    if (!cold) {
      for (const e of endpoints) out.set(e.name, 0.5);
      return out;
    }
    if (n === 1) {
      out.set(endpoints[0]!.name, 1);
      return out;
    }
    const positions = new Map<string, number>();
    let p = 0;
    for (const k of this.lru.keys()) positions.set(k, p++);
    let neverUsed = 0;
    for (const e of endpoints) if (!positions.has(e.name)) out.set(e.name, 1 - neverUsed++ / (n - 1));
    for (const e of endpoints) {
      const pos = positions.get(e.name);
      if (pos === undefined) continue;
      const s = 1 - (neverUsed + pos) / (n - 1);
      out.set(e.name, s > 0 ? s : 0);
    }
    return out;
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    const cold = ctx.pluginState.read(req.id, this.stateKey);
    ctx.pluginState.write(req.id, this.stateKey, undefined);
    if (cold !== true) return;
    for (const e of primaryAndPrefillTargets(result)) this.touch(e.name);
  }

  private touch(name: string): void {
    this.lru.delete(name);
    this.lru.set(name, true);
    if (this.lru.size > this.lruSize) this.lru.delete(this.lru.keys().next().value as string);
  }

  /** Endpoint names from least to most recently used (tests and debugging). */
  lruOrder(): string[] {
    return [...this.lru.keys()];
  }
}
