/**
 * KV transfer sizing, transport presets and processor-sharing links (gateway.md §4.4–4.5).
 * Golden numbers are derived by hand in the comments; fast-check covers delivery invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getModel } from '../sim/hardware/catalog.js';
import { kvBytesPerToken, kvTransferBytesPerGpu } from '../sim/pd/kvBytes.js';
import { loadHfConfig } from '../sim/hardware/hfConfig.js';
import { join } from 'node:path';
import { KvLinks } from '../sim/pd/links.js';
import { TRANSPORT_DEFAULTS, linkBytesPerUs, resolveKvTransfer } from '../sim/pd/transports.js';

describe('KV transfer bytes', () => {
  it('matches the §4.4 table for the catalog models', () => {
    // 2 · 32 layers · 8 kv heads · 128 · 2 bytes = 131,072; 70B: 2 · 80 · 8 · 128 · 2 = 327,680;
    // Qwen3-32B: 2 · 64 · 8 · 128 · 2 = 262,144.
    expect(kvBytesPerToken(getModel('Llama-3.1-8B'))).toBe(131_072);
    expect(kvBytesPerToken(getModel('Llama-3.1-70B'))).toBe(327_680);
    expect(kvBytesPerToken(getModel('Qwen3-32B'))).toBe(262_144);
  });

  it('an MLA model (DeepSeek-V3) moves its latent: 61 · (512 + 64) · 2 B = 70,272 B per token, whole on every rank', () => {
    const ds = loadHfConfig(join(import.meta.dirname, '..', 'sim', 'hardware', 'configs', 'DeepSeek-V3.json'), 'DeepSeek-V3');
    const bytes = ds.dtype_bytes * 61 * (512 + 64);
    expect(kvBytesPerToken(ds)).toBe(bytes);
    expect(kvTransferBytesPerGpu(ds, 1000, 8, 8)).toBe(1000 * bytes);
  });

  it('splits per GPU by min(TP prefill, TP decode, kv heads)', () => {
    const m70 = getModel('Llama-3.1-70B');
    // 8k tokens TP4 → TP4: 8192 · 327,680 / 4 = 671,088,640 B = 640 MiB per rank (§4.5 example).
    expect(kvTransferBytesPerGpu(m70, 8192, 4, 4)).toBe(671_088_640);
    // TP1 prefill feeding TP4 decode: one NIC carries all 8192 · 327,680 = 2,684,354,560 B (≈ 2.7 GB).
    expect(kvTransferBytesPerGpu(m70, 8192, 1, 4)).toBe(2_684_354_560);
    expect(kvTransferBytesPerGpu(m70, 8192, 4, 1)).toBe(2_684_354_560);
    // Qwen2.5-7B has 4 kv heads: at TP 8 heads are replicated, a rank holds 1/4, not 1/8:
    // 2 · 28 · 4 · 128 · 2 = 57,344 B/token; 100 tokens / 4 = 1,433,600.
    const q = getModel('Qwen2.5-7B');
    expect(kvTransferBytesPerGpu(q, 100, 8, 8)).toBe(1_433_600);
    // Whole bytes: 1 token over 3 ranks = 131,072 / 3 = 43,690.67 → 43,691.
    expect(kvTransferBytesPerGpu(getModel('Llama-3.1-8B'), 1, 3, 3)).toBe(43_691);
  });
});

describe('transports', () => {
  it('has the §4.5 presets and fills a partial config', () => {
    expect(TRANSPORT_DEFAULTS.rdma).toEqual({ bandwidth_gbps: 50, latency_us: 50 });
    expect(TRANSPORT_DEFAULTS.tcp).toEqual({ bandwidth_gbps: 3.125, latency_us: 200 });
    expect(TRANSPORT_DEFAULTS.nvlink).toEqual({ bandwidth_gbps: 450, latency_us: 5 });
    expect(resolveKvTransfer({})).toEqual({ transport: 'rdma', bandwidth_gbps: 50, latency_us: 50, shared_by: 'prefill' });
    expect(resolveKvTransfer({ transport: 'tcp', latency_us: 10 })).toEqual({ transport: 'tcp', bandwidth_gbps: 3.125, latency_us: 10, shared_by: 'prefill' });
    expect(resolveKvTransfer({ transport: 'nvlink', shared_by: 'cluster' }).bandwidth_gbps).toBe(450);
    // 50 GB/s = 50 · 10^9 B / 10^6 µs = 50,000 B/µs; 25 Gb/s TCP = 3,125 B/µs.
    expect(linkBytesPerUs(resolveKvTransfer({}))).toBe(50_000);
    expect(linkBytesPerUs(resolveKvTransfer({ transport: 'tcp' }))).toBe(3_125);
    expect(() => resolveKvTransfer({ bandwidth_gbps: 0 })).toThrow(/bandwidth/);
  });
});

const BW = 50_000; // bytes/µs (50 GB/s)
const LAT = 50;

describe('KvLinks golden', () => {
  it('one transfer: bytes/bw + latency, rounded up to whole µs', () => {
    const links = new KvLinks<string>(BW, LAT);
    expect(links.nextDoneUs()).toBe(Infinity);
    // 1024 tokens of Llama-3.1-8B = 134,217,728 B; / 50,000 = 2,684.35456 µs; + 50 = 2,734.35 → 2,735 after start 100.
    links.start(0, 134_217_728, 'a', 100);
    expect(links.nextDoneUs()).toBe(100 + 2735);
    expect(links.takeDone(2834)).toEqual([]);
    expect(links.active(0)).toBe(1);
    expect(links.takeDone(2835)).toEqual(['a']);
    expect(links.active(0)).toBe(0);
    expect(links.nextDoneUs()).toBe(Infinity);
  });

  it('two concurrent equal transfers on one link each take twice as long; on two links once', () => {
    const shared = new KvLinks<string>(BW, LAT);
    shared.start(3, 100_000_000, 'a', 0);
    shared.start(3, 100_000_000, 'b', 0);
    // Each gets 25,000 B/µs: 100,000,000 / 25,000 = 4,000 µs, + 50 → both at 4,050, start order.
    expect(shared.nextDoneUs()).toBe(4050);
    expect(shared.takeDone(4049)).toEqual([]);
    expect(shared.takeDone(4050)).toEqual(['a', 'b']);
    const apart = new KvLinks<string>(BW, LAT);
    apart.start(0, 100_000_000, 'a', 0);
    apart.start(1, 100_000_000, 'b', 0);
    // Alone: 100,000,000 / 50,000 = 2,000 µs, + 50 = 2,050.
    expect(apart.nextDoneUs()).toBe(2050);
    expect(apart.takeDone(2050)).toEqual(['a', 'b']);
  });

  it('a transfer started while another is half done', () => {
    const links = new KvLinks<string>(BW, LAT);
    // A: 100 MB at t=0, alone would end at 2,000. B: 100 MB at t=1,000 when A has 50 MB left.
    links.start(0, 100_000_000, 'A', 0);
    expect(links.nextDoneUs()).toBe(2050);
    links.start(0, 100_000_000, 'B', 1000);
    // Sharing 25,000 B/µs: A's 50 MB take 2,000 µs → last byte 3,000, delivered 3,050.
    expect(links.nextDoneUs()).toBe(3050);
    // By 3,000 B has 50 MB sent; alone its other 50 MB take 1,000 µs → 4,000, delivered 4,050.
    expect(links.takeDone(2050)).toEqual([]); // the stale event of A's solo projection finds nothing
    expect(links.takeDone(3050)).toEqual(['A']);
    expect(links.nextDoneUs()).toBe(4050);
    expect(links.takeDone(5000)).toEqual(['B']);
  });

  it('delivers a late-started short transfer before a long one', () => {
    const links = new KvLinks<string>(BW, 0);
    links.start(0, 100_000_000, 'long', 0);
    // At 1,000 long has 50 MB left; short 10 MB shares: short done after 10 MB at 25,000 B/µs = 400 µs → 1,400.
    links.start(0, 10_000_000, 'short', 1000);
    expect(links.nextDoneUs()).toBe(1400);
    expect(links.takeDone(1400)).toEqual(['short']);
    // Long sent 10 MB more by 1,400 (40 MB left) → alone 800 µs → 2,200.
    expect(links.nextDoneUs()).toBe(2200);
    expect(links.takeDone(3000)).toEqual(['long']);
  });
});

describe('KvLinks float noise', () => {
  it('a last byte a hair after an integral µs is taken at that µs (no livelock: fast-check counterexample)', () => {
    // 7.5 B/µs, no latency, four transfers at t = 0 on two links. Link 2 (64,622,451 + 90,682,284 B):
    // the shorter ends at 2·64,622,451/7.5 = 17,232,653.6 → 17,232,654; the longer then sends its other
    // 26,059,833 B alone: 17,232,653.6 + 26,059,833/7.5 = 20,707,298 µs exactly — which the running
    // virtual clock puts a few 1e-7 µs above 20,707,298. nextDoneUs said 20,707,298 and takeDone found
    // nothing, for ever.
    const links = new KvLinks<number>(7.5, 0);
    const starts = [[2, 64_622_451], [0, 58_925_757], [2, 90_682_284], [0, 80_650_339]] as const;
    starts.forEach(([link, bytes], id) => links.start(link, bytes, id, 0));
    const seen: [number, number[]][] = [];
    for (let i = 0; i < 6 && links.size > 0; i++) {
      const t = links.nextDoneUs();
      seen.push([t, links.takeDone(t)]);
    }
    // Link 0: 2·58,925,757/7.5 = 15,713,535.2 → 15,713,536; then 21,724,582 B alone → 18,610,146.4 → 18,610,147.
    expect(seen).toEqual([[15_713_536, [1]], [17_232_654, [0]], [18_610_147, [3]], [20_707_298, [2]]]);
    expect(links.size).toBe(0);
  });
});

describe('KvLinks properties', () => {
  const startArb = fc.record({
    gap: fc.integer({ min: 0, max: 3000 }),
    link: fc.integer({ min: 0, max: 3 }),
    bytes: fc.integer({ min: 0, max: 200_000_000 }),
  });
  it('delivers every transfer exactly once, never early, conserving bytes, in delivery order', () => {
    fc.assert(
      fc.property(
        fc.array(startArb, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(50_000, 3_125, 450_000, 7.5),
        fc.integer({ min: 0, max: 300 }),
        (starts, bw, lat) => {
          const links = new KvLinks<number>(bw, lat);
          const startUs: number[] = [];
          const delivered = new Map<number, number>();
          let now = 0;
          const drainUntil = (limit: number): void => {
            for (;;) {
              const t = links.nextDoneUs();
              if (t === Infinity || t > limit) return;
              expect(t).toBeGreaterThanOrEqual(now);
              now = t;
              const done = links.takeDone(now);
              expect(done.length).toBeGreaterThan(0);
              for (const id of done) {
                expect(delivered.has(id)).toBe(false);
                delivered.set(id, now);
              }
            }
          };
          starts.forEach((s, id) => {
            const at = now + s.gap;
            drainUntil(at);
            now = at;
            startUs.push(now);
            links.start(s.link, s.bytes, id, now);
          });
          drainUntil(Infinity);
          expect(links.size).toBe(0);
          expect(delivered.size).toBe(starts.length);
          starts.forEach((s, id) => {
            const at = delivered.get(id)!;
            // Never before its solo time (float slack 1e-6 µs), always at a whole µs.
            expect(at).toBeGreaterThanOrEqual(startUs[id]! + s.bytes / bw + lat - 1e-6);
            expect(Number.isInteger(at)).toBe(true);
          });
          // Bytes conserved on each link: it never moves more than bw per µs, so its last delivery is
          // no earlier than (sum of its bytes)/bw + latency after its first start; and it is work-
          // conserving, so it has sent everything by its last start + (sum of its bytes)/bw.
          for (let link = 0; link < 4; link++) {
            const ids = starts.map((s, id) => (s.link === link ? id : -1)).filter((id) => id >= 0);
            if (ids.length === 0) continue;
            const total = ids.reduce((a, id) => a + starts[id]!.bytes, 0);
            const last = Math.max(...ids.map((id) => delivered.get(id)!));
            expect(last).toBeGreaterThanOrEqual(startUs[ids[0]!]! + total / bw + lat - 1e-6);
            expect(last).toBeLessThanOrEqual(Math.ceil(startUs[ids.at(-1)!]! + total / bw + lat + 1e-6));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is work-conserving: transfers started together end when the total is sent, smallest first', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50_000_000 }), { minLength: 1, maxLength: 10 }), (sizes) => {
        const links = new KvLinks<number>(BW, LAT);
        sizes.forEach((b, i) => links.start(0, b, i, 0));
        const at = new Array<number>(sizes.length).fill(-1);
        for (let t = links.nextDoneUs(); t !== Infinity; t = links.nextDoneUs()) for (const id of links.takeDone(t)) at[id] = t;
        expect(at.every((t) => t >= 0)).toBe(true);
        // The link never idles while a transfer is sending: the last byte of all goes at total/bw.
        const total = sizes.reduce((a, b) => a + b, 0);
        expect(Math.max(...at)).toBe(Math.ceil(total / BW + LAT - 1e-6));
        // Equal shares: a smaller transfer is never delivered after a larger one.
        for (let i = 0; i < sizes.length; i++) for (let j = 0; j < sizes.length; j++) if (sizes[i]! < sizes[j]!) expect(at[i]!).toBeLessThanOrEqual(at[j]!);
      }),
    );
  });
});
