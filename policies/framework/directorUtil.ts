/**
 * Small helpers of the director (policies/framework/director.ts): endpoint snapshots, subset
 * address matching, number formatting in reasons, and the prompt's byte size for flow-control
 * accounting (`epp.md` §1.1, §2.10).
 */
import { Candidate } from './candidate.js';
import type { PoolEndpoint } from './decisions.js';
import type { Prompt, SchedEndpoint } from './types.js';

/** A pool endpoint as a candidate of one request: same metrics, its own attribute map (candidate.ts). */
export function clone(e: PoolEndpoint): SchedEndpoint {
  return new Candidate(e);
}

export function stripPort(s: string): string {
  const m = /^(.*):\d+$/.exec(s);
  return m ? m[1]! : s;
}

export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** Size of the request body's prompt in bytes, when the raw body size is unknown (flow-control accounting). */
export function promptBytes(p: Prompt): number {
  switch (p.kind) {
    case 'completion':
      return Buffer.byteLength(p.text, 'utf8');
    case 'chat':
      return Buffer.byteLength(JSON.stringify(p.messages), 'utf8');
    case 'synthetic': {
      let n = 0;
      for (const s of p.spans) n += s.tokens;
      return n * p.charsPerToken;
    }
  }
}
