/**
 * What a finished run must say loudly on stderr, computed from the summary counts:
 * - requests vLLM rejects at arrival because they can never run (prompt + output longer than
 *   max_model_len or than a replica's whole KV cache; LoRA not enabled): a warning with the count
 *   (they are in `rejected_by_reason`). Every replica is alike, so the count is the same for every
 *   policy and is said once. When it is every request, the run measured nothing: an error.
 * - a policy whose every request was rejected or dropped (`summary.all_failed`): a warning line
 *   `routesim: warning: policy X: all N requests were dropped (…)`.
 * - a measurement window (report.warmup_s / cooldown_s) that holds none of the completed requests:
 *   an error, since every latency would be null.
 */
import { inputError } from '../sim/core/errors.js';
import type { PolicySummary } from '../sim/metrics/summary.js';
import { getModel } from '../sim/hardware/catalog.js';
import { kvTokensPerReplica } from '../sim/scenario/feasibility.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';

/** Rejection reasons that depend only on the request and the (identical) replicas, in words. */
const CANNOT_RUN: Readonly<Record<string, (s: ScenarioConfig) => string>> = {
  exceeds_max_model_len: (s) => `longer than max_model_len ${s.fleet.engine.max_model_len ?? getModel(s.fleet.model).max_model_len} (prompt + output tokens)`,
  exceeds_kv_capacity: (s) => `larger than the whole KV cache of a replica (${kvTokensPerReplica(s)} tokens)`,
  lora_not_enabled: () => 'for an adapter while LoRA is disabled (max_loras 0)',
  lora_rank_too_large: (s) => `for an adapter of rank above max_lora_rank ${s.fleet.engine.max_lora_rank}`,
};

/** How to make requests rejected for each reason runnable. */
const FIX: Readonly<Record<string, string>> = {
  exceeds_max_model_len: 'shorten the prompts or outputs, or raise fleet.engine.max_model_len',
  exceeds_kv_capacity: 'shorten the prompts or outputs, or use a larger GPU or tp',
  lora_not_enabled: 'set fleet.engine.max_loras ≥ 1 (the requests name LoRA adapters), or replay them without adapters',
  lora_rank_too_large: 'raise fleet.engine.max_lora_rank to the adapters\' rank, or lower the adapters\' rank',
};

/** "3 exceeds_kv_capacity, 2 shed-saturated". */
function counts(byReason: Readonly<Record<string, number>>): string {
  return Object.entries(byReason)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

/**
 * The warning lines for a run of `scenario` (read from `file`) with these per-policy summaries.
 * Throws the one-line UserError when no request could run on any replica.
 */
export function runWarnings(file: string, scenario: ScenarioConfig, results: readonly { policy: string; summary: PolicySummary }[]): string[] {
  const lines: string[] = [];
  const first = results[0]?.summary;
  if (first && first.arrived === 0) {
    const d = scenario.duration_s;
    throw inputError(file, 'workload', `no request arrives within the run (${d !== null ? `duration_s ${d}` : 'the run'} at ${scenario.workload.arrival.rate} req/s${(scenario.workload.arrival.profile?.spikes ?? []).some((x) => x.multiplier === 0) ? ', paused by a spike with multiplier 0' : ''}): there is nothing to measure`, 'raise the rate, lengthen duration_s, shorten the pauses (spikes with multiplier 0), or set requests: <count>');
  }
  if (first) {
    const parts = Object.entries(first.rejected_by_reason).filter(([k]) => k in CANNOT_RUN);
    const n = parts.reduce((sum, [, c]) => sum + c, 0);
    const why = parts.map(([k, c]) => `${c} ${CANNOT_RUN[k]!(scenario)}`).join('; ');
    if (n > 0 && n === first.arrived) {
      throw inputError(file, 'workload', `every request (${n}) would be rejected by vLLM (HTTP 400): ${why}`, parts.map(([k]) => FIX[k]!).join('; '));
    }
    if (n > 0) lines.push(`routesim: warning: ${file}: ${n} of ${first.arrived} requests are rejected by every replica, as vLLM rejects them (HTTP 400): ${why}; they are counted in rejected_by_reason`);
  }
  for (const r of results) {
    const s = r.summary;
    // Requests completed, but none inside the measurement window: every latency would be null.
    if (s.window && s.completed > 0 && s.ttft_ms.p50 === null) {
      const w = s.window;
      const at = w.cooldown_s > 0 ? 'report.cooldown_s' : 'report.warmup_s';
      throw inputError(file, at, `the measurement window (warm-up ${w.warmup_s} s, cool-down ${w.cooldown_s} s) leaves none of the ${s.completed} completed requests of policy ${r.policy} to measure: arrivals are measured from ${w.from_s} s to ${w.to_s} s`, 'lower report.warmup_s / report.cooldown_s, or run longer (requests or duration_s)');
    }
    if (s.arrived > 0 && s.completed === 0) {
      const detail = [s.rejected > 0 ? `rejected: ${counts(s.rejected_by_reason)}` : '', s.dropped > 0 ? `dropped: ${counts(s.dropped_by_reason)}` : ''].filter((x) => x).join('; ');
      lines.push(`routesim: warning: policy ${r.policy}: all ${s.arrived} requests were dropped (${detail}); summary.all_failed is true`);
    }
  }
  return lines;
}
