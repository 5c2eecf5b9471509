/**
 * Failure injection for the mock fleet (off by default): a seeded share of requests answered with
 * an error as vLLM would (500 InternalServerError or 503 ServiceUnavailableError, each half of the
 * injected ones), and slow pods whose every step takes `factor` × its modelled time. Both are set
 * from flags at start and, with --enable-admin only, per replica at run time (`POST /admin/faults`).
 */
import { createRng, type Rng } from '../../sim/core/rng.js';
import { HttpProblem } from '../http/errors.js';
import { UserError } from '../../sim/core/errors.js';

export class ErrorInjector {
  private readonly rng: Rng;

  constructor(
    public rate: number,
    seed: number,
    replica: number,
  ) {
    this.rng = createRng(seed, `serve-engine/errors/${replica}`);
  }

  /** The injected error for the next request, or null. Draws nothing when the rate is 0. */
  next(): HttpProblem | null {
    if (this.rate <= 0) return null;
    if (this.rng() >= this.rate) return null;
    return this.rng() < 0.5
      ? new HttpProblem(500, 'injected failure (--error-rate): internal server error')
      : new HttpProblem(503, 'injected failure (--error-rate): the engine is unavailable');
  }
}

/** `--error-rate R`: 0 ≤ R ≤ 1. */
export function parseErrorRate(v: string | undefined): number {
  if (v === undefined) return 0;
  const r = Number(v);
  if (v.trim() === '' || !Number.isFinite(r) || r < 0 || r > 1) throw new UserError(`--error-rate: expected a share between 0 and 1, got '${v}' (fix: e.g. --error-rate 0.05)`);
  return r;
}

/** `--slow-pod i:factor` values → factor by replica index (absent = 1); indices are checked against the fleet by buildMockFleet. */
export function parseSlowPods(values: readonly string[] | undefined): ReadonlyMap<number, number> {
  const out = new Map<number, number>();
  for (const v of values ?? []) {
    const m = /^(\d+):([0-9.eE+]+)$/.exec(v.trim());
    const i = m ? Number(m[1]) : NaN;
    const f = m ? Number(m[2]) : NaN;
    if (!m || !Number.isInteger(i) || !(f > 0) || !Number.isFinite(f)) {
      throw new UserError(`--slow-pod: expected INDEX:FACTOR with a positive factor, got '${v}' (fix: e.g. --slow-pod 1:3 makes replica 1's steps 3× slower)`);
    }
    out.set(i, f);
  }
  return out;
}

/**
 * `POST /admin/faults` body `{"error_rate"?: R, "slow_factor"?: F}` → the new settings of one
 * replica, applied by the caller. Invalid values are a 400; nothing is changed then.
 */
export function parseFaultUpdate(body: Record<string, unknown>): { errorRate?: number; slowFactor?: number } {
  const out: { errorRate?: number; slowFactor?: number } = {};
  for (const key of Object.keys(body)) {
    if (key !== 'error_rate' && key !== 'slow_factor') throw new HttpProblem(400, `unknown field '${key}' (expected error_rate and/or slow_factor)`, key);
  }
  const r = body.error_rate;
  if (r !== undefined) {
    if (typeof r !== 'number' || !(r >= 0 && r <= 1)) throw new HttpProblem(400, 'error_rate must be a number from 0 to 1', 'error_rate');
    out.errorRate = r;
  }
  const f = body.slow_factor;
  if (f !== undefined) {
    if (typeof f !== 'number' || !(f > 0) || !Number.isFinite(f)) throw new HttpProblem(400, 'slow_factor must be a positive number', 'slow_factor');
    out.slowFactor = f;
  }
  return out;
}
