/**
 * Tiny fake vLLM `/metrics` endpoints for the live-picker tests: an HTTP server on 127.0.0.1
 * serving a settable Prometheus text (vLLM names and types), or misbehaving on demand (hang past
 * the scrape timeout, HTTP 500).
 */
import { createServer, type Server } from 'node:http';
import { vllmExposition } from '../../live/picker/exposition.js';

export interface FakeMetrics {
  readonly waiting: number;
  readonly running: number;
  readonly kv: number;
  readonly active?: readonly string[];
  readonly waitingAdapters?: readonly string[];
  readonly maxLora?: number;
  readonly blockSize?: number;
  readonly numGpuBlocks?: number;
}

/**
 * vLLM-shaped exposition text for `m`, written by the picker's own writer (live/picker/exposition.ts,
 * the names and types promMetrics.ts reads); absent fields: block size 16, 2048 GPU blocks, no
 * LoRA (max_lora 0, no adapters — read exactly as an absent lora_requests_info family).
 */
export function vllmText(m: FakeMetrics, model = 'sim-8b'): string {
  return vllmExposition(
    {
      waiting: m.waiting,
      running: m.running,
      kvUsage: m.kv,
      activeAdapters: m.active ?? [],
      waitingAdapters: m.waitingAdapters ?? [],
      maxLoras: m.maxLora ?? 0,
      blockSize: m.blockSize ?? 16,
      numGpuBlocks: m.numGpuBlocks ?? 2048,
    },
    model,
  );
}

export interface FakeServer {
  readonly port: number;
  readonly address: string;
  /** Scrapes served so far. */
  hits: number;
  text: string;
  mode: 'ok' | 'hang' | 'error';
  close(): Promise<void>;
}

/** Serves `text` on `host` (any 127.x.y.z works on Linux loopback: distinct IPs per endpoint, as pods have). */
export async function startFakeMetrics(text: string, host = '127.0.0.1'): Promise<FakeServer> {
  const state = { hits: 0, text, mode: 'ok' as FakeServer['mode'] };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    state.hits++;
    if (state.mode === 'hang') return; // never answers: the scrape times out
    if (state.mode === 'error') return void res.writeHead(500).end('boom');
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(state.text);
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, {
    port,
    address: `${host}:${port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  }) as FakeServer;
}
