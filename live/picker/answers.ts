/**
 * The Endpoint Picker Protocol's answers as ProcessingResponse objects (live.md §1.7, §2.1, §2.4):
 * the destination header `x-gateway-destination-endpoint` (+ Content-Length, clear_route_cache)
 * with the same `ip:port[,ip:port…]` list in dynamic metadata `envoy.lb`; the body re-emitted in
 * ≤ 62,000-byte streamed chunks (FULL_DUPLEX_STREAMED) or whole (BUFFERED); ImmediateResponse for
 * errors; pass-through answers for the response path.
 */
import { HEADER_DROP_REASON } from '../../policies/framework/eppError.js';
import type { Answer } from './pickerCore.js';
import { pbString, pbStruct, setHeader, type ProcessingResponse } from './wire.js';

export const DESTINATION_HEADER = 'x-gateway-destination-endpoint';
export const METADATA_NAMESPACE = 'envoy.lb';
export const SUBSET_NAMESPACE = 'envoy.lb.subset_hint';
export const SUBSET_KEY = 'x-gateway-destination-endpoint-subset';
/** The router's chunk size for re-emitted bodies [src pkg/common/envoy/chunking.go]. */
export const BODY_CHUNK_BYTES = 62_000;

export function destinationMetadata(destination: string): ProcessingResponse['dynamic_metadata'] {
  return { fields: { [METADATA_NAMESPACE]: pbStruct({ [DESTINATION_HEADER]: pbString(destination) }) } };
}

function destinationMutation(destination: string, bodyBytes: number) {
  return { set_headers: [setHeader(DESTINATION_HEADER, destination), setHeader('content-length', String(bodyBytes))] };
}

/** FULL_DUPLEX_STREAMED: the header answer with the destination, then the body in streamed chunks (an empty body gets one empty eos chunk). */
export function streamedDispatch(destination: string, body: Buffer): ProcessingResponse[] {
  const out: ProcessingResponse[] = [
    { request_headers: { response: { header_mutation: destinationMutation(destination, body.length), clear_route_cache: true } }, dynamic_metadata: destinationMetadata(destination) },
  ];
  let off = 0;
  do {
    const end = Math.min(body.length, off + BODY_CHUNK_BYTES);
    out.push({ request_body: { response: { body_mutation: { streamed_response: { body: body.subarray(off, end), end_of_stream: end >= body.length } } } } });
    off = end;
  } while (off < body.length);
  return out;
}

/** BUFFERED: one body answer carrying the destination and the whole body. */
export function bufferedDispatch(destination: string, body: Buffer): ProcessingResponse {
  return {
    request_body: { response: { header_mutation: destinationMutation(destination, body.length), body_mutation: { body }, clear_route_cache: true } },
    dynamic_metadata: destinationMetadata(destination),
  };
}

/** A header-only request (no body): the destination at once. */
export function headersDispatch(destination: string): ProcessingResponse {
  return { request_headers: { response: { header_mutation: { set_headers: [setHeader(DESTINATION_HEADER, destination)] }, clear_route_cache: true } }, dynamic_metadata: destinationMetadata(destination) };
}

/** The local reply for a rejected request (plain-text body; drop reason header when set). */
export function immediateError(a: Extract<Answer, { kind: 'reject' }>): ProcessingResponse {
  return {
    immediate_response: {
      status: { code: a.status },
      ...(a.dropReason !== undefined ? { headers: { set_headers: [setHeader(HEADER_DROP_REASON, a.dropReason)] } } : {}),
      body: Buffer.from(a.body, 'utf8'),
      details: a.reason,
    },
  };
}

export function responseHeadersAnswer(headers: ReadonlyMap<string, string>): ProcessingResponse {
  const set = [...headers].map(([k, v]) => setHeader(k, v));
  return { response_headers: { response: set.length > 0 ? { header_mutation: { set_headers: set } } : {} } };
}

/** A response chunk: echoed (FULL_DUPLEX_STREAMED) or passed through with an empty answer. */
export function responseBodyAnswer(chunk: Buffer, eos: boolean, fullDuplex: boolean): ProcessingResponse {
  return { response_body: { response: fullDuplex ? { body_mutation: { streamed_response: { body: chunk, end_of_stream: eos } } } : {} } };
}
