/**
 * Endpoint metrics written back as vLLM `/metrics` text (the names and types promMetrics.ts reads,
 * live.md §4.4) — for the recorded-decisions replay, whose stand-in endpoints serve the metrics a
 * decision line says the picker had scraped (also the picker tests' fake endpoints and the bench's).
 */
import type { LineMetrics } from '../../policies/harness/decisionLine.js';

/** `m`'s scrape as vLLM text (its age is not part of a scrape). */
export function vllmExposition(m: Omit<LineMetrics, 'ageMs'>, model = 'routesim'): string {
  const l = `{engine="0",model_name="${model}"}`;
  const lines = [
    '# TYPE vllm:num_requests_running gauge',
    `vllm:num_requests_running${l} ${m.running}`,
    '# TYPE vllm:num_requests_waiting gauge',
    `vllm:num_requests_waiting${l} ${m.waiting}`,
    '# TYPE vllm:kv_cache_usage_perc gauge',
    `vllm:kv_cache_usage_perc${l} ${m.kvUsage}`,
    '# TYPE vllm:cache_config_info gauge',
    `vllm:cache_config_info{block_size="${m.blockSize}",engine="0",num_gpu_blocks="${m.numGpuBlocks}"} 1.0`,
    '# TYPE vllm:lora_requests_info gauge',
    `vllm:lora_requests_info{max_lora="${m.maxLoras}",running_lora_adapters="${m.activeAdapters.join(',')}",waiting_lora_adapters="${m.waitingAdapters.join(',')}"} 1.0`,
  ];
  return `${lines.join('\n')}\n`;
}
