/**
 * Flow control in the live picker (featureGates [flowControl], epp.md §2.10; the same story as
 * test/pick-cases/flow-control.yaml): a request waits on its open ext_proc stream while the pool is
 * saturated, is released by the next scrape round that shows room and scheduled on those metrics
 * (late binding), and gets 503 once its TTL passes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPickerConfig } from '../policies/config/loader.js';
import { startFakeMetrics, vllmText, type FakeServer } from './helpers/fakeVllmMetrics.js';
import { startLoopbackPicker } from './helpers/loopbackPicker.js';

const CONFIG = `apiVersion: inference.networking.x-k8s.io/v1alpha1
kind: EndpointPickerConfig
featureGates: [flowControl]
plugins:
- type: queue-scorer
flowControl:
  defaultRequestTTL: 1s
`;
const fakes: FakeServer[] = [];
afterAll(async () => {
  for (const f of fakes) await f.close();
});

describe('flow control on a live stream', () => {
  it('queued while saturated, released by a scrape showing room (to the less loaded pod), 503 after the TTL', async () => {
    const a = await startFakeMetrics(vllmText({ waiting: 10, running: 0, kv: 0 }), '127.0.0.2');
    const b = await startFakeMetrics(vllmText({ waiting: 12, running: 0, kv: 0 }), '127.0.0.3');
    fakes.push(a, b);
    let now = 0;
    const { picker: p, client: c } = await startLoopbackPicker(loadPickerConfig({ text: CONFIG }), { a, b }, { nowUs: () => now, autoScrape: false });
    const send = () => c.route({ headers: { ':path': '/v1/completions' }, body: JSON.stringify({ model: 'llama', prompt: 'hi' }) });
    try {
      await p.scraper.scrapeAll();
      // saturation mean(10/5, 12/5) = 2.2 ≥ 1 → queued
      const early = send();
      for (let i = 0; i < 100 && p.core.queued === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(p.core.queued).toBe(1);
      // a scrape at t = 100 ms shows a 1, b 3: saturation mean(0.2, 0.6) = 0.4 < 1 → released; queue scores a 1, b 0 → a
      now = 100_000;
      a.text = vllmText({ waiting: 1, running: 0, kv: 0 });
      b.text = vllmText({ waiting: 3, running: 0, kv: 0 });
      await p.scraper.scrapeAll();
      const r1 = await early;
      expect(r1.kind === 'routed' && r1.destination).toBe(a.address);
      if (r1.kind === 'routed') r1.session.close();

      // saturated again (9, 9 → 1.8) at 200 ms; TTL 1 s → 503 at the first release after 1200 ms
      now = 200_000;
      a.text = vllmText({ waiting: 9, running: 0, kv: 0 });
      b.text = vllmText({ waiting: 9, running: 0, kv: 0 });
      await p.scraper.scrapeAll();
      const late = send();
      for (let i = 0; i < 100 && p.core.queued === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(p.core.queued).toBe(1);
      now = 1_100_000;
      await p.scraper.scrapeAll();
      expect(p.core.queued).toBe(1); // 900 ms in the queue: not yet
      now = 1_300_000;
      await p.scraper.scrapeAll();
      const r2 = await late;
      expect(r2.kind === 'immediate' && [r2.status, r2.body]).toEqual([503, 'inference error: ServiceUnavailable - request timed out in queue']);
      expect(p.core.queued).toBe(0);
    } finally {
      c.close();
      await p.close();
    }
  });
});
