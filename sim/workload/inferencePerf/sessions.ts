/**
 * trace_session_replay + otel_trace_replay (formats.md §1.3–1.4, §1.6) of the catalog's corpus
 * (local OTel trace files are otelReplay.ts). For Exgentic/agent-llm-traces-v2 routesim regenerates
 * sessions from the corpus's published statistics, a stand-in stated in the README:
 * - calls per session: geometric with mean 21.9, at most 300;
 * - call 0 sends a 2000-token system prompt shared by all sessions + a 18 000-token task; call c
 *   re-sends call c − 1's input and reply plus Exp(mean 730) new tokens, so the call-weighted
 *   mean input is ≈ 20 000 + 20.9 × (659 + 730) ≈ 49k tokens;
 * - replies (max_tokens): Exp(mean 659), ≥ 1;
 * - each call after the first is sent when its predecessor has finished plus a wait
 *   min(Exp(mean 13 s), max_wait_ms); the wait is not part of any request's latency.
 * Per stage, sessions start while fewer than concurrent_sessions are active (0 = unlimited),
 * at least 1/session_rate apart; each stage takes the next num_sessions (the cursor persists).
 * The stage ends when its sessions have finished; `interval` passes; the next stage starts.
 */
import { inputError } from '../../core/errors.js';
import { hashInts } from '../../core/hash.js';
import { createRng, exponential } from '../../core/rng.js';
import { outputContentOf } from '../prompts.js';
import type { FeedbackStream, Segment, SimRequest } from '../request.js';
import { ReleaseQueue } from '../releaseQueue.js';
import type { IpStreamOptions, Requests } from './stream.js';
import type { InferencePerfConfig, SessionStage } from './types.js';

export const AGENTIC = { callsMean: 21.9, callsMax: 300, system: 2000, task: 18000, newMean: 730, outputMean: 659, waitMeanS: 13 } as const;
const TAG_SYS = 0x4f545331;
const TAG_TASK = 0x4f545431;
const TAG_NEW = 0x4f544e31;

interface Session {
  readonly id: number;
  readonly calls: number;
  call: number;
  context: Segment[];
}

export function sessionStage(cfg: InferencePerfConfig, opts: IpStreamOptions, reqs: Requests): FeedbackStream {
  if (cfg.data.type !== 'otel_trace_replay') throw new RangeError('sessionStage: otel data expected');
  const maxWaitS = cfg.data.maxWaitS;
  const stages = cfg.load.stages as SessionStage[];
  stages.forEach((st, i) => {
    if (st.num_sessions === null) throw inputError(cfg.file, `load.stages[${i}].num_sessions`, 'the regenerated corpus has no fixed size, so "the rest of the corpus" is undefined', 'give num_sessions');
  });
  const rng = createRng(opts.seed, 'ip-sessions');
  const exp = (mean: number): number => exponential(rng, mean);
  const released = new ReleaseQueue();
  const inFlight = new Map<number, Session>();
  let cursor = 0;
  let s = -1;
  let toStart = 0;
  let active = 0;
  let finished = 0;
  let lastStartUs = -Infinity;
  let stopped = false;

  const send = (x: Session, atUs: number): void => {
    if (stopped || !reqs.allowed(atUs)) {
      stopped = true;
      return;
    }
    const id = reqs.nextId++;
    if (x.call > 0) x.context.push({ content: hashInts(TAG_NEW, x.id, x.call), tokens: Math.max(1, Math.round(exp(AGENTIC.newMean))) });
    const out = Math.max(1, Math.round(exp(AGENTIC.outputMean)));
    const segments = x.context.slice();
    x.context.push({ content: outputContentOf(id), tokens: out });
    inFlight.set(id, x);
    released.push(reqs.make({ segments, outputTokens: out, group: -1, session: x.id, turn: x.call, lock: x.id, toolWaitS: 0 }, id, atUs));
  };
  const startSessions = (nowUs: number): void => {
    const st = stages[s]!;
    while (!stopped && toStart > 0 && (st.concurrent === 0 || active < st.concurrent)) {
      const at = st.session_rate === null ? nowUs : Math.max(nowUs, Math.round(lastStartUs + 1e6 / st.session_rate));
      lastStartUs = at;
      toStart--;
      active++;
      // Geometric on {1, 2, …} with mean 21.9, capped.
      const calls = Math.min(AGENTIC.callsMax, 1 + Math.floor(Math.log(1 - rng()) / Math.log(1 - 1 / AGENTIC.callsMean)));
      const id = cursor++;
      send({ id, calls, call: 0, context: [{ content: hashInts(TAG_SYS, 0), tokens: AGENTIC.system }, { content: hashInts(TAG_TASK, id), tokens: AGENTIC.task }] }, at);
    }
  };
  const startStage = (atUs: number): void => {
    if (++s >= stages.length) return;
    toStart = stages[s]!.num_sessions!;
    active = 0;
    finished = 0;
    lastStartUs = -Infinity;
    startSessions(atUs + 1e6);
  };
  startStage(0);
  return {
    next: (): IteratorResult<SimRequest> => released.next(),
    onFinish(id: number, timeUs: number): void {
      const x = inFlight.get(id);
      if (x === undefined) return;
      inFlight.delete(id);
      x.call++;
      if (x.call < x.calls) {
        send(x, timeUs + Math.round(Math.min(exp(AGENTIC.waitMeanS), maxWaitS) * 1e6));
        return;
      }
      active--;
      finished++;
      startSessions(timeUs);
      if (!stopped && finished === stages[s]!.num_sessions) startStage(timeUs + Math.round(cfg.load.interval_s * 1e6));
    },
  };
}
