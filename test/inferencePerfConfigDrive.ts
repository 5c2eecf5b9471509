/** Test helper: drives an inference-perf closed-loop stream with a fake server of fixed service time. */
import { inferencePerfStream, type InferencePerfConfig } from '../sim/workload/inferencePerf/index.js';
import { isFeedbackStream, type SimRequest } from '../sim/workload/request.js';

/** Drives a closed-loop stream: every request takes `serviceUs` from its arrival; returns requests with their end times. */
export function drive(c: InferencePerfConfig, serviceUs: number, seed = 1, requests?: number): Array<SimRequest & { endUs: number }> {
  const it = inferencePerfStream(c, { seed, limits: requests === undefined ? {} : { requests }, defaultAdapterRank: 8, closedLoop: true }, null);
  if (!isFeedbackStream(it)) throw new Error('expected a feedback stream');
  const pending: SimRequest[] = [];
  const out: Array<SimRequest & { endUs: number }> = [];
  const pull = (): void => {
    for (let n = it.next(); !n.done; n = it.next()) pending.push(n.value);
  };
  pull();
  while (pending.length > 0) {
    pending.sort((a, b) => a.arrivalUs - b.arrivalUs || a.id - b.id);
    const r = pending.shift()!;
    const endUs = r.arrivalUs + serviceUs;
    out.push({ ...r, endUs });
    it.onFinish(r.id, endUs, true);
    pull();
  }
  return out.sort((a, b) => a.id - b.id);
}

