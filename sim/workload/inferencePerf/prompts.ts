/**
 * What request i of a stage sends, per inference-perf data type (formats.md §1.4). Each stage
 * restarts the generator at index 0, so the same pool or length arrays are replayed:
 * - shared_prefix: G·P prompts (group prefix S_g + a question), shuffled once; request i uses
 *   prompt i mod G·P. Multi-turn: session i mod G·P resends its prompt after its context (which
 *   starts as the prefix in stage 0 and empty after a stage clear), and the reply joins the context.
 * - random / synthetic: request i uses pool entry i (lengths drawn once, sampler B; with
 *   `data.trace`, the lengths of Azure row i).
 * - conversation_replay: in conversation.ts.
 * A multi-turn reply joins the context when the turn is built, as its generated length.
 */
import { hashInts } from '../../core/hash.js';
import { createRng, type Rng } from '../../core/rng.js';
import { outputContentOf, poolContentOf, questionContentOf, systemContentOf } from '../prompts.js';
import type { Segment } from '../request.js';
import { sample } from './distribution.js';
import type { RandomData, SharedPrefixData } from './types.js';

/** One request's content as the data generator makes it. */
export interface Drawn {
  readonly segments: readonly Segment[];
  readonly outputTokens: number;
  readonly group: number;
  readonly session: number;
  readonly turn: number;
  /** Requests with the same key ≥ 0 are sent one at a time, in order (a session lock); -1 = none. */
  readonly lock: number;
  /** Seconds the client sleeps after the reply, holding its slot (tool-call latency). */
  readonly toolWaitS: number;
}

/** The data generator of one stage: request `i` (0-based in the stage) with global id `id`. */
export type StageData = (i: number, id: number) => Drawn;

export interface DataGenerator {
  stage(s: number): StageData;
}

/** Drops zero-length segments (a 0-token system prompt or question). */
export function nonEmpty(segs: Segment[]): Segment[] {
  return segs.filter((s) => s.tokens > 0);
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(a: T[], rng: Rng): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

interface SpPrompt {
  readonly group: number;
  readonly user: number;
  readonly prefix: Segment;
  readonly prompt: readonly Segment[];
  readonly output: number;
}

/** shared_prefix; `seed` = the data's seed, else the run's. */
export function sharedPrefixData(d: SharedPrefixData, runSeed: number): DataGenerator {
  const rng = createRng(d.seed ?? runSeed, 'ip-shared-prefix');
  const pool: SpPrompt[] = [];
  for (let g = 0; g < d.groups; g++) {
    const prefix: Segment = { content: systemContentOf(g), tokens: Math.max(0, sample(d.system, 'A', rng)) };
    const qs = Array.from({ length: d.perGroup }, () => Math.max(0, sample(d.question, 'A', rng)));
    const os = Array.from({ length: d.perGroup }, () => Math.max(1, sample(d.output, 'A', rng)));
    for (let p = 0; p < d.perGroup; p++) pool.push({ group: g, user: p, prefix, prompt: nonEmpty([prefix, { content: questionContentOf(g, p), tokens: qs[p]! }]), output: os[p]! });
  }
  if (pool.every((x) => x.prompt.length === 0)) throw new RangeError('shared_prefix: every prompt is empty');
  shuffle(pool, rng);
  const size = pool.length;
  return {
    stage(s: number): StageData {
      const contexts = new Map<number, { segs: Segment[]; turn: number }>();
      return (i, id) => {
        const k = i % size;
        const x = pool[k]!;
        if (!d.multiTurn) return { segments: x.prompt, outputTokens: x.output, group: x.group, session: k, turn: 0, lock: -1, toolWaitS: 0 };
        let c = contexts.get(k);
        if (!c) contexts.set(k, (c = { segs: s === 0 ? nonEmpty([x.prefix]) : [], turn: 0 }));
        const segments = [...c.segs, ...x.prompt];
        c.segs.push(...x.prompt, { content: outputContentOf(id), tokens: x.output });
        return { segments, outputTokens: x.output, group: x.group, session: k, turn: c.turn++, lock: k, toolWaitS: 0 };
      };
    },
  };
}

/** random / synthetic: pool entry i (drawn when first used, input then output; sampler B). */
export function randomData(d: RandomData, runSeed: number): DataGenerator {
  const rng = createRng(runSeed, 'ip-random');
  const input: number[] = [];
  const output: number[] = [];
  const salt = d.type === 'synthetic' ? 1 : 0;
  return {
    stage(): StageData {
      return (i) => {
        if (d.rows !== null) {
          const j = i % d.rows.input.length;
          return { segments: [{ content: poolContentOf(i), tokens: d.rows.input[j]! }], outputTokens: d.rows.output[j]!, group: -1, session: -1, turn: 0, lock: -1, toolWaitS: 0 };
        }
        while (input.length <= i) {
          input.push(Math.max(1, sample(d.input, 'B', rng)));
          output.push(Math.max(1, sample(d.output, 'B', rng)));
        }
        return { segments: [{ content: salt === 0 ? poolContentOf(i) : hashInts(poolContentOf(i), salt), tokens: input[i]! }], outputTokens: output[i]!, group: -1, session: -1, turn: 0, lock: -1, toolWaitS: 0 };
      };
    },
  };
}
