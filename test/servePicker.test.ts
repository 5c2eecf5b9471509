/**
 * `routesim serve picker` (issue 16): the live Endpoint Picker decides exactly what `routesim pick`
 * (policies/harness) decides for the same config, endpoints, metrics and requests in order — prefix
 * affinity across consecutive requests included — over a real gRPC ext_proc stream on loopback
 * with fake vLLM /metrics servers. Hand-derived picks pin the first requests so that the comparison
 * cannot pass vacuously.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPickCase } from '../policies/harness/pickCase.js';
import { loadPluginModules } from '../cli/pluginModules.js';
import { importsOf } from './architecture.test.js';
import { closeAll, runLiveCase } from './helpers/livePickerCase.js';
import { long } from './helpers/longPrompt.js';
import { ROOT } from './cliHelpers.js';

const P1 = long('alpha', 60);
const P2 = long('bravo', 40);

// Metrics (GAIE default config: queue 2, kv-cache 2, prefix 3):
//   queue scores (max−q)/(max−min) over waiting 0,1,4 → a 1, b 0.75, c 0; kv scores 1−kv → a 0.5, b 0.8, c 0.1
//   totals without prefix: a 2·1 + 2·0.5 = 3.0, b 2·0.75 + 2·0.8 = 3.1, c 0 + 0.2 = 0.2 → pod-b.
const endpoints = [
  { name: 'pod-a', metrics: { waiting: 0, running: 2, kvUsage: 0.5 } },
  { name: 'pod-b', metrics: { waiting: 1, running: 1, kvUsage: 0.2 } },
  { name: 'pod-c', metrics: { waiting: 4, running: 3, kvUsage: 0.9 } },
];
const requests = [
  // 0: subset hint names pod-a only → pod-a (its prefix now indexed there).
  { id: 'r0', model: 'sim-8b', prompt: P1, headers: { 'x-gateway-destination-endpoint-subset': 'pod-a' }, complete: true },
  // 1: P1 + a tail: almost every block hits pod-a → a ≈ 3.0 + 3·(≈0.9) > b 3.1 → pod-a (affinity beats load).
  { id: 'r1', model: 'sim-8b', prompt: `${P1} and a different question at the end`, complete: true },
  // 2: unrelated prompt: no hits → metrics only → pod-b.
  { id: 'r2', model: 'sim-8b', prompt: P2 },
  // 3: P2 again: pod-b has it → pod-b.
  { id: 'r3', model: 'sim-8b', prompt: `${P2} again` },
  // 4–6: chat, a conversation growing turn by turn; an unknown model is routed like any other.
  { id: 'r4', model: 'sim-8b', messages: [{ role: 'system', content: P1 }, { role: 'user', content: 'hi' }], complete: true },
  { id: 'r5', model: 'no-such-model', messages: [{ role: 'system', content: P1 }, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, { role: 'user', content: 'more' }] },
  { id: 'r6', model: 'sim-8b', prompt: ['a', 'list', 'prompt'] },
  // 7: a new scrape: waiting a 3, b 4, c 0 and c's KV 0 → queue c 1, a 0.25, b 0; kv c 1, a 0.5, b 0.8
  //    → totals c 4, a 1.5, b 1.6 (a new prompt: no prefix hits) → pod-c.
  { id: 'r7', model: 'sim-8b', prompt: 'a brand new question', metrics: { 'pod-a': { waiting: 3 }, 'pod-b': { waiting: 4 }, 'pod-c': { waiting: 0, kvUsage: 0 } } },
];

function harness(doc: Record<string, unknown>) {
  return runPickCase(doc).results.map((r) => (r.outcome === 'dispatched' ? { outcome: r.outcome, target: r.target, fallbacks: r.fallbacks } : { outcome: r.outcome }));
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('live picks equal routesim pick', () => {
  it('GAIE v1.5 default config: prefix affinity across consecutive requests, chat, unknown model, a new scrape (plaintext)', async () => {
    const doc = { endpoints, requests };
    const expected = harness(doc);
    expect(expected.slice(0, 4).map((r) => r.target)).toEqual(['pod-a', 'pod-a', 'pod-b', 'pod-b']);
    expect(expected[7]!.target).toBe('pod-c');
    const { outcomes, picker, fakes } = await runLiveCase(doc);
    cleanups.push(() => closeAll(picker, fakes));
    expect(outcomes.map((o) => ({ outcome: o.outcome, target: o.target, fallbacks: o.fallbacks }))).toEqual(expected);
    // the header carries ip:port of the pick
    expect(outcomes[0]!.destination).toBe(fakes[0]!.address);
  });

  it('llm-d-router v0.10 default config (TLS, self-signed)', async () => {
    const config = readFileSync(join(ROOT, 'policies/configs/llm-d-v0.10/default.yaml'), 'utf8');
    const doc = { config, endpoints, requests };
    const expected = harness(doc);
    expect(expected[0]!.target).toBe('pod-a');
    const { outcomes, picker, fakes } = await runLiveCase(doc, { insecure: false });
    cleanups.push(() => closeAll(picker, fakes));
    expect(picker.pem).not.toBeNull();
    expect(outcomes.map((o) => ({ outcome: o.outcome, target: o.target, fallbacks: o.fallbacks }))).toEqual(expected);
  });

  it('a user plugin module (examples/plugins/least-kv-scorer.js) and fallbacks (maxNumOfEndpoints 2)', async () => {
    await loadPluginModules(['examples/plugins/least-kv-scorer.js'], null);
    const config = `apiVersion: inference.networking.x-k8s.io/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: least-kv-scorer
  parameters: {threshold: 0.9}
- type: max-score-picker
  parameters: {maxNumOfEndpoints: 2}
schedulingProfiles: [{name: default, plugins: [{pluginRef: least-kv-scorer}, {pluginRef: max-score-picker}]}]
`;
    // least-kv: 1 − kv (0 above 0.9): a 0.5, b 0.8, c 0 → pod-b first, pod-a as the fallback.
    const doc = { config, endpoints, requests: requests.slice(2, 4) };
    const expected = harness(doc);
    expect(expected[0]).toEqual({ outcome: 'dispatched', target: 'pod-b', fallbacks: ['pod-a'] });
    const { outcomes, picker, fakes } = await runLiveCase(doc);
    cleanups.push(() => closeAll(picker, fakes));
    expect(outcomes.map((o) => ({ outcome: o.outcome, target: o.target, fallbacks: o.fallbacks }))).toEqual(expected);
    expect(outcomes[0]!.destination).toBe(`${fakes[1]!.address},${fakes[0]!.address}`);
  });
});

describe('architecture', () => {
  it('live/picker imports only policies/, sim/core/errors, sim/core/paths and packages (never sim/engine, sim/gateway)', () => {
    const dir = join(ROOT, 'live/picker');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      for (const spec of importsOf(readFileSync(join(dir, f), 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const ok = spec.startsWith('./') || spec.startsWith('../../policies/') || spec === '../../sim/core/errors.js' || spec === '../../sim/core/paths.js';
        expect(ok, `${f} imports ${spec}`).toBe(true);
      }
    }
  });
});
