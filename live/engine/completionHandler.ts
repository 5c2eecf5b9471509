/**
 * `POST /v1/completions` and `POST /v1/chat/completions` on one mock replica: body → validated
 * request → model / adapter → (injected failure) → prompt tokens and output length → the engine,
 * whose steps then drive the Responder.
 *
 * Output length: `ignore_eos` ⇒ exactly the cap (finish_reason "length"). Otherwise the request
 * "meets its EOS" at a natural length drawn deterministically from the prompt and the seed,
 * uniform on 1…natural-tokens-max, raised to min_tokens and cut at the cap ("stop" when it ended
 * before the cap, else "length"). Cap: max_tokens (completions default 16); chat
 * max_completion_tokens, else max_tokens, else max_model_len − prompt (live.md §5.2).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimRequest } from '../../sim/workload/request.js';
import { hashInts } from '../../sim/core/hash.js';
import { readJsonObject } from '../http/body.js';
import { HttpProblem } from '../http/errors.js';
import type { MockReplica } from './mockFleet.js';
import type { SimClock } from './simClock.js';
import { COMPLETIONS_DEFAULT_MAX_TOKENS, parseRequest, type ApiKind, type ParsedRequest } from './requestParse.js';
import { countTokens, promptKey, promptSegments } from './prompt.js';
import { responseId, type FinishReason } from './openaiFormat.js';
import { Responder } from './responder.js';

/** Output length and finish reason of a request with `promptTokens` prompt tokens (see the header). */
export function outputPlan(p: ParsedRequest, promptTokens: number, r: Pick<MockReplica, 'maxModelLen' | 'naturalTokensMax' | 'seed'>): { tokens: number; finish: FinishReason } {
  const cap = p.maxTokens ?? (p.kind === 'chat' ? r.maxModelLen - promptTokens : COMPLETIONS_DEFAULT_MAX_TOKENS);
  if (cap < 1 || promptTokens + cap > r.maxModelLen) {
    throw new HttpProblem(
      400,
      `This model's maximum context length is ${r.maxModelLen} tokens. However, you requested ${promptTokens + Math.max(cap, 0)} tokens (${promptTokens} in the messages, ${Math.max(cap, 0)} in the completion). Please reduce the length of the messages or completion.`,
      p.kind === 'chat' ? 'messages' : 'prompt',
    );
  }
  if (p.ignoreEos) return { tokens: cap, finish: 'length' };
  const natural = 1 + (hashInts(promptKey(p.prompt), r.seed) % r.naturalTokensMax);
  const tokens = Math.min(cap, Math.max(p.minTokens, natural));
  return { tokens, finish: tokens < cap ? 'stop' : 'length' };
}

const REJECTIONS: Record<string, string> = {
  exceeds_max_model_len: 'the prompt and the output exceed the model\'s maximum context length',
  exceeds_kv_capacity: 'the prompt and the output need more KV-cache blocks than this replica has',
  lora_not_enabled: 'LoRA is not enabled on this server',
  lora_rank_too_large: 'the adapter\'s rank exceeds max_lora_rank',
};

export async function handleCompletion(kind: ApiKind, req: IncomingMessage, res: ServerResponse, r: MockReplica, clock: SimClock): Promise<void> {
  const body = await readJsonObject(req);
  const p = parseRequest(kind, body);
  const { adapter } = r.adapters.resolve(p.model);
  const injected = r.errors.next();
  if (injected !== null) throw injected;
  const promptTokens = countTokens(p.prompt);
  const plan = outputPlan(p, promptTokens, r);
  const id = r.driver.newId();
  const key = promptKey(p.prompt);
  const simReq: SimRequest = {
    id,
    arrivalUs: 0,
    segments: promptSegments(p.prompt, r.blockSize),
    inputTokens: promptTokens,
    outputTokens: plan.tokens,
    outputContent: hashInts(key, r.seed, id, 0x6f7574),
    adapter,
    adapterRank: adapter === null ? 0 : (r.adapters.rankOf(adapter) ?? r.adapterRank),
    priority: p.priority,
    group: -1,
    session: -1,
    turn: 0,
    model: p.model,
  };
  const reason = r.driver.rejectionReason(simReq);
  if (reason !== '') throw new HttpProblem(400, REJECTIONS[reason] ?? reason, kind === 'chat' ? 'messages' : 'prompt');
  const responder = new Responder(res, clock, {
    head: { kind, id: responseId(kind, r.index, id), created: Math.floor(clock.epochSeconds(clock.nowUs())), model: p.model },
    stream: p.stream,
    includeUsage: p.includeUsage,
    continuousUsage: p.continuousUsage,
    promptTokens,
    outputTokens: plan.tokens,
    finishReason: plan.finish,
    textKey: key,
  });
  const seq = r.driver.submit(simReq, responder);
  r.metrics.finishReasons.set(seq, plan.finish);
  res.on('close', () => {
    if (responder.finishedWriting) return;
    responder.abandon();
    r.driver.cancel(seq);
  });
}
