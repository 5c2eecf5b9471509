/**
 * Per-request CSV (requests.csv). The header and the rows are produced separately so the CLI can
 * write the header once and then append one policy's rows at a time to the same file.
 */
import { stringify } from 'csv-stringify/sync';
import type { RequestRecord } from '../sim/metrics/types.js';
import { tenantKey } from '../sim/metrics/breakdown.js';

/**
 * Column names, in order. Times are ms from the start of the run (µs / 1000). last_token_ms is the
 * last token as the client sees it; completion_overhead_ms (α1) follows it until the response is
 * complete; end_ms is when the request ended (response complete, engine rejection or gateway
 * error), so e2e_ms = end_ms − arrival_ms for a completed request. tenant: the tenant's name,
 * `client-N`, or empty; detail: a drop's live specifics (the reason column is a fixed code).
 */
export const REQUESTS_CSV_COLUMNS = [
  'policy',
  'id',
  'outcome',
  'reason',
  'status',
  'replica',
  'adapter',
  'priority',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'arrival_ms',
  'dispatch_ms',
  'enqueue_ms',
  'scheduled_ms',
  'first_token_ms',
  'last_token_ms',
  'ttft_ms',
  'e2e_ms',
  'preemptions',
  'tenant',
  'detail',
  'completion_overhead_ms',
  'end_ms',
] as const;

type Cell = string | number;

/** A µs time as ms, or an empty cell when it did not happen (-1). */
function ms(us: number): Cell {
  return us < 0 ? '' : us / 1000;
}

/** An interval end − start in ms, or an empty cell when either end did not happen. */
function spanMs(startUs: number, endUs: number): Cell {
  return startUs < 0 || endUs < 0 ? '' : (endUs - startUs) / 1000;
}

/** One CSV row (cells in REQUESTS_CSV_COLUMNS order). */
function row(policy: string, r: RequestRecord, tenants: readonly string[] | undefined): Cell[] {
  return [
    policy,
    r.id,
    r.outcome,
    r.reason,
    r.status > 0 ? r.status : '',
    r.replica < 0 ? '' : r.replica,
    r.adapter ?? '',
    r.priority,
    r.inputTokens,
    r.outputTokens,
    r.cachedTokens,
    ms(r.arrivalUs),
    ms(r.dispatchUs),
    ms(r.enqueueUs),
    ms(r.scheduledUs),
    ms(r.firstTokenUs),
    ms(r.lastTokenUs),
    spanMs(r.arrivalUs, r.firstTokenUs),
    r.outcome === 'completed' ? spanMs(r.arrivalUs, r.endUs) : '',
    r.preemptions,
    r.client < 0 ? '' : tenantKey(r.client, tenants),
    r.detail,
    r.outcome === 'completed' ? spanMs(r.lastTokenUs, r.endUs) : '',
    ms(r.endUs),
  ];
}

/** The header line, newline-terminated. */
export function requestsCsvHeader(): string {
  return stringify([[...REQUESTS_CSV_COLUMNS]], { record_delimiter: '\n' });
}

/**
 * One newline-terminated line per record (no header), in record order; RFC 4180 quoting for
 * fields containing commas, quotes or newlines. Empty string for no records.
 */
export function requestsCsvRows(policy: string, records: readonly RequestRecord[], tenantNames?: readonly string[]): string {
  if (records.length === 0) return '';
  return stringify(
    records.map((r) => row(policy, r, tenantNames)),
    { record_delimiter: '\n' },
  );
}
