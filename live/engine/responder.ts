/**
 * One request's HTTP answer, fed by the replica driver (a TokenSink) and paced to the simulated
 * token times (live.md §5.4): streaming sends the headers at once, one SSE chunk per step that
 * emitted tokens for this request at the time the client sees them (chat first sends a
 * `role: assistant` chunk with empty content, with the first token), `finish_reason` on the last
 * content chunk, then at response completion the usage chunk (`include_usage`) and `data: [DONE]`.
 * Non-streaming sends the whole JSON at completion.
 */
import type { ServerResponse } from 'node:http';
import type { TokenSink } from './replicaDriver.js';
import type { SimClock } from './simClock.js';
import { PacedWriter } from '../http/pacedWriter.js';
import { endEventStream, sendJson, startEventStream, writeEvent } from '../http/sse.js';
import { contentChunk, fullResponse, outputText, usageChunk, usageOf, type FinishReason, type ResponseHead } from './openaiFormat.js';

export interface ResponderOptions {
  readonly head: ResponseHead;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly continuousUsage: boolean;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly finishReason: FinishReason;
  /** Key of the prompt (the generated words derive from it). */
  readonly textKey: number;
}

export class Responder implements TokenSink {
  private readonly pacer: PacedWriter;
  private sent = 0;
  private done = false;

  constructor(
    private readonly res: ServerResponse,
    clock: SimClock,
    private readonly o: ResponderOptions,
  ) {
    this.pacer = new PacedWriter(clock);
    if (o.stream) startEventStream(res);
  }

  /** The response was completed (or abandoned): nothing more will be written. */
  get finishedWriting(): boolean {
    return this.done;
  }

  tokens(count: number, atUs: number): void {
    if (!this.o.stream) return;
    this.pacer.at(atUs, () => {
      const from = this.sent;
      this.sent += count;
      const last = this.sent >= this.o.outputTokens;
      const usage = this.o.continuousUsage ? usageOf(this.o.promptTokens, this.sent) : undefined;
      const text = outputText(this.o.textKey, from, count);
      // Chat: the first event is the role with empty content (live.md §5.4), sent with the first token.
      if (this.o.head.kind === 'chat' && from === 0) writeEvent(this.res, contentChunk(this.o.head, '', null, this.o.continuousUsage ? usageOf(this.o.promptTokens, 0) : undefined, true));
      writeEvent(this.res, contentChunk(this.o.head, text, last ? this.o.finishReason : null, usage));
    });
  }

  finished(endUs: number): void {
    this.pacer.at(endUs, () => {
      this.done = true;
      const usage = usageOf(this.o.promptTokens, this.o.outputTokens);
      if (!this.o.stream) {
        const text = outputText(this.o.textKey, 0, this.o.outputTokens);
        sendJson(this.res, 200, JSON.stringify(fullResponse(this.o.head, text, this.o.finishReason, usage)));
        return;
      }
      if (this.o.includeUsage) writeEvent(this.res, usageChunk(this.o.head, usage));
      endEventStream(this.res);
    });
  }

  /** Stop writing (client gone or server stopping). */
  abandon(): void {
    this.done = true;
    this.pacer.cancel();
  }
}
