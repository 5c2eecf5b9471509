/**
 * One mock replica's HTTP server (live.md §5.1): the OpenAI-compatible completion endpoints,
 * `/v1/models`, `/health`, `/metrics`, and the admin endpoints — LoRA load/unload and
 * `POST /admin/faults` (error rate, slow factor) — which exist only with `--enable-admin` (as vLLM
 * registers the LoRA ones only with VLLM_ALLOW_RUNTIME_LORA_UPDATING). Every
 * failure becomes an HTTP answer (OpenAI-style JSON for API errors, FastAPI's `{"detail": …}` for
 * unknown routes); nothing a client sends can throw out of the handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProblem } from '../http/errors.js';
import { readJsonObject } from '../http/body.js';
import { sendJson, writable } from '../http/sse.js';
import { handleCompletion } from './completionHandler.js';
import { parseFaultUpdate } from './faults.js';
import type { MockReplica } from './mockFleet.js';
import type { SimClock } from './simClock.js';

export interface ServerOptions {
  readonly enableAdmin: boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createReplicaServer(r: MockReplica, clock: SimClock, o: ServerOptions): Server {
  const routes = new Map<string, Map<string, Handler>>();
  const route = (method: string, path: string, h: Handler): void => {
    if (!routes.has(path)) routes.set(path, new Map());
    routes.get(path)!.set(method, h);
  };
  route('POST', '/v1/completions', (req, res) => handleCompletion('completion', req, res, r, clock));
  route('POST', '/v1/chat/completions', (req, res) => handleCompletion('chat', req, res, r, clock));
  route('GET', '/v1/models', async (_req, res) => sendJson(res, 200, JSON.stringify(modelList(r, clock))));
  route('GET', '/health', async (_req, res) => {
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  });
  route('GET', '/metrics', async (_req, res) => {
    // Apply every step due by now first, so a late timer never shows a scrape stale engine state.
    r.driver.advance();
    const text = await r.metrics.text();
    res.writeHead(200, { 'content-type': r.metrics.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  if (o.enableAdmin) {
    route('POST', '/v1/load_lora_adapter', async (req, res) => {
      const b = await readJsonObject(req);
      sendText(res, r.adapters.load(b.lora_name, b.lora_path));
    });
    route('POST', '/v1/unload_lora_adapter', async (req, res) => {
      const b = await readJsonObject(req);
      sendText(res, r.adapters.unload(b.lora_name));
    });
    route('POST', '/admin/faults', async (req, res) => {
      const u = parseFaultUpdate(await readJsonObject(req));
      if (u.errorRate !== undefined) r.errors.rate = u.errorRate;
      if (u.slowFactor !== undefined) r.driver.replica.setWarmup(u.slowFactor === 1 ? 0 : Number.MAX_SAFE_INTEGER, u.slowFactor);
      sendJson(res, 200, JSON.stringify({ error_rate: r.errors.rate, slow_factor: u.slowFactor ?? null }));
    });
  }

  return createServer((req, res) => {
    // A client that vanishes mid-answer must not become an unhandled 'error' event (a crash).
    res.on('error', () => {});
    req.on('error', () => {});
    const path = (req.url ?? '/').split('?')[0]!;
    const byMethod = routes.get(path);
    const h = byMethod?.get(req.method ?? 'GET');
    if (h === undefined) {
      req.resume();
      sendJson(res, byMethod === undefined ? 404 : 405, JSON.stringify({ detail: byMethod === undefined ? 'Not Found' : 'Method Not Allowed' }));
      return;
    }
    h(req, res).catch((err: unknown) => {
      const p = err instanceof HttpProblem ? err : new HttpProblem(500, `internal error: ${(err as Error)?.message ?? String(err)}`);
      if (!res.headersSent) sendJson(res, p.status, p.body());
      else if (writable(res)) res.end(`data: ${p.body()}\n\ndata: [DONE]\n\n`);
    });
  });
}

/** Start `server` on host:port; resolves with the port bound (useful with port 0). */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function sendText(res: ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** `/v1/models` (live.md §5.6): the base model, then every adapter with it as parent. */
function modelList(r: MockReplica, clock: SimClock): object {
  const created = Math.floor(clock.epochSeconds(0));
  const entry = (id: string, parent: string | null) => ({
    id,
    object: 'model',
    created,
    owned_by: 'vllm',
    root: id,
    parent,
    max_model_len: r.maxModelLen,
    permission: [],
  });
  return { object: 'list', data: [entry(r.modelName, null), ...r.adapters.list().map((a) => entry(a, r.modelName))] };
}
