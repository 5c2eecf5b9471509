/**
 * Stub plugins for the llm-d-router v0.10.0 loader and lifecycle tests (helper "cfg"): a
 * `token-producer` stand-in declaring its data keys through the definition API
 * (`produces`/`defaultProducerFor`), a consumer whose required keys the test sets, Alpha and
 * deprecated types, screeners, request-header processors, failing PreRequest plugins, a polling
 * source and a parser with its own claims. Added to the llm-d-v0.10 catalog under `test-*` names.
 */
import { z } from 'zod';
import { defaultCatalog } from '../../policies/config/loader.js';
import { durationUs } from '../../policies/config/llmd/schema.js';
import { EppError, type EppStatus } from '../../policies/framework/eppError.js';
import type { PluginDefinition } from '../../policies/framework/registry.js';
import type { CycleContext, LLMRequest, Plugin, PrepareData, PreRequest, RequestHeaderProcessor, SchedEndpoint, Screener, Scorer } from '../../policies/framework/types.js';
import { FixedScorer, testAdmissionDef, testScorerDef } from './frameworkStubs.js';

class TokenProducer implements PrepareData {
  readonly type = 'token-producer';
  readonly produces = ['TokenizedPrompt'];
  readonly consumes = [];
  constructor(readonly name: string) {}
  prepareRequestData(): void {}
}

class Consumer implements Scorer {
  readonly category = 'Distribution' as const;
  constructor(readonly name: string, readonly type: string) {}
  score(): Map<string, number> {
    return new Map();
  }
}

class KeepScreener implements Screener {
  readonly type = 'test-screener';
  constructor(readonly name: string, readonly keep: readonly string[]) {}
  screen(_c: CycleContext, _r: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    return endpoints.filter((e) => this.keep.includes(e.name));
  }
}

class HeaderProc implements RequestHeaderProcessor {
  readonly type = 'test-header';
  constructor(readonly name: string, readonly identity: string | null, readonly fail: number | null) {}
  processRequestHeaders(ctx: CycleContext): void {
    if (this.fail === -1) throw new Error('plain failure');
    if (this.fail !== null) throw new EppError(this.fail as EppStatus, 'typed failure', 'test-reason');
    if (this.identity !== null) ctx.cycleState.set('agent-identity', this.identity);
  }
}

class FailingPreRequest implements PreRequest {
  readonly type = 'test-prerequest';
  constructor(readonly name: string, readonly status: number | null) {}
  preRequest(): void {
    if (this.status === null) throw new Error('plain PreRequest failure');
    throw new EppError(this.status as EppStatus, 'typed PreRequest failure');
  }
}

const none = z.strictObject({});
const plain = (type: string, kinds: string[], create: (name: string) => Plugin, extra: Partial<PluginDefinition> = {}): PluginDefinition => ({ type, kinds, source: 'test', description: type, params: none, create, ...extra });

const stubs: PluginDefinition[] = [
  plain('token-producer', ['PrepareData'], (n) => new TokenProducer(n), { produces: (_p, name) => [`TokenizedPrompt/${name}`], defaultProducerFor: ['TokenizedPrompt'] }),
  {
    type: 'test-consumer',
    kinds: ['Scorer'],
    source: 'test',
    description: 'requires the keys it is given',
    params: z.strictObject({ requires: z.array(z.string()).default([]) }),
    requires: (p) => (p as { requires: string[] }).requires,
    create: (name) => new Consumer(name, 'test-consumer'),
  },
  plain('test-custom-producer', ['PrepareData'], (n) => ({ name: n, type: 'test-custom-producer', produces: [], consumes: [], prepareRequestData() {} }) as PrepareData, {
    produces: (_p, name) => [`CustomData/${name}`],
    defaultProducerFor: ['CustomData'],
    requires: () => ['TokenizedPrompt/token-producer'],
  }),
  plain('test-alpha', ['Scorer'], (n) => new FixedScorer(n, {}), { stability: 'alpha' }),
  plain('test-deprecated', ['Scorer'], (n) => new FixedScorer(n, {}), { deprecatedFor: 'queue-scorer' }),
  {
    type: 'test-screener',
    kinds: ['Screener'],
    source: 'test',
    description: 'keeps named endpoints',
    params: z.strictObject({ keep: z.array(z.string()).default([]) }),
    create: (name, p) => new KeepScreener(name, (p as { keep: string[] }).keep),
  },
  {
    type: 'test-header',
    kinds: ['RequestHeaderProcessor'],
    source: 'test',
    description: 'writes agent-identity or fails (-1 = untyped)',
    params: z.strictObject({ identity: z.string().nullable().default(null), fail: z.number().int().nullable().default(null) }),
    create: (name, p) => {
      const q = p as { identity: string | null; fail: number | null };
      return new HeaderProc(name, q.identity, q.fail);
    },
  },
  {
    type: 'test-prerequest',
    kinds: ['PreRequest'],
    source: 'test',
    description: 'fails with a status (null = untyped)',
    params: z.strictObject({ status: z.number().int().nullable().default(null) }),
    create: (name, p) => new FailingPreRequest(name, (p as { status: number | null }).status),
  },
  testAdmissionDef,
  {
    type: 'test-source',
    kinds: ['DataSource'],
    source: 'test',
    description: 'polling source',
    params: z.strictObject({ interval: durationUs.optional() }),
    create: (name) => ({ name, type: 'test-source' }),
  },
  {
    type: 'test-parser',
    kinds: ['Parser'],
    source: 'test',
    description: 'claims the given paths',
    params: z.strictObject({ paths: z.array(z.string()).default([]) }),
    create: (name, p) => ({ name, type: 'test-parser', claimedPaths: (p as { paths: string[] }).paths }) as Plugin,
  },
  testScorerDef,
];

/** The llm-d-v0.10 catalog plus the stubs (a registered token-producer replaces the stub). */
export function llmdCatalog(): Map<string, PluginDefinition> {
  const m = new Map(defaultCatalog('llm-d-v0.10'));
  for (const s of stubs) if (!m.has(s.type)) m.set(s.type, s);
  return m;
}

export const LLMD_HEAD = 'apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\n';
