/**
 * One ext_proc stream = one HTTP request (live.md §1.7). Request side: headers are stored (no
 * answer yet), body chunks buffered to end_of_stream, then the request is parsed, decided by the
 * picker core and answered — destination header + `envoy.lb` metadata + re-emitted body, or one
 * ImmediateResponse and the end of the stream. A body-less request gets a uniformly random
 * endpoint at once (500 with an empty pool). BUFFERED request bodies (protocol_config) get the
 * GAIE v0.2 shape. Response side: headers (v0.10 ResponseHeaderProcessor plugins), body chunks
 * echoed (FULL_DUPLEX_STREAMED) or passed (other modes), usage read from SSE `data:` lines or the
 * JSON body, and at end of stream the ResponseComplete plugins run (prefix index, in-flight
 * counters). A stream that ends or breaks after a pick still completes the request (no usage).
 *
 * A message with no request member, or traffic after the local reply, ends the stream with
 * INVALID_ARGUMENT (Envoy answers the client 500, as for any stream error).
 */
import * as grpc from '@grpc/grpc-js';
import { HEADER_SUBSET } from '../../policies/framework/director.js';
import { bufferedDispatch, headersDispatch, immediateError, responseBodyAnswer, responseHeadersAnswer, streamedDispatch, SUBSET_KEY, SUBSET_NAMESPACE } from './answers.js';
import { reject, type PickerCore } from './pickerCore.js';
import { parseRequestBody } from './requestBody.js';
import { usageInJson, usageInSseChunk, type Usage } from './responseUsage.js';
import { BODY_MODE, fromPbStruct, headerRecord, type ProcessingRequest, type ProcessingResponse } from './wire.js';

/** Largest request body buffered (bigger → 400). */
export const MAX_REQUEST_BODY = 16 << 20;
/** Largest non-streamed response body kept for its usage (bigger → no usage). */
const MAX_RESPONSE_JSON = 1 << 20;

export interface StreamEnv {
  readonly core: PickerCore;
  /** Request ids for requests without x-request-id. */
  nextId(): string;
  /** Uniform [0,1) for body-less requests (kept apart from the picker's stream). */
  readonly bodylessRng: () => number;
  readonly log: (line: string) => void;
}

type Call = grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>;

export function handleStream(call: Call, env: StreamEnv): void {
  const s = new StreamState(call, env);
  call.on('data', (m: ProcessingRequest) => void s.onMessage(m).catch((err: unknown) => s.fail(grpc.status.INTERNAL, err instanceof Error ? err.message : String(err))));
  call.on('end', () => s.onEnd());
  call.on('error', () => s.onEnd());
  call.on('cancelled', () => s.onEnd());
}

class StreamState {
  private headers: Record<string, string> = {};
  private subset: string[] | undefined;
  private readonly chunks: Buffer[] = [];
  private bodyBytes = 0;
  private requestBodyMode: number = BODY_MODE.FULL_DUPLEX_STREAMED;
  private responseBodyMode: number = BODY_MODE.FULL_DUPLEX_STREAMED;
  private requestId = '';
  /** Endpoint name of the pick (null: none yet). */
  private target: string | null = null;
  private completed = false;
  private done = false;
  private usage: Usage | null = null;
  private streamingResponse = false;
  private readonly jsonChunks: Buffer[] = [];
  private jsonBytes = 0;

  constructor(
    private readonly call: Call,
    private readonly env: StreamEnv,
  ) {}

  async onMessage(m: ProcessingRequest): Promise<void> {
    if (this.done) return;
    if (m.protocol_config) {
      this.requestBodyMode = m.protocol_config.request_body_mode ?? this.requestBodyMode;
      this.responseBodyMode = m.protocol_config.response_body_mode ?? this.responseBodyMode;
    }
    const lb = m.metadata_context?.filter_metadata?.[SUBSET_NAMESPACE];
    if (lb) {
      const v = fromPbStruct(lb)[SUBSET_KEY];
      if (Array.isArray(v)) this.subset = v.filter((x): x is string => typeof x === 'string');
    }
    const quiet = m.observability_mode === true;
    const send = (r: ProcessingResponse): void => {
      if (!quiet && !this.done) this.call.write(r);
    };
    switch (m.request) {
      case 'request_headers': {
        this.headers = headerRecord(m.request_headers?.headers);
        this.requestId = this.headers['x-request-id'] || this.env.nextId();
        if (m.request_headers?.end_of_stream) return this.bodyless(send);
        if (this.requestBodyMode === BODY_MODE.BUFFERED) send({ request_headers: { response: { clear_route_cache: true } } });
        return;
      }
      case 'request_body': {
        const b = m.request_body!;
        if (b.body && b.body.length > 0) {
          this.bodyBytes += b.body.length;
          if (this.bodyBytes > MAX_REQUEST_BODY) return this.local(send, reject(400, `request body larger than ${MAX_REQUEST_BODY} bytes`));
          this.chunks.push(b.body);
        }
        if (b.end_of_stream) await this.decide(send);
        return;
      }
      case 'request_trailers':
        return send({ request_trailers: {} });
      case 'response_headers': {
        const h = headerRecord(m.response_headers?.headers);
        this.streamingResponse = (h['content-type'] ?? '').includes('text/event-stream');
        const set = this.target !== null ? this.env.core.responseHeaders(this.requestId, this.target) : new Map<string, string>();
        send(responseHeadersAnswer(set));
        if (m.response_headers?.end_of_stream) this.complete();
        return;
      }
      case 'response_body': {
        const b = m.response_body!;
        const chunk = b.body ?? Buffer.alloc(0);
        this.readUsage(chunk, b.end_of_stream === true);
        send(responseBodyAnswer(chunk, b.end_of_stream === true, this.responseBodyMode === BODY_MODE.FULL_DUPLEX_STREAMED));
        if (b.end_of_stream) this.complete();
        return;
      }
      case 'response_trailers':
        send({ response_trailers: {} });
        this.complete();
        return;
      default:
        this.fail(grpc.status.INVALID_ARGUMENT, 'ProcessingRequest carries no request member');
    }
  }

  /** Ends the stream with a gRPC error. */
  fail(code: grpc.status, details: string): void {
    if (this.done) return;
    this.done = true;
    this.complete();
    this.call.emit('error', { code, details });
  }

  /** The client ended the stream (or it broke): a pick without a finished response still completes. */
  onEnd(): void {
    this.complete();
    if (!this.done) {
      this.done = true;
      this.call.end();
    }
  }

  private bodyless(send: (r: ProcessingResponse) => void): void {
    const pool = this.env.core.scraper.pool;
    if (pool.length === 0) return this.local(send, reject(500, 'no pods available in datastore'));
    const ep = pool[Math.floor(this.env.bodylessRng() * pool.length)]!;
    send(headersDispatch(this.env.core.scraper.addressOf(ep.name)!));
  }

  private async decide(send: (r: ProcessingResponse) => void): Promise<void> {
    const body = Buffer.concat(this.chunks);
    this.chunks.length = 0;
    // The subset comes from proxy metadata only (live.md §2.2); a client's copy of the header is dropped.
    const headers = { ...this.headers };
    delete headers[HEADER_SUBSET];
    if (this.subset !== undefined) headers[HEADER_SUBSET] = this.subset.join(',');
    const parsed = parseRequestBody(this.requestId || this.env.nextId(), headers, body);
    if ('badRequest' in parsed) return this.local(send, reject(400, parsed.badRequest));
    this.requestId = parsed.request.id;
    const a = await this.env.core.decide(parsed.request);
    if (a.kind === 'reject') return this.local(send, a);
    if (this.done) {
      // the stream went away while the request waited in a flow-control queue
      this.env.core.complete(this.requestId, a.target);
      return;
    }
    this.target = a.target;
    const destination = a.addresses.join(',');
    if (this.requestBodyMode === BODY_MODE.BUFFERED) send(bufferedDispatch(destination, body));
    else for (const r of streamedDispatch(destination, body)) send(r);
  }

  /** Answers with an ImmediateResponse and ends the stream. */
  private local(send: (r: ProcessingResponse) => void, a: ReturnType<typeof reject>): void {
    if (a.kind !== 'reject') return;
    send(immediateError(a));
    this.done = true;
    this.call.end();
  }

  private readUsage(chunk: Buffer, eos: boolean): void {
    if (this.streamingResponse) {
      this.usage = usageInSseChunk(chunk.toString('utf8')) ?? this.usage;
      return;
    }
    if (this.jsonBytes + chunk.length <= MAX_RESPONSE_JSON) {
      this.jsonChunks.push(chunk);
      this.jsonBytes += chunk.length;
    } else this.jsonBytes = Infinity;
    if (eos && Number.isFinite(this.jsonBytes)) {
      const text = Buffer.concat(this.jsonChunks).toString('utf8');
      this.usage = text.trimStart().startsWith('data:') ? usageInSseChunk(text) : usageInJson(text);
    }
    if (eos) this.jsonChunks.length = 0;
  }

  private complete(): void {
    if (this.target === null || this.completed) return;
    this.completed = true;
    this.env.core.complete(this.requestId, this.target, this.usage ?? undefined);
  }
}
