/**
 * One mock replica's `/metrics`, in vLLM's names, types and labels (live.md §4; engine.md §2),
 * exposed with prom-client (text format 0.0.4). Gauges are read from the engine's true state at
 * scrape time (the same snapshot a simulated scrape takes); counters and histograms are fed by the
 * replica driver's hooks. Latency histograms are in SIMULATED seconds (equal to wall seconds at
 * speed-up 1). `vllm:lora_requests_info` exists only when LoRA is enabled (max_loras > 0); as in
 * vLLM each label combination is its own series, set to the wall-clock seconds at every step.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Replica } from '../../sim/engine/replica.js';
import type { Sequence } from '../../sim/engine/sequence.js';
import type { DriverObserver } from './replicaDriver.js';
import type { SimClock } from './simClock.js';

/** vLLM's bucket bounds (v1/metrics/loggers.py). */
export const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
export const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
export const REQUEST_LATENCY_BUCKETS = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

/** 1-2-5 buckets up to `max` (vLLM build_1_2_5_buckets). */
export function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let exp = 1; ; exp *= 10) {
    for (const m of [1, 2, 5]) {
      if (m * exp > max) return out;
      out.push(m * exp);
    }
  }
}

export interface MetricsSetup {
  readonly replica: Replica;
  readonly modelName: string;
  readonly maxLoras: number;
  readonly maxModelLen: number;
  readonly prefixCaching: boolean;
  readonly clock: SimClock;
}

export class VllmMetrics implements DriverObserver {
  readonly registry = new Registry();
  private readonly labels: { model_name: string; engine: string };
  private readonly lora: Gauge<'max_lora' | 'running_lora_adapters' | 'waiting_lora_adapters'> | null;
  private readonly ttft: Histogram<'model_name' | 'engine'>;
  private readonly itl: Histogram<'model_name' | 'engine'>;
  private readonly e2e: Histogram<'model_name' | 'engine'>;
  private readonly queue: Histogram<'model_name' | 'engine'>;
  private readonly promptHist: Histogram<'model_name' | 'engine'>;
  private readonly genHist: Histogram<'model_name' | 'engine'>;
  private readonly promptTokens: Counter<'model_name' | 'engine'>;
  private readonly genTokens: Counter<'model_name' | 'engine'>;
  private readonly success: Counter<'model_name' | 'engine' | 'finished_reason'>;
  /** Finish reason of a request by its sequence (set by the server before submitting). */
  readonly finishReasons = new WeakMap<Sequence, string>();

  constructor(private readonly s: MetricsSetup) {
    const reg = [this.registry];
    const L = ['model_name', 'engine'] as const;
    this.labels = { model_name: s.modelName, engine: '0' };
    const r = s.replica;
    const snap = () => r.snapshot(0);
    const labels = this.labels;
    gauge(reg, 'vllm:num_requests_running', 'Number of requests in model execution batches.', () => snap().runningRequestsSize, labels);
    gauge(reg, 'vllm:num_requests_waiting', 'Number of requests waiting to be processed.', () => snap().waitingQueueSize, labels);
    gauge(reg, 'vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', () => r.kv.usage, labels);
    const info = new Gauge({ name: 'vllm:cache_config_info', help: 'Information of the LLMEngine CacheConfig', labelNames: ['block_size', 'cache_dtype', 'enable_prefix_caching', 'engine', 'num_gpu_blocks'], registers: reg });
    info.set({ block_size: String(r.kv.blockSize), cache_dtype: 'auto', enable_prefix_caching: s.prefixCaching ? 'True' : 'False', engine: '0', num_gpu_blocks: String(r.kv.numBlocks) }, 1);
    this.lora =
      s.maxLoras > 0
        ? new Gauge({ name: 'vllm:lora_requests_info', help: 'Running stats on lora requests.', labelNames: ['max_lora', 'running_lora_adapters', 'waiting_lora_adapters'], registers: reg })
        : null;
    if (this.lora !== null) this.stepEnded(0);
    counterOf(reg, 'vllm:prefix_cache_queries_total', 'Prefix cache queries, in terms of number of queried tokens.', () => r.scheduler.prefixQueryTokens, labels);
    counterOf(reg, 'vllm:prefix_cache_hits_total', 'Prefix cache hits, in terms of number of cached tokens.', () => r.scheduler.prefixHitTokens, labels);
    counterOf(reg, 'vllm:num_preemptions_total', 'Cumulative number of preemption from the engine.', () => r.scheduler.preemptions, labels);
    this.promptTokens = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Number of prefill tokens processed.', labelNames: L, registers: reg });
    this.genTokens = new Counter({ name: 'vllm:generation_tokens_total', help: 'Number of generation tokens processed.', labelNames: L, registers: reg });
    this.success = new Counter({ name: 'vllm:request_success_total', help: 'Count of successfully processed requests.', labelNames: [...L, 'finished_reason'], registers: reg });
    const hist = (name: string, help: string, buckets: number[]) => new Histogram({ name, help, buckets, labelNames: L, registers: reg });
    this.ttft = hist('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS);
    this.itl = hist('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', ITL_BUCKETS);
    this.e2e = hist('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', REQUEST_LATENCY_BUCKETS);
    this.queue = hist('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', REQUEST_LATENCY_BUCKETS);
    this.promptHist = hist('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', buckets125(s.maxModelLen));
    this.genHist = hist('vllm:request_generation_tokens', 'Number of generation tokens processed.', buckets125(s.maxModelLen));
    // Every series present from the first scrape, at 0 (as vLLM, which creates them per engine at start).
    for (const h of [this.ttft, this.itl, this.e2e, this.queue, this.promptHist, this.genHist]) h.zero(labels);
    this.promptTokens.inc(labels, 0);
    this.genTokens.inc(labels, 0);
  }

  /** The exposition text. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  tokenVisible(seq: Sequence, atUs: number, prevUs: number, count: number): void {
    this.genTokens.inc(this.labels, count);
    if (prevUs < 0) {
      this.ttft.observe(this.labels, (atUs - seq.req.arrivalUs) / 1e6);
      this.promptTokens.inc(this.labels, seq.req.inputTokens);
    } else {
      // Several tokens in one step (not in vLLM V1 without speculation) would share the gap.
      for (let k = 0; k < count; k++) this.itl.observe(this.labels, (atUs - prevUs) / 1e6 / count);
    }
  }

  requestFinished(seq: Sequence): void {
    const rec = seq.rec;
    this.e2e.observe(this.labels, (rec.endUs - seq.req.arrivalUs) / 1e6);
    if (rec.scheduledUs >= 0 && rec.enqueueUs >= 0) this.queue.observe(this.labels, (rec.scheduledUs - rec.enqueueUs) / 1e6);
    this.promptHist.observe(this.labels, seq.req.inputTokens);
    this.genHist.observe(this.labels, seq.req.outputTokens);
    this.success.inc({ ...this.labels, finished_reason: this.finishReasons.get(seq) ?? 'length' });
  }

  stepEnded(nowUs: number): void {
    if (this.lora === null) return;
    const m = this.s.replica.snapshot(nowUs);
    this.lora.set(
      { max_lora: String(this.s.maxLoras), running_lora_adapters: m.activeModels.join(','), waiting_lora_adapters: m.waitingModels.join(',') },
      this.s.clock.epochSeconds(nowUs),
    );
  }
}

type Reg = Registry[];

function gauge(registers: Reg, name: string, help: string, read: () => number, labels: { model_name: string; engine: string }): void {
  new Gauge({
    name,
    help,
    labelNames: ['model_name', 'engine'],
    registers,
    collect() {
      this.set(labels, read());
    },
  });
}

/** A counter mirroring a cumulative engine count (increased by the difference at each scrape). */
function counterOf(registers: Reg, name: string, help: string, read: () => number, labels: { model_name: string; engine: string }): void {
  let last = 0;
  new Counter({
    name,
    help,
    labelNames: ['model_name', 'engine'],
    registers,
    collect() {
      const v = read();
      this.inc(labels, v > last ? v - last : 0);
      if (v > last) last = v;
    },
  });
}
