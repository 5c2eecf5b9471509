/**
 * A live picker for the picker tests: plaintext gRPC on a free loopback port, no HTTP port, the
 * 50 ms base tick, one endpoint per fake vLLM /metrics server (named by the record's keys, in
 * order, no labels) — and an ext_proc client to it. Other options (clock, autoScrape, decisions,
 * objectives) pass through. No scrape is made here: each test scrapes when its story says.
 */
import type { ResolvedConfig } from '../../policies/config/loader.js';
import { ExtProcClient } from '../../live/picker/client.js';
import { startPickerServer, type PickerServer, type PickerServerOptions } from '../../live/picker/server.js';
import type { FakeServer } from './fakeVllmMetrics.js';

type PassedOptions = Partial<Pick<PickerServerOptions, 'nowUs' | 'autoScrape' | 'decisions' | 'objectives'>>;

export async function startLoopbackPicker(config: ResolvedConfig, pods: Readonly<Record<string, FakeServer>>, opts: PassedOptions = {}): Promise<{ picker: PickerServer; client: ExtProcClient }> {
  const picker = await startPickerServer({
    config,
    endpoints: Object.entries(pods).map(([name, f]) => ({ name, address: f.address, labels: {} })),
    grpcPort: 0,
    httpPort: null,
    refreshMetricsMs: 50,
    insecure: true,
    ...opts,
  });
  return { picker, client: new ExtProcClient(`127.0.0.1:${picker.grpcPort}`, { insecure: true }) };
}
