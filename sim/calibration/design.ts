/**
 * The batch design of ../shared/reference/calibration.md §4.2 step 1: batches spanning the
 * engine's operating range, in three regimes — pure decode (R 1…max_num_seqs, mean contexts
 * 128…16k), pure prefill (chunks 16…max_num_batched_tokens, cached 0…16k, one or several
 * prompts), and mixed (decodes plus one prefill chunk filling part of the token budget). Every
 * batch respects the budget (Σ new tokens ≤ max_num_batched_tokens, sequences ≤ max_num_seqs) and
 * the model's context length and KV capacity.
 */
import type { BatchShape } from '../engine/stepTime/batchShape.js';
import { emptyBatchShape } from '../engine/stepTime/batchShape.js';

export type Regime = 'decode-only' | 'prefill-only' | 'mixed';

export interface DesignBatch {
  readonly regime: Regime;
  readonly shape: BatchShape;
}

export interface DesignLimits {
  readonly maxNumSeqs: number;
  readonly maxBatchedTokens: number;
  readonly maxModelLen: number;
  /** KV tokens the replica holds (blocks × block size): batches needing more never run. */
  readonly kvTokens: number;
}

const pow2 = (lo: number, hi: number): number[] => {
  const out: number[] = [];
  for (let v = lo; v <= hi; v *= 2) out.push(v);
  if (out[out.length - 1] !== hi && hi > lo) out.push(hi);
  return out;
};

/** One prefill chunk of t tokens on top of s cached tokens (§2.5: attention work t·(s + (t−1)/2)). */
function addPrefill(b: BatchShape, t: number, s: number): void {
  b.prefillTokens += t;
  b.prefillAttnWork += t * (s + (t - 1) / 2);
  b.prefillPromptWork += t * (s + t + t / 2); // the chunk ends the prompt: P = s + t (batchShape.ts)
  b.prefillKvTokens += s + t;
  b.batchSize += 1;
}

function decodes(r: number, ctx: number): BatchShape {
  return { ...emptyBatchShape(), decodeSeqs: r, decodeContext: r * ctx, decodeContextMin: r > 0 ? ctx : 0, decodeContextMax: r > 0 ? ctx : 0, batchSize: r };
}

/** The design for one engine configuration (deterministic order). */
export function batchDesign(lim: DesignLimits): DesignBatch[] {
  const out: DesignBatch[] = [];
  const maxCtx = Math.min(16384, lim.maxModelLen - 1);
  const contexts = pow2(128, maxCtx);
  for (const r of pow2(1, lim.maxNumSeqs)) {
    if (r > lim.maxBatchedTokens) continue;
    for (const c of contexts) out.push({ regime: 'decode-only', shape: decodes(r, c) });
  }
  for (const t of pow2(16, lim.maxBatchedTokens)) {
    for (const s of [0, 512, 2048, 8192, 16384]) {
      if (s + t > lim.maxModelLen) continue;
      const b = decodes(0, 0);
      addPrefill(b, t, s);
      out.push({ regime: 'prefill-only', shape: b });
    }
    // Several prompts of equal length from scratch (R > 1 without decodes).
    for (const n of [2, 4, 8]) {
      if (t / n < 16 || n > lim.maxNumSeqs) continue;
      const b = decodes(0, 0);
      for (let k = 0; k < n; k++) addPrefill(b, Math.floor(t / n), 0);
      out.push({ regime: 'prefill-only', shape: b });
    }
  }
  for (const r of [1, 4, 16, 32, 64, lim.maxNumSeqs - 1]) {
    if (r < 1 || r >= lim.maxNumSeqs) continue;
    for (const c of [512, 2048, 8192]) {
      if (c >= lim.maxModelLen) continue;
      for (const t of [64, 256, 1024, lim.maxBatchedTokens - r]) {
        if (t < 1 || t + r > lim.maxBatchedTokens) continue;
        for (const s of [0, 1024]) {
          const b = decodes(r, c);
          addPrefill(b, t, s);
          out.push({ regime: 'mixed', shape: b });
        }
      }
    }
  }
  return out.filter((d) => d.shape.decodeContext + d.shape.prefillKvTokens <= lim.kvTokens);
}

export function regimeOf(b: BatchShape): Regime {
  return b.prefillTokens === 0 ? 'decode-only' : b.decodeSeqs === 0 ? 'prefill-only' : 'mixed';
}

/**
 * The workload design: the batches a simulation of the scenario's own workload runs (observed
 * with RunObserver.onStepBegin), thinned to at most `max` evenly spaced steps. Repeated shapes are
 * kept, so the fit weighs each kind of step by how often the engine runs it: it fits the operating
 * range the scenario exercises instead of the whole grid.
 */
export function workloadDesign(shapes: readonly BatchShape[], max = 4000): DesignBatch[] {
  const stride = Math.max(1, Math.ceil(shapes.length / max));
  return shapes.filter((_, i) => i % stride === 0).map((shape) => ({ regime: regimeOf(shape), shape }));
}
