/**
 * llm-d-router v0.10.0's typed errors (`pkg/common/error`, `llm-d-router.md` §3.1): a plugin that
 * throws an EppError chooses the HTTP status (and optionally the `x-llm-d-request-dropped-reason`
 * header); the director keeps its code where the lifecycle says "typed errors keep their code"
 * (scheduling, PreRequest, request-header processors). Any other thrown error maps to the step's
 * default (429 for scheduling, 500 otherwise).
 */
export type EppStatus = 400 | 401 | 403 | 404 | 412 | 429 | 500 | 503;

/** The error map: BadRequest 400, Unauthorized 401, Forbidden 403, NotFound 404, PreconditionFailed 412, ResourceExhausted 429, Internal 500, ServiceUnavailable 503. */
export const EPP_ERROR_CODES: Readonly<Record<string, EppStatus>> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  PreconditionFailed: 412,
  ResourceExhausted: 429,
  Internal: 500,
  ServiceUnavailable: 503,
};

export class EppError extends Error {
  constructor(
    readonly status: EppStatus,
    message: string,
    /** Value of `x-llm-d-request-dropped-reason`, when the error carries it. */
    readonly dropReason?: string,
  ) {
    super(message);
    this.name = 'EppError';
  }
}

/** The header v0.10.0 names the drop reason in. */
export const HEADER_DROP_REASON = 'x-llm-d-request-dropped-reason';
