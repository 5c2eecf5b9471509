/**
 * Scenario loading: YAML text → strict schema check (schema.ts) → cross-field checks → the
 * resolved `ScenarioConfig`. Every failure is a `UserError` with one line
 * `<file>: <path>: <problem> (fix: <how>)`; no yaml or zod error escapes.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseDocument } from 'yaml';
import { inputError, UserError } from '../core/errors.js';
import { getModel } from '../hardware/catalog.js';
import type { AdapterSpec, LengthDist, SharedPrefixSpec, WorkloadSpec } from '../workload/spec.js';
import {
  BLIS_OVERHEADS,
  describeIssue,
  firstIssue,
  LINEAR_DEFAULTS,
  NO_OVERHEADS,
  PHYSICS_DEFAULTS,
  ScenarioSchema,
  TP_VALUES,
  type LengthInput,
  type ScenarioInput,
  type StepTimeInput,
} from './schema.js';
import type { EngineConfig, Overheads, PolicySpec, ScenarioConfig, StepTimeConfig } from './types.js';

/** Read and resolve a scenario file. */
export function loadScenarioFile(path: string): ScenarioConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read file (${code ?? String(err)})`;
    throw inputError(path, '', problem, 'pass the path of a scenario .yaml file, e.g. scenarios/quickstart.yaml');
  }
  return parseScenario(text, path);
}

/** Parse scenario YAML `text`; `file` names the source in messages and gives the default name. */
export function parseScenario(text: string, file: string): ScenarioConfig {
  const data = parseYaml(text, file);
  const parsed = ScenarioSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const issue = firstIssue(parsed.error.issues);
    if (!issue) throw inputError(file, '', 'invalid scenario', 'see scenarios/quickstart.yaml');
    const r = describeIssue(issue);
    throw inputError(file, r.path, r.problem, r.fix);
  }
  return resolve(parsed.data, file);
}

/** YAML text → plain JS value; syntax errors become `file:line:col: …`. */
function parseYaml(text: string, file: string): unknown {
  let doc;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw inputError(file, '', `cannot parse YAML: ${firstLine(err)}`, 'check the YAML syntax');
  }
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const msg = firstLine(err).replace(/ at line \d+, column \d+:?$/, '');
    const fix = err.code === 'DUPLICATE_KEY' ? 'remove or rename the repeated key' : 'correct the YAML at that position: check indentation, colons, quotes and brackets';
    throw inputError(where, '', `YAML syntax error: ${msg}`, fix);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw inputError(file, '', `cannot read YAML: ${firstLine(e)}`, 'simplify anchors/aliases');
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? '').trim();
}

/** Cross-field checks and the mapping from the validated input to `ScenarioConfig`. */
function resolve(input: ScenarioInput, file: string): ScenarioConfig {
  const fail = (path: string, problem: string, fix: string): UserError => inputError(file, path, problem, fix);

  if (input.requests == null && input.duration_s == null) {
    throw fail('requests', 'neither requests nor duration_s is set, so the run would never stop', 'add requests: <count> and/or duration_s: <seconds>');
  }

  // Fleet ------------------------------------------------------------------------------------
  const { fleet } = input;
  const model = getModel(fleet.model);
  if (model.heads % fleet.tp !== 0) {
    const ok = TP_VALUES.filter((t) => model.heads % t === 0).join(', ');
    throw fail('fleet.tp', `${model.name} has ${model.heads} attention heads, not divisible by tp ${fleet.tp}`, `use tp ${ok}`);
  }
  const e = fleet.engine;
  if (e.max_num_batched_tokens < e.max_num_seqs) {
    throw fail(
      'fleet.engine.max_num_batched_tokens',
      `max_num_batched_tokens (${e.max_num_batched_tokens}) is smaller than max_num_seqs (${e.max_num_seqs}); vLLM rejects this`,
      `raise max_num_batched_tokens to at least ${e.max_num_seqs} or lower max_num_seqs`,
    );
  }
  if (e.max_model_len !== null && e.max_model_len > model.max_model_len) {
    throw fail(
      'fleet.engine.max_model_len',
      `${e.max_model_len} exceeds ${model.name}'s context length ${model.max_model_len}`,
      `use at most ${model.max_model_len}, or remove it to use the model's`,
    );
  }
  const maxCpuLoras = e.max_cpu_loras ?? e.max_loras;
  if (maxCpuLoras < e.max_loras) {
    throw fail('fleet.engine.max_cpu_loras', `max_cpu_loras (${maxCpuLoras}) is smaller than max_loras (${e.max_loras})`, `set max_cpu_loras ≥ ${e.max_loras} or remove it (defaults to max_loras)`);
  }
  const engine: EngineConfig = { ...e, max_cpu_loras: maxCpuLoras };

  // Workload ---------------------------------------------------------------------------------
  const w = input.workload;
  if (w.arrival.cv !== 1 && w.arrival.process !== 'gamma') {
    throw fail('workload.arrival.cv', `cv ${w.arrival.cv} has no effect with process ${w.arrival.process}`, 'set process: gamma, or remove cv');
  }
  let sharedPrefix: SharedPrefixSpec | undefined;
  let inputDist: LengthDist;
  if (w.shared_prefix) {
    if (w.input !== undefined) {
      throw fail('workload.input', 'input is not used when shared_prefix is given (prompts are system_prompt_len + question_len tokens)', 'remove workload.input or workload.shared_prefix');
    }
    const sp = w.shared_prefix;
    if (sp.max_turns > 0 && !sp.enable_multi_turn_chat) {
      throw fail('workload.shared_prefix.max_turns', 'max_turns only applies to multi-turn chat', 'set enable_multi_turn_chat: true, or remove max_turns');
    }
    sharedPrefix = { ...sp };
    inputDist = { kind: 'constant', value: sp.system_prompt_len + sp.question_len };
  } else {
    if (w.input === undefined) {
      throw fail('workload.input', 'missing required key "input" (prompt length)', 'add input: <tokens> or a {dist: …} mapping, or give shared_prefix');
    }
    inputDist = resolveLength(w.input, 'workload.input', fail);
  }
  const output = resolveLength(w.output, 'workload.output', fail);

  const names = new Set<string>();
  w.adapters.forEach((a, i) => {
    if (names.has(a.name)) throw fail(`workload.adapters[${i}].name`, `adapter name ${JSON.stringify(a.name)} appears twice`, 'give each adapter a unique name');
    names.add(a.name);
    if (a.rank !== undefined && a.rank > e.max_lora_rank) {
      throw fail(`workload.adapters[${i}].rank`, `rank ${a.rank} exceeds fleet.engine.max_lora_rank ${e.max_lora_rank}`, `lower the rank or raise fleet.engine.max_lora_rank to ≥ ${a.rank}`);
    }
  });
  if (w.adapters.length > 0) {
    if (e.max_loras === 0) {
      throw fail('fleet.engine.max_loras', `workload.adapters lists ${w.adapters.length} adapter(s) but LoRA is disabled (max_loras is 0)`, 'set max_loras ≥ 1');
    }
    const total = w.adapters.reduce((s, a) => s + a.weight, 0) + w.base_model_weight;
    if (!(total > 0)) {
      throw fail('workload.adapters', 'adapter weights (plus base_model_weight) sum to 0', 'give at least one adapter a positive weight');
    }
  }
  const adapters: AdapterSpec[] = w.adapters.map((a) => ({ name: a.name, weight: a.weight, rank: a.rank ?? e.max_lora_rank }));

  const prios = new Set<number>();
  w.priorities.forEach((p, i) => {
    if (prios.has(p.priority)) throw fail(`workload.priorities[${i}].priority`, `priority ${p.priority} appears twice`, 'merge the two entries into one');
    prios.add(p.priority);
  });
  if (w.priorities.length > 0 && !(w.priorities.reduce((s, p) => s + p.weight, 0) > 0)) {
    throw fail('workload.priorities', 'priority weights sum to 0', 'give at least one priority class a positive weight');
  }

  const workload: WorkloadSpec = {
    arrival: { ...w.arrival },
    input: inputDist,
    output,
    ...(sharedPrefix ? { shared_prefix: sharedPrefix } : {}),
    adapters,
    base_model_weight: w.base_model_weight,
    priorities: w.priorities.map((p) => ({ ...p })),
  };

  // Policies ---------------------------------------------------------------------------------
  const policies: PolicySpec[] = input.policies.map((p) => (typeof p === 'string' ? { name: p, type: p } : { name: p.name ?? p.type, type: p.type }));
  const seen = new Map<string, number>();
  policies.forEach((p, i) => {
    const prev = seen.get(p.name);
    if (prev !== undefined) {
      throw fail(`policies[${i}]`, `policy name ${JSON.stringify(p.name)} is already used by policies[${prev}]`, `give one of them a distinct name, e.g. {name: ${p.name}-2, type: ${p.type}}`);
    }
    seen.set(p.name, i);
  });

  return {
    name: input.name ?? basename(file, extname(file)),
    description: input.description,
    seed: input.seed,
    requests: input.requests ?? null,
    duration_s: input.duration_s ?? null,
    fleet: { replicas: fleet.replicas, gpu: fleet.gpu, model: fleet.model, tp: fleet.tp, engine },
    step_time: resolveStepTime(input.step_time),
    lora_load: { ...input.lora_load },
    gateway: { ...input.gateway },
    workload,
    policies,
    slo: { ...input.slo },
  };
}

function resolveOverheads(o: boolean | Partial<Overheads>): Overheads {
  if (o === true) return { ...BLIS_OVERHEADS };
  if (o === false) return { ...NO_OVERHEADS };
  return { ...BLIS_OVERHEADS, ...stripUndefined(o) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveStepTime(st: StepTimeInput | undefined): StepTimeConfig {
  if (st === undefined) return { model: 'physics', coefficients: { ...PHYSICS_DEFAULTS }, overheads: { ...BLIS_OVERHEADS } };
  if (st.model === 'linear') {
    return { model: 'linear', coefficients: { ...LINEAR_DEFAULTS, ...stripUndefined(st.coefficients ?? {}) }, overheads: resolveOverheads(st.overheads) };
  }
  return { model: 'physics', coefficients: { ...PHYSICS_DEFAULTS, ...stripUndefined(st.coefficients ?? {}) }, overheads: resolveOverheads(st.overheads) };
}

/** `<length>` input → LengthDist, applying min/max defaults and checking min ≤ max. */
function resolveLength(l: LengthInput, path: string, fail: (path: string, problem: string, fix: string) => UserError): LengthDist {
  if (typeof l === 'number') return { kind: 'constant', value: l };
  switch (l.dist) {
    case 'constant':
      return { kind: 'constant', value: l.value };
    case 'uniform':
      if (l.min > l.max) throw fail(`${path}.max`, `max ${l.max} is below min ${l.min}`, 'make max ≥ min');
      return { kind: 'uniform', min: l.min, max: l.max };
    case 'normal':
    case 'lognormal': {
      const min = l.min ?? 1;
      const max = l.max ?? Math.round(l.mean + 10 * l.std);
      if (min > max) {
        const what = l.max === undefined ? `the default max (mean + 10·std = ${max})` : `max ${max}`;
        throw fail(`${path}.max`, `${what} is below min ${min}`, 'set max ≥ min');
      }
      return { kind: l.dist, mean: l.mean, std: l.std, min, max };
    }
    case 'empirical': {
      if (l.values.length !== l.weights.length) {
        throw fail(`${path}.weights`, `${l.weights.length} weights for ${l.values.length} values`, 'give one weight per value');
      }
      if (!(l.weights.reduce((s, x) => s + x, 0) > 0)) throw fail(`${path}.weights`, 'weights sum to 0', 'give at least one value a positive weight');
      return { kind: 'empirical', values: [...l.values], weights: [...l.weights] };
    }
  }
}
