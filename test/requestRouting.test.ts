/**
 * Requests carry model name, path and headers (issue 10; gateway.md §2.4–2.5): set at workload
 * level, per tenant (merged over the workload's, header by header) and in `sessions:`; absent
 * fields leave every request and the workload fingerprint exactly as before.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workHash } from '../reports/fingerprint.js';
import { parseScenario } from '../sim/scenario/load.js';
import { createRequestStream } from '../sim/workload/generator.js';
import { isFeedbackStream, type SimRequest } from '../sim/workload/request.js';
import { MAX_HEADERS, mergeRouting, OBJECTIVE_HEADER, type RequestRouting } from '../sim/workload/routing.js';
import { jsonlLine } from '../sim/workload/traces/jsonl.js';
import { writeTrace } from '../sim/workload/traces/write.js';
import { userErrorOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'routesim-routing-'));
// A routesim JSONL trace: 4 rows, one with a shared segment, one with an adapter and priority.
writeFileSync(
  join(dir, 't.jsonl'),
  '{"arrival_us": 0, "input_tokens": 100, "output_tokens": 10}\n' +
    '{"arrival_us": 250000, "input_tokens": 120, "output_tokens": 12, "segments": [[7, 64]], "group": 1}\n' +
    '{"arrival_us": 500000, "input_tokens": 90, "output_tokens": 9, "adapter": "a1", "priority": 2}\n' +
    '{"arrival_us": 900000, "input_tokens": 80, "output_tokens": 8, "client": 3}\n',
);

const FLEET = 'fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B, engine: {max_loras: 2}}';
function yaml(workload: string, head = 'requests: 40'): string {
  return `seed: 7\n${head}\n${FLEET}\nworkload:\n${workload.trim().split('\n').map((l) => `  ${l}`).join('\n')}\npolicies: [round-robin]\n`;
}

/** Workloads without routing fields, one per request source (their streams are pinned below). */
const BASE: Record<string, string> = {
  generator: yaml(`
arrival: {process: gamma, rate: 20, cv: 2}
input: {dist: uniform, min: 50, max: 500}
output: {dist: lognormal, mean: 100, std: 50, min: 1, max: 1000}
adapters: [{name: a1, weight: 1}, {name: a2, weight: 2, rank: 8}]
base_model_weight: 1
priorities: [{priority: 0, weight: 3}, {priority: -1, weight: 1}]`),
  sharedPrefix: yaml(`
arrival: {rate: 10}
shared_prefix: {num_groups: 2, num_prompts_per_group: 3, system_prompt_len: 200, question_len: 30, enable_multi_turn_chat: true, max_turns: 3}
output: 20`),
  tenants: yaml(`
tenants:
  - {name: gold, arrival: {process: poisson, rate: 5}, input: 200, output: 30, priority: 1, system_prompt_len: 300}
  - {name: free, arrival: {process: weibull, rate: 10, cv: 1.5}, input: {dist: uniform, min: 10, max: 90}, output: 20, priority: -1, adapter: a1}`),
  openSessions: yaml(`
arrival: {rate: 2}
input: {dist: uniform, min: 20, max: 80}
output: {dist: uniform, min: 10, max: 40}
sessions: {turns: {dist: uniform, min: 1, max: 4}, think_time_s: 3, system_prompt_len: 100, num_system_prompts: 2}`),
  closedSessions: yaml(`
input: 50
output: 10
sessions: {mode: closed, users: 3, turns: 3, think_time_s: {dist: exponential, mean: 1}}`),
  trace: yaml(`
trace: {path: t.jsonl, format: routesim, loop: 3}
priorities: [{priority: 5, weight: 1}]`),
};

function scenario(name: string, text: string) {
  return parseScenario(text, join(dir, `${name}.yaml`));
}

/**
 * Every request of the scenario's stream. A closed-loop stream is driven by answering each
 * released request 1 ms after it arrives, in release order.
 */
function collect(sc: ReturnType<typeof scenario>): SimRequest[] {
  const it = createRequestStream(sc.workload, { seed: sc.seed, limits: { ...(sc.requests !== null ? { requests: sc.requests } : {}) }, defaultAdapterRank: sc.fleet.engine.max_lora_rank });
  const out: SimRequest[] = [];
  let answered = 0;
  for (;;) {
    const n = it.next();
    if (!n.done) {
      out.push(n.value);
      continue;
    }
    if (!isFeedbackStream(it) || answered === out.length) return out;
    const r = out[answered++]!;
    it.onFinish(r.id, r.arrivalUs + 1000, true);
  }
}

const digest = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);

/** `r` without its routing fields. */
function bare(r: SimRequest): SimRequest {
  const { model: _m, path: _p, headers: _h, ...rest } = r;
  return rest;
}

/**
 * Digests of each BASE stream (and of its scenario's workload fingerprint hash) computed with the
 * generator of the base commit 1a9fee0, before these fields existed.
 */
const BEFORE: Record<string, { requests: string; count: number; work: string }> = {
  generator: { requests: 'd3f86e263bba2ed8', count: 40, work: 'b99e6bc7faa38fe7' },
  sharedPrefix: { requests: '3ef6ea53d4f7a7d5', count: 40, work: 'aabc93cd14069eee' },
  tenants: { requests: '931437c3e1cf34a7', count: 40, work: '84b5bdcfd61dd595' },
  openSessions: { requests: '0e8a7f22ded50e16', count: 40, work: 'cc74c61ce745c200' },
  closedSessions: { requests: '80a7737c5bae5d73', count: 40, work: '486e5dc4981025aa' },
  // 4 rows × loop 3.
  trace: { requests: '602c0c7dcdf6fbf9', count: 12, work: 'b046dcc7c22ea7ca' },
};

describe('workloads without model, path or headers', () => {
  for (const [name, text] of Object.entries(BASE)) {
    it(`${name}: requests and workload fingerprint identical to the base commit; no routing keys`, () => {
      const sc = scenario(name, text);
      const reqs = collect(sc);
      expect(reqs).toHaveLength(BEFORE[name]!.count);
      for (const r of reqs) {
        expect('model' in r).toBe(false);
        expect('path' in r).toBe(false);
        expect('headers' in r).toBe(false);
      }
      expect(digest(reqs)).toBe(BEFORE[name]!.requests);
      expect(workHash(sc).slice(0, 16)).toBe(BEFORE[name]!.work);
      for (const k of ['model', 'path', 'headers']) expect(k in sc.workload).toBe(false);
    });
  }
});

/** BASE[name] with `lines` added at the top of the workload section. */
function withRouting(name: string, lines: string): string {
  return BASE[name]!.replace('workload:\n', `workload:\n${lines.trim().split('\n').map((l) => `  ${l}`).join('\n')}\n`);
}

describe('tenants', () => {
  const TENANTS = yaml(`
model: base-8b
headers: {X-Api-Key: k1, x-tenant: none}
tenants:
  - {name: gold, arrival: {process: poisson, rate: 5}, input: 200, output: 30, priority: 1, system_prompt_len: 300, model: llama-70b, path: /v1/chat/completions, headers: {X-Tenant: gold}, objective: premium}
  - {name: free, arrival: {process: weibull, rate: 10, cv: 1.5}, input: {dist: uniform, min: 10, max: 90}, output: 20, priority: -1, adapter: a1}`);
  const sc = scenario('tenantsRouted', TENANTS);
  const reqs = collect(sc);
  const gold = reqs.filter((r) => r.client === 0);
  const free = reqs.filter((r) => r.client === 1);

  it('each tenant’s requests carry its model, path and headers; the workload level fills what a tenant leaves out', () => {
    expect(gold.length).toBeGreaterThan(5);
    expect(free.length).toBeGreaterThan(5);
    for (const r of gold) {
      expect(r.model).toBe('llama-70b');
      expect(r.path).toBe('/v1/chat/completions');
      // Names lower-cased; the tenant's x-tenant overrides the workload's; objective is its header.
      expect(r.headers).toEqual({ 'x-api-key': 'k1', 'x-tenant': 'gold', [OBJECTIVE_HEADER]: 'premium' });
    }
    for (const r of free) {
      expect(r.model).toBe('base-8b');
      expect('path' in r).toBe(false);
      expect(r.headers).toEqual({ 'x-api-key': 'k1', 'x-tenant': 'none' });
    }
  });

  it('one headers object per tenant, shared by all its requests (a tenant without headers shares the workload’s)', () => {
    expect(new Set(gold.map((r) => r.headers)).size).toBe(1);
    expect(new Set(free.map((r) => r.headers)).size).toBe(1);
    expect(gold[0]!.headers).not.toBe(free[0]!.headers);
    expect(free[0]!.headers).toBe(sc.workload.headers);
    expect(Object.isFrozen(gold[0]!.headers)).toBe(true);
  });

  it('routing fields change nothing else: without them the stream is the base stream', () => {
    expect(reqs.map(bare)).toEqual(collect(scenario('tenants', BASE.tenants!)));
    expect(digest(reqs.map(bare))).toBe(BEFORE.tenants!.requests);
  });

  it('set fields enter the workload fingerprint', () => {
    expect(workHash(sc)).not.toBe(workHash(scenario('tenants', BASE.tenants!)));
    expect(workHash(scenario('m', withRouting('generator', 'model: x')))).not.toBe(workHash(scenario('generator', BASE.generator!)));
  });
});

describe('sessions', () => {
  for (const mode of ['openSessions', 'closedSessions']) {
    it(`${mode}: every turn carries the sessions' fields merged over the workload's`, () => {
      const text = withRouting(mode, 'model: base-8b\npath: /v1/completions\nheaders: {x-a: "1", x-b: w}').replace(
        'sessions: {',
        'sessions: {model: chat-8b, path: /v1/chat/completions, headers: {X-B: s}, objective: batch, ',
      );
      const reqs = collect(scenario(mode, text));
      expect(reqs).toHaveLength(40);
      expect(reqs.some((r) => r.turn > 0)).toBe(true);
      const headers = reqs[0]!.headers;
      expect(headers).toEqual({ 'x-a': '1', 'x-b': 's', [OBJECTIVE_HEADER]: 'batch' });
      for (const r of reqs) {
        expect(r.model).toBe('chat-8b');
        expect(r.path).toBe('/v1/chat/completions');
        expect(r.headers).toBe(headers);
      }
      expect(digest(reqs.map(bare))).toBe(BEFORE[mode]!.requests);
    });
  }

  it('sessions without their own fields carry the workload level', () => {
    const reqs = collect(scenario('openSessions', withRouting('openSessions', 'objective: gold')));
    for (const r of reqs) expect(r).toMatchObject({ headers: { [OBJECTIVE_HEADER]: 'gold' } });
    expect(reqs.every((r) => !('model' in r) && !('path' in r))).toBe(true);
  });
});

describe('generator, shared prefix and trace replay', () => {
  for (const name of ['generator', 'sharedPrefix', 'trace']) {
    it(`${name}: workload-level fields on every request, nothing else changed`, () => {
      const reqs = collect(scenario(name, withRouting(name, 'model: m1\npath: /v1/chat/completions\nheaders: {x-team: blue}')));
      expect(reqs).toHaveLength(BEFORE[name]!.count);
      for (const r of reqs) expect(r).toMatchObject({ model: 'm1', path: '/v1/chat/completions', headers: { 'x-team': 'blue' } });
      expect(new Set(reqs.map((r) => r.headers)).size).toBe(1);
      expect(digest(reqs.map(bare))).toBe(BEFORE[name]!.requests);
    });
  }

  it('a routesim trace row’s model wins over the workload’s; jsonlLine writes it back', () => {
    writeFileSync(join(dir, 'm.jsonl'), '{"arrival_us": 0, "input_tokens": 10, "output_tokens": 2, "model": "row-model"}\n{"arrival_us": 5, "input_tokens": 10, "output_tokens": 2}\n');
    const reqs = collect(scenario('m', yaml('trace: {path: m.jsonl}\nmodel: wl-model\nheaders: {x-k: v}')));
    expect(reqs.map((r) => r.model)).toEqual(['row-model', 'wl-model']);
    expect(reqs.map((r) => r.headers)).toEqual([{ 'x-k': 'v' }, { 'x-k': 'v' }]);
    expect(JSON.parse(jsonlLine(reqs[0]!)).model).toBe('row-model');
    const plain = collect(scenario('m2', yaml('trace: {path: m.jsonl}')));
    expect(plain[0]!.model).toBe('row-model');
    expect('model' in plain[1]!).toBe(false);
    expect('model' in JSON.parse(jsonlLine(plain[1]!))).toBe(false);
  });

  it('writing a trace reports the paths and headers it cannot hold (routesim keeps the model)', () => {
    const reqs = collect(scenario('generator', withRouting('generator', 'model: m1\nheaders: {x-team: blue}')));
    const out = join(dir, 'w.jsonl');
    const rep = writeTrace(reqs[Symbol.iterator](), out, 'routesim');
    expect(rep.dropped).toEqual({ 'request paths and headers': 40 });
    expect(readFileSync(out, 'utf8').split('\n').filter((l) => l).every((l) => JSON.parse(l).model === 'm1')).toBe(true);
    const rep2 = writeTrace(reqs[Symbol.iterator](), join(dir, 'w.csv'), 'azure');
    expect(rep2.dropped).toMatchObject({ 'request paths and headers': 40, 'model names': 40 });
  });
});

describe('input checks', () => {
  const err = (workloadLines: string, name = 'generator') => userErrorOf(() => scenario('bad', withRouting(name, workloadLines)));

  it('objective and an explicit objective header at one level: an error naming the field', () => {
    const m = err(`objective: a\nheaders: {X-Gateway-Inference-Objective: b}`);
    expect(m).toMatch(/workload\.objective: objective and headers\.x-gateway-inference-objective both set/);
    expect(m).toMatch(/fix: remove one/);
    const t = userErrorOf(() => scenario('bad', BASE.tenants!.replace('priority: 1,', `priority: 1, objective: a, headers: {${OBJECTIVE_HEADER}: b},`)));
    expect(t).toMatch(/workload\.tenants\[0\]\.objective/);
  });

  it('a tenant’s objective may override the workload’s objective header (different levels)', () => {
    const sc = scenario('ok', withRouting('tenants', `headers: {${OBJECTIVE_HEADER}: std}`).replace('priority: 1,', 'priority: 1, objective: premium,'));
    const reqs = collect(sc);
    expect(reqs.find((r) => r.client === 0)!.headers).toEqual({ [OBJECTIVE_HEADER]: 'premium' });
    expect(reqs.find((r) => r.client === 1)!.headers).toEqual({ [OBJECTIVE_HEADER]: 'std' });
  });

  it('shape errors name the field and a fix', () => {
    expect(err('path: v1/chat')).toMatch(/workload\.path: a request path must start with "\/".*fix: write e\.g\. path: \/v1\/chat\/completions/);
    expect(err('headers: {"x tenant": a}')).toMatch(/workload\.headers\["x tenant"\]|workload\.headers\.x tenant/);
    expect(err('headers: {"x tenant": a}')).toMatch(/not a valid header name/);
    expect(err('headers: {x-a: 1}')).toMatch(/workload\.headers\.x-a: expected a header value \(a string\), got the integer 1/);
    expect(err('headers: {X-A: a, x-a: b}')).toMatch(/same as "X-A"/);
    expect(err('model: 3')).toMatch(/workload\.model: expected a model name \(a string\), got the integer 3 \(fix: write it as a string/);
    expect(err('model: ""')).toMatch(/workload\.model: a model name must be non-empty/);
    expect(err('objective: [a]')).toMatch(/workload\.objective: expected an objective name \(a string\), got a list/);
    expect(err('headers: [a]')).toMatch(/workload\.headers: expected a mapping of header names to values, got a list/);
  });

  it(`at most ${MAX_HEADERS} headers: per level, with objective, and merged with the workload’s`, () => {
    const h = (n: number, p = 'h') => `{${Array.from({ length: n }, (_, i) => `${p}${i}: v`).join(', ')}}`;
    expect(() => scenario('ok', withRouting('generator', `headers: ${h(16)}`))).not.toThrow();
    expect(err(`headers: ${h(17)}`)).toMatch(/workload\.headers: 17 headers; a request carries at most 16/);
    expect(err(`headers: ${h(16)}\nobjective: o`)).toMatch(/workload\.headers: with objective, 17 headers/);
    const merged = userErrorOf(() => scenario('bad', withRouting('tenants', `headers: ${h(10)}`).replace('priority: -1,', `priority: -1, headers: ${h(7, 'k')},`)));
    expect(merged).toMatch(/workload\.tenants\[1\]\.headers: with the workload's headers, tenant free's requests carry 17 headers; at most 16/);
    // The same name at both levels counts once.
    expect(() => scenario('ok', withRouting('tenants', `headers: ${h(10)}`).replace('priority: -1,', `priority: -1, headers: ${h(6)},`))).not.toThrow();
  });
});

describe('mergeRouting', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
  const headers = fc.option(fc.dictionary(name, fc.string({ minLength: 1, maxLength: 4 }), { maxKeys: 5 }), { nil: undefined });
  const routing = fc.record({ model: fc.option(fc.string({ minLength: 1 }), { nil: undefined }), path: fc.option(fc.constant('/p'), { nil: undefined }), headers }).map((r) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as RequestRouting,
  );

  it('the override wins field by field and header by header; absent stays absent', () => {
    fc.assert(
      fc.property(routing, routing, (base, over) => {
        const m = mergeRouting(base, over);
        for (const k of ['model', 'path'] as const) {
          expect(m[k]).toBe(over[k] ?? base[k]);
          expect(k in m).toBe(k in base || k in over);
        }
        expect('headers' in m).toBe('headers' in base || 'headers' in over);
        const names = new Set([...Object.keys(base.headers ?? {}), ...Object.keys(over.headers ?? {})]);
        expect(Object.keys(m.headers ?? {}).sort()).toEqual([...names].sort());
        for (const n of names) expect(m.headers![n]).toBe(over.headers?.[n] ?? base.headers![n]);
        // An object given at only one level is shared, not copied.
        if (base.headers === undefined || over.headers === undefined) expect(m.headers).toBe(over.headers ?? base.headers);
      }),
    );
  });
});
