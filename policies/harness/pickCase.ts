/**
 * `routesim pick`: runs a hand-written case — an EndpointPickerConfig, a pool of endpoints with
 * given metrics, and a sequence of requests — through the production request lifecycle
 * (framework/director.ts) and reports, per request, the outcome and why: survivors of each filter,
 * every scorer's scores, the weighted totals and the pick of every profile that ran.
 *
 * Plugin state (prefix index, in-flight counters, LRU) carries over from request to request, so a
 * case can build up state with earlier requests. The case's clock is `timeMs` per request.
 *
 * Pure apart from reading the case and config files; never imports the simulator.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import seedrandom from 'seedrandom';
import { decodeUtf8, parseYamlText, positioned } from '../util/userText.js';
import { z } from 'zod';
import { ConfigError, joinPath } from '../config/errors.js';
import { loadPickerConfig, parseConfigText, type LoadOptions } from '../config/loader.js';
import { issueToConfigError } from '../config/zodIssues.js';
import { EndpointPicker, HEADER_FAIRNESS_ID, type Decision } from '../framework/director.js';
import type { ProfileTrace } from '../framework/scheduler.js';
import type { ChatMessage, LLMRequest, Prompt } from '../framework/types.js';
import type { Pins } from './pins.js';
import type { EndpointMetrics, KvEvent } from '../types.js';
import { checkExpectations } from './expect.js';
import { withPins } from './pins.js';

// ---------------------------------------------------------------------------------------------
// Case schema

const metricsFields = {
  // Ranges as vLLM reports them (kv_cache_usage_perc is a fraction), with finite upper bounds.
  waiting: z.number().int().min(0).max(1e6).describe('vllm:num_requests_waiting'),
  running: z.number().int().min(0).max(1e6).describe('vllm:num_requests_running'),
  kvUsage: z.number().min(0).max(1).describe('vllm:kv_cache_usage_perc, 0..1'),
  activeAdapters: z.array(z.string()).describe('running LoRA adapters'),
  waitingAdapters: z.array(z.string()).describe('waiting LoRA adapters'),
  maxLoras: z.number().int().min(0).max(4096).describe('max_lora'),
  blockSize: z.number().int().min(0).max(1024).describe('cache_config_info block_size'),
  numGpuBlocks: z.number().int().min(0).max(1e7).describe('cache_config_info num_gpu_blocks (0 = unknown)'),
  ageMs: z.number().min(0).max(3.6e6).describe('how old the scrape is at each request'),
};
const metricsSchema = z.strictObject(metricsFields).partial();
type CaseMetrics = z.output<typeof metricsSchema>;

const contentBlock = z.strictObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.unknown().optional(),
  input_audio: z.unknown().optional(),
  video_url: z.unknown().optional(),
});
const messageSchema = z.strictObject({ role: z.string().optional(), content: z.union([z.string(), z.array(contentBlock)]) });

const scoresByEndpoint = z.record(z.string(), z.number());
const profileExpect = z.strictObject({
  picked: z.array(z.string()).nullable().optional(),
  totals: scoresByEndpoint.optional(),
  scores: z.record(z.string(), scoresByEndpoint).optional(),
  survivors: z.record(z.string(), z.array(z.string())).optional(),
  error: z.string().optional(),
});
const expectSchema = z.strictObject({
  pick: z.string().optional(),
  outcome: z.union([z.literal('dispatched'), z.literal('queued'), z.literal(400), z.literal(401), z.literal(403), z.literal(404), z.literal(412), z.literal(429), z.literal(500), z.literal(503)]).optional(),
  /** llm-d-router v0.10.0: the x-llm-d-request-dropped-reason value (null = none). */
  dropReason: z.string().nullable().optional(),
  fallbacks: z.array(z.string()).optional(),
  /** Σ weight × score per endpoint of the primary profile (to 1e-9). */
  totals: scoresByEndpoint.optional(),
  /** Per scorer instance (primary profile). */
  scores: z.record(z.string(), scoresByEndpoint).optional(),
  /** Per filter instance (primary profile). */
  survivors: z.record(z.string(), z.array(z.string())).optional(),
  /** Profiles that ran, in order. */
  ran: z.array(z.string()).optional(),
  /** Per profile by name. */
  profiles: z.record(z.string(), profileExpect).optional(),
  responseHeaders: z.record(z.string(), z.string()).optional(),
  targetModel: z.string().optional(),
  priority: z.number().optional(),
  /** Substring of the rejection reason. */
  reason: z.string().optional(),
  /** Saturation the detector reports for the candidates (to 1e-9). */
  saturation: z.number().optional(),
});
export type PickExpect = z.output<typeof expectSchema>;

const kvEventSchema = z.strictObject({
  endpoint: z.string(),
  kind: z.enum(['stored', 'removed', 'cleared']),
  keys: z.array(z.number().int()).default([]),
});

const requestSchema = z.strictObject({
  id: z.string().min(1).optional(),
  model: z.string().min(1),
  /** Completions prompt (a list is joined with " " as the parser does). */
  prompt: z.union([z.string(), z.array(z.string())]).optional(),
  /** Chat messages. */
  messages: z.array(messageSchema).optional(),
  headers: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  timeMs: z.number().min(0).optional(),
  metrics: z.record(z.string(), metricsSchema).optional(),
  kvEvents: z.array(kvEventSchema).optional(),
  complete: z.boolean().optional(),
  /** Raw body size in bytes (default: the UTF-8 length of the JSON body {model, prompt|messages}). */
  bytes: z.number().int().min(0).nullable().optional(),
  /** Engine KV block keys of the prompt (precise prefix scoring). */
  blockKeys: z.array(z.number().int()).optional(),
  /** The request's InferenceObjective priority when no objective header sets it (default 0). */
  priority: z.number().int().optional(),
  /** Replays (fromDecision.ts): these scorer instances return these raw scores for this request. */
  pinScores: z.record(z.string(), scoresByEndpoint).optional(),
  /** Replays: these filter instances keep exactly these endpoints (of those they are given) for this request. */
  pinSurvivors: z.record(z.string(), z.array(z.string())).optional(),
  /** Replays: the picker's random stream returns these uniform draws first for this request (then continues). */
  rngDraws: z.array(z.number().min(0).lt(1)).optional(),
  expect: expectSchema.optional(),
});

const endpointSchema = z.strictObject({
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()).optional(),
  address: z.string().optional(),
  metrics: metricsSchema.nullable().optional(),
  /** Static endpoint attributes by key (e.g. `Topology/topology-extractor`, `GPUUtilization/dcgm-extractor`). */
  attributes: z.record(z.string(), z.unknown()).optional(),
});

export const pickCaseSchema = z.strictObject({
  description: z.string().optional(),
  /** User plugin modules (.js/.mjs, relative to the case file); `routesim pick` loads them first (cli/pluginModules.ts). */
  plugin_modules: z.array(z.string().min(1)).max(64).optional(),
  config: z.union([z.string(), z.strictObject({ path: z.string().min(1) })]).optional(),
  seed: z.number().int().default(1),
  objectives: z.record(z.string(), z.number().int()).optional(),
  modelRewrites: z
    .array(z.strictObject({ model: z.string().min(1), targets: z.array(z.strictObject({ model: z.string().min(1), weight: z.number().int().min(0) })).min(1) }))
    .optional(),
  endpoints: z.array(endpointSchema).min(1),
  requests: z.array(requestSchema).min(1),
  /** llm-d-router v0.10.0 `--allow-experimental-plugins` (default false): Alpha plugin types load only when true. */
  allowExperimentalPlugins: z.boolean().optional(),
});
export type PickCase = z.output<typeof pickCaseSchema>;

// ---------------------------------------------------------------------------------------------
// Output

export type Outcome = 'dispatched' | 'queued' | 400 | 401 | 403 | 404 | 412 | 429 | 500 | 503;

export interface PickResult {
  request: number;
  id: string;
  outcome: Outcome;
  reason?: string;
  /** llm-d-router v0.10.0 drop-reason header value, when set. */
  dropReason?: string;
  target?: string;
  fallbacks?: string[];
  /** Model after InferenceModelRewrite. */
  targetModel: string;
  priority: number;
  /** Name of the primary profile (dispatched requests). */
  primaryProfile?: string;
  profiles: ProfileTrace[];
  saturation?: number;
  /** Headers ResponseComplete plugins set (requests with `complete: true`). */
  responseHeaders?: Record<string, string>;
}

export interface PickOutput {
  readonly results: PickResult[];
  /** Every `expect` block's mismatches, one message each ([] = all met); see expect.ts. */
  readonly mismatches: string[];
}

/** A case mistake: the file it is in, and the ConfigError's path/problem/fix. */
export class PickCaseError extends ConfigError {
  constructor(
    readonly file: string,
    path: string,
    problem: string,
    fix: string,
  ) {
    super(path, problem, fix);
    this.name = 'PickCaseError';
  }
}

// ---------------------------------------------------------------------------------------------
// Running

export interface RunOptions extends LoadOptions {
  /** The case file (for relative config paths and error messages). */
  readonly file?: string;
}

/** Reads and runs a case file (YAML or JSON). */
export function runPickCaseFile(path: string, opts: LoadOptions = {}): PickOutput {
  const text = readCaseText(path, 'give the path of a pick case file');
  const parsed = parseYamlText(text);
  if ('error' in parsed) throw new PickCaseError(positioned(path, parsed.error), '', parsed.error.problem, parsed.error.fix);
  return runPickCase(parsed.value, { ...opts, file: path });
}

/** A case or config file's text: strict UTF-8 (an invalid byte names the line), read errors in words. */
function readCaseText(path: string, fix: string): string {
  let bytes: Buffer;
  let fd: number | null = null;
  try {
    // Non-blocking open (a FIFO cannot hang); only a regular file is read (/dev/zero never ends).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile() && !st.isDirectory()) throw new PickCaseError(path, '', 'not a regular file', fix);
    bytes = readFileSync(fd);
  } catch (err) {
    if (err instanceof PickCaseError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new PickCaseError(path, '', code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read file (${code ?? String(err)})`, fix);
  } finally {
    if (fd !== null) closeSync(fd);
  }
  const r = decodeUtf8(bytes);
  if ('error' in r) throw new PickCaseError(positioned(path, r.error), '', r.error.problem, r.error.fix);
  return r.text;
}

/** Parses a case document (strict: unknown fields are errors). */
export function parsePickCase(doc: unknown, file = '<case>'): PickCase {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PickCaseError(file, '', 'a pick case must be a mapping', 'write endpoints: […] and requests: […]');
  const r = pickCaseSchema.safeParse(doc);
  if (!r.success) {
    const e = issueToConfigError(r.error, doc, pickCaseSchema);
    throw new PickCaseError(file, e.path, e.problem, e.fix);
  }
  const c = r.data;
  const names = new Set<string>();
  c.endpoints.forEach((e, i) => {
    if (names.has(e.name)) throw new PickCaseError(file, `endpoints[${i}].name`, `duplicate endpoint name "${e.name}"`, 'give each endpoint a unique name');
    names.add(e.name);
  });
  let prevT = 0;
  const ids = new Set<string>();
  c.requests.forEach((q, i) => {
    const p = `requests[${i}]`;
    if (q.prompt !== undefined && q.messages !== undefined) throw new PickCaseError(file, p, 'both prompt and messages', 'give prompt (completions) or messages (chat), not both');
    if (q.timeMs !== undefined) {
      if (q.timeMs < prevT) throw new PickCaseError(file, `${p}.timeMs`, `time goes back (${q.timeMs} < ${prevT})`, 'requests are scheduled in order; give non-decreasing times');
      prevT = q.timeMs;
    }
    const id = q.id ?? `req-${i}`;
    if (ids.has(id)) throw new PickCaseError(file, `${p}.id`, `duplicate request id "${id}"`, 'give each request a unique id');
    ids.add(id);
    for (const n of Object.keys(q.metrics ?? {})) {
      if (!names.has(n)) throw new PickCaseError(file, `${p}.metrics.${n}`, `no endpoint named "${n}"`, `endpoints: ${[...names].join(', ')}`);
    }
    (q.kvEvents ?? []).forEach((ev, j) => {
      if (!names.has(ev.endpoint)) throw new PickCaseError(file, `${p}.kvEvents[${j}].endpoint`, `no endpoint named "${ev.endpoint}"`, `endpoints: ${[...names].join(', ')}`);
    });
    if (q.expect) checkExpectNames(file, `${p}.expect`, q.expect, names);
  });
  return c;
}

/**
 * An `expect` block that names an endpoint the case does not have, or a negative saturation (the
 * detectors report ≥ 0; it is not capped at 1), can never hold: that is a mistake in the case (exit 2), not a picker that failed it (exit 1).
 */
function checkExpectNames(file: string, at: string, e: PickExpect, names: ReadonlySet<string>): void {
  const known = (path: string, name: string): void => {
    if (!names.has(name)) throw new PickCaseError(file, path, `no endpoint named "${name}", so this expectation can never hold`, `endpoints: ${[...names].join(', ')}`);
  };
  const endpointsIn = (path: string, x: { picked?: string[] | null; totals?: Record<string, number>; scores?: Record<string, Record<string, number>>; survivors?: Record<string, string[]> }): void => {
    (x.picked ?? []).forEach((n, j) => known(`${path}.picked[${j}]`, n));
    for (const n of Object.keys(x.totals ?? {})) known(`${path}.totals.${n}`, n);
    for (const [scorer, eps] of Object.entries(x.scores ?? {})) for (const n of Object.keys(eps)) known(`${path}.scores.${scorer}.${n}`, n);
    for (const [filter, eps] of Object.entries(x.survivors ?? {})) eps.forEach((n, j) => known(`${path}.survivors.${filter}[${j}]`, n));
  };
  if (e.pick !== undefined) known(`${at}.pick`, e.pick);
  (e.fallbacks ?? []).forEach((n, j) => known(`${at}.fallbacks[${j}]`, n));
  endpointsIn(at, e);
  for (const [profile, pe] of Object.entries(e.profiles ?? {})) endpointsIn(`${at}.profiles.${profile}`, pe);
  if (e.saturation !== undefined && !(e.saturation >= 0)) {
    throw new PickCaseError(file, `${at}.saturation`, `saturation is never negative, got ${e.saturation}`, 'give the saturation the detector should report, e.g. 0.5');
  }
}

/** Runs a parsed (or raw) case document. */
export function runPickCase(doc: unknown, opts: RunOptions = {}): PickOutput {
  const file = opts.file ?? '<case>';
  const c = parsePickCase(doc, file);
  let pins: Pins = {};
  const config = withPins(loadCaseConfig(c, file, c.allowExperimentalPlugins === undefined ? opts : { ...opts, allowExperimentalPlugins: c.allowExperimentalPlugins }), c.requests, () => pins);
  const seeded = seedrandom.alea(String(c.seed));
  // Replays hand back a logged decision's draws first (fromDecision.ts); other cases use the seeded stream as is.
  let replay: readonly number[] = [];
  let next = 0;
  const rng = c.requests.some((q) => q.rngDraws !== undefined) ? () => (next < replay.length ? replay[next++]! : seeded()) : seeded;
  const picker = new EndpointPicker(config, {
    rng,
    objectives: new Map(Object.entries(c.objectives ?? {})),
    modelRewrites: c.modelRewrites ?? [],
  });

  // The pool: case metrics (partial, defaulted; null = never scraped) → EndpointMetrics at each request's time.
  const caseMetrics: (CaseMetrics | null)[] = c.endpoints.map((e) => (e.metrics === null ? null : { ...e.metrics }));
  const indexOf = new Map(c.endpoints.map((e, index) => [e.name, index]));
  const pool: { name: string; index: number; labels: Record<string, string>; metrics: EndpointMetrics | null; address?: string; attributes?: Map<string, unknown> }[] = c.endpoints.map((e, index) => ({
    name: e.name,
    index,
    labels: e.labels ?? {},
    metrics: null,
    ...(e.address !== undefined ? { address: e.address } : {}),
    ...(e.attributes !== undefined ? { attributes: new Map(Object.entries(e.attributes)) } : {}),
  }));
  const refreshPool = (nowUs: number): void => {
    caseMetrics.forEach((m, i) => {
      pool[i]!.metrics = m === null ? null : toMetrics(m, nowUs);
    });
  };

  const results: PickResult[] = [];
  const indexOfId = new Map<string, number>();
  const completeOnDispatch = new Set<string>();
  const record = (i: number, d: Decision, nowUs: number): void => {
    const r = results[i]!;
    r.targetModel = d.request.targetModel;
    r.priority = d.request.priority;
    if (d.trace) {
      r.profiles = d.trace.profiles.map((p) => ({ ...p }));
      if (d.trace.saturation !== undefined) r.saturation = d.trace.saturation;
    }
    if (d.kind === 'queued') {
      r.outcome = 'queued';
      return;
    }
    if (d.kind === 'reject') {
      r.outcome = d.status;
      r.reason = d.reason;
      if (d.dropReason !== undefined) r.dropReason = d.dropReason;
      return;
    }
    r.outcome = 'dispatched';
    r.target = d.target;
    r.fallbacks = d.fallbacks;
    r.primaryProfile = d.result.primaryProfileName;
    delete r.reason;
    if (completeOnDispatch.has(d.requestId)) {
      const h = picker.responseComplete(d.requestId, d.target, nowUs);
      if (h.size > 0) r.responseHeaders = Object.fromEntries(h);
    }
  };
  const releaseQueued = (nowUs: number): void => {
    if (!picker.flowControlEnabled) return;
    for (const e of picker.expireQueued(nowUs)) {
      const r = results[indexOfId.get(e.requestId)!]!;
      r.outcome = e.status;
      r.reason = e.reason;
      if (e.dropReason !== undefined) r.dropReason = e.dropReason;
    }
    for (const d of picker.dispatchQueued(pool, nowUs, { trace: true })) record(indexOfId.get(d.requestId)!, d, nowUs);
  };

  let nowUs = 0;
  c.requests.forEach((q, i) => {
    if (q.timeMs !== undefined) nowUs = Math.round(q.timeMs * 1000);
    for (const [name, m] of Object.entries(q.metrics ?? {})) {
      const i = indexOf.get(name)!;
      caseMetrics[i] = { ...(caseMetrics[i] ?? {}), ...m };
    }
    refreshPool(nowUs);
    for (const ev of q.kvEvents ?? []) {
      const idx = indexOf.get(ev.endpoint)!;
      const event: KvEvent = ev.kind === 'cleared' ? { kind: 'cleared', index: idx } : { kind: ev.kind, index: idx, keys: ev.keys };
      picker.kvEvent(nowUs, ev.endpoint, event);
    }
    releaseQueued(nowUs);

    pins = q;
    replay = q.rngDraws ?? [];
    next = 0;
    const req = toRequest(q, i);
    indexOfId.set(req.id, i);
    if (q.complete) completeOnDispatch.add(req.id);
    results.push({ request: i, id: req.id, outcome: 'queued', targetModel: req.targetModel, priority: req.priority, profiles: [] });
    record(i, picker.handleRequest(req, pool, nowUs, { trace: true }), nowUs);
    if (results[i]!.outcome === 'queued') releaseQueued(nowUs);
  });
  const out = results.map(ordered);
  return { results: out, mismatches: checkExpectations(c, out) };
}

/** The result with its fields in reading order (outcome first, the trace last). */
function ordered(r: PickResult): PickResult {
  const o: Partial<PickResult> = { request: r.request, id: r.id, outcome: r.outcome };
  if (r.reason !== undefined) o.reason = r.reason;
  if (r.dropReason !== undefined) o.dropReason = r.dropReason;
  if (r.target !== undefined) o.target = r.target;
  if (r.fallbacks !== undefined) o.fallbacks = r.fallbacks;
  o.targetModel = r.targetModel;
  o.priority = r.priority;
  if (r.saturation !== undefined) o.saturation = r.saturation;
  if (r.responseHeaders !== undefined) o.responseHeaders = r.responseHeaders;
  if (r.primaryProfile !== undefined) o.primaryProfile = r.primaryProfile;
  o.profiles = r.profiles;
  return o as PickResult;
}

function loadCaseConfig(c: PickCase, file: string, opts: LoadOptions) {
  if (c.config === undefined) return loadPickerConfig(null, opts);
  if (typeof c.config === 'string') {
    try {
      return loadPickerConfig({ value: parseConfigText(c.config) }, opts);
    } catch (err) {
      if (err instanceof ConfigError) throw new PickCaseError(file, joinPath('config', err.path), err.problem, err.fix);
      throw err;
    }
  }
  const path = resolveConfigPath(c.config.path, file);
  if (!path) throw new PickCaseError(file, 'config.path', `config file "${c.config.path}" not found`, 'give a path relative to the case file or the repository root');
  const text = readCaseText(path, 'give config.path as an EndpointPickerConfig YAML file');
  try {
    return loadPickerConfig({ text }, opts);
  } catch (err) {
    if (err instanceof ConfigError) throw new PickCaseError(path, err.path, err.problem, err.fix);
    throw err;
  }
}

/** A config path relative to the case file's folder, else to the repository root (or cwd). */
export function resolveConfigPath(p: string, caseFile: string): string | null {
  if (isAbsolute(p)) return existsSync(p) ? p : null;
  const bases = [dirname(resolve(caseFile))];
  const root = findRepoRoot(dirname(resolve(caseFile)));
  if (root) bases.push(root);
  bases.push(process.cwd());
  for (const b of bases) {
    const full = join(b, p);
    if (existsSync(full)) return full;
  }
  return null;
}

function findRepoRoot(dir: string): string | null {
  for (let d = dir, i = 0; i < 20; i++) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'routesim') return d;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return null;
}

function toMetrics(m: CaseMetrics, nowUs: number): EndpointMetrics {
  return {
    waitingQueueSize: m.waiting ?? 0,
    runningRequestsSize: m.running ?? 0,
    kvCacheUsagePercent: m.kvUsage ?? 0,
    activeModels: m.activeAdapters ?? [],
    waitingModels: m.waitingAdapters ?? [],
    maxActiveModels: m.maxLoras ?? 0,
    cacheBlockSize: m.blockSize ?? 16,
    cacheNumGpuBlocks: m.numGpuBlocks ?? 0,
    prefixCacheQueriesTotal: 0,
    prefixCacheHitsTotal: 0,
    updateTimeUs: nowUs - Math.round((m.ageMs ?? 0) * 1000),
  };
}

type CaseRequest = PickCase['requests'][number];

function toRequest(q: CaseRequest, i: number): LLMRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(q.headers ?? {})) headers[k.toLowerCase()] = String(v);
  let prompt: Prompt;
  let body: string;
  if (q.messages !== undefined) {
    const messages = q.messages as ChatMessage[];
    prompt = { kind: 'chat', messages };
    body = JSON.stringify({ model: q.model, messages });
  } else {
    const text = Array.isArray(q.prompt) ? q.prompt.join(' ') : (q.prompt ?? '');
    prompt = { kind: 'completion', text };
    body = JSON.stringify({ model: q.model, prompt: q.prompt ?? '' });
  }
  const keys = q.blockKeys;
  return {
    id: q.id ?? `req-${i}`,
    model: q.model,
    targetModel: q.model,
    headers,
    prompt,
    priority: q.priority ?? 0,
    fairnessId: headers[HEADER_FAIRNESS_ID] ?? '',
    requestSizeBytes: q.bytes === undefined ? Buffer.byteLength(body, 'utf8') : q.bytes,
    ...(keys ? { tokenBlockKeys: () => keys } : {}),
  };
}
