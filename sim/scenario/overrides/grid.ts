/**
 * Sweep grids (issue 14): the dimensions of a scenario's `sweep:` section (every key but `rates`,
 * which stays the offered-load sweep) and the grid points — the Cartesian product of the values,
 * the first dimension varying slowest — each point a list of overrides.
 */
import { formatValue } from './values.js';
import type { Override, SweepDimension } from './types.js';

/** The non-`rates` keys of a `sweep:` section as dimensions, in file order. */
export function sweepDimensions(sweep: Readonly<Record<string, unknown>> | null | undefined): SweepDimension[] {
  if (sweep === null || sweep === undefined) return [];
  return Object.entries(sweep)
    .filter(([key]) => key !== 'rates')
    .map(([path, v]) => ({ path, values: Array.isArray(v) ? [...(v as unknown[])] : [v] }));
}

/** The source of one grid value: `sweep fleet.replicas=6`. */
export function sweepSource(path: string, value: unknown): string {
  return `sweep ${path}=${formatValue(value)}`;
}

/** Every grid point (first dimension slowest); no dimensions → no grid ([]). */
export function gridPoints(dims: readonly SweepDimension[]): Override[][] {
  if (dims.length === 0) return [];
  let points: Override[][] = [[]];
  for (const d of dims) {
    points = points.flatMap((p) => d.values.map((value) => [...p, { path: d.path, value, source: sweepSource(d.path, value) }]));
  }
  return points;
}
