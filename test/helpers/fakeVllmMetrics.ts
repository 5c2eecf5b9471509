/**
 * Tiny fake vLLM `/metrics` endpoints for the live-picker tests: an HTTP server on 127.0.0.1
 * serving a settable Prometheus text (vLLM names and types), or misbehaving on demand (hang past
 * the scrape timeout, HTTP 500).
 */
import { createServer, type Server } from 'node:http';

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

/** vLLM-shaped exposition text for `m` (as in live.md §4.4). */
export function vllmText(m: FakeMetrics, model = 'sim-8b'): string {
  const l = `{engine="0",model_name="${model}"}`;
  const lines = [
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running${l} ${m.running}`,
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting${l} ${m.waiting}`,
    '# HELP vllm:kv_cache_usage_perc Fraction of KV blocks in use.',
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc${l} ${m.kv}`,
    '# TYPE vllm:cache_config_info gauge',
    `vllm:cache_config_info{block_size="${m.blockSize ?? 16}",cache_dtype="auto",enable_prefix_caching="True",engine="0",num_gpu_blocks="${m.numGpuBlocks ?? 2048}"} 1.0`,
  ];
  if (m.maxLora !== undefined) {
    lines.push('# TYPE vllm:lora_requests_info gauge');
    lines.push(`vllm:lora_requests_info{max_lora="${m.maxLora}",running_lora_adapters="",waiting_lora_adapters=""} 1.7570000e+09`);
    lines.push(`vllm:lora_requests_info{max_lora="${m.maxLora}",running_lora_adapters="${(m.active ?? []).join(',')}",waiting_lora_adapters="${(m.waitingAdapters ?? []).join(',')}"} 1.7570012e+09`);
  }
  return `${lines.join('\n')}\n`;
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
