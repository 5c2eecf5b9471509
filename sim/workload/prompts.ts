/**
 * Prompt structure: which content ids a request's prompt is made of (workloads.md §4).
 *
 * Content ids are pure functions of structure, `hashInts(TAG, …)` with one tag per kind of text,
 * so every policy (and the engine and router) see the same ids for the same text. For a fixed tag,
 * `hashInts(TAG, x)` is a bijection on 32-bit `x` (every step of MurmurHash3's round and finaliser
 * is invertible), so system prompts, unique prompts and answers never collide within their kind.
 */
import { hashInts } from '../core/hash.js';
import type { Segment } from './request.js';
import type { SharedPrefixSpec } from './spec.js';

/** Tag constants separating the kinds of content (arbitrary, distinct). */
export const ContentTag = {
  system: 0x53595331,
  question: 0x51535431,
  turnQuestion: 0x54524e31,
  output: 0x4f555431,
  unique: 0x554e5131,
  /** Mooncake hash id (one 512-token block of a chained prefix). */
  traceBlock: 0x4d4f4f31,
  /** A named prefix group of a BLIS trace (`prefix_group`). */
  tracePrefix: 0x42504631,
  /** A pass of a looped trace salts its content so each pass is new traffic. */
  loopPass: 0x4c4f5031,
  /** inference-perf random/synthetic prompt pool entry. */
  pool: 0x504f4f31,
  /** Sessions and tenants: shared system prompts, per-turn questions. */
  sessionSystem: 0x53455331,
  sessionQuestion: 0x53515531,
} as const;

/** System prompt shared by every user of shared-prefix group `group`. */
export function systemContentOf(group: number): number {
  return hashInts(ContentTag.system, group);
}

/** Question of user `user` (0-based within its group) of `group`; repeated on every pick (non-multi-turn). */
export function questionContentOf(group: number, user: number): number {
  return hashInts(ContentTag.question, group, user);
}

/**
 * Multi-turn question of turn `turn` in conversation number `conversation` (counts restarts after
 * `max_turns`) of user `user` of `group`.
 */
export function turnQuestionContentOf(group: number, user: number, conversation: number, turn: number): number {
  return hashInts(ContentTag.turnQuestion, group, user, conversation, turn);
}

/** Content of the tokens request `id` generates (the engine hashes output blocks with it). */
export function outputContentOf(id: number): number {
  return hashInts(ContentTag.output, id);
}

/** Content of request `id`'s whole prompt when there is no shared prefix. */
export function uniqueContentOf(id: number): number {
  return hashInts(ContentTag.unique, id);
}

/** Prompt `j` of an inference-perf pool (`total_count`): requests j, j + size, … send the same text. */
export function poolContentOf(j: number): number {
  return hashInts(ContentTag.pool, j);
}

/** The single-segment prompt of request `id` without a shared prefix. */
export function uniquePrompt(id: number, tokens: number): readonly Segment[] {
  return [{ content: uniqueContentOf(id), tokens }];
}

/** A shared-prefix prompt and its turn index within the user's conversation. */
export interface PromptPick {
  readonly segments: readonly Segment[];
  readonly turn: number;
}

/** Builds the prompt of request `id` for user `user` of `group`; `outputTokens` is this request's output length. */
export type SharedPrefixPrompts = (id: number, group: number, user: number, outputTokens: number) => PromptPick;

/** Per-user conversation state (multi-turn): history segments so far, next turn, restart counter. */
interface Conversation {
  history: Segment[];
  turn: number;
  conversation: number;
}

/**
 * Stateful prompt builder with inference-perf `shared_prefix` semantics (workloads.md §1).
 * Non-multi-turn: prompt = [system(g), question(g, u)], the identical array on every pick of (g, u).
 * Multi-turn: turn k = system + q0 + a0 + … + q(k−1) + a(k−1) + qk, where aj is an earlier
 * request's output (content `outputContentOf(that id)`, its output length). The answer is appended
 * when the request is generated (open loop), not when it completes. Zero-length parts are omitted.
 */
export function createSharedPrefixPrompts(spec: SharedPrefixSpec): SharedPrefixPrompts {
  const { system_prompt_len: sysLen, question_len: qLen, num_prompts_per_group: perGroup } = spec;
  if (sysLen + qLen < 1) throw new RangeError('shared_prefix: system_prompt_len + question_len must be ≥ 1');
  const systems = new Map<number, Segment>();
  const systemOf = (g: number): Segment => {
    let s = systems.get(g);
    if (!s) systems.set(g, (s = { content: systemContentOf(g), tokens: sysLen }));
    return s;
  };
  const baseOf = (g: number): Segment[] => (sysLen > 0 ? [systemOf(g)] : []);

  if (!spec.enable_multi_turn_chat) {
    const prompts = new Map<number, readonly Segment[]>();
    return (_id, g, u) => {
      const key = g * perGroup + u;
      let segs = prompts.get(key);
      if (!segs) {
        const s = baseOf(g);
        if (qLen > 0) s.push({ content: questionContentOf(g, u), tokens: qLen });
        prompts.set(key, (segs = s));
      }
      return { segments: segs, turn: 0 };
    };
  }

  const maxTurns = spec.max_turns;
  const users = new Map<number, Conversation>();
  return (id, g, u, outputTokens) => {
    const key = g * perGroup + u;
    let c = users.get(key);
    if (!c) users.set(key, (c = { history: baseOf(g), turn: 0, conversation: 0 }));
    else if (maxTurns > 0 && c.turn >= maxTurns) {
      c.history = baseOf(g);
      c.turn = 0;
      c.conversation++;
    }
    const turn = c.turn;
    const segments = c.history.slice();
    if (qLen > 0) {
      const q: Segment = { content: turnQuestionContentOf(g, u, c.conversation, turn), tokens: qLen };
      segments.push(q);
      c.history.push(q);
    }
    c.history.push({ content: outputContentOf(id), tokens: outputTokens });
    c.turn++;
    return { segments, turn };
  };
}
