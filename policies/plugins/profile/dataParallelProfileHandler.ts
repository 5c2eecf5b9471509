/**
 * `data-parallel-profile-handler` (llm-d, still registered Beta in llm-d-router v0.10.0;
 * `llm-d-router.md` §4.5): for data-parallel engines that expose one port per rank behind a
 * primary port. Exactly one profile; after it ran the handler sets the upstream header
 * `x-data-parallel-host-port` = the chosen endpoint's `ip:port` and rewrites every target's port
 * to `primaryPort`, so the request enters at the primary port and the engine's sidecar forwards
 * it to the chosen rank. Scores are not carried through.
 *
 * In routesim endpoints are already per rank and have no ports: the chosen rank stays the target
 * (what serves the request is the same), and the header carries its name (disaggAttributes.ts).
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import {
  SchedulingError,
  type CycleContext,
  type LLMRequest,
  type ProfileHandler,
  type ProfileRunResult,
  type SchedulerProfile,
  type SchedulingResult,
} from '../../framework/types.js';
import { HEADER_DATA_PARALLEL_HOST_PORT, hostPort, upstreamHeaders } from './disaggAttributes.js';
import { NO_PROFILES, firstRunResult } from './profileResults.js';

export class DataParallelProfileHandler implements ProfileHandler {
  readonly type = 'data-parallel-profile-handler';
  constructor(
    readonly name: string,
    /** Port every target is rewritten to (0 = off); no effect in routesim. */
    readonly primaryPort: number,
  ) {}

  pickProfiles(
    _ctx: CycleContext,
    _req: LLMRequest,
    profiles: ReadonlyMap<string, SchedulerProfile>,
    results: ReadonlyMap<string, ProfileRunResult | null>,
  ): Map<string, SchedulerProfile> {
    if (results.size > 0) return NO_PROFILES;
    if (profiles.size !== 1) throw new SchedulingError(`data parallel profile handler needs exactly one profile, found ${profiles.size}`);
    return new Map(profiles);
  }

  processResults(ctx: CycleContext, _req: LLMRequest, results: ReadonlyMap<string, ProfileRunResult | null>): SchedulingResult {
    const [name, result] = firstRunResult(results);
    const chosen = result.targetEndpoints[0];
    if (!chosen) throw new SchedulingError(`failed to run scheduler profile '${name}'`);
    upstreamHeaders(ctx).set(HEADER_DATA_PARALLEL_HOST_PORT, hostPort(chosen));
    return { profileResults: new Map([[name, { targetEndpoints: result.targetEndpoints }]]), primaryProfileName: name };
  }
}

const params = z.strictObject({
  primaryPort: z.number().int().default(8000).describe('port every target is rewritten to (1–65535; 0 = off); no effect in routesim, whose endpoints are per rank'),
});

export const dataParallelProfileHandler: PluginDefinition<typeof params> = {
  type: 'data-parallel-profile-handler',
  dialects: ['llm-d-v0.10'],
  kinds: ['ProfileHandler'],
  source: 'llm-d-router v0.10.0',
  description:
    'Data-parallel ranks behind one primary port: runs the single profile, sets x-data-parallel-host-port to the chosen endpoint and rewrites targets to primaryPort (no effect in routesim, whose endpoints are per rank).',
  params,
  create: (name, p) => {
    if (p.primaryPort !== 0 && (p.primaryPort < 1 || p.primaryPort > 65535)) throw new ParamError('primaryPort', `primaryPort ${p.primaryPort} is not a port (1–65535, or 0)`);
    return new DataParallelProfileHandler(name, p.primaryPort);
  },
};
