/**
 * A model shape read from a Hugging Face `config.json` (../shared/reference/calibration.md §2):
 * dense (Llama, Mistral, Qwen3, Yi), MoE (Mixtral / gpt-oss `num_local_experts`, Qwen3-MoE
 * `num_experts` + `decoder_sparse_step` / `mlp_only_layers`, DeepSeek `n_routed_experts` +
 * `n_shared_experts` + `first_k_dense_replace` / `moe_layer_freq`, Llama-4 `text_config` +
 * `interleave_moe_layer_step` / `moe_layers` with a shared expert), MLA (`kv_lora_rank`,
 * `qk_rope_head_dim`, …) and an explicit `head_dim` ≠ hidden/heads (§6.2).
 *
 * The parameter count follows §2.2–2.4 exactly (q = h·d_h, kv = h_kv·d_h; gated MLP 3·d·d_ff;
 * routed experts E·3·d·d_e + router d·E + shared 3·d·d_s per MoE layer; norms; embeddings and an
 * untied LM head). It is stored in the spec (`parameter_count`), which modelMath.parameterCount
 * returns as is, so catalog entries (models.json) keep their own, older formula and numbers.
 * Weight bytes: bf16 unless `quantization_config` says FP8 (DeepSeek-V3: 1 byte per linear weight)
 * or MXFP4 (gpt-oss: 4.25 bits per expert weight); the routed experts' share is stored too
 * (`routed_expert_bytes`, for expert-parallel sharding, §2.7). Llama-4's `interleave_moe_layer_step`
 * is kept as given (`interleave_moe_layer_step`): BLIS's fitted β8 applies only to such models (§6.1).
 * Every error is one line naming the file and field.
 */
import { readUserFile } from '../core/userFiles.js';
import { inputError } from '../core/errors.js';
import type { ModelSpec } from './types.js';

type Json = Record<string, unknown>;

/** Parameter counts of a config (§2): total, active per token, and how many of them are routed-expert weights. */
export interface HfParameterCounts {
  readonly total: number;
  readonly active: number;
  readonly routedExperts: number;
  readonly embeddings: number;
}

/** Reads `path` (a config.json) into a ModelSpec called `name` (default: the file name without .json). */
export function loadHfConfig(path: string, name?: string): ModelSpec {
  const text = readUserFile(path, 'give the path of a Hugging Face config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    throw inputError(path, '', `not valid JSON (${msg})`, 'give the config.json of a Hugging Face model');
  }
  const base = path.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  return parseHfConfig(raw, path, name ?? base);
}

/** The ModelSpec of a parsed config.json; `file` names the source in error messages. */
export function parseHfConfig(raw: unknown, file: string, name: string): ModelSpec {
  const c = new Fields(raw, file);
  const shape = readShape(c);
  const counts = countParameters(shape);
  const src = c.top._source;
  return {
    name,
    layers: shape.L,
    hidden: shape.d,
    heads: shape.h,
    kv_heads: shape.mla ? shape.h : shape.hKv,
    head_dim: shape.mla ? shape.mla.dN + shape.mla.dR : shape.dH,
    ffn: shape.E > 0 ? shape.dE : shape.dFf,
    vocab: shape.V,
    max_model_len: shape.maxLen,
    tie_embeddings: shape.tie,
    dtype_bytes: 2,
    experts: shape.E,
    experts_top_k: shape.k,
    parameter_count: counts.total,
    active_parameter_count: counts.active,
    ...(shape.quant !== null ? { weight_bytes: quantizedBytes(shape.quant, counts) } : {}),
    ...(shape.E > 0 ? { moe_layers: shape.moe.filter(Boolean).length, routed_expert_bytes: routedBytes(shape.quant, counts) } : {}),
    ...(shape.interleaveStep !== null ? { interleave_moe_layer_step: shape.interleaveStep } : {}),
    ...(shape.E > 0 && shape.moe.some((x) => !x) ? { dense_ffn: shape.dFf } : {}),
    ...(shape.dS > 0 ? { shared_ffn: shape.dS } : {}),
    ...(shape.mla ? { kv_lora_rank: shape.mla.rKv, qk_rope_head_dim: shape.mla.dR } : {}),
    source: typeof src === 'string' ? `${file} (${src})` : file,
  };
}

/** Parameter counts of a parsed config.json (calibration.md §2.2–2.4). */
export function hfParameterCounts(raw: unknown, file: string): HfParameterCounts {
  return countParameters(readShape(new Fields(raw, file)));
}

// ---------------------------------------------------------------------------------------------

interface Mla {
  readonly rQ: number | null;
  readonly rKv: number;
  readonly dN: number;
  readonly dR: number;
  readonly dV: number;
}

interface Shape {
  readonly modelType: string;
  readonly L: number;
  readonly d: number;
  readonly h: number;
  readonly hKv: number;
  readonly dH: number;
  readonly V: number;
  readonly tie: boolean;
  readonly maxLen: number;
  /** Dense-layer MLP width (0 when every layer is MoE and the config gives none). */
  readonly dFf: number;
  readonly E: number;
  readonly k: number;
  readonly dE: number;
  /** Shared-expert width per MoE layer. */
  readonly dS: number;
  /** moe[i]: layer i is an MoE layer. */
  readonly moe: readonly boolean[];
  readonly mla: Mla | null;
  readonly attentionBias: boolean;
  readonly quant: 'fp8' | 'mxfp4' | null;
  /** Llama-4 `interleave_moe_layer_step` when the config gives it (BLIS's β8 gate, §6.1). */
  readonly interleaveStep: number | null;
}

/** Typed access to the config's fields; `text_config` (Llama-4) is read in place of the top level. */
class Fields {
  readonly top: Json;
  readonly o: Json;
  readonly prefix: string;
  constructor(raw: unknown, readonly file: string) {
    if (!isObject(raw)) throw inputError(file, '', 'not a JSON object', 'give the config.json of a Hugging Face model');
    this.top = raw;
    const text = raw.text_config;
    this.o = isObject(text) ? text : raw;
    this.prefix = isObject(text) ? 'text_config.' : '';
  }
  has(key: string): boolean {
    return this.o[key] !== undefined && this.o[key] !== null;
  }
  fail(key: string, problem: string, fix: string): never {
    throw inputError(this.file, this.prefix + key, problem, fix);
  }
  /** A positive integer field (or `fallback` when absent and one is given). */
  int(key: string, fallback?: number, min = 1): number {
    const v = this.o[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(key, 'missing', `add "${key}": <integer> as in the model's published config.json`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 1e9) {
      this.fail(key, `expected an integer ≥ ${min}, got ${JSON.stringify(v)}`, `write the value from the model's published config.json`);
    }
    return v;
  }
  /** The first of `keys` present, as an integer; `fallback` when none is. */
  firstInt(keys: readonly string[], fallback: number, min = 1): number {
    const k = keys.find((x) => this.has(x));
    return k === undefined ? fallback : this.int(k, undefined, min);
  }
  bool(key: string, fallback: boolean): boolean {
    const v = this.o[key] ?? this.top[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(key, `expected true or false, got ${JSON.stringify(v)}`, 'write true or false');
    return v;
  }
  intList(key: string): number[] {
    const v = this.o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
      this.fail(key, 'expected a list of layer indices (integers ≥ 0)', `write e.g. "${key}": [0, 2]`);
    }
    return v as number[];
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Expert-count fields in vLLM's order (§2.1). */
const EXPERT_KEYS = ['num_experts', 'moe_num_experts', 'n_routed_experts', 'num_local_experts'] as const;

function readShape(c: Fields): Shape {
  const modelType = typeof c.o.model_type === 'string' ? c.o.model_type : typeof c.top.model_type === 'string' ? c.top.model_type : '';
  const L = c.int('num_hidden_layers');
  const d = c.int('hidden_size');
  const h = c.int('num_attention_heads');
  const hKv = c.int('num_key_value_heads', h);
  if (h % hKv !== 0) c.fail('num_key_value_heads', `${hKv} does not divide num_attention_heads ${h}`, 'write the value from the published config.json');
  const dH = c.int('head_dim', d / h === Math.floor(d / h) ? d / h : undefined);
  const V = c.int('vocab_size');
  const maxLen = c.int('max_position_embeddings', 4096);
  const tie = c.bool('tie_word_embeddings', false);

  const E = c.firstInt(EXPERT_KEYS, 0, 0);
  const k = E > 0 ? c.firstInt(['num_experts_per_tok', 'experts_per_token'], 0) : 0;
  if (E > 0 && k === 0) c.fail('num_experts_per_tok', `missing for a model with ${E} experts`, 'add "num_experts_per_tok": <k>');
  if (k > E) c.fail('num_experts_per_tok', `${k} is more than the ${E} experts`, 'write the value from the published config.json');

  let dFf: number;
  let dE = 0;
  let dS = 0;
  let moe: boolean[];
  let interleaveStep: number | null = null;
  const all = (v: boolean) => Array.from({ length: L }, () => v);
  if (E === 0) {
    dFf = c.int('intermediate_size');
    moe = all(false);
  } else if (modelType.startsWith('deepseek')) {
    dE = c.int('moe_intermediate_size');
    dFf = c.int('intermediate_size');
    dS = c.int('n_shared_experts', 0, 0) * dE;
    const firstDense = c.int('first_k_dense_replace', 0, 0);
    const freq = c.int('moe_layer_freq', 1);
    moe = Array.from({ length: L }, (_, i) => i >= firstDense && i % freq === 0);
  } else if (modelType.startsWith('llama4')) {
    dE = c.int('intermediate_size');
    dS = dE;
    dFf = c.int('intermediate_size_mlp', dE);
    const listed = c.intList('moe_layers');
    const step = c.int('interleave_moe_layer_step', 1);
    if (c.has('interleave_moe_layer_step')) interleaveStep = step;
    moe = listed.length > 0 ? Array.from({ length: L }, (_, i) => listed.includes(i)) : Array.from({ length: L }, (_, i) => (i + 1) % step === 0);
  } else if (c.has('moe_intermediate_size')) {
    // Qwen2/3-MoE: layer i is MoE iff i ∉ mlp_only_layers and (i+1) mod decoder_sparse_step = 0.
    dE = c.int('moe_intermediate_size');
    dFf = c.int('intermediate_size', dE);
    dS = c.int('shared_expert_intermediate_size', 0, 0);
    const only = c.intList('mlp_only_layers');
    const step = c.int('decoder_sparse_step', 1);
    moe = Array.from({ length: L }, (_, i) => !only.includes(i) && (i + 1) % step === 0);
  } else {
    // Mixtral, gpt-oss: every layer MoE, intermediate_size is the expert width.
    dE = c.int('intermediate_size');
    dFf = dE;
    moe = all(true);
  }

  const mla: Mla | null = c.has('kv_lora_rank')
    ? {
        rQ: c.has('q_lora_rank') ? c.int('q_lora_rank') : null,
        rKv: c.int('kv_lora_rank'),
        dN: c.int('qk_nope_head_dim'),
        dR: c.int('qk_rope_head_dim'),
        dV: c.int('v_head_dim'),
      }
    : null;

  const q = c.top.quantization_config ?? c.o.quantization_config;
  const method = isObject(q) && typeof q.quant_method === 'string' ? q.quant_method : null;
  const quant = method === 'fp8' || method === 'mxfp4' ? method : null;
  return { modelType, L, d, h, hKv, dH, V, tie, maxLen, dFf, E, k, dE, dS, moe, mla, attentionBias: c.bool('attention_bias', false), quant, interleaveStep };
}

/** §2.2–2.4: per-layer attention, MLP or MoE, norms; embeddings, final norm, LM head. */
function countParameters(s: Shape): HfParameterCounts {
  const { d } = s;
  let attn: number;
  if (s.mla) {
    const m = s.mla;
    const qProj = m.rQ === null ? d * s.h * (m.dN + m.dR) : d * m.rQ + m.rQ + m.rQ * s.h * (m.dN + m.dR);
    attn = qProj + d * (m.rKv + m.dR) + m.rKv + m.rKv * s.h * (m.dN + m.dV) + s.h * m.dV * d;
  } else {
    const q = s.h * s.dH;
    const kv = s.hKv * s.dH;
    attn = d * (q + 2 * kv) + q * d + (s.attentionBias ? q + 2 * kv + d : 0) + (s.modelType.startsWith('qwen3') ? 2 * s.dH : 0);
  }
  const gptOss = s.modelType === 'gpt_oss';
  const expert = 3 * d * s.dE + (gptOss ? 2 * s.dE + d : 0); // gpt-oss experts carry biases
  const router = d * s.E + (gptOss ? s.E : 0);
  const shared = 3 * d * s.dS;
  const dense = 3 * d * s.dFf;
  const norms = 2 * d;
  let total = 0;
  let active = 0;
  let routedExperts = 0;
  for (const isMoe of s.moe) {
    const common = attn + norms;
    if (isMoe) {
      total += common + s.E * expert + router + shared;
      active += common + s.k * expert + router + shared;
      routedExperts += s.E * expert;
    } else {
      total += common + dense;
      active += common + dense;
    }
  }
  const embeddings = s.V * d * (s.tie ? 1 : 2);
  total += embeddings + d;
  active += embeddings + d;
  return { total, active, routedExperts, embeddings };
}

/** Resident bytes of the routed experts: 1 byte per weight in FP8, 4.25 bits in MXFP4, else bf16. */
function routedBytes(q: 'fp8' | 'mxfp4' | null, n: HfParameterCounts): number {
  return n.routedExperts * (q === 'fp8' ? 1 : q === 'mxfp4' ? 4.25 / 8 : 2);
}

/** Resident bytes: FP8 = 1 byte per weight but embeddings and LM head in bf16; MXFP4 = 4.25 bits per routed-expert weight. */
function quantizedBytes(q: 'fp8' | 'mxfp4', n: HfParameterCounts): number {
  if (q === 'fp8') return (n.total - n.embeddings) * 1 + n.embeddings * 2;
  return n.routedExperts * (4.25 / 8) + (n.total - n.routedExperts) * 2;
}
