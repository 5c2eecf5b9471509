/**
 * Resolves a scenario's `step_time.profile` (calibration.md §3): paths relative to the scenario
 * file, and the tables read and checked once at load time (problems are one line naming the file).
 */
import type { ProfileSource } from '../../../scenario/types.js';
import { loadLlmServingSim } from './llmservingsim.js';
import { loadAllReduceTable } from './networkTable.js';
import { loadVidurMlp } from './vidur.js';

export function resolveProfileSource(src: ProfileSource, rel: (path: string) => string): ProfileSource {
  if (src.format === 'llmservingsim') {
    const out = { ...src, dir: rel(src.dir) };
    loadLlmServingSim(out.dir, out.prefix);
    return out;
  }
  const out = {
    format: 'vidur' as const,
    mlp: rel(src.mlp),
    ...(src.all_reduce !== undefined ? { all_reduce: rel(src.all_reduce) } : {}),
    ...(src.attention !== undefined ? { attention: rel(src.attention) } : {}),
  };
  loadVidurMlp(out.mlp);
  if (out.all_reduce !== undefined) loadAllReduceTable(out.all_reduce);
  return out;
}
