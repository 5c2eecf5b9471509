/**
 * `disagg-profile-handler` as llm-d-router v0.10.0 has it (`llm-d-router.md` §4.5, §5, §2.9):
 * up to three stages over the profiles `decode`, `prefill` and `encode`, in one of two orders.
 *
 * - decode-first (default): run decode (failed → stop); then, if the encode profile exists and
 *   the encode decider says yes for the decode pick, run encode; then, if the prefill profile
 *   exists and the prefill decider says yes, set the request attribute `peer-endpoint` = the decode
 *   pick and run prefill. A stage without a decider is skipped.
 * - prefill-first: run prefill (no decider: configuring one is an error); then encode if its
 *   decider says yes (asked with no endpoint); then set `peer-endpoint` = the prefill pick (when
 *   prefill found one) and run decode.
 *
 * ProcessResults: no decode result → SchedulingError (429); primary = decode, successful prefill
 * and encode results attached; the decision type of `disagg_decision_total` is recorded as a
 * request attribute. PreRequest: `x-prefiller-host-port` / `x-encoder-hosts-ports` (see
 * disaggAttributes.ts). The handler requires the default prefix-match key and the TokenizedPrompt
 * (the v0.10 loader auto-creates both producers).
 *
 * Parameters: new form `stageOrder`, `profiles {decode, prefill, encode}`, `deciders {prefill,
 * encode}`; the legacy flat form (`decodeProfile`, `prefillProfile`, `encodeProfile`,
 * `prefillDeciderPluginName`, `encodeDeciderPluginName`) is read when the new form fails strict
 * decoding, i.e. when a flat field is present; mixing both forms fails both decodings (an error).
 */
import { z } from 'zod';
import { PEER_ENDPOINT } from '../../framework/dataKeys.js';
import { ParamError, type FactoryContext, type PluginDefinition } from '../../framework/registry.js';
import {
  isPdDecider,
  SchedulingError,
  type CycleContext,
  type LLMRequest,
  type PdDecider,
  type PreRequest,
  type ProfileHandler,
  type ProfileRunResult,
  type SchedEndpoint,
  type SchedulerProfile,
  type SchedulingResult,
} from '../../framework/types.js';
import { DISAGG_DECISION, setDisaggHeaders, type DisaggDecision } from './disaggAttributes.js';
import { NO_PROFILES } from './profileResults.js';

export type StageOrder = 'decode-first' | 'prefill-first';

/** `decode-first`, `prefill-first`, `decode`, `prefill`, case-, dash- and underscore-insensitive. */
export function parseStageOrder(text: string): StageOrder | null {
  const s = text.toLowerCase().replace(/[-_]/g, '');
  if (s === 'decodefirst' || s === 'decode') return 'decode-first';
  if (s === 'prefillfirst' || s === 'prefill') return 'prefill-first';
  return null;
}

export interface DisaggStages {
  readonly order: StageOrder;
  readonly decode: string;
  readonly prefill: string;
  readonly encode: string;
  readonly prefillDecider: PdDecider | null;
  readonly encodeDecider: PdDecider | null;
}

export class DisaggProfileHandlerV010 implements ProfileHandler, PreRequest {
  readonly type = 'disagg-profile-handler';
  /** Profiles the loader checks exist. */
  readonly requiredProfiles: readonly string[];
  private lastProfiles: ReadonlyMap<string, SchedulerProfile> | null = null;
  private single = new Map<string, Map<string, SchedulerProfile>>();

  constructor(
    readonly name: string,
    readonly stages: DisaggStages,
  ) {
    this.requiredProfiles = stages.order === 'prefill-first' ? [stages.decode, stages.prefill] : [stages.decode];
  }

  pickProfiles(
    ctx: CycleContext,
    req: LLMRequest,
    profiles: ReadonlyMap<string, SchedulerProfile>,
    results: ReadonlyMap<string, ProfileRunResult | null>,
  ): Map<string, SchedulerProfile> {
    const { decode: D, prefill: P, encode: E, encodeDecider, prefillDecider } = this.stages;
    const only = (name: string): Map<string, SchedulerProfile> => this.only(profiles, name);
    if (this.stages.order === 'decode-first') {
      if (!results.has(D)) return only(D);
      const pick = results.get(D)?.targetEndpoints[0];
      if (!pick) return NO_PROFILES;
      // Encode is decided once: before prefill has been decided (it runs after encode).
      if (profiles.has(E) && !results.has(E) && !results.has(P) && ask(encodeDecider, ctx, req, pick)) return only(E);
      if (profiles.has(P) && !results.has(P) && ask(prefillDecider, ctx, req, pick)) {
        ctx.cycleState.set(PEER_ENDPOINT, pick);
        return only(P);
      }
      return NO_PROFILES;
    }
    if (!results.has(P)) return only(P);
    if (results.has(D)) return NO_PROFILES;
    if (profiles.has(E) && !results.has(E) && ask(encodeDecider, ctx, req, null)) return only(E);
    const prefillPick = results.get(P)?.targetEndpoints[0];
    if (prefillPick) ctx.cycleState.set(PEER_ENDPOINT, prefillPick);
    return only(D);
  }

  processResults(ctx: CycleContext, _req: LLMRequest, results: ReadonlyMap<string, ProfileRunResult | null>): SchedulingResult {
    const { decode: D, prefill: P, encode: E } = this.stages;
    const decode = results.get(D);
    if (!decode) throw new SchedulingError('failed to find available decode workers');
    const out = new Map<string, ProfileRunResult | null>([[D, decode]]);
    const prefill = results.get(P);
    if (prefill) out.set(P, prefill);
    const encode = results.get(E);
    if (encode) out.set(E, encode);
    const decision: DisaggDecision = results.has(E) ? (results.has(P) ? 'encode-prefill-decode' : 'encode-decode') : results.has(P) ? 'prefill-decode' : 'decode-only';
    ctx.cycleState.set(DISAGG_DECISION, decision);
    return { profileResults: out, primaryProfileName: D };
  }

  preRequest(ctx: CycleContext, _req: LLMRequest, result: SchedulingResult): void {
    setDisaggHeaders(ctx, result, this.stages.prefill, this.stages.encode);
  }

  private only(profiles: ReadonlyMap<string, SchedulerProfile>, name: string): Map<string, SchedulerProfile> {
    if (profiles !== this.lastProfiles) {
      this.lastProfiles = profiles;
      this.single = new Map();
    }
    let m = this.single.get(name);
    if (!m) {
      const p = profiles.get(name);
      m = p ? new Map([[name, p]]) : NO_PROFILES;
      this.single.set(name, m);
    }
    return m;
  }
}

/** A stage's decider; none → the stage is skipped. The endpoint may be null (prefill-first encode). */
function ask(d: PdDecider | null, ctx: CycleContext, req: LLMRequest, e: SchedEndpoint | null): boolean {
  return d !== null && d.disaggregate(ctx, req, e as SchedEndpoint);
}

const name = z.string().min(1);
const params = z.strictObject({
  stageOrder: z.string().optional().describe('decode-first (default) or prefill-first (also decode / prefill; case, dash and underscore ignored)'),
  profiles: z
    .strictObject({
      decode: name.optional().describe('default "decode"'),
      prefill: name.optional().describe('default "prefill"'),
      encode: name.optional().describe('default "encode"'),
    })
    .optional()
    .describe('profile name per stage: {decode: decode, prefill: prefill, encode: encode}'),
  deciders: z
    .strictObject({ prefill: name.optional().describe('prefill decider instance'), encode: name.optional().describe('encode decider instance') })
    .optional()
    .describe('decider plugin instance per stage ({prefill, encode}); a stage without one is skipped (prefill-first runs prefill always and forbids a prefill decider)'),
  decodeProfile: name.optional().describe('legacy flat form of profiles.decode (cannot be mixed with the new form)'),
  prefillProfile: name.optional().describe('legacy flat form of profiles.prefill'),
  encodeProfile: name.optional().describe('legacy flat form of profiles.encode'),
  prefillDeciderPluginName: name.optional().describe('legacy flat form of deciders.prefill'),
  encodeDeciderPluginName: name.optional().describe('legacy flat form of deciders.encode'),
});
type Params = z.output<typeof params>;

const LEGACY = ['decodeProfile', 'prefillProfile', 'encodeProfile', 'prefillDeciderPluginName', 'encodeDeciderPluginName'] as const;
const NEW = ['stageOrder', 'profiles', 'deciders'] as const;

function decider(ctx: FactoryContext, ref: string | undefined, param: string): PdDecider | null {
  if (ref === undefined) return null;
  const d = ctx.plugin(ref);
  if (!d) throw new ParamError(param, `no plugin named "${ref}" (declare the decider, e.g. type prefix-based-pd-decider)`);
  if (!isPdDecider(d)) throw new ParamError(param, `plugin "${ref}" (${d.type}) is not a disaggregation decider`);
  return d;
}

/** Resolves either parameter form into stages (throws ParamError like the production's factory). */
export function resolveStages(p: Params, ctx: FactoryContext): DisaggStages {
  const legacy = LEGACY.filter((k) => p[k] !== undefined);
  if (legacy.length > 0) {
    const mixed = NEW.find((k) => p[k] !== undefined);
    if (mixed) throw new ParamError(mixed, `"${mixed}" (new form) mixed with the legacy flat field "${legacy[0]}": neither form decodes`);
    return {
      order: 'decode-first',
      decode: p.decodeProfile ?? 'decode',
      prefill: p.prefillProfile ?? 'prefill',
      encode: p.encodeProfile ?? 'encode',
      prefillDecider: decider(ctx, p.prefillDeciderPluginName, 'prefillDeciderPluginName'),
      encodeDecider: decider(ctx, p.encodeDeciderPluginName, 'encodeDeciderPluginName'),
    };
  }
  const order = p.stageOrder === undefined ? 'decode-first' : parseStageOrder(p.stageOrder);
  if (order === null) throw new ParamError('stageOrder', `unknown stage order "${p.stageOrder}" (use decode-first or prefill-first)`);
  if (order === 'prefill-first' && p.deciders?.prefill !== undefined) {
    throw new ParamError('deciders.prefill', 'prefill-first always runs prefill: a prefill decider is not allowed');
  }
  return {
    order,
    decode: p.profiles?.decode ?? 'decode',
    prefill: p.profiles?.prefill ?? 'prefill',
    encode: p.profiles?.encode ?? 'encode',
    prefillDecider: decider(ctx, p.deciders?.prefill, 'deciders.prefill'),
    encodeDecider: decider(ctx, p.deciders?.encode, 'deciders.encode'),
  };
}

export const disaggProfileHandlerV010: PluginDefinition<typeof params> = {
  type: 'disagg-profile-handler',
  dialects: ['llm-d-v0.10'],
  kinds: ['ProfileHandler', 'PreRequest'],
  source: 'llm-d-router v0.10.0',
  description:
    'Disaggregation over profiles decode, prefill and encode. decode-first: decode, then encode and prefill each when its decider says so for the decode pick; prefill-first: prefill, encode (decider), decode. Sets peer-endpoint for the later stage; primary = decode (no decode result → 429); PreRequest sets x-prefiller-host-port and x-encoder-hosts-ports.',
  params,
  create: (n, p, ctx) => new DisaggProfileHandlerV010(n, resolveStages(p, ctx)),
};
