/**
 * The decode-first P/D sequence shared by llm-d's `pd-profile-handler` (v0.7.0) and
 * `disagg-profile-handler` (router HEAD), `epp.md` §1.7: run the decode profile; if it failed,
 * stop (the request fails); otherwise ask the decider with the chosen decode endpoint and run the
 * prefill profile only when it says so. The result's primary profile is decode; a successful
 * prefill result is attached (a failed prefill leaves a decode-only result).
 */
import {
  SchedulingError,
  type CycleContext,
  type LLMRequest,
  type PdDecider,
  type ProfileHandler,
  type ProfileRunResult,
  type SchedulerProfile,
  type SchedulingResult,
} from '../../framework/types.js';
import { NO_PROFILES } from './profileResults.js';

export abstract class DecodeFirstHandler implements ProfileHandler {
  abstract readonly type: string;
  /** Profiles the loader checks exist. */
  readonly requiredProfiles: readonly string[];
  private lastProfiles: ReadonlyMap<string, SchedulerProfile> | null = null;
  private decodeOnly: Map<string, SchedulerProfile> = NO_PROFILES;
  private prefillOnly: Map<string, SchedulerProfile> = NO_PROFILES;

  constructor(
    readonly name: string,
    readonly decodeProfile: string,
    readonly prefillProfile: string,
    /** Null: never disaggregate. */
    readonly decider: PdDecider | null,
  ) {
    this.requiredProfiles = decider ? [decodeProfile, prefillProfile] : [decodeProfile];
  }

  pickProfiles(
    ctx: CycleContext,
    req: LLMRequest,
    profiles: ReadonlyMap<string, SchedulerProfile>,
    results: ReadonlyMap<string, ProfileRunResult | null>,
  ): Map<string, SchedulerProfile> {
    if (profiles !== this.lastProfiles) {
      this.lastProfiles = profiles;
      this.decodeOnly = new Map([[this.decodeProfile, profiles.get(this.decodeProfile)!]]);
      const pf = profiles.get(this.prefillProfile);
      this.prefillOnly = pf ? new Map([[this.prefillProfile, pf]]) : NO_PROFILES;
    }
    // Decode first.
    if (!results.has(this.decodeProfile)) return this.decodeOnly;
    const decode = results.get(this.decodeProfile);
    // Every profile ran, or decode failed: nothing more to run. (The production compares only the
    // counts, so with a third profile it would ask the decider again and re-run prefill forever;
    // routesim also stops once prefill has a result.)
    if (profiles.size === results.size || decode === null || decode === undefined || results.has(this.prefillProfile)) return NO_PROFILES;
    const target = decode.targetEndpoints[0];
    if (this.decider && target && this.prefillOnly.size > 0 && this.decider.disaggregate(ctx, req, target)) return this.prefillOnly;
    return NO_PROFILES;
  }

  processResults(_ctx: CycleContext, _req: LLMRequest, results: ReadonlyMap<string, ProfileRunResult | null>): SchedulingResult {
    const decode = results.get(this.decodeProfile);
    if (!decode) throw new SchedulingError('failed to find available decode workers');
    const out = new Map<string, ProfileRunResult | null>([[this.decodeProfile, decode]]);
    const prefill = results.get(this.prefillProfile);
    if (prefill) out.set(this.prefillProfile, prefill);
    return { profileResults: out, primaryProfileName: this.decodeProfile };
  }
}
