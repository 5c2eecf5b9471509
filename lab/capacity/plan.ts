/**
 * Runs a capacity question: builds one search per policy × fleet option (lab/capacity/search.ts),
 * turns every round's probes into cells (variant × policy × seed × rate) for ONE executor call,
 * judges each probe over its seeds (verdict.ts) and assembles the CapacityDocument. Fleet options
 * and replica counts are scenario variants built from Override lists; variant 0 is the scenario as
 * loaded. Variants are numbered in the order the (deterministic) searches first ask for them, so
 * the document is byte-identical however the cells ran.
 */
import type { Cell } from '../cells/cell.js';
import type { CellExecutor } from '../cells/executor.js';
import { loadRecipe, type ScenarioRecipe } from '../cells/recipe.js';
import { UserError } from '../../sim/core/errors.js';
import { gpuPrices } from '../../sim/autoscale/cost.js';
import { hasPools, poolsOf } from '../../sim/pools/resolve.js';
import type { Override } from '../../sim/scenario/overrides/types.js';
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import { costOf, paretoFront } from './cost.js';
import type { FleetOption } from './flags.js';
import { runSearches, type ProbeRequest, type SearchResult, type SearchSpec } from './search.js';
import type { CapacityAnswer, CapacityDocument, CapacitySlo, Probe } from './types.js';
import { CAPACITY_CONFIDENCE, CAPACITY_RULE, judgeProbe } from './verdict.js';
import { RECORDS_KEPT, STREAMED_FROM, requestsPerRun } from '../../sim/metrics/stream/recordsKept.js';

export interface CapacityQuestion {
  readonly question: 'max-rate' | 'min-replicas' | 'options';
  readonly recipe: ScenarioRecipe;
  readonly slo: CapacitySlo;
  readonly seeds: readonly number[];
  readonly tolerance: number;
  /** --max-rate / --options: bounds to start from; else the scenario's rate. */
  readonly rateLow?: number;
  readonly rateHigh?: number;
  /** --rates: a fixed ladder instead of the search. */
  readonly ladder?: readonly number[];
  /** --min-replicas RATE, or --options with --rate R (a single probe). */
  readonly rate?: number;
  readonly gpus?: readonly string[];
  readonly replicasPath?: string;
  readonly options?: readonly FleetOption[];
  /** $/GPU-hour on top of the built-in table and the scenario's gpu_prices. */
  readonly prices: Readonly<Record<string, number>>;
  readonly version: string;
}

/** The scenario variants of an experiment: variant 0 = no overrides; others by first request. */
export class Variants {
  private readonly lists: (readonly Override[])[] = [[]];
  private readonly index = new Map<string, number>([['[]', 0]]);
  private readonly configs = new Map<number, ScenarioConfig>();
  constructor(private readonly recipe: ScenarioRecipe, base: ScenarioConfig) {
    this.configs.set(0, base);
  }
  of(overrides: readonly Override[]): number {
    const key = JSON.stringify(overrides.map((o) => [o.path, o.value]));
    let v = this.index.get(key);
    if (v === undefined) {
      v = this.lists.length;
      this.lists.push(overrides);
      this.index.set(key, v);
    }
    return v;
  }
  overrides = (v: number): readonly Override[] => this.lists[v] ?? [];
  config = (v: number): ScenarioConfig => {
    let c = this.configs.get(v);
    if (c === undefined) {
      c = loadRecipe(this.recipe, this.lists[v]);
      this.configs.set(v, c);
    }
    return c;
  };
}

/** One search: which policy of which variant, and how a probed point becomes a variant and a rate. */
interface Subject {
  readonly policy: number;
  readonly policyName: string;
  readonly option?: string;
  readonly replicasPath?: string;
  readonly spec: SearchSpec;
  /** The variant and rate of a probed point (a rate, or a replica count). */
  cellOf(point: number): { variant: number; rate: number };
  /** The variant costed with the answer. */
  costVariant(answer: number | null): number;
}

function rateSpec(q: CapacityQuestion, start: number): SearchSpec {
  if (q.ladder !== undefined) return { kind: 'ladder', rates: q.ladder };
  if (q.question === 'options' && q.rate !== undefined) return { kind: 'single', rate: q.rate };
  return { kind: 'rate', start, tolerance: q.tolerance, ...(q.rateLow !== undefined ? { low: q.rateLow } : {}), ...(q.rateHigh !== undefined ? { high: q.rateHigh } : {}) };
}

interface ReplicaPath {
  readonly count: string;
  readonly gpu: string | null;
  readonly label: string | null;
  /** Counts are multiples of this: the group's data_parallel (DP ranks step together). */
  readonly step: number;
}

/**
 * Replica-count paths --min-replicas searches for one policy, each with the GPU path of the same
 * replicas: --replicas-path; else a policy's own replica groups (`policies.<name>.replicas[i]`,
 * each group in turn, e.g. the prefill then the decode count of an xPyD split); else
 * `fleet.replicas`; else each pool's first group in turn.
 */
export function replicaPaths(q: CapacityQuestion, base: ScenarioConfig, policy: number): ReplicaPath[] {
  if (q.replicasPath !== undefined) {
    const m = /^(.*)\.count$/.exec(q.replicasPath);
    const gpu = q.replicasPath === 'fleet.replicas' ? 'fleet.gpu' : m !== null ? `${m[1]}.gpu` : null;
    if (q.gpus !== undefined && gpu === null) throw new UserError(`--gpus: cannot tell which GPU field goes with --replicas-path ${q.replicasPath} (fix: use a replica group's .count path, e.g. pools.llm.replicas[0].count, or drop --gpus)`);
    return [{ count: q.replicasPath, gpu, label: null, step: 1 }];
  }
  const spec = base.policies[policy]!;
  if (spec.replicas !== undefined && spec.replicas.length > 0) {
    const groups = spec.replicas;
    return groups.map((g, i) => {
      const at = `policies.${spec.name}.replicas[${i}]`;
      return { count: `${at}.count`, gpu: `${at}.gpu`, label: groups.length > 1 ? `group=${g.labels['llm-d.ai/role'] ?? i}` : null, step: g.data_parallel ?? 1 };
    });
  }
  if (!hasPools(base)) return [{ count: 'fleet.replicas', gpu: 'fleet.gpu', label: null, step: base.fleet.data_parallel ?? 1 }];
  const pools = poolsOf(base);
  return pools.map((p) => ({ count: `pools.${p.name}.replicas[0].count`, gpu: `pools.${p.name}.replicas[0].gpu`, label: pools.length > 1 ? `pool=${p.name}` : null, step: p.replicas[0]!.data_parallel ?? 1 }));
}

function subjects(q: CapacityQuestion, base: ScenarioConfig, variants: Variants): Subject[] {
  const out: Subject[] = [];
  const policies = (v: number): number => variants.config(v).policies.length;
  if (q.question === 'min-replicas') {
    const rate = q.rate!;
    for (const gpu of q.gpus ?? [null]) {
      for (let p = 0; p < policies(0); p++) {
        for (const path of replicaPaths(q, base, p)) {
          const baseOv: Override[] = gpu === null ? [] : [{ path: path.gpu!, value: gpu, source: `--gpus: ${path.gpu}=${gpu}` }];
          const label = [gpu === null ? null : `gpu=${gpu}`, path.label].filter((x) => x !== null).join(', ');
          const variantOf = (n: number): number => variants.of([...baseOv, { path: path.count, value: n, source: `--min-replicas: ${path.count}=${n}` }]);
          out.push({ policy: p, policyName: base.policies[p]!.name, ...(label !== '' ? { option: label } : {}), replicasPath: path.count, spec: { kind: 'replicas', ...(path.step > 1 ? { step: path.step } : {}) }, cellOf: (n) => ({ variant: variantOf(n), rate }), costVariant: (n) => variantOf(n ?? 1) });
        }
      }
    }
    return out;
  }
  const opts: { name?: string; variant: number }[] = q.question === 'options' ? q.options!.map((o) => ({ name: o.name, variant: variants.of(o.overrides) })) : [{ variant: 0 }];
  for (const o of opts) {
    const sc = variants.config(o.variant);
    for (let p = 0; p < sc.policies.length; p++) {
      out.push({ policy: p, policyName: sc.policies[p]!.name, ...(o.name !== undefined ? { option: o.name } : {}), spec: rateSpec(q, sc.workload.arrival.rate), cellOf: (rate) => ({ variant: o.variant, rate }), costVariant: () => o.variant });
    }
  }
  return out;
}

/**
 * Answers the question, running its cells with `exec`. A probe of more than STREAMED_FROM requests
 * keeps no request records (a streamed summary, as `routesim run`: the same figures up to 1,000,000
 * requests); the document counts the probes of more than `recordsKept` requests, whose backlog and,
 * past 1,000,000 completed requests, percentiles come from time bins and sketches (within 0.5 %).
 */
export async function answerCapacity(q: CapacityQuestion, base: ScenarioConfig, variants: Variants, exec: CellExecutor, onRound?: (cells: number) => void, recordsKept = RECORDS_KEPT): Promise<CapacityDocument> {
  const subs = subjects(q, base, variants);
  let streamedProbes = 0;
  const probe = async (requests: readonly ProbeRequest[]): Promise<Probe[]> => {
    const cells: Cell[] = [];
    const where = requests.map((r) => {
      const s = subs[r.search]!;
      const { variant, rate } = s.cellOf(r.point);
      const perRun = requestsPerRun(variants.config(variant), rate);
      const large = perRun > recordsKept;
      if (large) streamedProbes++;
      const streamed = large || perRun > STREAMED_FROM;
      for (const seed of q.seeds) cells.push({ variant, policy: s.policy, seed, rate, profiles: false, timeseries: false, ...(streamed ? { streamed: true } : {}), ...(large ? { sketched: true } : {}) });
      return { variant, rate };
    });
    onRound?.(cells.length);
    const results = await exec.run(cells);
    return requests.map((r, i) => {
      const summaries = results.slice(i * q.seeds.length, (i + 1) * q.seeds.length).map((x) => x.summary);
      const isReplicas = subs[r.search]!.spec.kind === 'replicas';
      return judgeProbe({ rate: where[i]!.rate, ...(isReplicas ? { replicas: r.point } : {}), seeds: q.seeds, summaries }, q.slo);
    });
  };
  const results = await runSearches(subs.map((s) => s.spec), probe);
  const answers = subs.map((s, i) => answerOf(q, s, results[i]!, variants));
  return {
    routesim: { version: q.version, kind: 'capacity' },
    question: q.question,
    scenario: q.recipe.path,
    slo: q.slo,
    rule: CAPACITY_RULE,
    confidence: CAPACITY_CONFIDENCE,
    seeds: q.seeds,
    tolerance: q.tolerance,
    answers: q.question === 'options' ? withPareto(answers) : answers,
    ...(q.question === 'min-replicas' ? { rate: q.rate! } : {}),
    ...(q.ladder !== undefined ? { rates: q.ladder } : {}),
    ...(streamedProbes > 0 ? { streamed_probes: streamedProbes } : {}),
  };
}

function answerOf(q: CapacityQuestion, s: Subject, r: SearchResult, variants: Variants): CapacityAnswer {
  const replicas = s.spec.kind === 'replicas';
  const base = {
    policy: s.policyName,
    ...(s.option !== undefined ? { option: s.option } : {}),
    max_rate: replicas ? q.rate! : r.answer,
    ...(replicas ? { min_replicas: r.answer, replicas_path: s.replicasPath! } : {}),
    bracket: r.bracket,
    converged: r.converged,
    probes: r.probes,
    ...(r.nonMonotone ? { non_monotone: true } : {}),
  };
  // No cost for the plain max-rate question, nor for a replica search that found no count.
  if (q.question === 'max-rate' || (replicas && r.answer === null)) return base;
  const v = s.costVariant(r.answer);
  const config = variants.config(v);
  const prices = { ...(config.gpu_prices ?? {}), ...q.prices };
  const at = r.answer === null ? undefined : r.probes.find((p) => (replicas ? p.replicas === r.answer : p.rate === r.answer) && p.pass);
  const what = s.option !== undefined ? `option ${s.option}` : 'the scenario';
  return { ...base, cost: costOf(config, config.policies[s.policy]!, gpuPrices(prices), base.max_rate, at, what) };
}


function withPareto(answers: CapacityAnswer[]): CapacityAnswer[] {
  const front = paretoFront(answers.map((a) => ({ usd: a.cost!.usd_per_hour, rate: a.max_rate })));
  return answers.map((a, i) => ({ ...a, pareto: front[i]! }));
}
