/**
 * A pick case's `expect` blocks against what the picker did: one message per mismatch, e.g.
 * `requests[2].expect.pick: expected pod-a, got pod-b`. `routesim pick` prints each on stderr and
 * exits 1; the test suite asserts there are none. Numbers (totals, scores, saturation) match to
 * 1e-9; survivors match as sets; strings are shown bare, other values as JSON.
 */
import type { ProfileTrace } from '../framework/scheduler.js';
import type { PickCase, PickResult } from './pickCase.js';

const TOL = 1e-9;

/** A value in a mismatch message: strings bare, everything else as JSON. */
function show(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined ? 'nothing' : JSON.stringify(v);
}

/** Mismatches between a case's `expect` blocks and its results, one message each ([] = all met). */
export function checkExpectations(c: PickCase, results: readonly PickResult[]): string[] {
  const errs: string[] = [];
  c.requests.forEach((q, i) => {
    const e = q.expect;
    if (!e) return;
    const r = results[i];
    const at = `requests[${i}].expect`;
    if (!r) {
      errs.push(`${at}: the request has no result`);
      return;
    }
    const eq = (what: string, want: unknown, got: unknown): void => {
      if (JSON.stringify(want) !== JSON.stringify(got)) errs.push(`${at}.${what}: expected ${show(want)}, got ${show(got)}`);
    };
    if (e.outcome !== undefined) eq('outcome', e.outcome, r.outcome);
    if (e.dropReason !== undefined) eq('dropReason', e.dropReason, r.dropReason ?? null);
    if (e.pick !== undefined) {
      if (r.outcome !== 'dispatched') errs.push(`${at}.pick: expected ${e.pick}, but the outcome was ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`);
      else eq('pick', e.pick, r.target);
    }
    if (e.fallbacks !== undefined) eq('fallbacks', e.fallbacks, r.fallbacks ?? []);
    if (e.targetModel !== undefined) eq('targetModel', e.targetModel, r.targetModel);
    if (e.priority !== undefined) eq('priority', e.priority, r.priority);
    if (e.reason !== undefined && !(r.reason ?? '').includes(e.reason)) errs.push(`${at}.reason: expected a reason containing ${JSON.stringify(e.reason)}, got ${JSON.stringify(r.reason ?? null)}`);
    if (e.saturation !== undefined && (r.saturation === undefined || Math.abs(r.saturation - e.saturation) > TOL)) {
      errs.push(`${at}.saturation: expected ${e.saturation}, got ${r.saturation ?? 'nothing'}`);
    }
    if (e.responseHeaders !== undefined) eq('responseHeaders', e.responseHeaders, r.responseHeaders ?? {});
    if (e.ran !== undefined) eq('ran', e.ran, r.profiles.map((p) => p.profile));
    const primary = r.profiles.find((p) => p.profile === r.primaryProfile) ?? r.profiles[0];
    checkProfile(errs, at, primary, { totals: e.totals, scores: e.scores, survivors: e.survivors });
    for (const [name, pe] of Object.entries(e.profiles ?? {})) {
      const p = r.profiles.find((x) => x.profile === name);
      if (!p) {
        errs.push(`${at}.profiles.${name}: profile did not run (ran: ${r.profiles.map((x) => x.profile).join(', ') || 'none'})`);
        continue;
      }
      checkProfile(errs, `${at}.profiles.${name}`, p, pe);
      if (pe.picked !== undefined) {
        if (JSON.stringify(pe.picked) !== JSON.stringify(p.picked)) errs.push(`${at}.profiles.${name}.picked: expected ${show(pe.picked)}, got ${show(p.picked)}`);
      }
      if (pe.error !== undefined && !(p.error ?? '').includes(pe.error)) errs.push(`${at}.profiles.${name}.error: expected an error containing ${JSON.stringify(pe.error)}, got ${JSON.stringify(p.error ?? null)}`);
    }
  });
  return errs;
}

function checkProfile(
  errs: string[],
  at: string,
  p: ProfileTrace | undefined,
  e: { totals?: Record<string, number>; scores?: Record<string, Record<string, number>>; survivors?: Record<string, string[]> },
): void {
  if (!e.totals && !e.scores && !e.survivors) return;
  if (!p) {
    errs.push(`${at}: no profile ran`);
    return;
  }
  for (const [ep, want] of Object.entries(e.totals ?? {})) {
    const got = p.totals[ep];
    if (got === undefined || Math.abs(got - want) > TOL) errs.push(`${at}.totals.${ep}: expected ${want}, got ${got ?? 'nothing (not scored)'}`);
  }
  for (const [scorer, eps] of Object.entries(e.scores ?? {})) {
    const s = p.scorers.find((x) => x.scorer === scorer);
    if (!s) {
      errs.push(`${at}.scores.${scorer}: no scorer of that name ran (ran: ${p.scorers.map((x) => x.scorer).join(', ') || 'none'})`);
      continue;
    }
    for (const [ep, want] of Object.entries(eps)) {
      const got = s.scores[ep];
      if (got === undefined || Math.abs(got - want) > TOL) errs.push(`${at}.scores.${scorer}.${ep}: expected ${want}, got ${got ?? 'nothing'}`);
    }
  }
  for (const [filter, want] of Object.entries(e.survivors ?? {})) {
    const f = p.filters.find((x) => x.filter === filter);
    if (!f) {
      errs.push(`${at}.survivors.${filter}: no filter of that name ran (ran: ${p.filters.map((x) => x.filter).join(', ') || 'none'})`);
      continue;
    }
    if (JSON.stringify([...want].sort()) !== JSON.stringify([...f.survivors].sort())) errs.push(`${at}.survivors.${filter}: expected ${JSON.stringify(want)}, got ${JSON.stringify(f.survivors)}`);
  }
}
