/**
 * Small helpers of the director (policies/framework/director.ts): endpoint snapshots (and whether a
 * config lets them be reused), the subset header's candidates, number formatting in reasons, and
 * the prompt's byte size for flow-control accounting (`epp.md` §1.1, §2.10).
 */
import type { ResolvedConfig } from '../config/loader.js';
import { Candidate } from './candidate.js';
import type { PoolEndpoint } from './decisions.js';
import type { Plugin, Prompt, SchedEndpoint } from './types.js';

/** A pool endpoint as a candidate of one request: same metrics, its own attribute map (candidate.ts). */
export function clone(e: PoolEndpoint): SchedEndpoint {
  return new Candidate(e);
}

/** Every plugin of the config keeps no candidate past its call (Plugin.keepsNoCandidates). */
export function keepsNoCandidates(config: ResolvedConfig): boolean {
  const all: Plugin[] = [...config.plugins.values(), config.handler, config.saturationDetector, ...config.prepareData, ...config.admission, ...config.preRequest, ...config.responseComplete, ...config.kvEventListeners];
  for (const p of config.profiles.values()) {
    all.push(...p.filters, p.picker);
    for (const s of p.scorers) all.push(s.scorer);
  }
  return all.every((p) => p.keepsNoCandidates === true);
}

/** The pool endpoints the `x-gateway-destination-endpoint-subset` header names (by name, address, or address without port), cloned. */
export function subsetCandidates(subset: string, pool: readonly PoolEndpoint[]): SchedEndpoint[] {
  const wanted = new Set<string>();
  for (const part of subset.split(',')) {
    const s = part.trim();
    if (s) wanted.add(s);
  }
  const out: SchedEndpoint[] = [];
  if (wanted.size === 0) return out;
  for (const e of pool) {
    if (wanted.has(e.name) || (e.address !== undefined && (wanted.has(e.address) || wanted.has(stripPort(e.address))))) out.push(clone(e));
    else if (e.address !== undefined) {
      for (const w of wanted) if (stripPort(w) === stripPort(e.address)) {
        out.push(clone(e));
        break;
      }
    }
  }
  return out;
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
