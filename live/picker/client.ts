/**
 * A minimal ext_proc client that plays Envoy's part (tests, and the end-to-end check): one stream
 * per HTTP request; sends the request headers and the body in chunks (FULL_DUPLEX_STREAMED by
 * default, or BUFFERED), reads the picker's answer — the destination (header and `envoy.lb`
 * metadata) with the re-emitted body, or an ImmediateResponse, or a gRPC error — and can then play
 * the response path (headers, body chunks, trailers) so the picker's response-complete hooks run.
 */
import * as grpc from '@grpc/grpc-js';
import { DESTINATION_HEADER, METADATA_NAMESPACE, SUBSET_KEY, SUBSET_NAMESPACE } from './answers.js';
import { loadProtos } from './proto.js';
import { BODY_MODE, fromPbStruct, headerRecord, type HeaderMap, type ProcessingRequest, type ProcessingResponse } from './wire.js';

export interface ClientOptions {
  /** Plaintext (the picker runs with --insecure). */
  readonly insecure?: boolean;
  /** PEM of the certificate to trust (the picker's self-signed one). */
  readonly caPem?: string;
}

export interface RouteRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Bytes per request_body message (default: whole body in one). */
  readonly chunkBytes?: number;
  /** metadata_context envoy.lb.subset_hint (ip:port list). */
  readonly subset?: readonly string[];
  readonly bodyMode?: 'FULL_DUPLEX_STREAMED' | 'BUFFERED';
}

export type RouteResult =
  | { readonly kind: 'routed'; readonly destination: string; readonly metadataDestination: string | null; readonly body: Buffer; readonly session: Session }
  | { readonly kind: 'immediate'; readonly status: number; readonly body: string; readonly headers: Record<string, string> }
  | { readonly kind: 'grpc-error'; readonly code: number; readonly details: string };

type Event = { msg: ProcessingResponse } | { end: true; code: number; details: string };

/** One ext_proc stream with an ordered inbox of answers. */
export class Session {
  private readonly inbox: Event[] = [];
  private waiter: ((e: Event) => void) | null = null;
  private finished: Event | null = null;

  constructor(readonly call: grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>) {
    call.on('data', (msg: ProcessingResponse) => this.push({ msg }));
    call.on('error', (err: grpc.ServiceError) => this.finish({ end: true, code: err.code, details: err.details }));
    call.on('status', (st: grpc.StatusObject) => this.finish({ end: true, code: st.code, details: st.details }));
    call.on('end', () => this.finish({ end: true, code: 0, details: '' }));
  }

  send(m: ProcessingRequest | Record<string, unknown>): void {
    this.call.write(m as ProcessingRequest);
  }

  /** The next answer, or the end of the stream. */
  next(): Promise<Event> {
    const e = this.inbox.shift();
    if (e) return Promise.resolve(e);
    if (this.finished) return Promise.resolve(this.finished);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Plays the response path: headers, body chunks (one eos at the end), optional trailers; resolves with the answers. */
  async respond(r: { headers: Record<string, string>; chunks: (string | Buffer)[]; trailers?: Record<string, string> }): Promise<ProcessingResponse[]> {
    const got: ProcessingResponse[] = [];
    const expect = async (): Promise<void> => {
      const e = await this.next();
      if ('msg' in e) got.push(e.msg);
    };
    this.send({ response_headers: { headers: headerMap(r.headers), end_of_stream: r.chunks.length === 0 } });
    await expect();
    for (let i = 0; i < r.chunks.length; i++) {
      const c = r.chunks[i]!;
      this.send({ response_body: { body: Buffer.isBuffer(c) ? c : Buffer.from(c, 'utf8'), end_of_stream: i === r.chunks.length - 1 } });
      await expect();
    }
    if (r.trailers) {
      this.send({ response_trailers: { trailers: headerMap(r.trailers) } });
      await expect();
    }
    this.call.end();
    return got;
  }

  close(): void {
    this.call.end();
  }

  private push(e: Event): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(e);
    } else this.inbox.push(e);
  }

  private finish(e: Event): void {
    if (this.finished) return;
    this.finished = e;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(e);
    }
  }
}

export function headerMap(h: Readonly<Record<string, string>>): HeaderMap {
  return { headers: Object.entries(h).map(([key, v]) => ({ key: key.toLowerCase(), raw_value: Buffer.from(v, 'utf8') })) };
}

export class ExtProcClient {
  readonly client: grpc.Client & { Process(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> };

  constructor(target: string, opts: ClientOptions = {}) {
    const { extProc } = loadProtos();
    const creds = opts.insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(opts.caPem !== undefined ? Buffer.from(opts.caPem) : null);
    const options = opts.insecure ? {} : { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' };
    this.client = new extProc(target, creds, options) as unknown as ExtProcClient['client'];
  }

  open(): Session {
    return new Session(this.client.Process());
  }

  /** Sends one request and reads the picker's answer to it. */
  async route(r: RouteRequest): Promise<RouteResult> {
    const s = this.open();
    const body = r.body === undefined ? null : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
    const mode = r.bodyMode === 'BUFFERED' ? BODY_MODE.BUFFERED : BODY_MODE.FULL_DUPLEX_STREAMED;
    s.send({ request_headers: { headers: headerMap(r.headers), end_of_stream: body === null }, protocol_config: { request_body_mode: mode, response_body_mode: mode } });
    if (body !== null) {
      const step = r.chunkBytes ?? Math.max(1, body.length);
      const meta = r.subset ? { metadata_context: { filter_metadata: { [SUBSET_NAMESPACE]: { fields: { [SUBSET_KEY]: { listValue: { values: r.subset.map((x) => ({ stringValue: x })) } } } } } } } : {};
      if (body.length === 0) s.send({ request_body: { body, end_of_stream: true }, ...meta });
      for (let off = 0; off < body.length; off += step) {
        const last = off + step >= body.length;
        s.send({ request_body: { body: body.subarray(off, off + step), end_of_stream: last }, ...(last ? meta : {}) });
      }
    }
    let destination: string | null = null;
    let metadataDestination: string | null = null;
    const echoed: Buffer[] = [];
    for (;;) {
      const e = await s.next();
      if ('end' in e) {
        if (e.code !== 0) return { kind: 'grpc-error', code: e.code, details: e.details };
        throw new Error('the picker ended the stream without an answer');
      }
      const m = e.msg;
      if (m.immediate_response) {
        const ir = m.immediate_response;
        const hs: Record<string, string> = {};
        for (const o of ir.headers?.set_headers ?? []) Object.assign(hs, headerRecord({ headers: [o.header] }));
        return { kind: 'immediate', status: ir.status.code, body: Buffer.from(ir.body ?? []).toString('utf8'), headers: hs };
      }
      if (m.dynamic_metadata) {
        const md = fromPbStruct(m.dynamic_metadata)[METADATA_NAMESPACE] as Record<string, unknown> | undefined;
        if (typeof md?.[DESTINATION_HEADER] === 'string') metadataDestination = md[DESTINATION_HEADER] as string;
      }
      const common = m.request_headers?.response ?? m.request_body?.response;
      for (const o of common?.header_mutation?.set_headers ?? []) {
        const h = headerRecord({ headers: [o.header] });
        if (h[DESTINATION_HEADER] !== undefined) destination = h[DESTINATION_HEADER]!;
      }
      const bm = m.request_body?.response?.body_mutation;
      if (bm?.streamed_response) {
        echoed.push(Buffer.from(bm.streamed_response.body ?? []));
        if (bm.streamed_response.end_of_stream) break;
      } else if (bm?.body) {
        echoed.push(Buffer.from(bm.body));
        break;
      }
      if (body === null && destination !== null) break;
    }
    if (destination === null) throw new Error('the picker answered without a destination header');
    return { kind: 'routed', destination, metadataDestination, body: Buffer.concat(echoed), session: s };
  }

  close(): void {
    this.client.close();
  }
}
