/**
 * A simulated request as the workload produces it.
 *
 * Prompts carry no text and no per-token arrays: a prompt is a list of segments, each a content id
 * and a length in tokens. Token `t` of a segment is fully determined by `(content, t)`, so the engine's
 * token-block hashes and (later) the router's byte-block hashes both derive from the same structure
 * (workloads.md §4). Two segments with the same content id are the same text.
 */
export interface Segment {
  /** 32-bit unsigned content id. Equal ids mean identical token content. */
  readonly content: number;
  /** Length in tokens (> 0). */
  readonly tokens: number;
}

export interface SimRequest {
  /** Position in the stream, 0-based; identical across policies of one scenario. */
  readonly id: number;
  /** Arrival time at the gateway, integer microseconds from the start of the run. */
  readonly arrivalUs: number;
  /** Prompt structure; the sum of `tokens` equals `inputTokens`. */
  readonly segments: readonly Segment[];
  readonly inputTokens: number;
  /** Output length the request will generate (ignore-eos semantics). */
  readonly outputTokens: number;
  /** Content id of the generated tokens, so a later turn that includes this answer shares its blocks. */
  readonly outputContent: number;
  /** LoRA adapter name, or null for the base model. */
  readonly adapter: string | null;
  /** Adapter rank (only meaningful with an adapter). */
  readonly adapterRank: number;
  /** Priority class; higher is more important (EPP convention, < 0 is sheddable). */
  readonly priority: number;
  /** Shared-prefix group, or -1. */
  readonly group: number;
  /** Conversation/user id, or -1. */
  readonly session: number;
  /** Turn index within the session, 0-based. */
  readonly turn: number;
  /** Client / tenant index (tenants, ServeGen clients, traces that name clients); absent or -1 = none. */
  readonly client?: number;
  /**
   * Model name in the request body (a base model; the LoRA adapter, if any, is `adapter`); absent =
   * whatever base model the pool serves (pre-pool workloads). Body-based routing copies it into the
   * `x-gateway-base-model-name` header routes match on (gateway.md §2.5).
   */
  readonly model?: string;
  /** Request path; absent = `/v1/completions`. */
  readonly path?: string;
  /** Request headers, names lower-cased (shared by all requests of a tenant; never mutated). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Path of requests whose workload sets none. */
export const DEFAULT_PATH = '/v1/completions';

/**
 * A request stream that reacts to outcomes: closed-loop sessions release a client's next turn when
 * the previous answer arrives. The simulation calls `onFinish` when a request ends (its response
 * reached the client, or it was rejected or shed) and then pulls every request the call released;
 * `next()` returns done while nothing is released, which is not the end while requests are in flight.
 * Released requests may arrive in any order relative to each other, never before the current time.
 */
export interface FeedbackStream extends Iterator<SimRequest> {
  onFinish(id: number, timeUs: number, completed: boolean): void;
}

export function isFeedbackStream(it: Iterator<SimRequest>): it is FeedbackStream {
  return typeof (it as Partial<FeedbackStream>).onFinish === 'function';
}
