/**
 * LLMServingSim's decode-length skew blend (calibration.md §3.3): the attention grid is queried at
 * the mean decode context; when decode lengths differ, the time is blended toward a second lookup
 * at the longest one, t = t(kv_mean) + α·(t(kv_max) − t(kv_mean)). LSS keys α by a 5-axis bucket
 * table (`tp<N>/skew_fit.csv`, not in the shared data) and falls back to the pooled
 * `skew_fit.per_tp.<tp>.alpha_default` of the profile's meta; routesim uses that pooled α for every
 * bucket. A profile without a meta file, or whose meta disables the skew fit (the RTX 4090 one),
 * has α = 0: no blend. Skipped, as in LSS, when nd ≤ 1, when all decodes share one length, or when
 * t(kv_max) ≤ t(kv_mean).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../../../core/errors.js';
import { noteInput } from '../../../core/inputsRead.js';

/** `<dir>/<prefix without _tp<N>>_profile_meta.json` → the pooled α for `tp` (0 when absent or disabled). */
export function skewAlpha(dir: string, prefix: string, tp: number): number {
  const file = join(dir, `${prefix.replace(/_tp\d+$/, '')}_profile_meta.json`);
  if (!existsSync(file)) return 0;
  noteInput(file);
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw inputError(file, '', `not JSON (${(e as Error).message.split('\n')[0]})`, 'point step_time.profile at an LLMServingSim profile whose _profile_meta.json is intact');
  }
  const fit = (meta as { skew_fit?: { enabled?: boolean; per_tp?: Record<string, { alpha_default?: unknown }> } }).skew_fit;
  if (fit?.enabled !== true) return 0;
  const a = fit.per_tp?.[String(tp)]?.alpha_default;
  if (a === undefined) return 0;
  if (typeof a !== 'number' || !Number.isFinite(a)) {
    throw inputError(file, `skew_fit.per_tp.${tp}.alpha_default`, `is ${JSON.stringify(a)}, not a number`, 'fix the meta file or remove its skew_fit');
  }
  return a;
}
