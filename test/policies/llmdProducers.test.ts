/** llm-d-router v0.10.0 request-level data producers (`llm-d-router.md` §4.1, §4.6, §5); burst and precise in llmdProducersPrefix.test.ts. */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ParamError } from '../../policies/framework/registry.js';
import type { CycleContext, LLMRequest, ResponseInfo, SchedEndpoint, SchedulingResult } from '../../policies/framework/types.js';
import { dataKey, type PrefixCacheMatchInfoV010, type InFlightLoadV010 } from '../../policies/framework/dataKeys.js';
import { estimatePrompt } from '../../policies/prefix/estimateTokens.js';
import { promptHashesV010, tokenHashes64 } from '../../policies/prefix/v010Hashing.js';
import { tokenProducer } from '../../policies/plugins/producer/tokenProducer.js';
import { ApproxPrefixCacheProducerV010, approxPrefixCacheProducerV010, resolveApproxPrefixConfigV010, approxPrefixParamsV010 } from '../../policies/plugins/producer/approxPrefixCache.v010.js';
import { inflightLoadProducerV010, uncachedTokens, type InFlightLoadProducerV010 } from '../../policies/plugins/producer/inflightLoad.v010.js';
import { sessionIdProducer } from '../../policies/plugins/producer/sessionId.js';
import { mmEmbeddingsCacheProducer, type MmEmbeddingsCacheProducer } from '../../policies/plugins/producer/mmEmbeddingsCache.js';
import { fnv32a, p2pSourceProducer, type P2pSourceProducer } from '../../policies/plugins/producer/p2pSource.js';
import { cycle, ep, picked, request } from './prefixHelpers.js';
import { chat, hex, info, make, prefixKey, ps, withTokens } from './llmdProducerHelpers.js';

describe('estimate backend and v0.10 hashing (§4.1, §4.6 derived vectors)', () => {
  const h = (prompt: Parameters<typeof estimatePrompt>[0], model: string): string[] => {
    const p = estimatePrompt(prompt).prompts[0]!;
    if (p.kind !== 'tokens') throw new Error('tokens expected');
    return tokenHashes64(p.tokens, { blockSize: 64, maxBlocks: 2048, targetModel: model, cacheSalt: '' }).map(hex);
  };
  test('chat "Hello": bytes userHello (9) → 3 tokens → one block', () => {
    const p = estimatePrompt(chat('Hello')).prompts[0]!;
    expect(p.kind === 'tokens' && p.tokens.length).toBe(3);
    expect(h(chat('Hello'), 'm')).toEqual(['0x71d10008a15c3234']);
  });
  test('"A"×300: 304 bytes → 76 tokens → blocks 64 + 12 (trailing partial block hashed)', () => {
    expect(h(chat('A'.repeat(300)), 'm')).toEqual(['0x39b6cc978a94be40', '0xa7ec9bcf1efc8ba4']);
    expect(h(chat('A'.repeat(300)), 'm2')).toEqual(['0x068aa7ce07be4c82', '0x14cedc1ab74ce6cf']);
  });
  test('packing: little-endian uint32, zero padded', () => {
    const p = estimatePrompt({ kind: 'completion', text: 'abcde' }).prompts[0]!;
    // 'abcd' = 0x64636261; 'e\0\0\0' = 0x65
    expect(p.kind === 'tokens' && [...p.tokens]).toEqual([0x64636261, 0x65]);
  });
  test('media: text padded to a token boundary, then 225 copies of the content hash (image default 640×360)', () => {
    const e = estimatePrompt({ kind: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: 'u' } }] }] });
    // "userHi" = 6 bytes → 2 tokens; + ⌊640·360/1024⌋ = 225 → 227
    const p = e.prompts[0]!;
    expect(p.kind === 'tokens' && p.tokens.length).toBe(227);
    expect(e.multimodal).toHaveLength(1);
    expect(e.multimodal[0]).toMatchObject({ modality: 'image', offset: 2, length: 225 });
  });
  test('synthetic spans: ⌈Σ round(tokens × charsPerToken)/4⌉ pseudo-tokens', () => {
    // 10×3.5 = 35, 5×3.5 = 17.5 → 18 (round half up): 53 bytes → 14 tokens
    const e = estimatePrompt({ kind: 'synthetic', spans: [{ content: 1, tokens: 10 }, { content: 2, tokens: 5 }], charsPerToken: 3.5 });
    expect(e.prompts[0]).toMatchObject({ kind: 'synthetic', count: 14 });
  });
  test('synthetic hashing: blocks of 4B bytes, trailing partial block included, equal prefix ⇔ equal leading hashes', () => {
    const o = { blockSize: 64, maxBlocks: 0, targetModel: 'm', cacheSalt: '' };
    const syn = (spans: { content: number; tokens: number }[]) => promptHashesV010(estimatePrompt({ kind: 'synthetic', spans, charsPerToken: 4 }).prompts[0]!, o);
    // 65 tokens × 4 bytes = 260 bytes = 65 pseudo-tokens → blocks 64 + 1
    const a = syn([{ content: 7, tokens: 65 }]);
    expect(a).toHaveLength(2);
    const b = syn([{ content: 7, tokens: 64 }, { content: 8, tokens: 1 }]);
    expect(b[0]).toBe(a[0]);
    expect(b[1]).not.toBe(a[1]);
    expect(promptHashesV010(estimatePrompt({ kind: 'synthetic', spans: [{ content: 7, tokens: 65 }], charsPerToken: 4 }).prompts[0]!, { ...o, targetModel: 'm2' })[0]).not.toBe(a[0]);
  });
  test('property: synthetic hash count = ⌈tokens/B⌉ capped; deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ content: fc.integer({ min: 0, max: 5 }), tokens: fc.integer({ min: 0, max: 300 }) }), { maxLength: 6 }), fc.integer({ min: 0, max: 4 }), (spans, cap) => {
        const p = estimatePrompt({ kind: 'synthetic', spans, charsPerToken: 4 }).prompts[0]!;
        const o = { blockSize: 64, maxBlocks: cap, targetModel: 'x', cacheSalt: '' };
        const n = Math.ceil(spans.reduce((s, x) => s + x.tokens, 0) / 64);
        const hs = promptHashesV010(p, o);
        expect(hs.length).toBe(cap > 0 ? Math.min(n, cap) : n);
        expect([...promptHashesV010({ ...p } as never, o)]).toEqual([...hs]);
      }),
    );
  });
});

describe('token-producer', () => {
  test('writes TokenizedPrompt/<name> with counts and the cache salt', () => {
    const tp = make<{ prepareRequestData: (c: CycleContext, r: LLMRequest, e: SchedEndpoint[]) => void }>(tokenProducer);
    const ctx = cycle(ps);
    tp.prepareRequestData(ctx, request(chat('A'.repeat(300)), { headers: { 'x-routesim-cache-salt': 's' } }), []);
    expect(ctx.cycleState.get('TokenizedPrompt/token-producer')).toMatchObject({ tokenCounts: [76], cacheSalt: 's' });
  });
  test('vllm backend accepted (offline → estimate); two backends rejected', () => {
    expect(make<{ backend: string }>(tokenProducer, { vllm: { url: 'http://x:8000' } }).backend).toBe('vllm');
    expect(() => make(tokenProducer, { modelName: 'm', estimate: {} })).toThrow(ParamError);
  });
});

describe('approx-prefix-cache-producer v0.10', () => {
  /** B 1, floor disabled (the reference's shipped unit vectors). */
  const unit = (over: Partial<ReturnType<typeof resolveApproxPrefixConfigV010>> = {}) =>
    new ApproxPrefixCacheProducerV010('approx-prefix-cache-producer', 'approx-prefix-cache-producer', {
      ...resolveApproxPrefixConfigV010(approxPrefixParamsV010.parse({ autoTune: false, blockSizeTokens: 1 })),
      floor: 1,
      ...over,
    });
  test('shipped: [1,2] to pod1 with pod3 as prefill, then [1,3] → pod1, pod3 1/2, pod2 0/2', () => {
    const p = unit();
    const [p1, p2, p3] = [ep('pod1'), ep('pod2'), ep('pod3')];
    let ctx = withTokens([[1, 2]]);
    p.prepareRequestData(ctx, request('x'), [p1, p2, p3]);
    expect(info(p1)).toEqual({ match: 0, total: 2, blockSize: 1 });
    p.preRequest(ctx, request('x'), picked(p1, p3));
    const [q1, q2, q3] = [ep('pod1'), ep('pod2'), ep('pod3')];
    ctx = withTokens([[1, 3]]);
    p.prepareRequestData(ctx, request('x'), [q1, q2, q3]);
    expect([info(q1).match, info(q2).match, info(q3).match, info(q1).total]).toEqual([1, 0, 1, 2]);
  });
  test('shipped: token cap 2 on 4 tokens → 2 hashes; both caps 0 → all blocks', () => {
    const capped = unit({ maxPrefixTokensToMatch: 2 });
    const e = ep('a');
    capped.prepareRequestData(withTokens([[1, 2, 3, 4]]), request('x'), [e]);
    expect(info(e).total).toBe(2);
    const all = unit({ maxPrefixTokensToMatch: 0, maxPrefixBlocksToMatch: 0 });
    const f = ep('a');
    all.prepareRequestData(withTokens([[1, 2, 3, 4]]), request('x'), [f]);
    expect(info(f).total).toBe(4);
  });
  test('multi-prompt: match and total summed over prompts', () => {
    const p = unit();
    const a = ep('a');
    const ctx = withTokens([[1, 2], [5, 6, 7]]);
    p.prepareRequestData(ctx, request('x'), [a]);
    p.preRequest(ctx, request('x'), picked(a));
    const b = ep('a');
    // prompt 1 [1,2] matches 2; prompt 2 [5,9] matches 1 → 3 of 2 + 2 = 4
    p.prepareRequestData(withTokens([[1, 2], [5, 9]]), request('x'), [b]);
    expect(info(b)).toEqual({ match: 3, total: 4, blockSize: 1 });
  });
  test('defaults: blockSizeTokens 16 floored to 64; autoTune takes the first candidate block_size (128)', () => {
    const p = make<ApproxPrefixCacheProducerV010>(approxPrefixCacheProducerV010);
    const a = ep('a', { cacheBlockSize: 0 });
    p.prepareRequestData(cycle(ps), request(chat('A'.repeat(300))), [a]);
    expect(info(a)).toEqual({ match: 0, total: 2, blockSize: 64 }); // 76 tokens → 64 + 12
    const b = ep('b', { cacheBlockSize: 128 });
    p.prepareRequestData(cycle(ps), request(chat('A'.repeat(300))), [b]);
    expect(info(b)).toEqual({ match: 0, total: 1, blockSize: 128 });
  });
  test('PreRequest indexes the pick with lruCapacityPerServer when no num_gpu_blocks (v1.5.0 ignored it)', () => {
    const p = make<ApproxPrefixCacheProducerV010>(approxPrefixCacheProducerV010, { lruCapacityPerServer: 7 });
    const a = ep('a', { cacheNumGpuBlocks: 0 });
    const ctx = cycle(ps);
    const r = request(chat('A'.repeat(300)));
    p.prepareRequestData(ctx, r, [a]);
    p.preRequest(ctx, r, picked(a));
    expect(p.indexer.capacity('a')).toBe(7);
    const a2 = ep('a');
    p.prepareRequestData(cycle(ps), request(chat('A'.repeat(300))), [a2]);
    expect(info(a2).match).toBe(2);
  });
  test('deprecated blockSize (tokens) replaces blockSizeTokens 16; autoTune false needs a size', () => {
    expect(resolveApproxPrefixConfigV010(approxPrefixParamsV010.parse({ blockSize: 256 })).blockSizeTokens).toBe(256);
    expect(() => make(approxPrefixCacheProducerV010, { autoTune: false, blockSizeTokens: 0 })).toThrow(ParamError);
  });
});

describe('inflight-load-producer v0.10', () => {
  const loadKey = dataKey('InFlightLoadDataKey', 'inflight-load-producer');
  const req300 = () => request('x'.repeat(1200)); // 1200 bytes → 300 tokens
  const withInfo = (name: string, i?: PrefixCacheMatchInfoV010) => {
    const e = ep(name);
    if (i) e.attributes.set(prefixKey, i);
    return e;
  };
  const resp = (result: SchedulingResult): ResponseInfo => ({ endpoint: 'a', result, headers: new Map() });
  test('derived: input 300, B 64, total 5, match 2 → (5−2)·64 + max(0, 300 − 320) = 192', () => {
    expect(uncachedTokens(300, { match: 2, total: 5, blockSize: 64 })).toBe(192);
    const p = make<InFlightLoadProducerV010>(inflightLoadProducerV010);
    const a = withInfo('a', { match: 2, total: 5, blockSize: 64 });
    const ctx = cycle(ps);
    const r = req300();
    p.prepareRequestData(ctx, r, [a]);
    expect(a.attributes.get('UncachedRequestTokens/inflight-load-producer')).toBe(192);
    p.preRequest(ctx, r, picked(a));
    expect(p.get('a')).toEqual({ requests: 1, tokens: 192 });
    // next request sees the snapshot
    const a2 = ep('a');
    p.prepareRequestData(cycle(ps), req300(), [a2]);
    expect(a2.attributes.get(loadKey) as InFlightLoadV010).toEqual({ requests: 1, tokens: 192 });
    // first chunk: tokens released (no output estimate); end of stream: requests
    p.processResponseHeaders(cycle(ps), r, resp(picked(a)));
    expect(p.get('a')).toEqual({ requests: 1, tokens: 0 });
    p.responseComplete(cycle(ps), r, resp(picked(a)));
    expect(p.get('a')).toEqual({ requests: 0, tokens: 0 });
  });
  test('no match info → full input; output estimate round(300 × 1.5) = 450, capped by maxEstimatedOutputTokens', () => {
    const p = make<InFlightLoadProducerV010>(inflightLoadProducerV010, { addEstimatedOutputTokens: true });
    const a = ep('a');
    const ctx = cycle(ps);
    const r = req300();
    p.prepareRequestData(ctx, r, [a]);
    p.preRequest(ctx, r, picked(a));
    expect(p.get('a')).toEqual({ requests: 1, tokens: 750 });
    p.processResponseHeaders(cycle(ps), r, resp(picked(a))); // with output estimates, decode tokens stay
    expect(p.get('a')).toEqual({ requests: 1, tokens: 750 });
    const q = make<InFlightLoadProducerV010>(inflightLoadProducerV010, { addEstimatedOutputTokens: true, maxEstimatedOutputTokens: 100 });
    const c2 = cycle(ps);
    q.prepareRequestData(c2, r, [a]);
    q.preRequest(c2, r, picked(a));
    expect(q.get('a').tokens).toBe(400);
  });
  test('P/D: every profile target counted; the prefill entry released entirely at the first chunk', () => {
    const p = make<InFlightLoadProducerV010>(inflightLoadProducerV010);
    const d = withInfo('d', { match: 0, total: 5, blockSize: 64 }); // 320 + 0 = 320
    const f = withInfo('f', { match: 4, total: 5, blockSize: 64 }); // 64
    const ctx = cycle(ps);
    const r = req300();
    p.prepareRequestData(ctx, r, [d, f]);
    p.preRequest(ctx, r, picked(d, f));
    expect([p.get('d'), p.get('f')]).toEqual([{ requests: 1, tokens: 320 }, { requests: 1, tokens: 64 }]);
    p.processResponseHeaders(cycle(ps), r, resp(picked(d, f)));
    expect([p.get('d'), p.get('f')]).toEqual([{ requests: 1, tokens: 0 }, { requests: 0, tokens: 0 }]);
    p.responseComplete(cycle(ps), r, resp(picked(d, f)));
    p.responseComplete(cycle(ps), r, resp(picked(d, f))); // twice: no negative counters
    expect(p.get('d')).toEqual({ requests: 0, tokens: 0 });
  });
});

describe('session-id-producer', () => {
  const key = 'SessionIDDataKey/session-id-producer';
  test('header (lower-cased name, trimmed value) or cookie (exact key); empty → nothing', () => {
    const h = make<{ prepareRequestData: (c: CycleContext, r: LLMRequest, e: SchedEndpoint[]) => void }>(sessionIdProducer, { headerName: 'X-Session' });
    let ctx = cycle(ps);
    h.prepareRequestData(ctx, request('x', { headers: { 'x-session': '  abc ' } }), []);
    expect(ctx.cycleState.get(key)).toBe('abc');
    ctx = cycle(ps);
    h.prepareRequestData(ctx, request('x', { headers: { 'x-session': '  ' } }), []);
    expect(ctx.cycleState.has(key)).toBe(false);
    const c = make<typeof h>(sessionIdProducer, { cookieName: 'sid' });
    ctx = cycle(ps);
    c.prepareRequestData(ctx, request('x', { headers: { cookie: 'xsid=1; sid=42; other=3' } }), []);
    expect(ctx.cycleState.get(key)).toBe('42');
  });
  test('exactly one of headerName / cookieName (empty parameters rejected)', () => {
    expect(() => make(sessionIdProducer, {})).toThrow(ParamError);
    expect(() => make(sessionIdProducer, { headerName: 'a', cookieName: 'b' })).toThrow(ParamError);
  });
});

describe('mm-embeddings-cache-producer', () => {
  const img = (url: string) => request({ kind: 'chat', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
  const key = 'EncoderCacheMatchInfo/mm-embeddings-cache-producer';
  test('capacity ⌊MB·2²⁰/2 MiB⌋: 4096 → 2048, 4 → 2; items recorded on every primary target; text-only requests get nothing', () => {
    expect(make<MmEmbeddingsCacheProducer>(mmEmbeddingsCacheProducer).capacity).toBe(2048);
    const p = make<MmEmbeddingsCacheProducer>(mmEmbeddingsCacheProducer, { cacheSizeInMBPerServer: 4 });
    expect(p.capacity).toBe(2);
    for (const u of ['u1', 'u2', 'u3']) {
      const ctx = cycle(ps);
      const r = img(u);
      const a = ep('a');
      p.prepareRequestData(ctx, r, [a]);
      p.preRequest(ctx, r, picked(a));
    }
    expect(p.cached('a')).toHaveLength(2); // u1 evicted
    const [a, b] = [ep('a'), ep('b')];
    p.prepareRequestData(cycle(ps), img('u3'), [a, b]);
    expect([a.attributes.get(key), b.attributes.get(key)]).toEqual([{ matched: 1, total: 1 }, { matched: 0, total: 1 }]);
    const t = ep('a');
    p.prepareRequestData(cycle(ps), request('text'), [t]);
    expect(t.attributes.has(key)).toBe(false);
  });
});

describe('p2p-source-producer', () => {
  test('FNV-32a', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
  });
  test('source = the candidate caching most (within one block) → header iff it out-caches the computing pod', () => {
    const p = make<P2pSourceProducer>(p2pSourceProducer);
    const a = ep('a');
    const b = ep('b');
    a.attributes.set(prefixKey, { match: 0, total: 4, blockSize: 64 });
    b.attributes.set(prefixKey, { match: 3, total: 4, blockSize: 64 }); // 192 tokens vs 0: only b eligible
    const ctx = cycle(ps);
    const r = request('x', { headers: { 'x-kv-cache-source-host-port': 'spoofed' } });
    p.prepareRequestData(ctx, r, [a, b]);
    p.preRequest(ctx, r, picked(a));
    expect(r.headers['x-kv-cache-source-host-port']).toBe('b');
    // computing pod = b itself → no header (and the inbound one removed)
    const r2 = request('x', { headers: { 'x-kv-cache-source-host-port': 'spoofed' } });
    const c2 = cycle(ps);
    p.prepareRequestData(c2, r2, [a, b]);
    p.preRequest(c2, r2, picked(b));
    expect(r2.headers['x-kv-cache-source-host-port']).toBeUndefined();
  });
});
