/** Test helper: a BatchShape from prefill chunks and decode contexts, as sim/engine/batch.ts builds it. */
import { emptyBatchShape, type BatchShape } from '../sim/engine/stepTime/batchShape.js';

/**
 * Prefill chunks of `t` tokens after `before` computed (each chunk ending its prompt unless
 * `prompt` says otherwise) and decodes at the given contexts.
 */
export function batchShape(prefills: readonly { t: number; before: number; prompt?: number }[], decodes: readonly number[]): BatchShape {
  const s = emptyBatchShape();
  for (const p of prefills) {
    s.prefillTokens += p.t;
    s.prefillAttnWork += p.t * (p.before + (p.t - 1) / 2);
    s.prefillPromptWork += p.t * ((p.prompt ?? p.before + p.t) + p.t / 2);
    s.prefillKvTokens += p.before + p.t;
  }
  for (const ctx of decodes) {
    s.decodeSeqs += 1;
    s.decodeContext += ctx;
  }
  s.decodeContextMin = decodes.length > 0 ? Math.min(...decodes) : 0;
  s.decodeContextMax = decodes.length > 0 ? Math.max(...decodes) : 0;
  s.batchSize = prefills.length + decodes.length;
  return s;
}
