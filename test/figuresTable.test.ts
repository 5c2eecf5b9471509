/**
 * The comparison table's new parts (LoRA loads column, steady-state marker and footnote, per-class
 * tables) and reading older results files that lack the new summary fields.
 */
import { describe, expect, it } from 'vitest';
import { summarize, type PolicySummary } from '../sim/metrics/summary.js';
import type { RequestRecord } from '../sim/metrics/types.js';
import { renderComparisonTable, renderRunTables } from '../reports/table.js';
import { buildResultsDocument, serialiseResults } from '../reports/results.js';
import { parseResults } from '../reports/resultsFile.js';
import { orderedKeys } from '../reports/classTables.js';
import { completedRecord } from './fixtures.js';
import { linearScenario } from './helpers.js';

const NO_SLO = { ttft_ms: null, tpot_ms: null };

function summaryOf(records: RequestRecord[]): PolicySummary {
  return summarize({ policy: 'p', policyType: 'random', records, replicas: [], itl: new Map(), endUs: 0 }, NO_SLO);
}

/** 40 requests, one per second, each done 0.5 s later: a flat backlog → steady. Two priorities (0, 2). */
const steadyRecords = Array.from({ length: 40 }, (_, i) =>
  completedRecord({ id: i, arrivalUs: i * 1e6, firstTokenUs: i * 1e6 + 100_000, lastTokenUs: i * 1e6 + 500_000, priority: i % 2 === 0 ? 0 : 2 } as Partial<RequestRecord> & { id: number; arrivalUs: number }),
);
/** 40 requests, one per second, request i done at 2i s: backlog ≈ t/2 grows at half the arrival rate. */
const growingRecords = Array.from({ length: 40 }, (_, i) => completedRecord({ id: i, arrivalUs: i * 1e6, firstTokenUs: i * 2e6 + 1000, lastTokenUs: i * 2e6 + 2000 }));

describe('comparison table', () => {
  const steady = summaryOf(steadyRecords);
  const growing = summaryOf(growingRecords);
  const text = renderComparisonTable([
    { policy: 'calm', summary: steady },
    { policy: 'swamped', summary: growing },
  ]);
  const lines = text.split('\n');

  it('marks the unsteady run with ! and a footnote giving the divergence time', () => {
    expect(steady.steady_state.reached).toBe(true);
    expect(growing.steady_state.reached).toBe(false);
    expect(lines[2]!.startsWith('calm ')).toBe(true);
    expect(lines[2]!).not.toContain('!');
    expect(lines[3]!.startsWith('swamped !')).toBe(true);
    expect(lines[4]).toBe(`! swamped: did not reach steady state: diverged at ${growing.steady_state.diverged_at_s!.toFixed(1)} s (offered load above what the fleet completes; figures depend on the run's length)`);
  });

  it('has a LoRA loads column', () => {
    expect(lines[0]).toContain('LoRA loads');
  });

  it('prints a per-priority table because one run has two priorities, and no tenant/adapter table', () => {
    expect(text).toContain('\nby priority\n');
    expect(text).not.toContain('by tenant');
    expect(text).not.toContain('by adapter');
    const at = lines.indexOf('by priority');
    // title, header, rule, then calm 2, calm 0 (most important first), swamped 0 (every record has priority 0 there)
    expect(lines.slice(at + 3, at + 6).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['calm', '2', '20', '20'],
      ['calm', '0', '20', '20'],
      ['swamped', '0', '40', '40'],
    ]);
  });

  it('orders priorities from the highest down and names alphabetically', () => {
    expect(orderedKeys(['0', '-1', '10', '2'])).toEqual(['10', '2', '0', '-1']);
    expect(orderedKeys(['none', 'beta', 'alpha'])).toEqual(['alpha', 'beta', 'none']);
  });
});

describe('older results files', () => {
  it('load without steady_state, window, by_class, stages or lora_loads and render without markers', () => {
    const s = summaryOf(growingRecords) as unknown as Record<string, unknown>;
    const { steady_state: _a, window: _b, by_class: _c, lora_loads: _d, ...old } = s;
    const doc = buildResultsDocument({
      scenario: linearScenario('num_gpu_blocks: 100'),
      routesimVersion: '0.1.0',
      runs: [{ policy: 'old', policyType: 'random', summary: old as unknown as PolicySummary }],
    });
    const parsed = parseResults(JSON.parse(serialiseResults(doc)), 'old.json');
    const table = renderRunTables([{ policy: 'old', summary: parsed.policies[0]!.summary }], parsed);
    expect(table.split('\n')[2]!.startsWith('old ')).toBe(true);
    expect(table).not.toContain('!');
    expect(table).not.toContain('by priority');
    // The absent LoRA loads figure shows as '-'.
    expect(table.split('\n')[2]!.split(/\s+/).at(-2)).toBe('-');
  });

  it('a malformed new field is a one-line error naming it', () => {
    const s = summaryOf(steadyRecords);
    const doc = buildResultsDocument({ scenario: linearScenario('num_gpu_blocks: 100'), routesimVersion: '0.1.0', runs: [{ policy: 'p', policyType: 'random', summary: { ...s, steady_state: { ...s.steady_state, reached: 'no' } } as unknown as PolicySummary }] });
    expect(() => parseResults(JSON.parse(serialiseResults(doc)), 'bad.json')).toThrow(/bad\.json: policies\[0\]\.summary\.steady_state\.reached/);
  });
});

describe('with several seeds', () => {
  it('marks a policy unsteady in any seed and says in how many', () => {
    const steady = summaryOf(steadyRecords);
    const growing = summaryOf(growingRecords);
    const doc = buildResultsDocument({
      scenario: linearScenario('num_gpu_blocks: 100'),
      routesimVersion: '0.1.0',
      seeds: [1, 2, 3],
      runs: [
        { policy: 'a', policyType: 'random', summary: steady, repeats: [1, 2, 3].map((seed) => ({ seed, summary: steady })) },
        { policy: 'b', policyType: 'random', summary: steady, repeats: [{ seed: 1, summary: steady }, { seed: 2, summary: growing }, { seed: 3, summary: growing }] },
      ],
    });
    const text = renderRunTables([{ policy: 'a', summary: steady }, { policy: 'b', summary: steady }], doc);
    const lines = text.split('\n');
    expect(lines[3]!.startsWith('a ')).toBe(true);
    expect(lines[4]!.startsWith('b !')).toBe(true);
    expect(text).toContain('\n! b: did not reach steady state in 2 of 3 seeds\n');
    // The first seed's per-class tables follow (priorities 0 and 2 in the steady records).
    expect(text).toContain('per class, first seed (1):\nby priority\n');
  });
});
