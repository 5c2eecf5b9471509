/**
 * Pinned plugin answers for pick-case replays (issue 13, `routesim pick --from-decision`,
 * fromDecision.ts): a case request may pin scorer instances to given raw scores (`pinScores`) and
 * filter instances to given survivors (`pinSurvivors`), standing in for EPP state a replay cannot
 * rebuild (prefix index, in-flight counters). Requests that pin nothing run the plugins as loaded.
 */
import type { ResolvedConfig } from '../config/loader.js';
import type { Filter, SchedulerProfile } from '../framework/types.js';

export interface Pins {
  readonly pinScores?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly pinSurvivors?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The config with every scorer / filter instance some request pins wrapped: while the current
 * request pins it, it answers the pinned scores / survivors; otherwise it runs as loaded.
 */
export function withPins(config: ResolvedConfig, requests: readonly Pins[], current: () => Pins): ResolvedConfig {
  const scorers = new Set<string>();
  const filters = new Set<string>();
  for (const q of requests) {
    for (const n of Object.keys(q.pinScores ?? {})) scorers.add(n);
    for (const n of Object.keys(q.pinSurvivors ?? {})) filters.add(n);
  }
  if (scorers.size === 0 && filters.size === 0) return config;
  const profiles = new Map<string, SchedulerProfile>();
  for (const [name, p] of config.profiles) {
    profiles.set(name, {
      ...p,
      filters: p.filters.map((f): Filter => (!filters.has(f.name) ? f : {
        type: f.type,
        name: f.name,
        filter: (ctx, req, eps) => {
          const keep = current().pinSurvivors?.[f.name];
          if (keep === undefined) return f.filter(ctx, req, eps);
          const set = new Set(keep);
          return eps.filter((e) => set.has(e.name));
        },
      })),
      scorers: p.scorers.map((s): SchedulerProfile['scorers'][number] => (!scorers.has(s.scorer.name) ? s : {
        weight: s.weight,
        scorer: {
          type: s.scorer.type,
          name: s.scorer.name,
          category: s.scorer.category,
          score: (ctx, req, eps) => {
            const pinned = current().pinScores?.[s.scorer.name];
            if (pinned === undefined) return s.scorer.score(ctx, req, eps);
            return new Map(eps.map((e) => [e.name, pinned[e.name] ?? 0] as const));
          },
        },
      })),
    });
  }
  return { ...config, profiles };
}

