/** What a step-time model needs to know about one engine step's batch (no per-token arrays). */
export interface BatchShape {
  /** Prompt (or recompute) tokens computed this step, excluding prefix-cache hits. */
  prefillTokens: number;
  /** Σ over prefill chunks of t·(s + (t−1)/2): attention work, t = chunk tokens, s = tokens before it. */
  prefillAttnWork: number;
  /**
   * Σ over prefill chunks of t·(P + t/2), P = the sequence's whole prompt (its known tokens, for a
   * recompute after preemption): the prefill attention work of BLIS's fitted basis, which charges
   * every chunk as if it attended to the full prompt (calibration.md §6.7). Unchunked: 1.5·P².
   */
  prefillPromptWork: number;
  /** Σ over prefill chunks of (s + t): KV tokens read or written by prefill attention. */
  prefillKvTokens: number;
  /** Sequences decoding one token this step. */
  decodeSeqs: number;
  /** Σ context length over decoding sequences (KV tokens they read). */
  decodeContext: number;
  /** Shortest and longest context among decoding sequences (0 when none): LSS's decode-length skew blend (calibration.md §3.3). */
  decodeContextMin: number;
  decodeContextMax: number;
  /** Sequences in the step. */
  batchSize: number;
  /** Distinct LoRA adapters in the step. */
  adapters: number;
}

export function emptyBatchShape(): BatchShape {
  return { prefillTokens: 0, prefillAttnWork: 0, prefillPromptWork: 0, prefillKvTokens: 0, decodeSeqs: 0, decodeContext: 0, decodeContextMin: 0, decodeContextMax: 0, batchSize: 0, adapters: 0 };
}

/** The seam: how long one step takes on the GPU, in µs (before LoRA multi-adapter overhead). */
export interface StepTimeModel {
  readonly name: string;
  stepUs(batch: BatchShape): number;
}
