/**
 * `routesim pick --from-decision FILE:LINE` (issue 13): turns one line of `routesim run --decisions`
 * or `routesim serve picker --decisions` (decisionLine.ts) into a one-request pick case that
 * expects the logged pick (a live line's null engine truth is not read: only what the picker saw).
 *
 * What is reproduced exactly: the candidates with the metrics the picker had scraped (and their
 * age), labels, the request (model after rewrite, priority, headers, time, engine block keys are
 * not logged), and every plugin that reads only those — metric and label filters and scorers.
 * What is not state the line can rebuild — the EPP's own memory: the approximate/precise prefix
 * index, in-flight counters (active-request, token-load, concurrency detector), the no-hit LRU,
 * and filters that draw random numbers — is PINNED: such a scorer returns the logged raw scores,
 * such a filter the logged survivors (pickCase.ts `pinScores` / `pinSurvivors`). Producers still
 * run on the empty state, so a P/D decider that reads their prefix attributes may decide
 * differently. Random tie-breaks replay: the line carries the cycle's draws from the picker's
 * stream and the case hands them back first (pickCase.ts `rngDraws`).
 */
import type { AnyDecisionLine } from './decisionLine.js';

/** Plugin types that read only the request, the labels and the scraped metrics (never pinned). */
export const REPLAYABLE_TYPES: ReadonlySet<string> = new Set([
  'queue-scorer',
  'kv-cache-utilization-scorer',
  'load-aware-scorer',
  'lora-affinity-scorer',
  'running-requests-size-scorer',
  'session-affinity-scorer',
  'by-label',
  'by-label-selector',
  'decode-filter',
  'prefill-filter',
  'encode-filter',
  'low-queue-filter',
  'least-kv-cache-filter',
  'least-queue-filter',
  'utilization-detector',
]);

/** Parses one line of a decisions file; throws an Error naming what is wrong. */
export function parseDecisionLine(text: string): AnyDecisionLine {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`not a JSON document (${(err as Error).message})`);
  }
  const d = v as Partial<AnyDecisionLine> | null;
  if (d === null || typeof d !== 'object' || typeof d.v !== 'number' || !Array.isArray(d.candidates) || !Array.isArray(d.profiles) || typeof d.request !== 'object') {
    throw new Error('not a decision line (expected v, request, candidates and profiles, as routesim run --decisions writes)');
  }
  return d as AnyDecisionLine;
}

/** A pick case document replaying `line` under `config` (EndpointPickerConfig text; undefined = the default config). */
export function pickCaseFromDecision(line: AnyDecisionLine, config: string | undefined, where = 'decision'): Record<string, unknown> {
  const pinScores: Record<string, Record<string, number>> = {};
  const pinSurvivors: Record<string, string[]> = {};
  for (const p of line.profiles) {
    for (const s of p.scorers) if (!REPLAYABLE_TYPES.has(s.type)) pinScores[s.scorer] = s.scores;
    for (const f of p.filters) if (!REPLAYABLE_TYPES.has(f.type)) pinSurvivors[f.filter] = f.survivors;
  }
  const primary = line.profiles.find((p) => p.profile === line.primaryProfile);
  const expect: Record<string, unknown> = line.pick === null ? { outcome: 429 } : { pick: line.pick, ...(primary ? { totals: primary.totals } : {}) };
  const r = line.request;
  return {
    description: `replay of ${where}: policy ${line.policy}, request ${r.id} at ${line.timeUs} µs`,
    ...(config !== undefined ? { config } : {}),
    endpoints: line.candidates.map((c) => ({ name: c.name, ...(c.labels ? { labels: c.labels } : {}), metrics: c.scraped })),
    requests: [
      {
        id: r.id,
        model: r.targetModel,
        ...(r.headers ? { headers: r.headers } : {}),
        priority: r.priority,
        timeMs: line.timeUs / 1000,
        ...(Object.keys(pinScores).length > 0 ? { pinScores } : {}),
        ...(Object.keys(pinSurvivors).length > 0 ? { pinSurvivors } : {}),
        ...(line.draws.length > 0 ? { rngDraws: line.draws } : {}),
        expect,
      },
    ],
  };
}
