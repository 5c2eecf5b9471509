/**
 * An inference-perf config file (formats.md §1.1) → InferencePerfConfig. Top-level sections are
 * api, data, load, metrics, report, storage, server, tokenizer and circuit_breakers; sections that
 * do not shape the traffic are accepted and ignored, except `server.ignore_eos: false` (routesim
 * generates exactly max_tokens, inference-perf's default). Unknown keys are errors, as in
 * inference-perf since #667; explicit nulls mean absent.
 */
import { readUserYaml } from '../../core/userFiles.js';
import { Fields, type Obj } from './fields.js';
import { parseLoad } from './load.js';
import { parseData } from './data.js';
import type { InferencePerfConfig } from './types.js';

const TOP = ['load', 'data', 'api', 'server', 'tokenizer', 'metrics', 'report', 'storage', 'circuit_breakers'];

/** Whether parsed YAML looks like an inference-perf config (has `load` and `data` mappings). */
export function looksLikeInferencePerf(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && 'load' in doc && 'data' in doc;
}

/** `datasetLengths`: the recorded lengths a real-text dataset runs from (datasets.ts), resolved. */
export function readInferencePerfConfig(path: string, datasetLengths?: string): InferencePerfConfig {
  return parseInferencePerf(readUserYaml(path, 'check the path of the inference-perf config'), path, datasetLengths);
}

export function parseInferencePerf(doc: unknown, file: string, datasetLengths?: string): InferencePerfConfig {
  const f = new Fields(file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw f.fail('', 'an inference-perf config must be a YAML mapping', 'start from the load/data example in the README');
  const top: Obj = f.mapping(doc, '', TOP);
  if (top.load === undefined) throw f.fail('load', 'missing section "load"', 'add load: {type, stages}');
  if (top.server !== undefined && top.server !== null && typeof top.server === 'object' && (top.server as Obj).ignore_eos === false) {
    throw f.fail('server.ignore_eos', 'routesim generates exactly max_tokens (ignore_eos: true); answers that stop early are not simulated', 'remove ignore_eos: false');
  }
  const load = parseLoad(f, top.load);
  const data = parseData(f, top.data ?? {}, load, datasetLengths);
  if (data.type === 'otel_trace_replay' && load.lora.length > 0) throw f.fail('load.lora_traffic_split', 'session replay uses the recorded (static) model', 'remove lora_traffic_split');
  return { file, load, data };
}
