/**
 * `header-profile-handler` (llm-d-router v0.10.0, Alpha; `llm-d-router.md` §4.5): runs exactly one
 * profile per request: the only one when the config has one; else the profile named by the
 * request header `headerName` (matched lower-cased; value trimmed, case-sensitive), or
 * `defaultProfile` when the header is absent or empty. A name that is not a profile runs nothing,
 * so the request fails with 429. Primary = the profile that ran.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, ProfileHandler, ProfileRunResult, SchedulerProfile, SchedulingResult } from '../../framework/types.js';
import { NO_PROFILES, firstRunResult } from './profileResults.js';

export class HeaderProfileHandler implements ProfileHandler {
  readonly type = 'header-profile-handler';
  readonly headerName: string;

  constructor(
    readonly name: string,
    headerName: string,
    readonly defaultProfile: string,
  ) {
    this.headerName = headerName.toLowerCase();
  }

  /** The profile this request runs (null: none of that name). */
  chosen(req: LLMRequest, profiles: ReadonlyMap<string, SchedulerProfile>): string | null {
    if (profiles.size === 1) return profiles.keys().next().value as string;
    const v = (req.headers[this.headerName] ?? '').trim();
    const want = v === '' ? this.defaultProfile : v;
    return profiles.has(want) ? want : null;
  }

  pickProfiles(
    _ctx: CycleContext,
    req: LLMRequest,
    profiles: ReadonlyMap<string, SchedulerProfile>,
    results: ReadonlyMap<string, ProfileRunResult | null>,
  ): Map<string, SchedulerProfile> {
    if (results.size > 0) return NO_PROFILES;
    const name = this.chosen(req, profiles);
    return name === null ? NO_PROFILES : new Map([[name, profiles.get(name)!]]);
  }

  processResults(_ctx: CycleContext, _req: LLMRequest, results: ReadonlyMap<string, ProfileRunResult | null>): SchedulingResult {
    const [name] = firstRunResult(results);
    return { profileResults: results, primaryProfileName: name };
  }
}

const params = z.strictObject({
  headerName: z.string().min(1).default('EPP-Profile').describe('request header naming the profile to run (matched lower-cased)'),
  defaultProfile: z.string().min(1).default('decode').describe('profile run when the header is absent or empty'),
});

export const headerProfileHandler: PluginDefinition<typeof params> = {
  type: 'header-profile-handler',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['ProfileHandler'],
  source: 'llm-d-router v0.10.0',
  description:
    'Runs one profile: the only one, else the one named by the header (trimmed, case-sensitive), else defaultProfile when the header is empty. An unknown name runs nothing (429). Primary = that profile.',
  params,
  create: (name, p) => new HeaderProfileHandler(name, p.headerName, p.defaultProfile),
};
