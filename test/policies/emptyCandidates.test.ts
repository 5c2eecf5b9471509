/**
 * A scheduling profile handed no candidates fails as GAIE v1.5.0's `SchedulerProfile.Run` does
 * (`epp.md` §1.3): the length check follows the filter chain whatever its length, so a profile with
 * no filters fails too ("no endpoints available") instead of asking its picker to pick from
 * nothing; the single-profile handler then has no result → SchedulingError (the director's 429).
 * Through the director (what `routesim pick` and the simulated gateway both call), zero candidates
 * never reach the scheduler: step 5 answers 503 first (test/pick-cases/empty-candidates.yaml).
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { loadPickerConfig } from '../../policies/config/loader.js';
import { EndpointPicker, TtlPluginState } from '../../policies/framework/director.js';
import { runProfile, schedule, type ProfileTrace, type SchedulingTrace } from '../../policies/framework/scheduler.js';
import { SchedulingError, type CycleContext, type LLMRequest } from '../../policies/framework/types.js';
import { HEAD, testCatalog } from './frameworkStubs.js';

const catalog = testCatalog();
const ctx = (): CycleContext => ({ nowUs: 0, rng: seedrandom.alea('1'), cycleState: new Map(), pluginState: new TtlPluginState() });
const req = (headers: Record<string, string> = {}): LLMRequest => ({
  id: 'r1',
  model: 'm',
  targetModel: 'm',
  headers,
  prompt: { kind: 'completion', text: 'hello' },
  priority: 0,
  fairnessId: '',
  requestSizeBytes: null,
});

// One profile, no filters: a scorer and the default max-score picker.
const noFilters = () => loadPickerConfig({ text: HEAD + `plugins: [{type: test-scorer, parameters: {scores: {a: 1}}}]\nschedulingProfiles: [{name: only, plugins: [{pluginRef: test-scorer}]}]\n` }, { catalog });

describe('a profile with no filters and no candidates', () => {
  it('runProfile fails with "no endpoints available" and records it', () => {
    const c = noFilters();
    const trace: ProfileTrace = { profile: 'only', filters: [], scorers: [], totals: {}, picked: null };
    expect(() => runProfile(c.profiles.get('only')!, ctx(), req(), [], trace)).toThrow(new SchedulingError('no endpoints available: no candidates'));
    // Nothing was scored or picked.
    expect(trace.scorers).toEqual([]);
    expect(trace.picked).toBeNull();
  });

  it('the scheduling cycle fails (the single-profile handler has no result) and the trace names why', () => {
    const c = noFilters();
    const trace: SchedulingTrace = { profiles: [] };
    expect(() => schedule(c.handler, c.profiles, ctx(), req(), [], trace)).toThrow(SchedulingError);
    expect(trace.profiles).toEqual([{ profile: 'only', filters: [], scorers: [], totals: {}, picked: null, error: 'no endpoints available: no candidates' }]);
  });

  it('with a filter, the first filter still runs on the empty list and the chain fails naming it', () => {
    const c = loadPickerConfig({ text: HEAD + `plugins: [{type: test-filter}, {type: test-scorer}]\n` }, { catalog });
    const trace: SchedulingTrace = { profiles: [] };
    expect(() => schedule(c.handler, c.profiles, ctx(), req(), [], trace)).toThrow(SchedulingError);
    expect(trace.profiles[0]!.filters).toEqual([{ filter: 'test-filter', survivors: [] }]);
    expect(trace.profiles[0]!.error).toBe('no endpoints available: filter test-filter left none');
  });

  it('the director answers 503 before scheduling when the subset leaves no candidate (no profile runs)', () => {
    const picker = new EndpointPicker(noFilters(), { rng: seedrandom.alea('1') });
    const pool = [{ name: 'a', index: 0, labels: {}, metrics: null }];
    const d = picker.handleRequest(req({ 'x-gateway-destination-endpoint-subset': '' }), pool, 0, { trace: true });
    expect(d).toMatchObject({ kind: 'reject', status: 503, reason: 'no endpoint of the requested subset is available' });
    expect(d.trace!.profiles).toEqual([]);
    // The same pool without the header dispatches to a (the only endpoint, score 1).
    expect(picker.handleRequest({ ...req(), id: 'r2' }, pool, 0)).toMatchObject({ kind: 'dispatch', target: 'a' });
  });
});
