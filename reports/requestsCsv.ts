/**
 * Per-request CSV (requests.csv). The header and the rows are produced separately so the CLI can
 * write the header once and then append one policy's rows at a time to the same file.
 *
 * Multi-pool and P/D runs (issue 10; csvIsExtended) get REQUESTS_CSV_POOL_COLUMNS after the usual
 * ones: pool, route, model and the P/D timings (../shared/reference/gateway.md §4.6); a single-pool
 * aggregated run's CSV is unchanged. Runs with gateway resilience or fleet churn / autoscaling
 * (issue 11; csvHasAttempts) get REQUESTS_CSV_ATTEMPT_COLUMNS last: the tries sent to a replica and
 * whether a fallback pool served it (../shared/reference/gateway.md §1.7, §3); others are unchanged.
 */
import { stringify } from 'csv-stringify/sync';
import type { PolicyRun, RequestRecord } from '../sim/metrics/types.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { tenantKey } from '../sim/metrics/breakdown.js';
import { poolName } from '../sim/metrics/pools.js';

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

/**
 * Extra columns of a multi-pool or P/D run: pool and route names (empty when no route matched),
 * the model asked for (empty = the pool's base model), the prefill replica (empty = aggregated),
 * the P/D durations in ms (prefill queue and compute, decode queue, KV transfer; empty when
 * aggregated), the KV bytes pulled per GPU and when the KV was present on the decode pod (ms).
 */
export const REQUESTS_CSV_POOL_COLUMNS = [
  'pool',
  'route',
  'model',
  'prefill_replica',
  'prefill_queue_ms',
  'prefill_compute_ms',
  'decode_queue_ms',
  'kv_transfer_ms',
  'kv_transfer_bytes',
  'kv_ready_ms',
] as const;

/**
 * Extra columns of a run with resilience or churn (issue 11): attempts (tries sent to a replica,
 * 1 + retries sent; 0 when none was) and fallback (1 when a route's fallback pool served or last
 * answered it, else 0). A retried request's earlier tries are counted here, its timings are the last try's.
 */
export const REQUESTS_CSV_ATTEMPT_COLUMNS = ['attempts', 'fallback'] as const;

/** Whether a run's CSV gets REQUESTS_CSV_ATTEMPT_COLUMNS: it carries resilience counters or a replica timeline. */
export function csvHasAttempts(run: Pick<PolicyRun, 'resilience' | 'replicaTimeline'>): boolean {
  return run.resilience !== undefined || run.replicaTimeline !== undefined;
}

/** Pool and route names of a run, for the extra columns. */
export type CsvNames = Pick<PolicyRun, 'pools' | 'routes'>;

const ROLE_LABEL = 'llm-d.ai/role';

/**
 * Whether a scenario's CSV gets the extra columns: more than one pool, or a replica group (of a
 * pool, or a policy's replacement groups) labelled with `llm-d.ai/role` (P/D).
 */
export function csvIsExtended(scenario: Pick<ScenarioConfig, 'pools' | 'policies'>): boolean {
  const pools = scenario.pools ?? [];
  if (pools.length > 1) return true;
  const groups = [...pools.flatMap((p) => p.replicas), ...scenario.policies.flatMap((p) => p.replicas ?? [])];
  return groups.some((g) => Object.hasOwn(g.labels, ROLE_LABEL));
}

type Cell = string | number;

function poolCells(r: RequestRecord, names: CsvNames): Cell[] {
  return [
    r.pool < 0 ? '' : poolName(names, r.pool),
    r.route < 0 ? '' : (names.routes?.[r.route] ?? `route-${r.route}`),
    r.model,
    r.prefillReplica < 0 ? '' : r.prefillReplica,
    ms(r.prefillQueueUs),
    ms(r.prefillComputeUs),
    ms(r.decodeQueueUs),
    ms(r.kvTransferUs),
    r.prefillReplica < 0 ? '' : r.kvTransferBytes,
    ms(r.kvReadyUs),
  ];
}

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

/**
 * The header line, newline-terminated; `extended` adds REQUESTS_CSV_POOL_COLUMNS (csvIsExtended),
 * `attempts` then adds REQUESTS_CSV_ATTEMPT_COLUMNS (csvHasAttempts).
 */
export function requestsCsvHeader(extended = false, attempts = false): string {
  return stringify([[...REQUESTS_CSV_COLUMNS, ...(extended ? REQUESTS_CSV_POOL_COLUMNS : []), ...(attempts ? REQUESTS_CSV_ATTEMPT_COLUMNS : [])]], { record_delimiter: '\n' });
}

/**
 * One newline-terminated line per record (no header), in record order; RFC 4180 quoting for
 * fields containing commas, quotes or newlines. Empty string for no records. `extended` (the run's
 * pool and route names) adds the REQUESTS_CSV_POOL_COLUMNS cells; pass it iff the header has them;
 * likewise `attempts` for REQUESTS_CSV_ATTEMPT_COLUMNS.
 */
export function requestsCsvRows(policy: string, records: readonly RequestRecord[], tenantNames?: readonly string[], extended?: CsvNames, attempts = false): string {
  if (records.length === 0) return '';
  return stringify(
    records.map((r) => {
      const cells = extended === undefined ? row(policy, r, tenantNames) : [...row(policy, r, tenantNames), ...poolCells(r, extended)];
      return attempts ? [...cells, r.attempts, r.fallback ? 1 : 0] : cells;
    }),
    { record_delimiter: '\n' },
  );
}
