/**
 * End-to-end through the built CLI (`bin/routesim.js` → dist/, built by `npm test`'s pretest):
 * one stdout document, JSON/CSV outputs, byte-identical reruns, one-line errors with exit 2, and
 * outputs that are never half-written.
 */
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { routesim, smallScenario } from './cliHelpers.js';

const SMALL = smallScenario();

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'routesim-cli-'));
}

describe('routesim run', () => {
  const dir = tmp();
  const scenario = join(dir, 'small.yaml');
  writeFileSync(scenario, SMALL);

  it('prints one comparison table and writes the JSON document and per-request CSV', () => {
    const out = join(dir, 'out', 'small.json');
    const csv = join(dir, 'out', 'requests.csv');
    const r = routesim(['run', scenario, '--out', out, '--requests-csv', csv]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(4); // header, rule, two policies
    expect(lines[2]).toMatch(/^round-robin\s/);
    expect(lines[3]).toMatch(/^least-requests\s/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.scenario.name).toBe('small');
    expect(doc.policies.map((p: { name: string }) => p.name)).toEqual(['round-robin', 'least-requests']);
    const s = doc.policies[0].summary;
    expect(s.arrived).toBe(60);
    expect(s.completed + s.rejected).toBe(60);
    expect(s.replicas).toHaveLength(2);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(1 + 2 * 60);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['requests.csv', 'small.json']);
  });

  it('is byte-identical across runs with the same seed', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect(routesim(['run', scenario, '--out', a]).code).toBe(0);
    expect(routesim(['run', scenario, '--out', b]).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });

  it('--json prints the results document instead of the table', () => {
    const r = routesim(['run', scenario, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).policies).toHaveLength(2);
  });

  it('runs the embedded quickstart with no argument', () => {
    const r = routesim(['run', '--json'], tmp());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).scenario.name).toBe('quickstart');
  }, 30_000);
});

describe('bad input', () => {
  const dir = tmp();

  it.each([
    ['unknown field', SMALL.replace('seed: 5', 'seed: 5\nsede: 6'), /bad\.yaml: sede: .*fix/],
    ['nested unknown field', SMALL.replace('model: Llama-3.1-8B}', 'model: Llama-3.1-8B, engine: {max_num_seq: 4}}'), /fleet\.engine\.max_num_seq/],
    ['wrong type', SMALL.replace('requests: 60', 'requests: lots'), /requests/],
    ['unknown policy', SMALL.replace('least-requests]', 'fastest]'), /policies/],
  ])('%s: one line on stderr, exit 2, old output untouched', (_name, text, pattern) => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, text);
    const out = join(dir, 'keep.json');
    writeFileSync(out, 'previous');
    const r = routesim(['run', f, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/);
    expect(readFileSync(out, 'utf8')).toBe('previous');
  });

  it('a missing scenario file is one line naming it', () => {
    const r = routesim(['run', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nope.yaml');
  });

  it('an unknown flag is rejected with exit 2 and one line', () => {
    const r = routesim(['run', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--frobnicate');
  });
});
