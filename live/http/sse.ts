/**
 * Server-sent events as vLLM writes them (live.md §5.4): `text/event-stream`, each event
 * `data: <json>\n\n` in ONE write (a router parses usage per chunk, so an event must not be split),
 * the stream closed by `data: [DONE]\n\n`.
 */
import type { ServerResponse } from 'node:http';

export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

/** One event carrying `data` as JSON. */
export function writeEvent(res: ServerResponse, data: unknown): void {
  if (writable(res)) res.write(`data: ${JSON.stringify(data)}\n\n`);
}

/** The terminating `[DONE]` event; ends the response. */
export function endEventStream(res: ServerResponse): void {
  if (writable(res)) res.end('data: [DONE]\n\n');
}

/** Answer `status` with a JSON body (one write). */
export function sendJson(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || !writable(res)) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Still open for writing: not ended and its connection not gone (a write then would raise an error). */
export function writable(res: ServerResponse): boolean {
  return !res.writableEnded && !res.destroyed;
}
