/**
 * Loads the hand-written ext_proc and health .proto files (live/proto/) with @grpc/proto-loader.
 * The .proto files are shipped as files, not compiled in: they are found relative to this module,
 * both when it runs from the sources (live/picker/) and from the build (dist/live/picker/).
 *
 * Options: snake_case field names as on the wire (keepCase), enums as numbers, bytes as Buffers,
 * oneof members named in a virtual field (`request` / `response` / `mutation`), defaults filled.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: Number, bytes: Buffer, defaults: true, oneofs: true };

/** The folder holding ext_proc.proto: ../proto beside the sources, ../../../live/proto from dist/. */
export function protoDir(): string {
  for (const rel of ['../proto/', '../../../live/proto/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}ext_proc.proto`)) return dir;
  }
  throw new Error('live/proto/ext_proc.proto not found beside the picker module (is the package complete?)');
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
