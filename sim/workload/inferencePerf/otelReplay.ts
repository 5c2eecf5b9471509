/**
 * trace_session_replay of local OTel trace files (formats.md §1.3–1.4), closed loop: per stage,
 * sessions start while fewer than concurrent_sessions are active (0 = unlimited), at least
 * 1/session_rate apart; each stage takes the next num_sessions files (null = the rest; the cursor
 * persists across stages). A file is read when its session starts (one file in memory per active
 * session); an invalid file is an error, or skipped with skip_invalid_files. A session's roots are
 * sent at its start; any other span when all its predecessors' responses have ended + its wait.
 * A request that fails (rejected, shed) cancels its dependants. A session ends when every span has
 * finished or been cancelled; the stage ends when its sessions have; `interval` passes; the next
 * stage starts.
 */
import { UserError } from '../../core/errors.js';
import { hashInts } from '../../core/hash.js';
import { outputContentOf } from '../prompts.js';
import type { FeedbackStream, Segment, SimRequest } from '../request.js';
import { ReleaseQueue } from '../releaseQueue.js';
import { readOtelFile } from './otelFile.js';
import { buildSession, type OtelEvent } from './otelSession.js';
import type { IpStreamOptions, Requests } from './stream.js';
import type { InferencePerfConfig, OtelFileSource, SessionStage } from './types.js';

const TAG_EMPTY = 0x4f54454d;

interface Live {
  readonly id: number;
  readonly events: readonly OtelEvent[];
  /** Request id of each event once sent, -1 before. */
  readonly reqId: number[];
  /** Predecessors still to finish, per event. */
  readonly waiting: number[];
  /** Latest predecessor end, per event. */
  readonly readyUs: number[];
  readonly cancelled: boolean[];
  open: number;
}

export function otelFileStage(cfg: InferencePerfConfig, src: OtelFileSource, _opts: IpStreamOptions, reqs: Requests): FeedbackStream {
  const stages = cfg.load.stages as SessionStage[];
  const released = new ReleaseQueue();
  const inFlight = new Map<number, { x: Live; e: number }>();
  let cursor = 0;
  let s = -1;
  let toStart = 0;
  let active = 0;
  let lastStartUs = -Infinity;
  let stopped = false;

  const send = (x: Live, e: number, atUs: number): void => {
    if (stopped || !reqs.allowed(atUs)) {
      stopped = true;
      return;
    }
    const ev = x.events[e]!;
    const id = reqs.nextId++;
    const segments: Segment[] = [];
    for (const p of ev.pieces) {
      if (p.tokens <= 0) continue;
      segments.push({ content: p.kind === 'output' ? outputContentOf(x.reqId[p.producer]!) : p.content, tokens: p.tokens });
    }
    if (segments.length === 0) segments.push({ content: hashInts(TAG_EMPTY, x.id, e), tokens: 1 });
    x.reqId[e] = id;
    inFlight.set(id, { x, e });
    released.push(reqs.make({ segments, outputTokens: ev.outputTokens, group: -1, session: x.id, turn: e, lock: -1, toolWaitS: 0 }, id, atUs));
  };
  /** Reads the next valid file (skipping invalid ones when allowed); null when the corpus is used up. */
  const nextSession = (): Live | null => {
    while (cursor < src.paths.length) {
      const id = cursor++;
      try {
        const events = buildSession(readOtelFile(src.paths[id]!), src.options);
        if (events.length === 0) continue;
        const n = events.length;
        return { id, events, reqId: new Array<number>(n).fill(-1), waiting: events.map((v) => v.preds.length), readyUs: new Array<number>(n).fill(0), cancelled: new Array<boolean>(n).fill(false), open: n };
      } catch (err) {
        if (!(err instanceof UserError) || !src.skipInvalid) throw err;
      }
    }
    return null;
  };
  const startSessions = (nowUs: number): void => {
    const st = stages[s]!;
    while (!stopped && toStart > 0 && (st.concurrent === 0 || active < st.concurrent)) {
      const x = nextSession();
      if (x === null) {
        toStart = 0;
        break;
      }
      const at = st.session_rate === null ? nowUs : Math.max(nowUs, Math.round(lastStartUs + 1e6 / st.session_rate));
      lastStartUs = at;
      toStart--;
      active++;
      x.events.forEach((ev, e) => {
        if (ev.preds.length === 0) send(x, e, at);
      });
    }
  };
  const startStage = (atUs: number): void => {
    if (++s >= stages.length) return;
    const want = stages[s]!.num_sessions;
    toStart = want ?? src.paths.length - cursor;
    active = 0;
    lastStartUs = -Infinity;
    startSessions(atUs + 1e6);
    if (active === 0 && !stopped) startStage(atUs + 1e6 + Math.round(cfg.load.interval_s * 1e6));
  };
  /** Marks event e closed; cancels its descendants when it failed. */
  const close = (x: Live, e: number, ok: boolean, timeUs: number): void => {
    x.open--;
    for (const d of x.events[e]!.succs) {
      if (x.cancelled[d]) continue;
      if (!ok) {
        x.cancelled[d] = true;
        close(x, d, false, timeUs);
        continue;
      }
      x.readyUs[d] = Math.max(x.readyUs[d]!, timeUs);
      if (--x.waiting[d]! === 0) send(x, d, x.readyUs[d]! + x.events[d]!.waitUs);
    }
  };
  startStage(0);
  return {
    next: (): IteratorResult<SimRequest> => released.next(),
    onFinish(id: number, timeUs: number, completed: boolean): void {
      const f = inFlight.get(id);
      if (f === undefined) return;
      inFlight.delete(id);
      close(f.x, f.e, completed !== false, timeUs);
      if (f.x.open > 0) return;
      active--;
      startSessions(timeUs);
      if (!stopped && active === 0 && toStart === 0) startStage(timeUs + Math.round(cfg.load.interval_s * 1e6));
    },
  };
}
