/**
 * Prefix hashing (epp.md §2.1): xxh64 pinned to published vectors and an independent BigInt
 * implementation; block counts, chaining, salt and model scoping, v1.0 mode; Go json.Marshal of chat
 * messages; synthetic-prompt hashing properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Prompt } from '../../policies/framework/types.js';
import { goJsonMessages, goJsonString } from '../../policies/prefix/goJson.js';
import { blockCount, promptBlockHashes, promptByteLength, syntheticHashes, type HashOptions } from '../../policies/prefix/hashing.js';
import { fold53, utf8Length, xxh64 } from '../../policies/prefix/xxh64.js';
import { low53, refXxh64, withLE64 } from './prefixXxh64Ref.js';
import { syntheticHashesV010 } from '../../policies/prefix/v010Hashing.js';

const enc = (s: string) => new TextEncoder().encode(s);
const v15 = (blockChars: number, maxBlocks = 256, targetModel = 'm', cacheSalt = ''): HashOptions => ({ version: 'v1.5', blockChars, maxBlocks, targetModel, cacheSalt });
const text = (t: string): Prompt => ({ kind: 'completion', text: t });

describe('xxh64 (seed 0)', () => {
  it('matches the published XXH64 test vectors', () => {
    // xxHash's reference sanity values: XXH64("", 0), XXH64("a", 0), XXH64("abc", 0).
    expect(xxh64(enc(''))).toBe(0xef46db3751d8e999n);
    expect(xxh64(enc('a'))).toBe(0xd24ec4f1a98c6e5bn);
    expect(xxh64(enc('abc'))).toBe(0x44bc2cf5ad770999n);
    // The test-local BigInt implementation agrees on the same vectors, so it can serve as a second source.
    expect(refXxh64('')).toBe(0xef46db3751d8e999n);
    expect(refXxh64('a')).toBe(0xd24ec4f1a98c6e5bn);
    expect(refXxh64('abc')).toBe(0x44bc2cf5ad770999n);
  });

  it('agrees with the independent implementation on every length 0..100 (all code paths) and random bytes', () => {
    for (let n = 0; n <= 100; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);
      expect(xxh64(b)).toBe(refXxh64(b));
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => xxh64(b) === refXxh64(b)), { numRuns: 200 });
  });

  it('folds to the low 53 bits', () => {
    expect(fold53(0xffffffffffffffffn)).toBe(2 ** 53 - 1);
    expect(fold53(0x0020000000000005n)).toBe(5); // bit 53 dropped
  });
});

describe('block hashing, GAIE v1.5.0', () => {
  it('hashes only full blocks, after truncation to maxBlocks × C', () => {
    // 70 chars, C = 64 → ⌊70/64⌋ = 1 block (the 6 trailing bytes are dropped in v1.5.0).
    expect(promptBlockHashes(text('x'.repeat(70)), v15(64))).toHaveLength(1);
    // "aaaaaa", C = 4 → 1 hash in v1.5.0 (final-main would give 2).
    expect(promptBlockHashes(text('aaaaaa'), v15(4))).toHaveLength(1);
    // Shorter than one block → no hashes.
    expect(promptBlockHashes(text('abc'), v15(4))).toHaveLength(0);
    // 300 chars, C = 64, maxBlocks 2 → truncated to 128 bytes → 2 blocks.
    expect(promptBlockHashes(text('y'.repeat(300)), v15(64, 2))).toHaveLength(2);
    // blockCount is ⌊min(bytes, maxBlocks·C)/C⌋.
    expect(blockCount(300, 64, 256)).toBe(4);
    expect(blockCount(300, 64, 2)).toBe(2);
    expect(blockCount(63, 64, 256)).toBe(0);
    expect(blockCount(100, 0, 256)).toBe(0);
  });

  it('chains h0 = xxh64(model ‖ salt), h_i = xxh64(block_i ‖ LE64(h_{i−1})) — derived with the reference xxh64', () => {
    // "aaaabbbbcc", C = 4, model "m", no salt: blocks "aaaa", "bbbb" ("cc" dropped).
    const h0 = refXxh64('m');
    const h1 = refXxh64(withLE64('aaaa', h0));
    const h2 = refXxh64(withLE64('bbbb', h1));
    expect(promptBlockHashes(text('aaaabbbbcc'), v15(4))).toEqual([low53(h1), low53(h2)]);
    // With salt "s": h0 = xxh64("ms").
    const s0 = refXxh64('ms');
    const s1 = refXxh64(withLE64('aaaa', s0));
    expect(promptBlockHashes(text('aaaabbbbcc'), v15(4, 256, 'm', 's'))[0]).toBe(low53(s1));
    // model ‖ salt is a plain concatenation: ("ab", "c") and ("a", "bc") seed the same chain.
    expect(promptBlockHashes(text('aaaa'), v15(4, 256, 'ab', 'c'))).toEqual(promptBlockHashes(text('aaaa'), v15(4, 256, 'a', 'bc')));
    // A different model gives a different chain for the same text.
    expect(promptBlockHashes(text('aaaa'), v15(4, 256, 'm2'))).not.toEqual(promptBlockHashes(text('aaaa'), v15(4)));
  });

  it('counts UTF-8 bytes, not characters', () => {
    // "éé" is 4 bytes (C3 A9 C3 A9) → exactly one 4-byte block.
    const h0 = refXxh64('m');
    expect(promptBlockHashes(text('éé'), v15(4))).toEqual([low53(refXxh64(withLE64(new Uint8Array([0xc3, 0xa9, 0xc3, 0xa9]), h0)))]);
    expect(utf8Length('éé')).toBe(4);
    expect(utf8Length('a€😀')).toBe(1 + 3 + 4);
    expect(utf8Length('\ud800x')).toBe(3 + 1); // lone surrogate → U+FFFD
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => utf8Length(s) === enc(s).length));
  });

  it('hashes a chat request as Go json.Marshal(messages)', () => {
    const messages = [{ role: 'user', content: 'x'.repeat(40) }];
    const json = goJsonMessages(messages);
    // `[{"role":"user","content":"` is 27 bytes, `"}]` 3 → 70 bytes → 1 block of 64.
    expect(json).toBe(`[{"role":"user","content":"${'x'.repeat(40)}"}]`);
    expect(json.length).toBe(70);
    const chat: Prompt = { kind: 'chat', messages };
    expect(promptByteLength(chat)).toBe(70);
    const h0 = refXxh64('m');
    expect(promptBlockHashes(chat, v15(64))).toEqual([low53(refXxh64(withLE64(json.slice(0, 64), h0)))]);
  });
});

describe('block hashing, GAIE v1.0.0 (hashBlockSize chars)', () => {
  it('first hash xxh64(model ‖ block 0), then xxh64(block_i ‖ LE64(prev))', () => {
    const o: HashOptions = { version: 'v1.0', blockChars: 4, maxBlocks: 256, targetModel: 'm', cacheSalt: 'ignored' };
    const h1 = refXxh64('maaaa');
    const h2 = refXxh64(withLE64('bbbb', h1));
    expect(promptBlockHashes(text('aaaabbbbcc'), o)).toEqual([low53(h1), low53(h2)]);
  });
});

describe("Go's json.Marshal", () => {
  it('escapes like Go with HTML escaping', () => {
    expect(goJsonString('a<b>&c')).toBe('"a\\u003cb\\u003e\\u0026c"');
    expect(goJsonString('q"\\')).toBe('"q\\"\\\\"');
    expect(goJsonString('\n\t\r\b\f\u0001\u001f')).toBe('"\\n\\t\\r\\b\\f\\u0001\\u001f"');
    expect(goJsonString('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(goJsonString('é€\u007f/')).toBe('"é€\u007f/"'); // non-ASCII, DEL and "/" verbatim
  });

  it('marshals messages: role omitted when empty, content string or blocks, no spaces', () => {
    expect(goJsonMessages([{ content: 'hi' }])).toBe('[{"content":"hi"}]');
    expect(goJsonMessages([{ role: '', content: '' }])).toBe('[{"content":""}]');
    expect(goJsonMessages([{ role: 'system', content: 'a' }, { role: 'user', content: 'b' }])).toBe(
      '[{"role":"system","content":"a"},{"role":"user","content":"b"}]',
    );
    expect(
      goJsonMessages([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'http://x/a.png', detail: 'high' } },
          ],
        },
      ]),
    ).toBe(
      '[{"role":"user","content":[' +
        '{"type":"text","text":"look","image_url":{},"input_audio":{},"video_url":{}},' +
        '{"type":"image_url","image_url":{"url":"http://x/a.png"},"input_audio":{},"video_url":{}}]}]',
    );
    // What we produce is valid JSON that parses back to the messages, and has no raw <, >, & or control chars.
    fc.assert(
      fc.property(fc.array(fc.record({ role: fc.string(), content: fc.string({ unit: 'binary-ascii' }) }), { maxLength: 4 }), (ms) => {
        const json = goJsonMessages(ms);
        const parsed = JSON.parse(json) as { role?: string; content: string }[];
        return !/[<>&\u0000-\u001f]/.test(json) && parsed.length === ms.length && parsed.every((p, i) => p.content === ms[i]!.content && (p.role ?? '') === ms[i]!.role);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Synthetic prompts

type Span = { content: number; tokens: number };
const spanArb = fc.record({ content: fc.integer({ min: 1, max: 0x7fffffff }), tokens: fc.integer({ min: 0, max: 40 }) });

describe('synthetic prompts', () => {
  it('block count is ⌊min(chars, maxBlocks·C)/C⌋ (0 when chars < C)', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 30 }), (spans, cpt, C, maxBlocks) => {
        const chars = spans.reduce((a, s) => a + s.tokens * cpt, 0);
        const n = syntheticHashes(spans, cpt, v15(C, maxBlocks)).length;
        return n === Math.floor(Math.min(chars, maxBlocks * C) / C) && (chars >= C || n === 0);
      }),
    );
  });

  it('equal first k chars ⇔ equal hashes for the blocks inside them; different from the first block touching the difference', () => {
    fc.assert(
      fc.property(
        fc.array(spanArb, { maxLength: 5 }),
        fc.array(spanArb, { maxLength: 4 }),
        fc.array(spanArb, { maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 48 }),
        (common, tailA, tailB, cpt, C) => {
          // The tails start with different contents, so the texts first differ at char k = |common|.
          const a: Span[] = [...common, { content: 1_000_000_001, tokens: 3 }, ...tailA];
          const b: Span[] = [...common, { content: 1_000_000_002, tokens: 3 }, ...tailB];
          const k = common.reduce((s, x) => s + x.tokens * cpt, 0);
          const ha = syntheticHashes(a, cpt, v15(C));
          const hb = syntheticHashes(b, cpt, v15(C));
          const inside = Math.floor(k / C); // blocks entirely within the common prefix
          for (let i = 0; i < Math.min(ha.length, hb.length); i++) {
            if (i < inside ? ha[i] !== hb[i] : ha[i] === hb[i]) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the same text split differently into spans of one content hashes by its text', () => {
    // (c,5)+(c,5) is c[0:5 tokens] twice; (c,10) is c[0:10 tokens]. At 4 chars/token and C = 8 they share
    // chars 0..19 → blocks 0 and 1 (chars 0..15) equal; block 2 (16..23) spans the difference.
    const twice = syntheticHashes([{ content: 7, tokens: 5 }, { content: 7, tokens: 5 }], 4, v15(8));
    const once = syntheticHashes([{ content: 7, tokens: 10 }], 4, v15(8));
    expect(twice).toHaveLength(5);
    expect(twice.slice(0, 2)).toEqual(once.slice(0, 2));
    expect(twice[2]).not.toBe(once[2]);
    // Zero-length spans are no text at all.
    expect(syntheticHashes([{ content: 7, tokens: 3 }, { content: 9, tokens: 0 }, { content: 8, tokens: 3 }], 4, v15(8))).toEqual(
      syntheticHashes([{ content: 7, tokens: 3 }, { content: 8, tokens: 3 }], 4, v15(8)),
    );
    // Model- and salt-scoped.
    const p = [{ content: 7, tokens: 10 }];
    expect(syntheticHashes(p, 4, v15(8, 256, 'other'))[0]).not.toBe(once[0]);
    expect(syntheticHashes(p, 4, v15(8, 256, 'm', 'salt'))[0]).not.toBe(once[0]);
    // Hashes are 53-bit safe integers.
    for (const h of once) expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
  });

  it('caches a synthetic prompt\'s hashes on its span array, per hashing options', () => {
    const spans = [{ content: 3, tokens: 40 }];
    const prompt: Prompt = { kind: 'synthetic', spans, charsPerToken: 4 };
    // 160 chars: C = 8 → 20 blocks; C = 16 → 10 blocks; model "other" → a different chain.
    expect(promptBlockHashes(prompt, v15(8))).toEqual(syntheticHashes(spans, 4, v15(8)));
    expect(promptBlockHashes(prompt, v15(8))).toBe(promptBlockHashes(prompt, v15(8)));
    expect(promptBlockHashes(prompt, v15(16))).toHaveLength(10);
    expect(promptBlockHashes(prompt, v15(16, 256, 'other'))).toEqual(syntheticHashes(spans, 4, v15(16, 256, 'other')));
    expect(promptBlockHashes(prompt, v15(8))).toHaveLength(20);
  });

  it('promptByteLength of a synthetic prompt is Σ tokens × charsPerToken', () => {
    expect(promptByteLength({ kind: 'synthetic', spans: [{ content: 1, tokens: 10 }, { content: 2, tokens: 7 }], charsPerToken: 4 })).toBe(68);
  });
});

describe('run keys for a request’s own text (uniqueTail, issue 15)', () => {
  const span = (content: number, tokens: number) => ({ content, tokens });

  it('golden: blocks before the own text keep their hashes; from the block holding its first char on, run keys', () => {
    // 3 shared tokens (12 chars) + 20 own tokens (80 chars), C = 16: 92 chars, 5 full blocks. Block 0
    // (chars 0–15) already holds own text (chars 12–15), so every block is a run key.
    const shared = [span(11, 3), span(0xabc, 20)];
    const real = syntheticHashes(shared, 4, v15(16));
    const keyed = syntheticHashes(shared, 4, v15(16), true);
    expect(real).toHaveLength(5);
    expect(keyed.every((h) => h < 0)).toBe(true); // block 0 spans chars 0–15 and the own text starts at 12
    // 5 shared tokens (20 chars) + 20 own: block 0 (chars 0–15) is all shared, blocks 1–5 hold own text.
    const longer = [span(11, 5), span(0xabc, 20)];
    const r2 = syntheticHashes(longer, 4, v15(16));
    const k2 = syntheticHashes(longer, 4, v15(16), true);
    expect(k2[0]).toBe(r2[0]);
    expect(k2.slice(1).every((h) => h < 0)).toBe(true);
    expect(new Set(k2).size).toBe(6);
  });

  it.each([
    ['GAIE v1.5.0', (spans: { content: number; tokens: number }[], C: number, model: string, salt: string, tail: boolean) => syntheticHashes(spans, 4, v15(C, 256, model, salt), tail)],
    ['GAIE v1.0.0', (spans: { content: number; tokens: number }[], C: number, model: string, _salt: string, tail: boolean) => syntheticHashes(spans, 4, { version: 'v1.0', blockChars: C, maxBlocks: 256, targetModel: model, cacheSalt: '' }, tail)],
    ['llm-d-router v0.10.0', (spans: { content: number; tokens: number }[], C: number, model: string, salt: string, tail: boolean) => [...syntheticHashesV010(spans.map((x) => ({ ...x })), 4, Math.ceil(spans.reduce((a, x) => a + x.tokens * 4, 0) / 4), { blockSize: C / 4, maxBlocks: 0, targetModel: model, cacheSalt: salt }, tail)]],
  ])('%s: two block keys are equal exactly when the hashes are, across requests, models, salts and block sizes', (_name, hashesOf) => {
    // Requests: a prefix from a few shared contents, then the request's own content (id 1000 + r).
    const req = fc.record({ prefix: fc.array(fc.record({ content: fc.integer({ min: 1, max: 3 }), tokens: fc.integer({ min: 1, max: 12 }) }), { maxLength: 3 }), own: fc.integer({ min: 1, max: 30 }), id: fc.integer({ min: 0, max: 3 }) });
    const opts = fc.record({ C: fc.constantFrom(8, 16), model: fc.constantFrom('m', 'n'), salt: fc.constantFrom('', 's') });
    fc.assert(
      fc.property(fc.array(fc.tuple(req, opts), { minLength: 2, maxLength: 6 }), (picks) => {
        const real: number[] = [];
        const keyed: number[] = [];
        // A request's own content id names one prompt: its first draw is its prompt for every pick.
        const prompts = new Map<number, { content: number; tokens: number }[]>();
        for (const [r, o] of picks) {
          if (!prompts.has(r.id)) prompts.set(r.id, [...r.prefix.map((p) => span(p.content, p.tokens)), span(1000 + r.id, r.own)]);
          const spans = prompts.get(r.id)!;
          const a = hashesOf(spans, o.C, o.model, o.salt, false);
          const b = hashesOf(spans, o.C, o.model, o.salt, true);
          if (a.length !== b.length) return false;
          real.push(...a);
          keyed.push(...b);
        }
        for (let i = 0; i < real.length; i++) for (let j = 0; j < real.length; j++) if ((real[i] === real[j]) !== (keyed[i] === keyed[j])) return false;
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
