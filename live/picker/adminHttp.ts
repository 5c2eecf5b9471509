/**
 * The picker's own HTTP port: `/health` (200 `ok`; the endpoints and whether each was scraped, as
 * JSON with `?verbose`) and `/metrics` (Prometheus text: requests, dispatches, rejections by
 * status, completions, queued, in flight, scrapes ok / failed, endpoints known).
 */
import { createServer, type Server } from 'node:http';
import type { PickerCore } from './pickerCore.js';
import type { MetricsScraper } from './scraper.js';

export interface AdminHttp {
  readonly port: number;
  close(): Promise<void>;
}

export function pickerMetricsText(core: PickerCore, scraper: MetricsScraper): string {
  const c = core.counters;
  const lines = [
    '# HELP routesim_picker_requests_total Requests whose body reached the picker.',
    '# TYPE routesim_picker_requests_total counter',
    `routesim_picker_requests_total ${c.requests}`,
    '# TYPE routesim_picker_dispatched_total counter',
    `routesim_picker_dispatched_total ${c.dispatched}`,
    '# TYPE routesim_picker_rejected_total counter',
    ...Object.entries(c.rejected).sort().map(([status, n]) => `routesim_picker_rejected_total{status="${status}"} ${n}`),
    '# TYPE routesim_picker_completed_total counter',
    `routesim_picker_completed_total ${c.completed}`,
    '# TYPE routesim_picker_queued_total counter',
    `routesim_picker_queued_total ${c.queued}`,
    '# TYPE routesim_picker_in_flight gauge',
    `routesim_picker_in_flight ${core.inFlight}`,
    '# TYPE routesim_picker_scrapes_total counter',
    `routesim_picker_scrapes_total{result="ok"} ${scraper.counters.ok}`,
    `routesim_picker_scrapes_total{result="failed"} ${scraper.counters.failed}`,
    '# TYPE routesim_picker_endpoints gauge',
    `routesim_picker_endpoints ${scraper.pool.length}`,
  ];
  return `${lines.join('\n')}\n`;
}

export function startAdminHttp(host: string, port: number, core: PickerCore, scraper: MetricsScraper): Promise<AdminHttp> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (url.pathname === '/health') {
      if (url.searchParams.has('verbose')) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', endpoints: scraper.status() }));
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(pickerMetricsText(core, scraper));
    } else res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : port,
        close: () => new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}
