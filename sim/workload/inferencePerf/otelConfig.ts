/**
 * `data.otel_trace_replay` with local trace files (formats.md §1.4) → an OtelFileSource:
 * `trace_directory` (every *.json in it, sorted by name) or `trace_files` (a list), paths relative
 * to the config file. `filter` (a Python lambda), `duplicate_sessions_target` and the attribute →
 * header/label maps cannot be honoured: errors naming them. Model keys (use_static_model,
 * static_model_name, model_mapping), bad_tool_call_handling, inject_random_session_id and
 * predecessor_wait_timeout_sec are accepted and do not change the simulated stream.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Fields, Obj } from './fields.js';
import type { LoadPlan, OtelFileSource } from './types.js';

export function parseOtelFiles(f: Fields, o: Obj, p: string, load: LoadPlan): OtelFileSource {
  const given = ['trace_directory', 'trace_files', 'hf_dataset_path'].filter((k) => o[k] !== undefined);
  if (given.length > 1) throw f.fail(`${p}.${given[1]}`, `given beside ${given[0]}`, 'give one of trace_directory, trace_files and hf_dataset_path');
  if (o.filter !== undefined) throw f.fail(`${p}.filter`, 'filter is a Python lambda routesim cannot evaluate', 'remove filter and keep only the sessions you want in the trace files');
  f.unsupported(o, 'duplicate_sessions_target', p, 'duplicated sessions with cache-busting markers', 'remove duplicate_sessions_target and ask for fewer sessions');
  for (const k of ['attribute_to_header_map', 'attribute_to_label_map']) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0)) throw f.fail(`${p}.${k}`, `routesim cannot honour ${k} (request headers/labels from span attributes)`, `remove ${k}`);
  }
  f.bool(o, 'use_static_model', p, false);
  f.str(o, 'static_model_name', p);
  if (o.model_mapping !== undefined && (typeof o.model_mapping !== 'object' || Array.isArray(o.model_mapping))) throw f.fail(`${p}.model_mapping`, 'expected a mapping', 'give model_mapping as {recorded: served}');
  f.bool(o, 'inject_random_session_id', p, false);
  const bad = f.str(o, 'bad_tool_call_handling', p) ?? 'none';
  if (bad !== 'none' && bad !== 'use_recorded') throw f.fail(`${p}.bad_tool_call_handling`, `unknown value ${JSON.stringify(bad)}`, 'use none or use_recorded');
  f.num(o, 'predecessor_wait_timeout_sec', p, { dflt: 3600, above: 0 });
  const base = dirname(f.file);
  let paths: string[];
  if (o.trace_directory !== undefined) {
    const dir = f.str(o, 'trace_directory', p)!;
    const abs = resolve(base, dir);
    let names: string[];
    try {
      if (!statSync(abs).isDirectory()) throw new Error('not a directory');
      names = readdirSync(abs).filter((n) => n.endsWith('.json'));
    } catch {
      throw f.fail(`${p}.trace_directory`, `${dir} is not a readable directory`, 'give the directory of OTel trace files, relative to the config');
    }
    if (names.length === 0) throw f.fail(`${p}.trace_directory`, `${dir} has no *.json files`, 'put one OTLP/JSON session export per .json file there');
    paths = names.sort().map((n) => resolve(abs, n));
  } else {
    const list = f.list(o, 'trace_files', p)!;
    if (list.length === 0) throw f.fail(`${p}.trace_files`, 'empty list', 'list at least one OTel trace file');
    paths = list.map((x, i) => {
      if (typeof x !== 'string' || x === '') throw f.fail(`${p}.trace_files[${i}]`, `expected a path, got ${JSON.stringify(x)}`, 'give file paths relative to the config');
      return resolve(base, x);
    });
  }
  let used = 0;
  load.stages.forEach((st, i) => {
    if (st.kind !== 'sessions' || st.num_sessions === null) return;
    used += st.num_sessions;
    if (used > paths.length) throw f.fail(`load.stages[${i}].num_sessions`, `the stages ask for ${used} sessions; the trace files hold ${paths.length}`, 'lower num_sessions (duplicate_sessions_target is not supported)');
  });
  return {
    paths,
    skipInvalid: f.bool(o, 'skip_invalid_files', p, false),
    options: {
      maxWaitUs: f.num(o, 'max_wait_ms', p, { dflt: 15000, min: 0 }) * 1000,
      defaultMaxTokens: f.num(o, 'default_max_tokens', p, { dflt: 1000, min: 1, int: true }),
      includeErrors: f.bool(o, 'include_errors', p, true),
      outputSubstitution: !f.bool(o, 'disable_output_substitution', p, false),
      overrideToolCallMaxTokens: f.bool(o, 'override_tool_call_max_tokens', p, true),
    },
  };
}
