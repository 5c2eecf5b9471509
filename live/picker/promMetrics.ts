/**
 * A vLLM `/metrics` scrape (Prometheus text 0.0.4) → the EPP's EndpointMetrics (policies/types.ts),
 * with the core-metrics-extractor's vLLM mapping (live.md §4.1, epp.md §4):
 *   vllm:num_requests_waiting → waitingQueueSize, vllm:num_requests_running → runningRequestsSize,
 *   vllm:kv_cache_usage_perc (else the old vllm:gpu_cache_usage_perc) → kvCacheUsagePercent,
 *   vllm:lora_requests_info (series with the largest value) → active/waiting adapters, max_lora,
 *   vllm:cache_config_info labels block_size / num_gpu_blocks → cache geometry,
 *   vllm:prefix_cache_queries_total / _hits_total → prefix counters.
 * Only gauge and counter samples carry a value (an untyped series reads 0); with several series the
 * first wins. Parsing is parse-prometheus-text-format's.
 *
 * A scrape that lies — a required gauge (waiting, running, KV usage) missing, NaN, infinite or
 * negative, a KV usage above 1, or text the parser rejects — is a failed scrape (the production
 * loses a scrape on one syntax error): the caller keeps the endpoint's last metrics, which then age
 * (stale), exactly as the simulated gateway does for a pod whose scrape fails. Absent optional
 * families take the pick-case defaults (no adapters, max_lora 0, block size 16, 0 blocks).
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { EndpointMetrics } from '../../policies/types.js';

interface Family {
  readonly name: string;
  readonly type: string;
  readonly metrics: readonly { readonly value?: string; readonly labels?: Record<string, string> }[];
}

export type ScrapeResult = { readonly metrics: EndpointMetrics } | { readonly error: string };

const KV_NAMES = ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'];

/** Parses `text` scraped at `nowUs` (the metrics' updateTimeUs). */
export function metricsFromText(text: string, nowUs: number): ScrapeResult {
  let families: Family[];
  try {
    families = parsePrometheusTextFormat(text) as Family[];
  } catch (err) {
    return { error: `unparsable metrics text (${err instanceof Error ? err.message : String(err)})` };
  }
  const byName = new Map<string, Family>();
  for (const f of families) if (!byName.has(f.name)) byName.set(f.name, f);

  const gauge = (name: string): number | undefined => {
    const f = byName.get(name);
    if (!f || f.metrics.length === 0) return undefined;
    if (f.type !== 'GAUGE' && f.type !== 'COUNTER') return 0;
    return promNumber(f.metrics[0]!.value);
  };
  const required = (name: string): number | string => {
    const v = gauge(name);
    if (v === undefined) return `${name} missing`;
    if (!Number.isFinite(v) || v < 0) return `${name} is ${String(v)}`;
    return v;
  };
  const waiting = required('vllm:num_requests_waiting');
  if (typeof waiting === 'string') return { error: waiting };
  const running = required('vllm:num_requests_running');
  if (typeof running === 'string') return { error: running };
  const kvName = KV_NAMES.find((n) => byName.has(n)) ?? KV_NAMES[0]!;
  const kv = required(kvName);
  if (typeof kv === 'string') return { error: kv };
  if (kv > 1) return { error: `${kvName} is ${kv} (a fraction 0..1)` };

  const lora = loraInfo(byName.get('vllm:lora_requests_info'));
  const cache = byName.get('vllm:cache_config_info')?.metrics[0]?.labels ?? {};
  return {
    metrics: {
      waitingQueueSize: Math.floor(waiting),
      runningRequestsSize: Math.floor(running),
      kvCacheUsagePercent: kv,
      activeModels: lora.active,
      waitingModels: lora.waiting,
      maxActiveModels: lora.max,
      cacheBlockSize: intLabel(cache.block_size, 16),
      cacheNumGpuBlocks: intLabel(cache.num_gpu_blocks, 0),
      prefixCacheQueriesTotal: counter(gauge('vllm:prefix_cache_queries_total') ?? gauge('vllm:prefix_cache_queries')),
      prefixCacheHitsTotal: counter(gauge('vllm:prefix_cache_hits_total') ?? gauge('vllm:prefix_cache_hits')),
      updateTimeUs: nowUs,
    },
  };
}

const NONE: readonly string[] = Object.freeze([]);

/** lora_requests_info: the series with the largest value wins; lists comma-separated, trimmed. */
function loraInfo(f: Family | undefined): { active: readonly string[]; waiting: readonly string[]; max: number } {
  if (!f || f.metrics.length === 0) return { active: NONE, waiting: NONE, max: 0 };
  let best = f.metrics[0]!;
  let bestV = promNumber(best.value);
  for (const m of f.metrics) {
    const v = promNumber(m.value);
    if (v > bestV || Number.isNaN(bestV)) {
      best = m;
      bestV = v;
    }
  }
  const list = (s: string | undefined): readonly string[] => {
    const out = (s ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
    return out.length === 0 ? NONE : out;
  };
  return { active: list(best.labels?.running_lora_adapters), waiting: list(best.labels?.waiting_lora_adapters), max: intLabel(best.labels?.max_lora, 0) };
}

/** A sample value as Prometheus writes it (floats, `NaN`, `+Inf`, `-Inf`). */
function promNumber(s: string | undefined): number {
  if (s === undefined) return NaN;
  const t = s.trim();
  if (t === '+Inf' || t === 'Inf') return Infinity;
  if (t === '-Inf') return -Infinity;
  return t === '' ? NaN : Number(t);
}

function intLabel(s: string | undefined, dflt: number): number {
  if (s === undefined || !/^\d+$/.test(s.trim())) return dflt;
  return Number(s.trim());
}

function counter(v: number | undefined): number {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : 0;
}
