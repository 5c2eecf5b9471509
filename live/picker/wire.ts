/**
 * The ext_proc messages as @grpc/proto-loader decodes and encodes them (live/proto/ext_proc.proto,
 * snake_case names, enums as numbers, bytes as Buffers), plus helpers to read header maps
 * (`raw_value` first, then `value`, live.md §1.2) and to build google.protobuf.Struct values.
 */

export interface HeaderValue {
  key: string;
  value?: string;
  raw_value?: Buffer;
}
export interface HeaderMap {
  headers?: HeaderValue[];
}
export interface HttpHeaders {
  headers?: HeaderMap | null;
  end_of_stream?: boolean;
}
export interface HttpBody {
  body?: Buffer;
  end_of_stream?: boolean;
}
export interface HttpTrailers {
  trailers?: HeaderMap | null;
}

/** google.protobuf.Value / Struct as proto-loader objects (protobufjs's built-in well-known types keep camelCase member names; the wire is the same). */
export type PbValue =
  | { nullValue: 0 }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: PbStruct }
  | { listValue: { values: PbValue[] } };
export interface PbStruct {
  fields: Record<string, PbValue>;
}

export interface ProcessingRequest {
  request?: 'request_headers' | 'response_headers' | 'request_body' | 'response_body' | 'request_trailers' | 'response_trailers';
  request_headers?: HttpHeaders | null;
  response_headers?: HttpHeaders | null;
  request_body?: HttpBody | null;
  response_body?: HttpBody | null;
  request_trailers?: HttpTrailers | null;
  response_trailers?: HttpTrailers | null;
  metadata_context?: { filter_metadata?: Record<string, PbStruct> } | null;
  observability_mode?: boolean;
  protocol_config?: { request_body_mode?: number; response_body_mode?: number } | null;
}

export interface HeaderMutation {
  set_headers?: { header: HeaderValue; append_action?: number }[];
  remove_headers?: string[];
}
export interface CommonResponse {
  status?: number;
  header_mutation?: HeaderMutation;
  body_mutation?: { body?: Buffer; clear_body?: boolean; streamed_response?: { body: Buffer; end_of_stream: boolean } };
  clear_route_cache?: boolean;
}
export interface ImmediateResponse {
  status: { code: number };
  headers?: HeaderMutation;
  body?: Buffer;
  details?: string;
}
export interface ProcessingResponse {
  request_headers?: { response?: CommonResponse };
  response_headers?: { response?: CommonResponse };
  request_body?: { response?: CommonResponse };
  response_body?: { response?: CommonResponse };
  request_trailers?: { header_mutation?: HeaderMutation };
  response_trailers?: { header_mutation?: HeaderMutation };
  immediate_response?: ImmediateResponse;
  dynamic_metadata?: PbStruct;
  /** Set by the decoder: which oneof member is present. */
  response?: string;
}

/** BodySendMode values (live.md §1.4). */
export const BODY_MODE = { NONE: 0, STREAMED: 1, BUFFERED: 2, BUFFERED_PARTIAL: 3, FULL_DUPLEX_STREAMED: 4, GRPC: 5 } as const;

/** A header map as lower-case name → value (raw_value wins; repeated names joined with ","). */
export function headerRecord(map: HeaderMap | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of map?.headers ?? []) {
    if (typeof h.key !== 'string' || h.key === '') continue;
    const key = h.key.toLowerCase();
    const v = h.raw_value !== undefined && h.raw_value.length > 0 ? h.raw_value.toString('utf8') : (h.value ?? '');
    out[key] = out[key] === undefined ? v : `${out[key]},${v}`;
  }
  return out;
}

/** A header to set (raw_value only: setting both value and raw_value makes Envoy reject the mutation). */
export function setHeader(key: string, value: string): { header: HeaderValue; append_action: number } {
  return { header: { key, raw_value: Buffer.from(value, 'utf8') }, append_action: 0 };
}

export function pbString(s: string): PbValue {
  return { stringValue: s };
}

export function pbStruct(fields: Record<string, PbValue>): PbValue {
  return { structValue: { fields } };
}

/** Reads a Value as a plain JS value (strings, numbers, bools, lists, structs; null otherwise). */
export function fromPbValue(v: PbValue | undefined | null): unknown {
  if (v === undefined || v === null) return null;
  const o = v as Record<string, unknown>;
  const kind = typeof o.kind === 'string' ? o.kind : ['stringValue', 'numberValue', 'boolValue', 'listValue', 'structValue'].find((k) => o[k] !== undefined && o[k] !== null);
  switch (kind) {
    case 'stringValue':
    case 'numberValue':
    case 'boolValue':
      return o[kind];
    case 'listValue':
      return ((o.listValue as { values?: PbValue[] }).values ?? []).map(fromPbValue);
    case 'structValue':
      return fromPbStruct(o.structValue as PbStruct);
    default:
      return null;
  }
}

export function fromPbStruct(s: PbStruct | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) out[k] = fromPbValue(v);
  return out;
}
