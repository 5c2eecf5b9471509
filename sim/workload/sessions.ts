/**
 * Multi-turn sessions (BLIS `multi_turn` with `context_growth: accumulate`): turn k's prompt is the
 * session's system prompt + q0 + a0 + … + q(k−1) + a(k−1) + qk, where each question's length is
 * drawn from the workload's `input` and each answer is the earlier turn's output as generated
 * (content `outputContentOf(its id)`), so a later turn re-reads cached blocks of the earlier ones.
 *
 * - open: sessions start by the workload's arrival process; turn k + 1 is sent a think time after
 *   turn k was sent (the client does not wait for answers). A plain generator.
 * - closed: `users` clients, each running one session at a time; a client sends its next turn a
 *   think time after the previous answer arrived; a rejected turn ends its session; after a
 *   session a client thinks, then starts a new one. Each client's first turn is sent after one
 *   think time, so clients do not start in lock-step. A FeedbackStream: the simulation reports
 *   every finished request and pulls what that released.
 *
 * Every turn carries the sessions' model, path and headers (routing.ts; one shared headers object).
 *
 * RNG streams: 'arrivals' (session starts), 'sessions' (turn counts, system prompt picks),
 * 'lengths' (questions, answers), 'think'.
 */
import { hashInts } from '../core/hash.js';
import { createRng, type Rng } from '../core/rng.js';
import { createArrivalProcess } from './arrivals.js';
import { sampleDuration, sampleLength } from './distributions.js';
import { MinHeap } from './heap.js';
import { ContentTag, outputContentOf } from './prompts.js';
import type { FeedbackStream, Segment, SimRequest } from './request.js';
import { routingOf, withRouting, type RequestRouting } from './routing.js';
import { requireLengths, type LengthDist, type SessionsSpec, type StreamLimits, type WorkloadSpec } from './spec.js';
import { ReleaseQueue } from './releaseQueue.js';

/** Content id of system prompt `k` of a sessions workload. */
export function sessionSystemContent(k: number): number {
  return hashInts(ContentTag.sessionSystem, k);
}

/** Content id of the question of turn `turn` in session `session`. */
export function sessionQuestionContent(session: number, turn: number): number {
  return hashInts(ContentTag.sessionQuestion, session, turn);
}

interface Session {
  readonly id: number;
  readonly turns: number;
  turn: number;
  /** Prompt so far (system + earlier questions and answers). */
  history: Segment[];
  historyTokens: number;
}

/** Shared by both modes: starting sessions and building each turn's request. */
class SessionFactory {
  private nextSession = 0;
  private readonly sessionsRng: Rng;
  private readonly lengths: Rng;
  readonly think: Rng;
  private readonly input: LengthDist;
  private readonly output: LengthDist;
  /** The sessions' model, path and headers (one object for every turn), or null. */
  private readonly routing: RequestRouting | null;

  constructor(
    private readonly spec: SessionsSpec,
    workload: WorkloadSpec,
    seed: number,
  ) {
    ({ input: this.input, output: this.output } = requireLengths(workload));
    this.sessionsRng = createRng(seed, 'sessions');
    this.lengths = createRng(seed, 'lengths');
    this.think = createRng(seed, 'think');
    this.routing = routingOf(spec);
  }

  start(): Session {
    const s = this.spec;
    const history: Segment[] = [];
    if (s.system_prompt_len > 0) {
      const k = Math.floor(this.sessionsRng() * s.num_system_prompts);
      history.push({ content: sessionSystemContent(k), tokens: s.system_prompt_len });
    }
    return { id: this.nextSession++, turns: Math.max(1, sampleLength(s.turns, this.sessionsRng)), turn: 0, history, historyTokens: s.system_prompt_len };
  }

  thinkTime(): number {
    return sampleDuration(this.spec.think_time_s, this.think);
  }

  /** The request of `s`'s current turn; with `accumulate`, its question and answer join the history. */
  request(s: Session, id: number, arrivalUs: number, accumulate: boolean): SimRequest {
    const q: Segment = { content: sessionQuestionContent(s.id, s.turn), tokens: sampleLength(this.input, this.lengths) };
    const outputTokens = sampleLength(this.output, this.lengths);
    const segments = [...s.history, q];
    const req: SimRequest = withRouting({
      id,
      arrivalUs,
      segments,
      inputTokens: s.historyTokens + q.tokens,
      outputTokens,
      outputContent: outputContentOf(id),
      adapter: null,
      adapterRank: 0,
      priority: 0,
      group: -1,
      session: s.id,
      turn: s.turn,
    }, this.routing);
    if (accumulate) this.answered(s, q, req);
    return req;
  }

  /** Append turn `req` (question `q` and its answer) to `s`'s history and advance the turn. */
  answered(s: Session, q: Segment, req: SimRequest): void {
    s.history.push(q, { content: req.outputContent, tokens: req.outputTokens });
    s.historyTokens += q.tokens + req.outputTokens;
    s.turn++;
  }
}

interface PendingTurn {
  readonly t: number;
  readonly seq: number;
  readonly session: Session;
}

const byTime = (a: PendingTurn, b: PendingTurn): boolean => a.t < b.t || (a.t === b.t && a.seq < b.seq);

/** Open-loop sessions: a time-ordered generator. */
export function* openSessions(workload: WorkloadSpec, spec: SessionsSpec, seed: number, limits: StreamLimits): Generator<SimRequest> {
  const maxRequests = limits.requests ?? Infinity;
  const maxUs = limits.durationUs ?? Infinity;
  const f = new SessionFactory(spec, workload, seed);
  const starts = createArrivalProcess(workload.arrival, createRng(seed, 'arrivals'));
  const heap = new MinHeap<PendingTurn>(byTime);
  let seq = 0;
  let nextStartUs = Math.round(starts() * 1e6);
  for (let id = 0; id < maxRequests; id++) {
    const top = heap.peek();
    if (top === undefined || nextStartUs <= top.t) {
      if (!Number.isFinite(nextStartUs)) return;
      heap.push({ t: nextStartUs, seq: seq++, session: f.start() });
      nextStartUs = Math.round(starts() * 1e6);
    }
    const p = heap.pop()!;
    if (p.t > maxUs) return;
    const req = f.request(p.session, id, p.t, true);
    if (p.session.turn < p.session.turns) heap.push({ t: p.t + Math.round(f.thinkTime() * 1e6), seq: seq++, session: p.session });
    yield req;
  }
}

/** Closed-loop sessions: `users` clients; see the module comment. */
export function closedSessions(workload: WorkloadSpec, spec: SessionsSpec, seed: number, limits: StreamLimits): FeedbackStream {
  const maxRequests = limits.requests ?? Infinity;
  const maxUs = limits.durationUs ?? Infinity;
  const f = new SessionFactory(spec, workload, seed);
  const released = new ReleaseQueue();
  const inFlight = new Map<number, { session: Session; q: Segment; req: SimRequest }>();
  let nextId = 0;

  const release = (s: Session, atUs: number): void => {
    if (nextId >= maxRequests || atUs > maxUs) return;
    const req = f.request(s, nextId++, atUs, false);
    const q = req.segments[req.segments.length - 1]!;
    inFlight.set(req.id, { session: s, q, req });
    released.push(req);
  };
  for (let u = 0; u < spec.users; u++) release(f.start(), Math.round(f.thinkTime() * 1e6));

  return {
    next: (): IteratorResult<SimRequest> => released.next(),
    onFinish(id: number, timeUs: number, completed: boolean): void {
      const e = inFlight.get(id);
      if (e === undefined) return;
      inFlight.delete(id);
      let s = e.session;
      if (completed) f.answered(s, e.q, e.req);
      if (!completed || s.turn >= s.turns) s = f.start();
      release(s, timeUs + Math.round(f.thinkTime() * 1e6));
    },
  };
}
