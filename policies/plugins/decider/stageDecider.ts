/**
 * llm-d-router v0.10.0's disaggregation decider contract (`llm-d-router.md` §4.5): the same
 * question as the P/D decider (framework/types.ts PdDecider), asked per stage (prefill, encode),
 * but the endpoint may be absent: in `prefill-first` order the encode decider is asked before
 * any decode pick exists. The v0.10 deciders accept null; the handler passes null to any decider in
 * that case (disaggProfileHandler.v010.ts), so a decider used for prefill-first encode must too.
 */
import type { CycleContext, LLMRequest, PdDecider, SchedEndpoint } from '../../framework/types.js';

export interface StageDecider extends PdDecider {
  disaggregate(ctx: CycleContext, req: LLMRequest, endpoint: SchedEndpoint | null): boolean;
}
