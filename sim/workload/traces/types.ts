/** What every trace reader produces: rows on the trace's own clock, before replay controls. */
import type { Segment } from '../request.js';

export const TRACE_FORMATS = ['routesim', 'mooncake', 'azure', 'blis', 'inference-perf'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** The formats a trace can be written in (sim/workload/traces/write.ts). */
export const WRITABLE_FORMATS = ['routesim', 'mooncake', 'azure', 'blis'] as const;
export type WritableFormat = (typeof WRITABLE_FORMATS)[number];

/** One request of a trace as read. */
export interface TraceRow {
  /** Arrival, integer µs on the trace's own clock (0 = the trace's start; Azure: its first row). */
  readonly timeUs: number;
  /** Prompt structure shared with other rows (same content id = same text), in order. */
  readonly segments: readonly Segment[];
  /** Trailing prompt tokens unique to this request (their content derives from the replayed id). */
  readonly uniqueTokens: number;
  /** Σ segments + uniqueTokens. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Content id of the answer when the trace states it (a later turn may contain it); null = derived from the id. */
  readonly outputContent: number | null;
  /** Conversation id and turn (-1 / 0 when unknown). */
  readonly session: number;
  readonly turn: number;
  /** Shared-prefix group (-1 when none). */
  readonly group: number;
  readonly adapter: string | null;
  /** Priority when the trace gives one (EPP convention), else null. */
  readonly priority: number | null;
  /** Client / tenant id (-1 when unknown). */
  readonly client: number;
  /** Model name in the request body when the trace gives one (routesim JSONL `model`); absent = the workload's. */
  readonly model?: string;
  /** 1-based line of the row in its file (for messages). */
  readonly line: number;
}

/** How to treat malformed rows. */
export interface ReadOptions {
  /** Skip a malformed row (counted) instead of failing on it. */
  readonly skipBadRows: boolean;
  /** Called with the one-line message of each skipped row. */
  onSkip?(message: string): void;
}

/** A trace reader: yields the rows of one file in file order. */
export type RowReader = (path: string, opts: ReadOptions) => Generator<TraceRow>;

/**
 * A row with only timing, prompt and lengths known (every other field at its "unknown" value).
 * An object literal, not a spread of defaults: spreading costs ~10 µs a row.
 */
export function plainRow(timeUs: number, segments: readonly Segment[], inputTokens: number, outputTokens: number, line: number): TraceRow {
  let covered = 0;
  for (const s of segments) covered += s.tokens;
  return { timeUs, segments, uniqueTokens: inputTokens - covered, inputTokens, outputTokens, outputContent: null, session: -1, turn: 0, group: -1, adapter: null, priority: null, client: -1, line };
}
