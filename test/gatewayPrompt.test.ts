/**
 * The prompt the simulated gateway hands the EPP (sim/gateway/prompt.ts): its segments, and
 * `uniqueTail` exactly when the last segment is the request's own text, which is what lets the
 * approximate prefix index keep that text as one run (issue 15).
 */
import { describe, expect, it } from 'vitest';
import { syntheticPrompt } from '../sim/gateway/prompt.js';
import { outputContentOf, poolContentOf, uniqueContentOf, uniquePrompt } from '../sim/workload/prompts.js';

describe('syntheticPrompt', () => {
  it('marks a prompt ending in the request’s own text, and only that', () => {
    // A generated unique prompt (one segment of its own text).
    expect(syntheticPrompt({ id: 7, segments: uniquePrompt(7, 256) }, 4)).toEqual({ kind: 'synthetic', spans: [{ content: uniqueContentOf(7), tokens: 256 }], charsPerToken: 4, uniqueTail: true });
    // A shared system prompt, then its own question.
    const shared = [{ content: poolContentOf(1), tokens: 100 }, { content: uniqueContentOf(8), tokens: 20 }];
    expect(syntheticPrompt({ id: 8, segments: shared }, 4)).toMatchObject({ spans: shared, uniqueTail: true });
    // Another request's text last (a later turn quoting it), a shared prompt, an earlier answer last, no segments: not marked.
    expect(syntheticPrompt({ id: 9, segments: [{ content: uniqueContentOf(8), tokens: 20 }] }, 4).uniqueTail).toBe(false);
    expect(syntheticPrompt({ id: 9, segments: [{ content: poolContentOf(3), tokens: 50 }] }, 4).uniqueTail).toBe(false);
    expect(syntheticPrompt({ id: 9, segments: [{ content: uniqueContentOf(9), tokens: 5 }, { content: outputContentOf(9), tokens: 5 }] }, 4).uniqueTail).toBe(false);
    expect(syntheticPrompt({ id: 9, segments: [] }, 4).uniqueTail).toBe(false);
  });
});
