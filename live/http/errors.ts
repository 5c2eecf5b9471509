/**
 * OpenAI-style error answers as vLLM ≥ v0.10.1 writes them (live.md §5.5):
 * `{"error":{"message","type","param","code":<HTTP status>}}`, type by status
 * (BadRequestError 400, NotFoundError 404, InternalServerError 5xx, …).
 */

/** An HTTP answer that is an error: thrown by parsers and handlers, written by the server. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type: string = errorType(status),
  ) {
    super(message);
    this.name = 'HttpProblem';
  }

  /** The JSON body vLLM sends. */
  body(): string {
    return JSON.stringify({ error: { message: this.message, type: this.type, param: this.param, code: this.status } });
  }
}

/** vLLM's error type names by status. */
export function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequestError';
    case 404:
      return 'NotFoundError';
    case 405:
      return 'MethodNotAllowed';
    case 413:
      return 'RequestEntityTooLarge';
    case 429:
      return 'RateLimitError';
    case 503:
      return 'ServiceUnavailableError';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequestError';
  }
}
