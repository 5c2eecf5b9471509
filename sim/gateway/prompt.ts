/**
 * The prompt the EPP hashes for a simulated request: its segments as synthetic spans. `uniqueTail`
 * marks a last segment that is the request's own text (`uniqueContentOf(id)`, distinct per
 * request), which the approximate prefix index then keeps as one run instead of a key per block
 * (policies/prefix/uniqueRunKeys.ts; the same results).
 */
import type { Prompt } from '../../policies/framework/types.js';
import type { SimRequest } from '../workload/request.js';
import { uniqueContentOf } from '../workload/prompts.js';

export function syntheticPrompt(req: Pick<SimRequest, 'id' | 'segments'>, charsPerToken: number): Extract<Prompt, { kind: 'synthetic' }> {
  const segs = req.segments;
  const uniqueTail = segs.length > 0 && segs[segs.length - 1]!.content === uniqueContentOf(req.id);
  return { kind: 'synthetic', spans: segs, charsPerToken, uniqueTail };
}
