/**
 * Small pieces every profile handler repeats (`epp.md` §1.7, `llm-d-router.md` §4.5): the empty
 * "run nothing more" pick, and "the one profile that ran, or fail the request".
 */
import { SchedulingError, type ProfileRunResult, type SchedulerProfile } from '../../framework/types.js';

/** pickProfiles' "no more profiles to run". Shared and never mutated. */
export const NO_PROFILES: Map<string, SchedulerProfile> = new Map();

/**
 * The first (for single-profile handlers: the only) profile result; throws SchedulingError
 * "failed to run scheduler profile '<name>'" when it is missing or failed (nil).
 */
export function firstRunResult(results: ReadonlyMap<string, ProfileRunResult | null>): [string, ProfileRunResult] {
  // Read through forEach, which the scheduler's ProfileResultMap gives without an iterator (issue 15).
  let name = '';
  let result: ProfileRunResult | null = null;
  let seen = false;
  results.forEach((r, k) => {
    if (seen) return;
    seen = true;
    name = k;
    result = r;
  });
  if (!result) throw new SchedulingError(`failed to run scheduler profile '${name}'`);
  return [name, result];
}
