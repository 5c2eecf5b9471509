/**
 * Scenario overrides (issue 14): a value set at a path of the scenario file (`--set PATH=VALUE`,
 * one point of a sweep grid), and one dimension of a sweep grid (a path and its values).
 */

/** A value to set at `path` of the scenario file before it is validated. */
export interface Override {
  /** Dot-separated keys, `[i]` indexes and name selectors, e.g. `pools.chat.replicas[0].count`. */
  readonly path: string;
  /** The value (a parsed YAML value: number, string, boolean, null, list or mapping). */
  readonly value: unknown;
  /** Where it came from, prefixed to its errors: `--set fleet.replicas=6`, `sweep fleet.replicas=6`. */
  readonly source: string;
}

/** One dimension of a sweep grid: every value `path` takes, in order. */
export interface SweepDimension {
  readonly path: string;
  readonly values: readonly unknown[];
}
