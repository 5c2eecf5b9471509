/** A request's engine-side state on one replica (true state; routers never see this). */
import type { SimRequest } from '../workload/request.js';
import type { RequestRecord } from '../metrics/types.js';
import { BlockHasher } from './blockHasher.js';

export class Sequence {
  /** Tokens whose KV has been computed (prompt, then generated tokens fed back). */
  numComputed = 0;
  /** Output tokens emitted so far. */
  outputDone = 0;
  /** KV blocks held, in sequence order. */
  blocks: number[] = [];
  /** Leading blocks already registered in the prefix cache under their hash. */
  registeredBlocks = 0;
  /** Engine time of the last emitted token, µs (-1 before the first). */
  lastTokenUs = -1;
  readonly hasher: BlockHasher;

  constructor(
    readonly req: SimRequest,
    readonly rec: RequestRecord,
    blockSize: number,
  ) {
    this.hasher = new BlockHasher(req.segments, req.outputContent, req.outputTokens, blockSize, req.adapter);
  }

  /** Tokens that exist so far: the prompt plus emitted output. The next token comes when all are computed. */
  get knownTokens(): number {
    return this.req.inputTokens + this.outputDone;
  }

  /** Drop computed state (recompute preemption); emitted output is kept and will be recomputed. */
  resetForRecompute(): void {
    this.numComputed = 0;
    this.blocks = [];
    this.registeredBlocks = 0;
  }
}
