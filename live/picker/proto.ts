/**
 * Loads the hand-written ext_proc and health .proto files (live/proto/) with @grpc/proto-loader.
 * The .proto files are shipped as files, not compiled in: they are found under the package root
 * (PACKAGE_ROOT), whether this module runs from the sources, from dist/ or from the CLI's bundle.
 *
 * Options: snake_case field names as on the wire (keepCase), enums as numbers, bytes as Buffers,
 * oneof members named in a virtual field (`request` / `response` / `mutation`), defaults filled.
 */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { PACKAGE_ROOT } from '../../sim/core/paths.js';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: Number, bytes: Buffer, defaults: true, oneofs: true };

/** The folder holding ext_proc.proto: live/proto/ in the package (sources, dist/ and its bundle alike). */
export function protoDir(): string {
  const dir = join(PACKAGE_ROOT, 'live', 'proto') + sep;
  if (existsSync(`${dir}ext_proc.proto`)) return dir;
  throw new Error(`${dir}ext_proc.proto not found (is the package complete?)`);
}

export interface LoadedProtos {
  readonly extProc: grpc.ServiceClientConstructor;
  readonly health: grpc.ServiceClientConstructor;
  /** The ProcessingRequest / ProcessingResponse message types (for tests and raw encoding). */
  readonly messages: { readonly ProcessingRequest: protoLoader.MessageTypeDefinition<object, object>; readonly ProcessingResponse: protoLoader.MessageTypeDefinition<object, object> };
}

let cached: LoadedProtos | null = null;

export function loadProtos(): LoadedProtos {
  if (cached) return cached;
  const dir = protoDir();
  const def = protoLoader.loadSync(['ext_proc.proto', 'health.proto'], { ...LOADER_OPTIONS, includeDirs: [dir] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: { service: { ext_proc: { v3: { ExternalProcessor: grpc.ServiceClientConstructor } } } };
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  cached = {
    extProc: pkg.envoy.service.ext_proc.v3.ExternalProcessor,
    health: pkg.grpc.health.v1.Health,
    messages: {
      ProcessingRequest: def['envoy.service.ext_proc.v3.ProcessingRequest'] as protoLoader.MessageTypeDefinition<object, object>,
      ProcessingResponse: def['envoy.service.ext_proc.v3.ProcessingResponse'] as protoLoader.MessageTypeDefinition<object, object>,
    },
  };
  return cached;
}
