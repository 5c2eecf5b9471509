/**
 * Test helper: checks a YAML/JSON Envoy config against Envoy's own .proto schemas (the Envoy API
 * copy shipped in @grpc/grpc-js-xds's deps/, read with protobufjs): every key must be a field of its
 * message (snake_case), at most one field per oneof, enums by name, `google.protobuf.Any` by its
 * `@type`, durations as `10s`, and the protoc-gen-validate rules that say a field or oneof must be
 * present (`required`, `min_len`, `min_items`); numeric ranges and patterns are not checked.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { ROOT } from './cliHelpers.js';

type Obj = Record<string, any>;

const PROTO_DEPS = join(ROOT, 'node_modules', '@grpc', 'grpc-js-xds', 'deps');
const PROTO_DIRS = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(PROTO_DEPS, d));
/** Enum values newer than that copy, accepted as the reference gives them (live.md §1.4: value 4, Envoy ≥ 1.33). */
const NEWER_ENUM_VALUES: Record<string, string[]> = { BodySendMode: ['FULL_DUPLEX_STREAMED'] };

export function loadEnvoyRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const d of PROTO_DIRS) {
      try {
        statSync(join(d, target));
        return join(d, target);
      } catch {
        /* next */
      }
    }
    if (target === 'google/protobuf/descriptor.proto') return join(ROOT, 'node_modules', 'protobufjs', 'google', 'protobuf', 'descriptor.proto');
    return target; // other well-known google/protobuf types: protobufjs's built-ins
  };
  root.loadSync(
    [
      'envoy/config/bootstrap/v3/bootstrap.proto',
      'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
      'envoy/extensions/filters/http/ext_proc/v3/ext_proc.proto',
      'envoy/extensions/filters/http/router/v3/router.proto',
      'envoy/extensions/transport_sockets/tls/v3/tls.proto',
      'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
    ],
    { keepCase: true },
  );
  root.resolveAll();
  return root;
}

/** Every key is a field of its message (snake_case), one field per oneof, enums by name, Any by `@type`. */
export function checkMessage(root: protobuf.Root, type: protobuf.Type, value: unknown, path: string, errors: string[]): void {
  const full = type.fullName;
  if (full === '.google.protobuf.Duration') {
    if (typeof value !== 'string' || !/^\d+(\.\d+)?s$/.test(value)) errors.push(`${path}: not a duration like 10s`);
    return;
  }
  if (full === '.google.protobuf.Struct' || full === '.google.protobuf.Value' || full === '.google.protobuf.ListValue') return;
  if (/^\.google\.protobuf\.(U?Int(32|64)|Bool|String|Double|Float|Bytes)Value$/.test(full)) {
    checkScalar(type.fields.value!.type, value, path, errors);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push(`${path}: expected a ${type.name} mapping`);
    return;
  }
  let entries = Object.entries(value as Obj);
  if (full === '.google.protobuf.Any') {
    const url = (value as Obj)['@type'];
    const m = typeof url === 'string' ? /^type\.googleapis\.com\/(.+)$/.exec(url) : null;
    const inner = m ? root.lookup(m[1]!) : null;
    if (!(inner instanceof protobuf.Type)) {
      errors.push(`${path}.@type: unknown type ${String(url)}`);
      return;
    }
    entries = entries.filter(([k]) => k !== '@type');
    checkMessage(root, inner, Object.fromEntries(entries), path, errors);
    return;
  }
  checkRequired(type, value as Obj, path, errors);
  const oneofsSeen = new Map<string, string>();
  for (const [key, v] of entries) {
    const field = type.fields[key];
    const at = `${path}.${key}`;
    if (!field) {
      errors.push(`${at}: no field "${key}" in ${type.name}`);
      continue;
    }
    if (field.partOf) {
      const prev = oneofsSeen.get(field.partOf.name);
      if (prev) errors.push(`${at}: oneof ${field.partOf.name} already set by ${prev}`);
      oneofsSeen.set(field.partOf.name, key);
    }
    const one = (x: unknown, p: string): void => {
      const rt = field.resolvedType;
      if (rt instanceof protobuf.Type) checkMessage(root, rt, x, p, errors);
      else if (rt instanceof protobuf.Enum) {
        const ok = (typeof x === 'string' && (x in rt.values || (NEWER_ENUM_VALUES[rt.name] ?? []).includes(x))) || (typeof x === 'number' && Object.values(rt.values).includes(x));
        if (!ok) errors.push(`${p}: ${String(x)} is not a ${rt.name}`);
      } else checkScalar(field.type, x, p, errors);
    };
    if (field instanceof protobuf.MapField) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) errors.push(`${at}: expected a map`);
      else for (const [k, x] of Object.entries(v)) one(x, `${at}.${k}`);
    } else if (field.repeated) {
      if (!Array.isArray(v)) errors.push(`${at}: expected a list`);
      else v.forEach((x, i) => one(x, `${at}[${i}]`));
    } else one(v, at);
  }
}

function checkScalar(t: string, v: unknown, path: string, errors: string[]): void {
  const ok =
    t === 'bool' ? typeof v === 'boolean'
    : t === 'string' || t === 'bytes' ? typeof v === 'string'
    : typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v));
  if (!ok) errors.push(`${path}: ${JSON.stringify(v)} is not a ${t}`);
}


/** protoc-gen-validate presence rules: required messages/durations/Any, non-empty strings, minimum list sizes, required oneofs. */
function checkRequired(type: protobuf.Type, value: Obj, path: string, errors: string[]): void {
  for (const f of type.fieldsArray) {
    const o = f.options ?? {};
    const v = value[f.name];
    if (f.partOf && v === undefined) continue; // rules on a oneof member apply only when it is the one set
    const required = ['message', 'duration', 'any', 'timestamp'].some((k) => o[`(validate.rules).${k}.required`] === true);
    if (required && v === undefined) errors.push(`${path}.${f.name}: required by ${type.name}`);
    const minLen = o['(validate.rules).string.min_len'] ?? o['(validate.rules).string.min_bytes'];
    if (typeof minLen === 'number' && minLen > 0 && !(typeof v === 'string' && v.length >= minLen)) errors.push(`${path}.${f.name}: required non-empty by ${type.name}`);
    const minItems = o['(validate.rules).repeated.min_items'];
    if (typeof minItems === 'number' && minItems > 0 && !(Array.isArray(v) && v.length >= minItems)) errors.push(`${path}.${f.name}: needs at least ${minItems} item(s) in ${type.name}`);
  }
  for (const oneof of type.oneofsArray) {
    if (oneof.options?.['(validate.required)'] === true && !oneof.oneof.some((n) => value[n] !== undefined)) errors.push(`${path}: one of ${oneof.oneof.join(', ')} is required by ${type.name}`);
  }
}
