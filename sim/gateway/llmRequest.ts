/**
 * The LLMRequest the gateway hands its EPP for a simulated request (`epp.md` §1.1): the fields a real
 * EPP parses from the request (id, body model, headers, prompt, objective priority, fairness id),
 * and, for precise-cache policies, the engine's KV block keys of the prompt as a real tokenizer +
 * vLLM hash would give (`tokenBlockKeys`).
 *
 * A class rather than an object literal with a closure (issue 15): the block keys are computed on
 * first call, against the target model as it then is (the adapter is final only after the EPP's
 * model rewrite), and kept while it stays the same (plugins may ask several times per request).
 * The literal needed a closure and two contexts per request, and each of the ≈ 10,000 requests in
 * flight in a 1M-request run kept them alive until it ended. What lives only here is private
 * (`#`): the object's own enumerable fields are the literal's data fields, and it serialises as the
 * literal did (`tokenBlockKeys` is now a method, called the same way).
 */
import type { LLMRequest, Prompt } from '../../policies/framework/types.js';
import type { SimRequest } from '../workload/request.js';
import { BlockHasher } from '../engine/blockHasher.js';

export class GatewayLlmRequest implements LLMRequest {
  readonly id: string;
  readonly model: string;
  targetModel: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly prompt: Prompt;
  priority: number;
  readonly fairnessId: string;
  readonly requestSizeBytes: number | null = null;
  readonly #req: SimRequest;
  /** The pool's base model (a target model equal to it is served without an adapter). */
  readonly #baseModel: string;
  readonly #blockSize: number;
  /** Block keys computed so far, and the adapter they were computed for. */
  #keys: number[] | null = null;
  #keysAdapter: string | null = null;

  constructor(req: SimRequest, headers: Readonly<Record<string, string>>, prompt: Prompt, baseModel: string, blockSize: number) {
    const model = req.adapter ?? baseModel;
    this.id = String(req.id);
    this.model = model;
    this.targetModel = model;
    this.headers = headers;
    this.prompt = prompt;
    // The workload's priority class stands for the request's InferenceObjective priority.
    this.priority = req.priority;
    // x-gateway-inference-fairness-id: the workload's client (tenant), when it has one.
    this.fairnessId = req.client !== undefined && req.client >= 0 ? `client-${req.client}` : '';
    this.#req = req;
    this.#baseModel = baseModel;
    this.#blockSize = blockSize;
  }

  /** The engine's block keys of the prompt's full blocks, for the current target model. */
  tokenBlockKeys(): readonly number[] {
    const adapter = servedAdapter(this, this.#baseModel);
    if (this.#keys === null || this.#keysAdapter !== adapter) {
      this.#keys = blockKeys(this.#req, adapter, this.#blockSize);
      this.#keysAdapter = adapter;
    }
    return this.#keys;
  }
}

/** The adapter an EPP request is served with: its target model after any rewrite (null = base model). */
export function servedAdapter(llm: Pick<LLMRequest, 'targetModel'>, baseModel: string): string | null {
  return llm.targetModel === baseModel ? null : llm.targetModel;
}

/** The engine's block keys of `req`'s full prompt blocks served with `adapter` (null = base model). */
export function blockKeys(req: SimRequest, adapter: string | null, blockSize: number): number[] {
  const h = new BlockHasher(req.segments, req.outputContent, req.outputTokens, blockSize, adapter);
  const n = Math.floor(req.inputTokens / blockSize);
  const keys = new Array<number>(n);
  for (let i = 0; i < n; i++) keys[i] = h.hashAt(i);
  return keys;
}
