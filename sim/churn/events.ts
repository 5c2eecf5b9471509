/**
 * The scenario's `events:` timeline of pod churn (gateway.md §6): replica failures with the delay
 * until the picker's datastore drops the pod, recoveries, node losses taking several replicas.
 *
 * | mode  | what happened                         | the picker stops choosing it after (§6.1) |
 * |-------|---------------------------------------|-------------------------------------------|
 * | crash | container crash                       | ~1 s (Ready flips)                        |
 * | hang  | hung process                          | readiness 10 s × 3 ≈ 30 s                 |
 * | node  | node lost (with all its replicas)     | node grace 40 s                           |
 *
 * Until then the picker may still choose the dead pod: a request sent there fails as a connect
 * error (503 before response headers), retried only if the route's retry policy says so.
 */
import { z } from 'zod';
import { strict, withFix } from '../scenario/zodStrict.js';
import { bounded, RANGES as R } from '../scenario/bounds.js';

export type FailureMode = 'crash' | 'hang' | 'node';

/** Default detection delay per failure mode, s (gateway.md §6.1). */
export const DETECT_S: Readonly<Record<FailureMode, number>> = { crash: 1, hang: 30, node: 40 };

export type ChurnEvent =
  /** Replicas (indices within the pool) die at `at_s`; the picker drops them `detect_s` later. */
  | { readonly kind: 'fail'; readonly at_s: number; readonly pool: string; readonly replicas: readonly number[]; readonly mode: FailureMode; readonly detect_s: number }
  /** Replicas start again at `at_s`: start-up phases, then Ready with an empty cache. */
  | { readonly kind: 'recover'; readonly at_s: number; readonly pool: string; readonly replicas: readonly number[] }
  /**
   * A Deployment rollout restarts every replica of the pool (gateway.md §6.3): at most
   * `max_unavailable` below the pool's size at any time, at most `max_surge` extra pods started
   * first. Each old pod leaves the picker at once, finishes its in-flight requests, then restarts
   * (start-up phases, empty cache).
   */
  | { readonly kind: 'rolling_restart'; readonly at_s: number; readonly pool: string; readonly max_unavailable: number; readonly max_surge: number };

const replicaList = z.union([bounded({ ...R.count, min: 0 }), z.array(bounded({ ...R.count, min: 0 })).min(1).max(1000)], {
  error: (iss) => (iss.code === 'invalid_union' ? withFix('expected a replica index or a list of them', 'write replica: 3 or replicas: [0, 1]') : undefined),
});

const FailSchema = strict({
  at_s: bounded(R.time),
  kind: z.literal('fail'),
  pool: z.string().min(1).optional(),
  replica: replicaList.optional(),
  replicas: replicaList.optional(),
  mode: z.enum(['crash', 'hang', 'node']).default('crash'),
  detect_s: bounded(R.wait).optional(),
});

const RecoverSchema = strict({
  at_s: bounded(R.time),
  kind: z.literal('recover'),
  pool: z.string().min(1).optional(),
  replica: replicaList.optional(),
  replicas: replicaList.optional(),
});

/** An int or a percentage of the pool ("25%"), as a Deployment's rollingUpdate fields. */
const intOrPercent = z.union([bounded({ ...R.count, min: 0 }), z.string().regex(/^\d{1,3}%$/, { error: withFix('expected a number of pods or a percentage such as "25%"', 'write max_unavailable: 1 or max_unavailable: "25%"') })]);

const RolloutSchema = strict({
  at_s: bounded(R.time),
  kind: z.literal('rolling_restart'),
  pool: z.string().min(1).optional(),
  max_unavailable: intOrPercent.default('25%'),
  max_surge: intOrPercent.default('25%'),
});

export const EventsSchema = z.array(z.discriminatedUnion('kind', [FailSchema, RecoverSchema, RolloutSchema])).max(10_000);
export type EventsInput = z.output<typeof EventsSchema>;

export class EventProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** `events:` → ChurnEvent[] (sorted by time, stable), checked against the pools' replica counts. */
export function resolveEvents(input: EventsInput | undefined, pools: readonly { name: string; replicas: number }[]): ChurnEvent[] {
  if (input === undefined) return [];
  const names = pools.map((p) => p.name);
  const out = input.map((e, i): ChurnEvent => {
    const path = `events[${i}]`;
    const poolName = e.pool ?? (pools.length === 1 ? names[0]! : undefined);
    if (poolName === undefined) throw new EventProblem(`${path}.pool`, `missing required key "pool": ${pools.length} pools`, `add pool: one of ${names.join(', ')}`);
    const pool = pools.find((p) => p.name === poolName);
    if (pool === undefined) throw new EventProblem(`${path}.pool`, `unknown pool ${JSON.stringify(poolName)}`, `use one of ${names.join(', ')}`);
    if (e.kind === 'rolling_restart') {
      // Kubernetes rounds maxUnavailable down and maxSurge up; both 0 is invalid.
      const n = pool.replicas;
      const pct = (v: number | string, up: boolean): number => (typeof v === 'number' ? v : (up ? Math.ceil : Math.floor)((n * Number(v.slice(0, -1))) / 100));
      const maxUnavailable = Math.min(pct(e.max_unavailable, false), n);
      const maxSurge = pct(e.max_surge, true);
      if (maxUnavailable === 0 && maxSurge === 0) throw new EventProblem(`${path}.max_unavailable`, 'max_unavailable and max_surge are both 0, so the rollout could never start', 'allow at least one: max_unavailable: 1 or max_surge: 1');
      if (maxSurge > 1000) throw new EventProblem(`${path}.max_surge`, `max_surge ${maxSurge} is more than 1000 pods`, 'use at most 1000');
      return { kind: 'rolling_restart', at_s: e.at_s, pool: pool.name, max_unavailable: maxUnavailable, max_surge: maxSurge };
    }
    if (e.replica !== undefined && e.replicas !== undefined) throw new EventProblem(`${path}.replicas`, 'both replica and replicas are given', 'keep one');
    const raw = e.replica ?? e.replicas;
    if (raw === undefined) throw new EventProblem(`${path}.replica`, 'missing required key "replica"', 'add replica: <index within the pool> (or replicas: [..])');
    const replicas = typeof raw === 'number' ? [raw] : [...raw];
    replicas.forEach((r, k) => {
      if (r >= pool.replicas) throw new EventProblem(`${path}.replica${typeof raw === 'number' ? '' : `s[${k}]`}`, `pool ${pool.name} has replicas 0–${pool.replicas - 1}, not ${r}`, `use an index below ${pool.replicas}`);
    });
    if (new Set(replicas).size !== replicas.length) throw new EventProblem(`${path}.replicas`, 'a replica is listed twice', 'list each replica once');
    if (e.kind === 'fail') return { kind: 'fail', at_s: e.at_s, pool: pool.name, replicas, mode: e.mode, detect_s: e.detect_s ?? DETECT_S[e.mode] };
    return { kind: 'recover', at_s: e.at_s, pool: pool.name, replicas };
  });
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.at_s - b.e.at_s || a.i - b.i).map((x) => x.e);
}
