/** Overrides of scenario fields (`--set PATH=VALUE`, sweep grid points) and sweep dimensions. */

/** One field set to one value; `source` says where it came from in messages (`--set fleet.replicas=6`). */
export interface Override {
  readonly path: string;
  readonly value: unknown;
  readonly source: string;
}

/** A swept field and the values it takes, in order. */
export interface SweepDimension {
  readonly path: string;
  readonly values: readonly unknown[];
}
