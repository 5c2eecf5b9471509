/**
 * A directory of vLLM `/metrics` scrapes (Prometheus text format, one file per scrape, read in
 * name order as a time series; ../shared/reference/calibration.md §1.3, §4.1): the histogram
 * sums and counts of `vllm:request_prefill_time_seconds` (scheduled → first token),
 * `vllm:request_decode_time_seconds` (first → last) and `vllm:request_queue_time_seconds`,
 * differenced between the first and last scrape (one file: since server start), summed over
 * label sets. They give mean prefill / decode / queue time per request — aggregates only, no
 * arrivals: the replay uses the scenario's workload. `cache_config_info{num_gpu_blocks}` gives
 * the KV capacity when present.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inputError, readUserFile } from '../../core/errors.js';
import type { RunData } from './types.js';

const HIST = ['vllm:request_prefill_time_seconds', 'vllm:request_decode_time_seconds', 'vllm:request_queue_time_seconds'] as const;

/** Σ over label sets of each `<name>` sample in a Prometheus text exposition. */
export function parsePrometheusText(text: string): { sums: Map<string, number>; labels: Map<string, string> } {
  const sums = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + v);
    if (m[2]) for (const lm of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels.set(`${m[1]}.${lm[1]}`, lm[2]!);
  }
  return { sums, labels };
}

export function isMetricsDir(dir: string): boolean {
  return readdirSync(dir).some((n) => /\.(txt|prom|metrics)$/.test(n));
}

export function readVllmMetrics(dir: string): RunData {
  const names = readdirSync(dir).filter((n) => /\.(txt|prom|metrics)$/.test(n) && statSync(join(dir, n)).isFile()).sort();
  if (names.length === 0) throw inputError(dir, '', 'no scrape files (*.txt, *.prom, *.metrics)', 'give a directory of vLLM /metrics scrapes, one file per scrape');
  const files = names.map((n) => join(dir, n));
  const first = parsePrometheusText(readUserFile(files[0]!, 'give a directory of /metrics scrapes'));
  const last = files.length > 1 ? parsePrometheusText(readUserFile(files[files.length - 1]!, 'give a directory of /metrics scrapes')) : first;
  const delta = (name: string): number => (last.sums.get(name) ?? 0) - (files.length > 1 ? (first.sums.get(name) ?? 0) : 0);
  const mean = (h: string): number | null => {
    const n = delta(`${h}_count`);
    return n > 0 ? (delta(`${h}_sum`) / n) * 1e6 : null;
  };
  const [pf, dc, qu] = HIST.map(mean);
  if (pf == null && dc == null) throw inputError(files[files.length - 1]!, HIST[0], 'no vllm:request_prefill_time_seconds or vllm:request_decode_time_seconds samples (or no request finished between the first and last scrape)', 'scrape a vLLM V1 server while it serves');
  const blocksLabel = last.labels.get('vllm:cache_config_info.num_gpu_blocks');
  const blocks = blocksLabel !== undefined && /^\d+$/.test(blocksLabel) ? Number(blocksLabel) : null;
  const requests = Math.round(delta(`${HIST[0]}_count`));
  return {
    format: 'vllm-metrics',
    path: dir,
    files,
    requests: null,
    perRequest: null,
    aggregate: { meanPrefillUs: pf ?? null, meanDecodeUs: dc ?? null, meanTpotUs: null, meanQueueUs: qu ?? null, requests },
    prefillIncludesQueue: false,
    numGpuBlocks: blocks,
    notes: [
      `vLLM /metrics (${files.length} scrape${files.length > 1 ? 's, last − first' : ', since server start'}): fitted on 2 aggregates, mean prefill and mean decode time per request over ${requests} requests; arrivals and lengths are the scenario's workload`,
      'two aggregates identify at most two directions of β: the rest stays near the prior (ridge)',
      blocks === null ? 'no cache_config_info{num_gpu_blocks}: the scenario\'s KV capacity is used' : `KV capacity held at the server's ${blocks} blocks`,
    ],
  };
}
