/**
 * The live picker's scrape path: vLLM /metrics text → EndpointMetrics (names, types, first series,
 * largest LoRA series), endpoints that lie (NaN, negative, missing, > 1) or time out or fail, and
 * the staleness that follows — the last good metrics stay and age, exactly as the simulated
 * gateway keeps a dead pod's last scrape, so the utilization detector sheds a sheddable request
 * once they are older than its 200 ms threshold.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPickerConfig } from '../policies/config/loader.js';
import { metricsFromText } from '../live/picker/promMetrics.js';
import { MetricsScraper } from '../live/picker/scraper.js';
import { metricsSourceTicks } from '../live/picker/server.js';
import { startFakeMetrics, type FakeServer } from './helpers/fakeVllmMetrics.js';
import { startLoopbackPicker } from './helpers/loopbackPicker.js';

const SAMPLE = `# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="sim-8b"} 6.0
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="sim-8b"} 3.0
# HELP vllm:kv_cache_usage_perc Fraction of KV blocks in use.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="sim-8b"} 0.8125
# TYPE vllm:cache_config_info gauge
vllm:cache_config_info{block_size="16",cache_dtype="auto",enable_prefix_caching="True",engine="0",num_gpu_blocks="2048"} 1.0
# TYPE vllm:lora_requests_info gauge
vllm:lora_requests_info{max_lora="2",running_lora_adapters="",waiting_lora_adapters=""} 1.7570000e+09
vllm:lora_requests_info{max_lora="2",running_lora_adapters="sql-lora,chat-lora",waiting_lora_adapters="fin-lora"} 1.7570012e+09
# TYPE vllm:prefix_cache_hits_total counter
vllm:prefix_cache_hits_total{engine="0",model_name="sim-8b"} 401408.0
`;

const gauges = (w: string, r: string, kv: string) => `# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting ${w}\n# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running ${r}\n# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc ${kv}\n`;

describe('vLLM /metrics → EndpointMetrics', () => {
  it('reads live.md §4.4 sample as the EPP does: running 6, waiting 3, KV 0.8125, LoRA from the newest series, block 16, 2048 blocks', () => {
    const r = metricsFromText(SAMPLE, 123);
    expect(r).toEqual({
      metrics: {
        waitingQueueSize: 3,
        runningRequestsSize: 6,
        kvCacheUsagePercent: 0.8125,
        activeModels: ['sql-lora', 'chat-lora'],
        waitingModels: ['fin-lora'],
        maxActiveModels: 2,
        cacheBlockSize: 16,
        cacheNumGpuBlocks: 2048,
        prefixCacheQueriesTotal: 0,
        prefixCacheHitsTotal: 401408,
        updateTimeUs: 123,
      },
    });
  });

  it('an untyped series reads 0; the first of several series wins; the old KV gauge name is read when the new one is absent', () => {
    const text = 'vllm:num_requests_waiting 7\n# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{engine="0"} 2\nvllm:num_requests_running{engine="1"} 9\n# TYPE vllm:gpu_cache_usage_perc gauge\nvllm:gpu_cache_usage_perc 0.25\n';
    const r = metricsFromText(text, 0);
    expect('metrics' in r && [r.metrics.waitingQueueSize, r.metrics.runningRequestsSize, r.metrics.kvCacheUsagePercent]).toEqual([0, 2, 0.25]);
    // absent optional families: no adapters, max_lora 0, block size 16, 0 blocks (the pick-case defaults)
    expect('metrics' in r && [r.metrics.activeModels, r.metrics.maxActiveModels, r.metrics.cacheBlockSize, r.metrics.cacheNumGpuBlocks]).toEqual([[], 0, 16, 0]);
  });

  it.each([
    ['NaN running', gauges('1', 'NaN', '0.5'), 'vllm:num_requests_running is NaN'],
    ['negative waiting', gauges('-3', '1', '0.5'), 'vllm:num_requests_waiting is -3'],
    ['+Inf KV', gauges('1', '1', '+Inf'), 'vllm:kv_cache_usage_perc is Infinity'],
    ['KV above 1', gauges('1', '1', '1.5'), 'vllm:kv_cache_usage_perc is 1.5 (a fraction 0..1)'],
    ['missing waiting', '# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running 1\n', 'vllm:num_requests_waiting missing'],
    ['not metrics at all', '<html>hello</html>\n', 'vllm:num_requests_waiting missing'],
  ])('a lying scrape (%s) is a failed scrape, never a crash', (_what, text, error) => {
    expect(metricsFromText(text, 0)).toEqual({ error });
  });
});

const fakes: FakeServer[] = [];
afterAll(async () => {
  for (const f of fakes) await f.close();
});

describe('scraping and staleness', () => {
  it('a failed scrape (NaN, HTTP 500, timeout) keeps the last good metrics with their old time; never scraped = null', async () => {
    const good = await startFakeMetrics(gauges('2', '1', '0.5'));
    const never = await startFakeMetrics(gauges('NaN', '1', '0.5'));
    fakes.push(good, never);
    let now = 1_000;
    const s = new MetricsScraper(() => now, 50, 150);
    s.setEndpoints([{ name: 'good', address: good.address, labels: {} }, { name: 'never', address: never.address, labels: {} }]);
    await s.scrapeAll();
    expect(s.pool[0]!.metrics?.waitingQueueSize).toBe(2);
    expect(s.pool[0]!.metrics?.updateTimeUs).toBe(1_000);
    expect(s.pool[1]!.metrics).toBeNull();
    expect(s.status()[1]!.lastError).toBe('vllm:num_requests_waiting is NaN');

    for (const [mode, text, err] of [['ok', gauges('NaN', '1', '0.5'), 'vllm:num_requests_waiting is NaN'], ['error', '', 'HTTP 500'], ['hang', '', 'timed out after 150 ms']] as const) {
      now += 500_000;
      good.mode = mode;
      good.text = text;
      await s.scrapeAll();
      expect(s.pool[0]!.metrics?.waitingQueueSize).toBe(2);
      expect(s.pool[0]!.metrics?.updateTimeUs).toBe(1_000);
      expect(s.status()[0]!.lastError).toBe(err);
    }
    // it recovers: fresh metrics, fresh time
    good.mode = 'ok';
    good.text = gauges('4', '1', '0.25');
    now += 1;
    await s.scrapeAll();
    expect([s.pool[0]!.metrics?.waitingQueueSize, s.pool[0]!.metrics?.updateTimeUs]).toEqual([4, now]);
    // ok: good in rounds 1 and 5; failed: never in all 5 rounds, good in rounds 2–4 → 2 ok, 8 failed
    expect(s.counters).toEqual({ ok: 2, failed: 8 });
  });

  it('stale metrics make a sheddable request a 429 (utilization detector, 200 ms) as in simulation', async () => {
    // One endpoint, waiting 1, KV 0.4: saturation max(1/5, 0.4/0.8) = 0.5 < 1 → a priority −1 request is scheduled.
    // Then the endpoint lies (NaN) and 300 ms pass: its metrics are 300 ms old > 200 ms → saturation 1.0 → 429.
    const f = await startFakeMetrics(gauges('1', '0', '0.4'));
    fakes.push(f);
    let now = 10_000_000;
    const { picker, client } = await startLoopbackPicker(loadPickerConfig(null), { 'pod-a': f }, { nowUs: () => now, autoScrape: false, objectives: new Map([['batch', -1]]) });
    try {
      await picker.scraper.scrapeAll();
      const send = () => client.route({ headers: { ':path': '/v1/completions', 'x-gateway-inference-objective': 'batch' }, body: JSON.stringify({ model: 'm', prompt: 'hello' }) });
      const first = await send();
      expect(first.kind).toBe('routed');
      if (first.kind === 'routed') first.session.close();
      f.text = gauges('NaN', '0', '0.4');
      now += 300_000;
      await picker.scraper.scrapeAll();
      const second = await send();
      expect(second.kind === 'immediate' && [second.status, second.body]).toEqual([429, 'inference error: ResourceExhausted - sheddable request (priority -1) rejected: pool saturated (1 ≥ 1.0)']);
    } finally {
      client.close();
      await picker.close();
    }
  });
});

describe('scrape interval', () => {
  it('a v0.10 metrics source interval of 200 ms is 4 base ticks of 50 ms; GAIE configs scrape every tick', () => {
    const v010 = `apiVersion: llm-d.ai/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: queue-scorer
- type: metrics-data-source
  parameters: {interval: 200ms}
- type: core-metrics-extractor
schedulingProfiles: [{name: default, plugins: [{pluginRef: queue-scorer}]}]
`;
    expect(metricsSourceTicks(loadPickerConfig({ text: v010 }))).toBe(4);
    expect(metricsSourceTicks(loadPickerConfig(null))).toBe(1);
  });
});
