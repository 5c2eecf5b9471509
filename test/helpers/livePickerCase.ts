/**
 * Runs a pick case (policies/harness/pickCase.ts document) through the LIVE picker: one fake vLLM
 * /metrics server per endpoint serving the case's metrics, the picker started on loopback with the
 * case's config and seed, each request sent over gRPC by the ext_proc client (body
 * `{"model", "prompt"|"messages"}` exactly as the harness sizes it), and — for `complete: true`
 * requests — the response path played (SSE with usage) before the next request. Returns per request
 * the outcome as the pick harness words it: 'dispatched' + target + fallbacks, or the HTTP status.
 */
import { loadPickerConfig, parseConfigText } from '../../policies/config/loader.js';
import { ExtProcClient } from '../../live/picker/client.js';
import { startPickerServer, type PickerServer } from '../../live/picker/server.js';
import { startFakeMetrics, vllmText, type FakeServer } from './fakeVllmMetrics.js';

/** A case request's subset header (names) travels to the live picker as envoy.lb.subset_hint metadata (addresses). */
const SUBSET_HEADER = 'x-gateway-destination-endpoint-subset';

interface CaseDoc {
  config?: string;
  seed?: number;
  endpoints: { name: string; labels?: Record<string, string>; metrics?: Record<string, unknown> | null }[];
  requests: { id?: string; model: string; prompt?: string | string[]; messages?: unknown[]; headers?: Record<string, string>; complete?: boolean; metrics?: Record<string, Record<string, unknown>> }[];
}

export interface LiveOutcome {
  readonly outcome: 'dispatched' | number;
  readonly target?: string;
  readonly fallbacks?: string[];
  readonly destination?: string;
}

export async function runLiveCase(doc: CaseDoc, opts: { insecure?: boolean } = {}): Promise<{ outcomes: LiveOutcome[]; picker: PickerServer; fakes: FakeServer[] }> {
  const fakes: FakeServer[] = [];
  // Each endpoint's current case metrics (a request's `metrics` merge into them, as the harness does).
  const current = doc.endpoints.map((e) => ({ ...(e.metrics ?? {}) }) as Record<string, unknown>);
  for (const m of current) fakes.push(await startFakeMetrics(textOf(m), `127.0.0.${2 + fakes.length}`));
  const config = doc.config === undefined ? loadPickerConfig(null) : loadPickerConfig({ value: parseConfigText(doc.config) });
  const picker = await startPickerServer({
    config,
    endpoints: doc.endpoints.map((e, i) => ({ name: e.name, address: fakes[i]!.address, labels: e.labels ?? {} })),
    grpcPort: 0,
    httpPort: 0,
    refreshMetricsMs: 50,
    insecure: opts.insecure ?? true,
    seed: doc.seed ?? 1,
  });
  await picker.scraper.scrapeAll();
  const client = new ExtProcClient(`127.0.0.1:${picker.grpcPort}`, picker.pem ? { caPem: picker.pem.cert } : { insecure: true });
  const outcomes: LiveOutcome[] = [];
  const open: { close(): void }[] = [];
  try {
    for (const [i, q] of doc.requests.entries()) {
      if (q.metrics) {
        for (const [name, m] of Object.entries(q.metrics)) {
          const k = doc.endpoints.findIndex((e) => e.name === name);
          current[k] = { ...current[k], ...m };
          fakes[k]!.text = textOf(current[k]!);
        }
        await picker.scraper.scrapeAll();
      }
      const chat = q.messages !== undefined;
      const headers = { ...(q.headers ?? {}) };
      const subsetNames = headers[SUBSET_HEADER];
      delete headers[SUBSET_HEADER];
      const subset = subsetNames?.split(',').map((n) => fakes[doc.endpoints.findIndex((e) => e.name === n.trim())]!.address);
      const body = chat ? JSON.stringify({ model: q.model, messages: q.messages }) : JSON.stringify({ model: q.model, prompt: q.prompt ?? '' });
      const r = await client.route({
        headers: { ':method': 'POST', ':path': chat ? '/v1/chat/completions' : '/v1/completions', 'content-type': 'application/json', 'x-request-id': q.id ?? `req-${i}`, ...headers },
        body,
        ...(subset ? { subset } : {}),
        chunkBytes: 7,
      });
      if (r.kind === 'routed') {
        const names = r.destination.split(',').map((a) => doc.endpoints[fakes.findIndex((f) => f.address === a)]!.name);
        outcomes.push({ outcome: 'dispatched', target: names[0]!, fallbacks: names.slice(1), destination: r.destination });
        if (q.complete) {
          await r.session.respond({
            headers: { ':status': '200', 'content-type': 'text/event-stream' },
            chunks: ['data: {"choices":[{"index":0,"text":"hi"}]}\n\n', 'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}\n\n', 'data: [DONE]\n\n'],
          });
        } else open.push(r.session); // stays in flight, as a harness request without complete: true
      } else if (r.kind === 'immediate') outcomes.push({ outcome: r.status });
      else throw new Error(`gRPC error ${r.code}: ${r.details}`);
    }
  } finally {
    for (const s of open) s.close();
    client.close();
  }
  return { outcomes, picker, fakes };
}

/** vLLM text for case metrics (absent fields: the harness defaults). */
function textOf(m: Record<string, unknown>): string {
  const n = (k: string, d: number): number => (typeof m[k] === 'number' ? (m[k] as number) : d);
  return vllmText({
    waiting: n('waiting', 0),
    running: n('running', 0),
    kv: n('kvUsage', 0),
    ...(m.maxLoras !== undefined ? { maxLora: n('maxLoras', 0), active: (m.activeAdapters as string[]) ?? [], waitingAdapters: (m.waitingAdapters as string[]) ?? [] } : {}),
    blockSize: n('blockSize', 16),
    numGpuBlocks: n('numGpuBlocks', 0),
  });
}

export async function closeAll(picker: PickerServer, fakes: readonly FakeServer[]): Promise<void> {
  await picker.close();
  for (const f of fakes) await f.close();
}
