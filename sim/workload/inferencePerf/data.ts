/**
 * inference-perf's `data` section (formats.md §1.4) → a DataPlan: shared_prefix (aliases
 * num_unique_system_prompts / num_users_per_system_prompt, int or Distribution lengths, legacy
 * question_/output_distribution), random / synthetic (sampler B), conversation_replay and
 * otel_trace_replay (local OTel files: otelConfig.ts); `data.trace` (Azure rows) gives random/synthetic lengths. Real-text datasets
 * (shareGPT, billsum, …) run from the user's recorded lengths (datasets.ts); without them, an error
 * naming data.type and the option.
 */
import { RANGES, type Range } from '../../scenario/bounds.js';
import { azureTraceRows } from './load.js';
import type { Fields, Obj } from './fields.js';
import { fixedDist, parseDist, type IpDist, type Sampler } from './distribution.js';
import { LENGTH_DATASETS, parseDataset } from './datasets.js';
import { parseOtelFiles } from './otelConfig.js';
import type { DataPlan, LoadPlan } from './types.js';

const DATA_KEYS = ['type', 'path', 'corpus_file_path', 'input_distribution', 'output_distribution', 'shared_prefix', 'conversation_replay', 'otel_trace_replay', 'weka_trace_replay', 'multimodal', 'trace', 'use_chat_template'];
const SP_KEYS = ['num_groups', 'num_prompts_per_group', 'system_prompt_len', 'question_len', 'output_len', 'seed', 'question_distribution', 'output_distribution', 'enable_multi_turn_chat', 'multimodal'];
const SP_ALIASES = { num_unique_system_prompts: 'num_groups', num_users_per_system_prompt: 'num_prompts_per_group' };
const CR_KEYS = ['seed', 'num_conversations', 'shared_system_prompt_len', 'dynamic_system_prompt_len', 'turns_per_conversation', 'input_tokens_per_turn', 'output_tokens_per_turn', 'tool_call_latency_sec', 'max_model_len'];
const OTEL_KEYS = ['trace_directory', 'trace_files', 'hf_dataset_path', 'filter', 'use_static_model', 'static_model_name', 'model_mapping', 'default_max_tokens', 'override_tool_call_max_tokens', 'inject_random_session_id', 'duplicate_sessions_target', 'max_wait_ms', 'predecessor_wait_timeout_sec', 'include_errors', 'skip_invalid_files', 'disable_output_substitution', 'attribute_to_header_map', 'attribute_to_label_map', 'bad_tool_call_handling'];
/** Real-text sources routesim has no stand-in for (the length datasets are datasets.ts). */
const DATASETS = ['visionarena', 'weka_trace_replay'];
/** The otel corpus whose statistics formats.md §1.6 publishes (the catalog's agentic-trace-replay). */
export const AGENTIC_CORPUS = 'Exgentic/agent-llm-traces-v2';

/** An int length or a Distribution (sampler `s`), `dflt` when absent. */
function lengthOf(f: Fields, o: Obj, k: string, path: string, dflt: number, s: Sampler, range: Range = RANGES.tokensOrZero): IpDist {
  const v = o[k];
  if (v === undefined) return fixedDist(dflt);
  if (typeof v === 'number') return fixedDist(f.ranged(o, k, path, range));
  return parseDist(f, v, `${path}.${k}`, s);
}

/** shared_prefix's length with its legacy `<what>_distribution` override (an error beside an inline Distribution). */
function legacyLength(f: Fields, o: Obj, k: string, legacy: string, path: string, dflt: number): IpDist {
  if (o[legacy] === undefined) return lengthOf(f, o, k, path, dflt, 'A', RANGES.tokens);
  if (typeof o[k] === 'number') f.ranged(o, k, path, RANGES.tokens);
  if (o[k] !== undefined && typeof o[k] !== 'number') throw f.fail(`${path}.${legacy}`, `given beside an inline Distribution in ${k}`, `keep one of ${k} and ${legacy}`);
  return parseDist(f, o[legacy], `${path}.${legacy}`, 'A');
}

/** `data.trace`: request i's lengths are row i's ContextTokens / GeneratedTokens (Azure CSV). */
function azureLengths(f: Fields, v: unknown): { input: number[]; output: number[] } {
  const rows = azureTraceRows(f, v, 'data.trace');
  return { input: rows.map((row) => row.inputTokens), output: rows.map((row) => row.outputTokens) };
}

/** `datasetLengths`: the resolved recorded-lengths file of a real-text dataset (datasets.ts), if given. */
export function parseData(f: Fields, v: unknown, load: LoadPlan, datasetLengths?: string): DataPlan {
  const data: Obj = f.mapping(v, 'data', DATA_KEYS);
  const type = (data.type ?? 'mock') as string;
  f.unsupported(data, 'multimodal', 'data', 'media inputs are not simulated', 'remove multimodal');
  const sessionLoad = load.type === 'trace_session_replay';
  if ((type === 'otel_trace_replay' || type === 'weka_trace_replay') !== sessionLoad) {
    throw f.fail('load.type', sessionLoad ? `trace_session_replay needs data.type otel_trace_replay, not ${String(type)}` : `data.type ${String(type)} needs load.type: trace_session_replay`, sessionLoad ? 'set data.type: otel_trace_replay' : 'set load.type: trace_session_replay');
  }
  switch (type) {
    case 'shared_prefix': {
      const p = 'data.shared_prefix';
      const sp = f.mapping(data.shared_prefix ?? {}, p, SP_KEYS, SP_ALIASES);
      f.unsupported(sp, 'multimodal', p, 'media inputs are not simulated', 'remove multimodal');
      const groups = f.ranged(sp, 'num_groups', p, RANGES.count, 10);
      const perGroup = f.ranged(sp, 'num_prompts_per_group', p, RANGES.count, 10);
      if (groups * perGroup > 1e7) throw f.fail(`${p}.num_groups`, `num_groups × num_prompts_per_group = ${groups * perGroup} prompts; routesim holds at most 1e7`, 'lower num_groups or num_prompts_per_group');
      const seed = sp.seed === undefined ? null : f.num(sp, 'seed', p, { min: 0, int: true });
      return {
        type: 'shared_prefix',
        groups,
        perGroup,
        system: lengthOf(f, sp, 'system_prompt_len', p, 100, 'A'),
        question: legacyLength(f, sp, 'question_len', 'question_distribution', p, 50),
        output: legacyLength(f, sp, 'output_len', 'output_distribution', p, 50),
        seed,
        multiTurn: f.bool(sp, 'enable_multi_turn_chat', p, false),
      };
    }
    case 'random':
    case 'synthetic': {
      for (const k of ['input_distribution', 'output_distribution']) if (data[k] === undefined) throw f.fail(`data.${k}`, `${type} data needs ${k}`, `add ${k}: {mean, std_dev, min, max}`);
      const input = parseDist(f, data.input_distribution, 'data.input_distribution', 'B');
      const output = parseDist(f, data.output_distribution, 'data.output_distribution', 'B');
      return { type: type as 'random' | 'synthetic', input, output, rows: data.trace === undefined ? null : azureLengths(f, data.trace) };
    }
    case 'conversation_replay': {
      const p = 'data.conversation_replay';
      const c = f.mapping(data.conversation_replay ?? {}, p, CR_KEYS);
      return {
        type: 'conversation_replay',
        seed: f.num(c, 'seed', p, { dflt: 42, min: 0, int: true }),
        conversations: f.ranged(c, 'num_conversations', p, RANGES.count, 200),
        shared: f.ranged(c, 'shared_system_prompt_len', p, RANGES.tokensOrZero, 8359),
        dynamic: lengthOf(f, c, 'dynamic_system_prompt_len', p, 0, 'A'),
        turns: lengthOf(f, c, 'turns_per_conversation', p, 10, 'A'),
        question: lengthOf(f, c, 'input_tokens_per_turn', p, 512, 'A'),
        output: lengthOf(f, c, 'output_tokens_per_turn', p, 256, 'A'),
        tool: c.tool_call_latency_sec === undefined ? null : lengthOf(f, c, 'tool_call_latency_sec', p, 0, 'A'),
        maxModelLen: f.num(c, 'max_model_len', p, { dflt: 225000, min: 1, int: true }),
      };
    }
    case 'otel_trace_replay': {
      const p = 'data.otel_trace_replay';
      const o = f.mapping(data.otel_trace_replay ?? {}, p, OTEL_KEYS);
      if (o.trace_directory !== undefined || o.trace_files !== undefined) {
        const files = parseOtelFiles(f, o, p, load);
        return { type: 'otel_trace_replay', dataset: '', maxWaitS: files.options.maxWaitUs / 1e6, defaultMaxTokens: files.options.defaultMaxTokens, files };
      }
      const dataset = f.str(o, 'hf_dataset_path', p);
      if (dataset !== AGENTIC_CORPUS) {
        throw f.fail(`${p}.hf_dataset_path`, `routesim does not download Hugging Face corpora; it regenerates only ${AGENTIC_CORPUS} from its published statistics`, `use hf_dataset_path: ${AGENTIC_CORPUS}, or export the traces as OTel JSON files and give trace_directory or trace_files`);
      }
      f.unsupported(o, 'duplicate_sessions_target', p, 'duplicated sessions with cache-busting markers', 'remove duplicate_sessions_target and ask for fewer sessions');
      return { type: 'otel_trace_replay', dataset, maxWaitS: f.num(o, 'max_wait_ms', p, { dflt: 15000, min: 0 }) / 1000, defaultMaxTokens: f.num(o, 'default_max_tokens', p, { dflt: 1000, min: 1, int: true }) };
    }
    case 'mock':
      throw f.fail('data.type', 'mock sends tiny fixed prompts, not a workload routesim models', 'use random with fixed lengths, e.g. input_distribution: {type: fixed, mean: 10}');
    default:
      if ((LENGTH_DATASETS as readonly string[]).includes(type)) return parseDataset(f, data, type, datasetLengths);
      if (DATASETS.includes(type as string)) {
        throw f.fail('data.type', `${String(type)} replays real text whose length histogram routesim does not have`, 'convert the dataset to a routesim JSONL trace (routesim trace convert), or use random/synthetic lengths that match it');
      }
      throw f.fail('data.type', `unknown data type ${JSON.stringify(type)}`, `use shared_prefix, random, synthetic, conversation_replay, otel_trace_replay, or ${LENGTH_DATASETS.join(', ')} with recorded lengths`);
  }
}
