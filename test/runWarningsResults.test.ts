/**
 * Warnings are said on stderr and kept in the results: input production accepts but routesim thinks
 * a mistake (an all-zero model rewrite), and requests every replica rejects (prompt + output above
 * max_model_len), appear in the results document's `warnings`, word for word as on stderr.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routesim } from './cliHelpers.js';
import { SMALL } from './bad-inputs/fixtures.js';

describe('warnings in the results document', () => {
  it('carries every stderr warning, without the prefix; absent when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-warn-'));
    const warned = SMALL.replace('policies:', 'gateway:\n  model_rewrites: [{model: m, targets: [{model: a, weight: 0}, {model: b, weight: 0}]}]\npolicies:')
      // Half the prompts (200,000 tokens) exceed Llama-3.1-8B's max_model_len of 131,072.
      .replace('input: {dist: constant, value: 100}', 'input: {dist: empirical, values: [100, 200000], weights: [1, 1]}');
    writeFileSync(join(dir, 'w.yaml'), warned);
    writeFileSync(join(dir, 'ok.yaml'), SMALL);
    const r = routesim(['run', 'w.yaml', '--out', 'w.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const said = r.stderr.trimEnd().split('\n').map((l) => l.replace(/^routesim: warning: /, ''));
    expect(said).toHaveLength(2);
    const doc = JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8')) as { warnings?: string[]; policies: { summary: { rejected_by_reason: Record<string, number> } }[] };
    expect(doc.warnings).toEqual(said);
    expect(doc.warnings![0]).toMatch(/model_rewrites\[0\]\.targets/);
    const rejected = doc.policies[0]!.summary.rejected_by_reason.exceeds_max_model_len!;
    expect(rejected).toBeGreaterThan(0);
    expect(doc.warnings![1]).toContain(`${rejected} of 20 requests are rejected by every replica`);

    const ok = routesim(['run', 'ok.yaml', '--out', 'ok.json'], dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'ok.json'), 'utf8'))).not.toHaveProperty('warnings');
  });
});
