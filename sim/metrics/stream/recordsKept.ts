/**
 * Where the record path ends (issue 15): a run of more requests than this per policy keeps no
 * per-request records and is summarised as its requests end (streamSummary.ts). Up to it, every
 * figure, percentiles included, is computed exactly from the records.
 */
export const RECORDS_KEPT = 1_000_000;
