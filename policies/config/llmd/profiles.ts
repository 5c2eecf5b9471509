/**
 * llm-d-router v0.10.0 scheduling defaults and validation (`llm-d-router.md` §2.8, §2.9 steps 3–4):
 * no profiles → one `default` profile with every Filter, Scorer and Picker (declaration order; the
 * production iterates a map); no picker anywhere → `max-score-picker`; every pickerless profile
 * gets the first picker found; unweighted scorers weigh 1.0; one profile and no handler →
 * `single-profile-handler`; then exactly one profile handler, and a single-profile handler with more
 * than one profile is an error.
 */
import { isFilter, isPicker, isProfileHandler, isScorer, type Filter, type Picker, type Plugin, type ProfileHandler, type SchedulerProfile, type Scorer } from '../../framework/types.js';
import { ConfigError } from '../errors.js';
import { refError, type RequiresProfiles } from '../loader.js';
import type { PluginSet } from './pluginSet.js';
import type { LlmdConfigDoc } from './schema.js';

export const DEFAULT_PICKER = 'max-score-picker';
export const DEFAULT_PROFILE_HANDLER = 'single-profile-handler';
export const DEFAULT_SCORER_WEIGHT = 1.0;

interface Draft {
  name: string;
  filters: Filter[];
  scorers: { scorer: Scorer; weight: number }[];
  picker: Picker | null;
}

export function resolveProfiles(docs: LlmdConfigDoc['schedulingProfiles'], set: PluginSet, warnings: string[]): { profiles: Map<string, SchedulerProfile>; handler: ProfileHandler } {
  const add = (d: Draft, p: Plugin, weight: number | undefined, path: string): void => {
    if (isScorer(p)) {
      d.scorers.push({ scorer: p, weight: weight ?? DEFAULT_SCORER_WEIGHT });
      if (weight !== undefined && weight < 0) warnings.push(`${path.replace(/\.pluginRef$/, '.weight')}: weight ${weight} of scorer "${p.name}" is negative; the EPP accepts it and subtracts its score, so endpoints it favours are avoided (fix: use a weight ≥ 0 to favour them, or 0 to switch the scorer off)`);
    }
    if (isFilter(p)) d.filters.push(p);
    if (isPicker(p)) {
      if (d.picker) throw new ConfigError(path, `profile "${d.name}" already has the picker "${d.picker.name}"; "${p.name}" would be a second one`, 'keep one picker per profile');
      d.picker = p;
    }
  };
  const all = set.ordered();
  const drafts: Draft[] = [];
  if (!docs || docs.length === 0) {
    const d: Draft = { name: 'default', filters: [], scorers: [], picker: null };
    for (const p of all.values()) if (isFilter(p) || isScorer(p) || isPicker(p)) add(d, p, undefined, 'plugins');
    drafts.push(d);
  } else {
    const seen = new Map<string, number>();
    docs.forEach((pd, i) => {
      const prev = seen.get(pd.name);
      if (prev !== undefined) throw new ConfigError(`schedulingProfiles[${i}].name`, `duplicate profile name "${pd.name}" (also schedulingProfiles[${prev}])`, 'give each profile a unique name');
      seen.set(pd.name, i);
      const d: Draft = { name: pd.name, filters: [], scorers: [], picker: null };
      pd.plugins.forEach((ref, j) => {
        const path = `schedulingProfiles[${i}].plugins[${j}].pluginRef`;
        const p = all.get(ref.pluginRef);
        if (!p) throw refError(path, ref.pluginRef, all.keys());
        add(d, p, ref.weight, path);
      });
      drafts.push(d);
    });
  }
  if (drafts.some((d) => d.picker === null)) {
    let picker = [...all.values()].find(isPicker);
    if (!picker) {
      if (set.has(DEFAULT_PICKER)) throw new ConfigError('plugins', `a profile lacks a picker and the name "${DEFAULT_PICKER}" is taken by another plugin type`, 'add a picker to every profile');
      picker = set.auto(DEFAULT_PICKER, 'no picker configured') as Picker;
    }
    for (const d of drafts) if (d.picker === null) d.picker = picker;
  }
  const profiles = new Map<string, SchedulerProfile>();
  for (const d of drafts) profiles.set(d.name, { name: d.name, filters: d.filters, scorers: d.scorers, picker: d.picker! });

  let handlers = [...set.ordered().values()].filter(isProfileHandler);
  if (handlers.length === 0 && profiles.size === 1) handlers = [set.auto(DEFAULT_PROFILE_HANDLER, 'one profile and no profile handler') as ProfileHandler];
  if (handlers.length !== 1) {
    throw new ConfigError(
      'plugins',
      handlers.length === 0 ? `${profiles.size} scheduling profiles but no profile handler` : `${handlers.length} profile handlers (${handlers.map((h) => h.name).join(', ')}); exactly one is allowed`,
      handlers.length === 0 ? 'add a profile handler plugin (e.g. disagg-profile-handler) or use one profile' : 'keep one profile handler',
    );
  }
  const handler = handlers[0]!;
  if (handler.type === DEFAULT_PROFILE_HANDLER && profiles.size > 1) {
    throw new ConfigError('schedulingProfiles', `single-profile-handler "${handler.name}" with ${profiles.size} profiles (${[...profiles.keys()].join(', ')})`, 'use one profile, or a multi-profile handler such as disagg-profile-handler');
  }
  for (const r of (handler as Partial<RequiresProfiles>).requiredProfiles ?? []) {
    if (!profiles.has(r)) throw new ConfigError('schedulingProfiles', `profile handler "${handler.name}" needs a profile named "${r}"`, `add a "${r}" profile (profiles here: ${[...profiles.keys()].join(', ')})`);
  }
  return { profiles, handler };
}
