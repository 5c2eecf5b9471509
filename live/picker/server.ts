/**
 * Starts the live Endpoint Picker: the ext_proc gRPC service (+ grpc.health.v1) on one port, TLS
 * by default (self-signed unless a certificate is given; plaintext with `insecure`), the metrics
 * scraper, the endpoints (flags or a watched file), and the HTTP port with `/metrics` (picker
 * counters, Prometheus text) and `/health`. Binds 127.0.0.1 unless a host is given.
 */
import * as grpc from '@grpc/grpc-js';
import seedrandom from 'seedrandom';
import type { ResolvedConfig } from '../../policies/config/loader.js';
import type { LiveEndpoint } from './endpoints.js';
import { watchEndpointsFile } from './endpoints.js';
import { handleStream } from './extProcStream.js';
import { LiveDecisionLog } from './decisionLog.js';
import { startAdminHttp, type AdminHttp } from './adminHttp.js';
import { PickerCore } from './pickerCore.js';
import { loadProtos } from './proto.js';
import { MetricsScraper } from './scraper.js';
import { selfSignedPem, type Pem } from './tls.js';
import type { ProcessingRequest, ProcessingResponse } from './wire.js';

export interface PickerServerOptions {
  readonly config: ResolvedConfig;
  readonly endpoints: readonly LiveEndpoint[];
  /** Re-read this endpoints file when it changes. */
  readonly endpointsFile?: string;
  readonly host?: string;
  /** gRPC port (0 = any free port). */
  readonly grpcPort: number;
  /** HTTP port for /metrics and /health (0 = any; null = none). */
  readonly httpPort: number | null;
  /** The base tick (--refresh-metrics-interval); the metrics source scrapes every metricsSourceTicks of them. */
  readonly refreshMetricsMs: number;
  /** Plaintext gRPC (no TLS). */
  readonly insecure?: boolean;
  /** Certificate and key; absent = self-signed, generated now. */
  readonly pem?: Pem;
  readonly seed?: number;
  /** The picker's uniform stream (default: seedrandom alea(String(seed)), as `routesim pick`). */
  readonly rng?: () => number;
  /** Clock, µs (default: monotonic wall clock). */
  readonly nowUs?: () => number;
  /** Start scraping at once (default true; replays scrape on demand). */
  readonly autoScrape?: boolean;
  readonly objectives?: ReadonlyMap<string, number>;
  readonly log?: (line: string) => void;
  /** `--decisions`: write each scheduling decision as one line (decisionLog.ts); `close` runs at shutdown. */
  readonly decisions?: { readonly policy: string; readonly sample: number; readonly write: (line: string) => void; readonly close?: () => void };
}

export interface PickerServer {
  readonly grpcPort: number;
  readonly httpPort: number | null;
  readonly core: PickerCore;
  readonly scraper: MetricsScraper;
  /** The PEM served (for clients trusting the self-signed certificate); null when insecure. */
  readonly pem: Pem | null;
  close(): Promise<void>;
}

/** How long open streams may finish after close() before they are cut. */
export const SHUTDOWN_GRACE_MS = 2000;

export function wallClockUs(): () => number {
  const t0 = performance.now();
  return () => Math.round((performance.now() - t0) * 1000);
}

/**
 * Base ticks between scrapes of the config's metrics source (llm-d-router v0.10 `dataLayer.sources[].interval`,
 * rounded to ticks of --refresh-metrics-interval by the loader; GAIE configs and no interval: every tick).
 */
export function metricsSourceTicks(config: ResolvedConfig): number {
  const entry = config.dataLayer.find((d) => config.types.get(d.source) === 'metrics-data-source');
  return Math.max(1, entry?.intervalTicks ?? 1);
}

export async function startPickerServer(o: PickerServerOptions): Promise<PickerServer> {
  const log = o.log ?? (() => {});
  const nowUs = o.nowUs ?? wallClockUs();
  const seed = o.seed ?? 1;
  let core: PickerCore | null = null;
  const scraper = new MetricsScraper(nowUs, o.refreshMetricsMs * metricsSourceTicks(o.config), undefined, () => core?.release());
  scraper.setEndpoints(o.endpoints);
  const decisions = o.decisions === undefined ? null : new LiveDecisionLog({ policy: o.decisions.policy, seed, sample: o.decisions.sample, write: o.decisions.write });
  core = new PickerCore(o.config, { rng: o.rng ?? seedrandom.alea(String(seed)), ...(o.objectives ? { objectives: o.objectives } : {}) }, scraper, nowUs, decisions);
  const stopWatch = o.endpointsFile !== undefined ? watchEndpointsFile(o.endpointsFile, 200, (eps) => { scraper.setEndpoints(eps); log(`endpoints reloaded: ${eps.map((e) => e.name).join(', ') || '(none)'}`); }, log) : () => {};

  const protos = loadProtos();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 << 20 });
  let n = 0;
  const bodylessRng = seedrandom.alea(`${seed}:bodyless`);
  const theCore = core;
  const process: grpc.handleBidiStreamingCall<ProcessingRequest, ProcessingResponse> = (call) => handleStream(call, { core: theCore, nextId: () => `routesim-${++n}`, bodylessRng, log });
  server.addService(protos.extProc.service, { Process: process as grpc.UntypedHandleCall });
  server.addService(protos.health.service, {
    Check: (_call: unknown, cb: grpc.sendUnaryData<{ status: number }>) => cb(null, { status: 1 }),
  });
  const pem = o.insecure ? null : (o.pem ?? (await selfSignedPem()));
  const creds = pem === null ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(pem.cert), private_key: Buffer.from(pem.key) }], false);
  const host = o.host ?? '127.0.0.1';
  const hostPort = host.includes(':') ? `[${host}]:${o.grpcPort}` : `${host}:${o.grpcPort}`;
  const grpcPort = await new Promise<number>((resolve, reject) => server.bindAsync(hostPort, creds, (err, port) => (err ? reject(err) : resolve(port))));

  let admin: AdminHttp | null = null;
  if (o.httpPort !== null) admin = await startAdminHttp(host, o.httpPort, theCore, scraper);
  if (o.autoScrape !== false) scraper.start();
  theCore.start(o.refreshMetricsMs);

  return {
    grpcPort,
    httpPort: admin?.port ?? null,
    core: theCore,
    scraper,
    pem,
    close: async () => {
      stopWatch();
      scraper.stop();
      theCore.stop();
      // Streams still open after a short drain are cut (Envoy retries them elsewhere).
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(cut);
          resolve();
        });
      });
      await admin?.close();
      o.decisions?.close?.();
    },
  };
}
