/**
 * Stub plugins for the loader, director and handler tests (helper A): small plugins whose behaviour
 * the test controls (fixed scores, a filter keeping named endpoints, a detector with a settable
 * saturation, recorders of every hook), added to the real catalog under `test-*` type names.
 */
import { z } from 'zod';
import { defaultCatalog } from '../../policies/config/loader.js';
import { ParamError, type PluginDefinition } from '../../policies/framework/registry.js';
import type {
  Admission,
  CycleContext,
  Filter,
  KvEventListener,
  LLMRequest,
  PdDecider,
  PreRequest,
  PrepareData,
  ResponseComplete,
  ResponseInfo,
  SaturationDetector,
  SchedEndpoint,
  SchedulingResult,
  Scorer,
} from '../../policies/framework/types.js';
import type { KvEvent } from '../../policies/types.js';

export class FixedScorer implements Scorer {
  readonly type = 'test-scorer';
  readonly category = 'Distribution' as const;
  constructor(
    readonly name: string,
    public scores: Record<string, number>,
  ) {}
  score(_c: CycleContext, _r: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const e of endpoints) if (this.scores[e.name] !== undefined) m.set(e.name, this.scores[e.name]!);
    return m;
  }
}

/** Keeps the endpoints named in `keep` (null = all), or those whose label `role` is in `roles`. */
export class KeepFilter implements Filter {
  readonly type = 'test-filter';
  calls = 0;
  constructor(
    readonly name: string,
    public keep: string[] | null,
    public roles: string[] | null,
  ) {}
  filter(_c: CycleContext, _r: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    this.calls++;
    return endpoints.filter((e) => (this.keep === null || this.keep.includes(e.name)) && (this.roles === null || this.roles.includes(e.labels.role ?? '')));
  }
}

export class SettableDetector implements SaturationDetector {
  readonly type = 'test-detector';
  calls = 0;
  constructor(
    readonly name: string,
    public value: number,
  ) {}
  saturation(): number {
    this.calls++;
    return this.value;
  }
}

export class Denier implements Admission {
  readonly type = 'test-admission';
  constructor(
    readonly name: string,
    public deny: string | null,
  ) {}
  admitRequest(): string | null {
    return this.deny;
  }
}

export class StubProducer implements PrepareData {
  readonly type = 'test-producer';
  constructor(
    readonly name: string,
    readonly produces: string[],
    readonly consumes: string[],
    readonly throws: boolean,
  ) {}
  prepareRequestData(_c: CycleContext, _r: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    if (this.throws) throw new Error(`${this.name} failed`);
    for (const e of endpoints) e.attributes.set(this.name, true);
  }
}

export interface Call {
  hook: string;
  id: string;
  detail?: unknown;
}

/** Records PreRequest, ResponseComplete (sets a response header) and KV events into `calls`. */
export class Recorder implements PreRequest, ResponseComplete, KvEventListener {
  readonly type = 'test-recorder';
  readonly calls: Call[] = [];
  constructor(readonly name: string) {}
  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    ctx.pluginState.write(req.id, this.name, 'seen');
    this.calls.push({ hook: 'preRequest', id: req.id, detail: result.primaryProfileName });
  }
  responseComplete(ctx: CycleContext, req: LLMRequest, response: ResponseInfo): void {
    this.calls.push({ hook: 'responseComplete', id: req.id, detail: [response.endpoint, ctx.pluginState.read(req.id, this.name)] });
    response.headers.set('x-test-served-by', response.endpoint);
  }
  kvEvent(_nowUs: number, endpoint: string, event: KvEvent): void {
    this.calls.push({ hook: 'kvEvent', id: endpoint, detail: event.kind });
  }
}

export class StubDecider implements PdDecider {
  readonly type = 'test-decider';
  readonly asked: string[] = [];
  constructor(
    readonly name: string,
    public answer: boolean,
  ) {}
  disaggregate(_c: CycleContext, _r: LLMRequest, decode: SchedEndpoint): boolean {
    this.asked.push(decode.name);
    return this.answer;
  }
}

/** `test-scorer` (fixed scores) and `test-admission` (denies with a reason), shared with llmdStubs.ts. */
export const testScorerDef: PluginDefinition = {
    type: 'test-scorer',
    kinds: ['Scorer'],
    source: 'test',
    description: 'fixed scores',
    params: z.strictObject({ scores: z.record(z.string(), z.number()).default({}) }),
    create: (name, p) => new FixedScorer(name, (p as { scores: Record<string, number> }).scores),
  };
export const testAdmissionDef: PluginDefinition = {
    type: 'test-admission',
    kinds: ['Admission'],
    source: 'test',
    description: 'denies with a reason',
    params: z.strictObject({ deny: z.string().nullable().default(null) }),
    create: (name, p) => new Denier(name, (p as { deny: string | null }).deny),
  };

const stubs: PluginDefinition[] = [
  testScorerDef,
  {
    type: 'test-filter',
    kinds: ['Filter'],
    source: 'test',
    description: 'keeps named endpoints / roles',
    params: z.strictObject({ keep: z.array(z.string()).nullable().default(null), roles: z.array(z.string()).nullable().default(null) }),
    create: (name, p) => {
      const q = p as { keep: string[] | null; roles: string[] | null };
      return new KeepFilter(name, q.keep, q.roles);
    },
  },
  {
    type: 'test-detector',
    kinds: ['SaturationDetector'],
    source: 'test',
    description: 'settable saturation',
    params: z.strictObject({ value: z.number().default(0) }),
    create: (name, p) => new SettableDetector(name, (p as { value: number }).value),
  },
  testAdmissionDef,
  {
    type: 'test-producer',
    kinds: ['PrepareData'],
    source: 'test',
    description: 'produces/consumes keys',
    params: z.strictObject({ produces: z.array(z.string()).default([]), consumes: z.array(z.string()).default([]), throws: z.boolean().default(false) }),
    create: (name, p) => {
      const q = p as { produces: string[]; consumes: string[]; throws: boolean };
      return new StubProducer(name, q.produces, q.consumes, q.throws);
    },
  },
  {
    type: 'test-recorder',
    kinds: ['PreRequest', 'ResponseComplete', 'KvEventListener'],
    source: 'test',
    description: 'records hooks',
    params: z.strictObject({}),
    create: (name) => new Recorder(name),
  },
  {
    type: 'test-decider',
    kinds: ['PdDecider'],
    source: 'test',
    description: 'fixed P/D answer',
    params: z.strictObject({ answer: z.boolean().default(false) }),
    create: (name, p) => new StubDecider(name, (p as { answer: boolean }).answer),
  },
  {
    type: 'test-param',
    kinds: ['Scorer'],
    source: 'test',
    description: 'cross-field parameter check like the prefix plugins',
    params: z.strictObject({ blockSize: z.number().default(0), blockSizeTokens: z.number().default(16) }),
    create: (name, p) => {
      const q = p as { blockSize: number; blockSizeTokens: number };
      if (q.blockSize > 0 && q.blockSizeTokens <= 0) throw new ParamError('blockSizeTokens', 'must be > 0 when blockSize is set');
      return new FixedScorer(name, {});
    },
  },
];

/** The real catalog plus the `test-*` stubs. */
export function testCatalog(): Map<string, PluginDefinition> {
  const m = new Map(defaultCatalog());
  for (const s of stubs) m.set(s.type, s);
  return m;
}

export const HEAD = 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\n';
