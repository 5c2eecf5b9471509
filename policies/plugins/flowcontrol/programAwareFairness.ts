/**
 * `program-aware-fairness` (llm-d-router v0.10.0; `llm-d-router.md` §4.8): a FairnessPolicy that
 * also runs at PreRequest and at end of stream. Program = fairness id. Strategy `las` (least
 * attained service):
 *
 * - Pick within a band: over the non-empty flows, S = the program's decayed attained service and
 *   W = its head's age in ms; score = wS·(1 − norm(S)) + wW·norm(W), norm(v) = (v − min)/(max − min)
 *   over those flows (all equal → 0.5). Highest score wins; ties → first flow in the band's order
 *   (routesim orders flows by fairness id; production uses map order).
 * - Decay, once per pick: every known program with no queued item in the band being served and
 *   nothing in flight: S ×= 0.5^(Δt/halfLife) (Δt since its last decay, lasHalfLifeSeconds > 0) or
 *   S ×= lasDecayFactor. Busy programs restart their decay clock.
 * - PreRequest: in-flight +1. End of stream: in-flight −1, S += prompt_tokens + 2·completion_tokens
 *   from the response's usage (`ResponseInfo.usage`); when the response path gives no usage, routesim
 *   adds the SimpleTokenEstimator estimate of the request (input + 1.5·input; an approximation).
 * - Every evictionSweepSeconds (checked on each call): programs with nothing in flight whose last
 *   completion is older than evictionTtlSeconds are forgotten.
 *
 * The flow controller gives it the dispatch time (`observeNow`) before each pick.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type {
  CycleContext,
  FairnessPolicy,
  FlowQueueView,
  LLMRequest,
  PreRequest,
  ResponseComplete,
  ResponseInfo,
  SchedulingResult,
} from '../../framework/types.js';
import type { ClockedFairnessPolicy } from '../../flowcontrol/types.js';
import { estimateTokens } from '../producer/tokenEstimator.js';
import { flowHead, flowLength } from './order.js';

export interface ProgramAwareParams {
  readonly lasWeightService: number;
  readonly lasWeightHeadWait: number;
  readonly lasDecayFactor: number;
  readonly lasHalfLifeSeconds: number;
  readonly evictionTtlSeconds: number;
  readonly evictionSweepSeconds: number;
}

interface Program {
  service: number;
  inFlight: number;
  lastDecayUs: number;
  lastCompletionUs: number;
}

const US = 1_000_000;

/** Min–max normalisation over `vs` (all equal → 0.5 each). */
function normalise(vs: readonly number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of vs) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return vs.map((v) => (hi === lo ? 0.5 : (v - lo) / (hi - lo)));
}

export class ProgramAwareFairness implements FairnessPolicy, ClockedFairnessPolicy, PreRequest, ResponseComplete {
  readonly type = 'program-aware-fairness';
  readonly programs = new Map<string, Program>();
  private nowUs = 0;
  private lastSweepUs = 0;
  constructor(readonly name: string, readonly params: ProgramAwareParams) {}

  observeNow(nowUs: number): void {
    this.nowUs = Math.max(this.nowUs, nowUs);
  }

  /** Attained service of a program (0 when unknown). */
  service(programId: string): number {
    return this.programs.get(programId)?.service ?? 0;
  }

  private program(id: string): Program {
    let p = this.programs.get(id);
    if (!p) {
      p = { service: 0, inFlight: 0, lastDecayUs: this.nowUs, lastCompletionUs: this.nowUs };
      this.programs.set(id, p);
    }
    return p;
  }

  private sweep(): void {
    if (this.nowUs - this.lastSweepUs < this.params.evictionSweepSeconds * US) return;
    this.lastSweepUs = this.nowUs;
    const ttl = this.params.evictionTtlSeconds * US;
    for (const [id, p] of this.programs) if (p.inFlight === 0 && this.nowUs - p.lastCompletionUs > ttl) this.programs.delete(id);
  }

  private decay(busy: ReadonlySet<string>): void {
    const hl = this.params.lasHalfLifeSeconds;
    for (const [id, p] of this.programs) {
      if (busy.has(id) || p.inFlight > 0) {
        p.lastDecayUs = this.nowUs;
        continue;
      }
      p.service *= hl > 0 ? Math.pow(0.5, (this.nowUs - p.lastDecayUs) / (hl * US)) : this.params.lasDecayFactor;
      p.lastDecayUs = this.nowUs;
    }
  }

  selectQueue(_band: number, flows: readonly FlowQueueView[]): FlowQueueView | null {
    this.sweep();
    const live = flows.filter((f) => flowLength(f) > 0);
    this.decay(new Set(live.map((f) => f.fairnessId)));
    if (live.length === 0) return null;
    const s = normalise(live.map((f) => this.service(f.fairnessId)));
    const w = normalise(live.map((f) => (this.nowUs - (flowHead(f)?.enqueueUs ?? this.nowUs)) / 1000));
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < live.length; i++) {
      const score = this.params.lasWeightService * (1 - s[i]!) + this.params.lasWeightHeadWait * w[i]!;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return live[best]!;
  }

  preRequest(ctx: CycleContext, req: LLMRequest, _result: SchedulingResult): void {
    this.observeNow(ctx.nowUs);
    this.program(req.fairnessId).inFlight++;
  }

  responseComplete(ctx: CycleContext, req: LLMRequest, response: ResponseInfo): void {
    this.observeNow(ctx.nowUs);
    const p = this.program(req.fairnessId);
    p.inFlight = Math.max(0, p.inFlight - 1);
    const u = response.usage;
    p.service += u ? u.promptTokens + 2 * u.completionTokens : estimateTokens(req);
    p.lastCompletionUs = this.nowUs;
    this.sweep();
  }
}

const params = z.strictObject({
  strategy: z.enum(['las']).default('las').describe('Scheduling strategy (only las: least attained service).'),
  lasWeightService: z.number().default(0.8).describe('Weight of (1 − normalised attained service).'),
  lasWeightHeadWait: z.number().default(0.2).describe('Weight of the normalised head-of-queue wait.'),
  lasDecayFactor: z.number().default(0.99997).describe('Per-pick decay of idle programs\' service, in (0, 1].'),
  lasHalfLifeSeconds: z.number().default(0).describe('> 0: time-based decay with this half-life instead of the factor.'),
  evictionTtlSeconds: z.number().default(3600).describe('Forget idle programs whose last completion is older than this.'),
  evictionSweepSeconds: z.number().default(300).describe('How often idle programs are swept.'),
});

export const programAwareFairness: PluginDefinition<typeof params> = {
  type: 'program-aware-fairness',
  dialects: ['llm-d-v0.10'],
  kinds: ['FairnessPolicy', 'PreRequest', 'ResponseComplete'],
  source: 'llm-d-router v0.10.0',
  description:
    'Flow-control fairness (least attained service per program = fairness id): serves the flow maximising 0.8·(1 − norm(service)) + 0.2·norm(head wait); service += prompt + 2·completion tokens at end of stream, decaying while idle.',
  params,
  create: (name, p) => {
    if (!(p.lasDecayFactor > 0 && p.lasDecayFactor <= 1)) throw new ParamError('lasDecayFactor', `lasDecayFactor must be in (0, 1] (got ${p.lasDecayFactor})`);
    if (!(p.lasHalfLifeSeconds >= 0)) throw new ParamError('lasHalfLifeSeconds', `lasHalfLifeSeconds must be ≥ 0 (got ${p.lasHalfLifeSeconds})`);
    if (!(p.lasWeightService >= 0 && p.lasWeightHeadWait >= 0))
      throw new ParamError('lasWeightService', 'lasWeightService and lasWeightHeadWait must be ≥ 0');
    if (!(p.evictionTtlSeconds > 0 && p.evictionSweepSeconds > 0))
      throw new ParamError('evictionTtlSeconds', 'evictionTtlSeconds and evictionSweepSeconds must be > 0');
    return new ProgramAwareFairness(name, p);
  },
};
