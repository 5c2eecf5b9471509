/**
 * conversation_replay (formats.md §1.4): N conversations drawn once from the data's seed, in
 * inference-perf's order: turns T (N), dynamic system suffixes D (N), then per turn (ΣT each)
 * question q, output o and tool wait τ (whole seconds), all with sampler A.
 * Request i → conversation k = i mod N, round r = ⌊i/N⌋, turn t = r mod T_k; t = 0 with r > 0
 * restarts the conversation (same texts, new replies). Turn t sends the system prompt (shared S
 * tokens, regenerated every stage, + the conversation's D_k suffix) + earlier (q, reply) pairs of
 * this pass + q_t; above max_model_len − o_t − 200 the oldest pairs drop, then the system prompt
 * is cut at its end. Turns of a conversation are sent one at a time (lock k) and each holds its
 * slot τ_t after the reply. The v0.6.1/HEAD quirk of later stages sending bare user text until a
 * restart is not modelled (the intended workload is).
 */
import { hashInts } from '../../core/hash.js';
import { createRng } from '../../core/rng.js';
import { outputContentOf } from '../prompts.js';
import type { Segment } from '../request.js';
import { sample } from './distribution.js';
import { nonEmpty, type DataGenerator, type StageData } from './prompts.js';
import type { ConversationData } from './types.js';

const TAG_SHARED = 0x43525331;
const TAG_SUFFIX = 0x43525831;
const TAG_USER = 0x43525531;

export function conversationData(d: ConversationData): DataGenerator {
  const rng = createRng(d.seed, 'ip-conversation');
  const N = d.conversations;
  const turns = Array.from({ length: N }, () => Math.max(1, sample(d.turns, 'A', rng)));
  const dyn = Array.from({ length: N }, () => Math.max(0, sample(d.dynamic, 'A', rng)));
  const offsets: number[] = [];
  let total = 0;
  for (const t of turns) {
    offsets.push(total);
    total += t;
  }
  const q = Array.from({ length: total }, () => Math.max(1, sample(d.question, 'A', rng)));
  const o = Array.from({ length: total }, () => Math.max(1, sample(d.output, 'A', rng)));
  const tool = d.tool === null ? null : Array.from({ length: total }, () => Math.max(0, sample(d.tool!, 'A', rng)));
  return {
    stage(s: number): StageData {
      const shared: Segment = { content: hashInts(TAG_SHARED, d.seed, s), tokens: d.shared };
      const history = new Map<number, Segment[]>();
      return (i, id) => {
        const k = i % N;
        const t = Math.floor(i / N) % turns[k]!;
        let h = history.get(k);
        if (h === undefined || t === 0) history.set(k, (h = []));
        const j = offsets[k]! + t;
        const question: Segment = { content: hashInts(TAG_USER, k, t), tokens: q[j]! };
        const out = o[j]!;
        const limit = d.maxModelLen - out - 200;
        let first = 0;
        let pairs = h.reduce((a, x) => a + x.tokens, 0);
        while (first < h.length && d.shared + dyn[k]! + pairs + question.tokens > limit) {
          pairs -= h[first]!.tokens + h[first + 1]!.tokens;
          first += 2;
        }
        const sysKeep = Math.max(0, Math.min(d.shared + dyn[k]!, limit - pairs - question.tokens));
        const system = nonEmpty([
          { content: shared.content, tokens: Math.min(d.shared, sysKeep) },
          { content: hashInts(TAG_SUFFIX, k), tokens: Math.max(0, sysKeep - d.shared) },
        ]);
        const segments = [...system, ...h.slice(first), question];
        h.push(question, { content: outputContentOf(id), tokens: out });
        return { segments, outputTokens: out, group: -1, session: k, turn: t, lock: k, toolWaitS: tool === null ? 0 : tool[j]! };
      };
    },
  };
}
