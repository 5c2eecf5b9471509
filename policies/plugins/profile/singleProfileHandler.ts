/**
 * `single-profile-handler` (GAIE v1.5.0 `scheduling/framework/plugins/profile/single_profile_handler.go`,
 * `epp.md` §1.7): runs every profile once (the loader allows only one), then requires exactly one
 * result; a failed (nil) result fails the request. The primary profile is that one.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import {
  SchedulingError,
  type CycleContext,
  type LLMRequest,
  type ProfileHandler,
  type ProfileRunResult,
  type SchedulerProfile,
  type SchedulingResult,
} from '../../framework/types.js';
import { NO_PROFILES, firstRunResult } from './profileResults.js';

export class SingleProfileHandler implements ProfileHandler {
  readonly type = 'single-profile-handler';
  readonly keepsNoCandidates = true;
  private lastProfiles: ReadonlyMap<string, SchedulerProfile> | null = null;
  private all: Map<string, SchedulerProfile> = NO_PROFILES;

  constructor(readonly name: string) {}

  pickProfiles(
    _ctx: CycleContext,
    _req: LLMRequest,
    profiles: ReadonlyMap<string, SchedulerProfile>,
    results: ReadonlyMap<string, ProfileRunResult | null>,
  ): Map<string, SchedulerProfile> {
    // Pick returns all profiles until every one has a result.
    if (results.size === profiles.size) return NO_PROFILES;
    if (profiles !== this.lastProfiles) {
      this.lastProfiles = profiles;
      this.all = new Map(profiles);
    }
    return this.all;
  }

  processResults(_ctx: CycleContext, _req: LLMRequest, results: ReadonlyMap<string, ProfileRunResult | null>): SchedulingResult {
    if (results.size !== 1) throw new SchedulingError(`single profile handler is intended to be used with a single profile, but ${results.size} results were found`);
    const [name] = firstRunResult(results);
    return { profileResults: results, primaryProfileName: name };
  }
}

export const singleProfileHandler: PluginDefinition = {
  type: 'single-profile-handler',
  kinds: ['ProfileHandler'],
  source: 'GAIE v1.5.0',
  description:
    'Runs the one scheduling profile and makes it primary; a profile that fails (no endpoint left) fails the request (HTTP 429). Added automatically when a config has one profile and no handler; a config with more than one profile cannot use it.',
  params: z.strictObject({}),
  create: (name) => new SingleProfileHandler(name),
};
