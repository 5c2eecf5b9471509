/** One row of `npm run bench`: what bench.ts prints for a scenario's policy, a CLI row or a trace row. */
export interface Measurement {
  scenario: string;
  policy: string;
  requests: number;
  wallSeconds: number;
  /** User + system CPU time of the run (the figure to compare: less sensitive to a busy machine). */
  cpuSeconds: number;
  requestsPerSecond: number;
  peakRssMiB: number;
  /** Null for the whole-CLI rows (their simulated time is not measured). */
  simulatedSeconds: number | null;
  /** Rows run as `routesim run` makes them (streamed): CPU seconds of computing the figures after the simulation returned. */
  figuresCpuSeconds?: number;
}
