/**
 * The recorded-decisions check (issue 16): a short `routesim run --decisions` of the GAIE default
 * EPP, whose lines' inputs (request, the candidates' scraped metrics and their age, logged draws;
 * state-dependent scorers pinned as `routesim pick --from-decision` pins them) are replayed into
 * the live picker over gRPC — every live pick must equal the logged pick, and the pick harness's
 * replay of the same line.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routesim, smallScenario } from './cliHelpers.js';
import type { DecisionLine } from '../policies/harness/decisionLine.js';
import { pickCaseFromDecision } from '../policies/harness/fromDecision.js';
import { runPickCase } from '../policies/harness/pickCase.js';
import { replayDecisionLines } from '../live/picker/replayDecisions.js';

describe('recorded decisions replayed into the live picker', () => {
  it('every live pick equals the logged pick (and the pick harness replay)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-replay-'));
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, smallScenario(3, '').replace('policies: [round-robin, least-requests]', 'policies: [{name: gaie, epp: default}]'));
    const r = routesim(['run', scenario, '--decisions', join(dir, 'd.jsonl'), '-o', join(dir, 'r.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(join(dir, 'd.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DecisionLine).slice(0, 30);
    expect(lines.length).toBe(30);

    const replayed = await replayDecisionLines(lines, undefined);
    expect(replayed.map((x) => x.live)).toEqual(lines.map((l) => l.pick));
    // the harness replay of each line agrees (same code path, no gRPC)
    expect(lines.map((l) => runPickCase(pickCaseFromDecision(l, undefined)).results[0]!.target ?? null)).toEqual(lines.map((l) => l.pick));
    // not a constant answer: the run spread its requests over the 3 replicas
    expect(new Set(replayed.map((x) => x.live)).size).toBeGreaterThan(1);
  });

  it('a changed input changes the live pick (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-replay-'));
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, smallScenario(2, '').replace('policies: [round-robin, least-requests]', 'policies: [{name: gaie, epp: default}]'));
    expect(routesim(['run', scenario, '--decisions', join(dir, 'd.jsonl'), '-o', join(dir, 'r.json')]).code).toBe(0);
    const line = JSON.parse(readFileSync(join(dir, 'd.jsonl'), 'utf8').split('\n')[0]!) as DecisionLine;
    expect(line.pick).not.toBeNull();
    // Load the logged pick fully (waiting 50, KV 1) and the other one not at all: queue and KV scores flip
    // (queue: picked 0, other 1; kv: picked 0, other 1 → other +4 at weights 2 + 2), more than the prefix
    // scorer's weight 3 can make up (its scores lie in [0, 1]).
    const flipped: DecisionLine = {
      ...line,
      candidates: line.candidates.map((c) => ({ ...c, scraped: c.name === line.pick ? { ...c.scraped!, waiting: 50, kvUsage: 1 } : { ...c.scraped!, waiting: 0, kvUsage: 0 } })),
    };
    const [res] = await replayDecisionLines([flipped], undefined);
    expect(res!.live).not.toBe(line.pick);
  });
});
