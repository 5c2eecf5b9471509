/**
 * Numbers out of range, configurations that cannot work, and input checks that follow production
 * (issue 9 §1). Before the fix these hung (rate or rate-scale 1e-300, duration 1e15), crashed V8
 * (jitter 1e300, token counts of 1e9+ in traces: "Set maximum size exceeded", num_gpu_blocks 1e12:
 * "Invalid typed array length"), died with "numBlocks must be a positive integer" (a model that does
 * not fit), or ran silently (a header-only trace, a window past the trace's end, every request too
 * long). Every message now states the range or the reason.
 */
import { SMALL } from './fixtures.js';
import type { BadInputCase } from './types.js';


/** SMALL with one substring replaced (must occur). */
function small(from: string, to: string): string {
  if (!SMALL.includes(from)) throw new Error(`SMALL lacks ${from}`);
  return SMALL.replace(from, to);
}

/** A scenario case: `s.yaml` from `text`, `routesim run s.yaml`. */
function scen(name: string, text: string, stderr: RegExp | RegExp[], extra: Partial<BadInputCase> = {}): BadInputCase {
  return { name, files: { 's.yaml': text, ...(extra.files ?? {}) }, args: ['run', 's.yaml', ...(extra.args ?? [])], stderr, ...(extra.names ? { names: extra.names } : {}), ...(extra.exit !== undefined ? { exit: extra.exit } : {}) };
}

/** SMALL's workload replaced by `workload` (indented mapping lines). */
function withWorkload(workload: string, head = 'requests: 20'): string {
  return `name: s\nseed: 1\n${head}\nfleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nworkload:\n${workload}\npolicies: [round-robin]\n`;
}

const MOON_ROW = (ms: number, input: number | string, output: number | string, ids = '[1]'): string => `{"timestamp": ${ms}, "input_length": ${input}, "output_length": ${output}, "hash_ids": ${ids}}\n`;
/** A small Mooncake trace: 3 rows over 2 s. */
const MOON = MOON_ROW(0, 100, 10) + MOON_ROW(1000, 100, 10) + MOON_ROW(2000, 100, 10);
const TRACE_SCEN = withWorkload('  trace: {path: t.jsonl, format: mooncake}');
const AZURE_HEADER = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
const AZURE = `${AZURE_HEADER}2023-11-16 18:00:00.0000000,100,10\n2023-11-16 18:00:01.0000000,100,10\n`;
const BLIS_HEADER = 'request_id,arrival_time_us,input_tokens,output_tokens\n';
const ROUTESIM_ROW = (us: number | string, input: number | string, output: number | string, extra = ''): string => `{"arrival_us": ${us}, "input_tokens": ${input}, "output_tokens": ${output}${extra}}\n`;

const SYNTH_SPEC = `seed: 1\nrequests: 20\nworkload:\n  arrival: {process: poisson, rate: 10}\n  input: 100\n  output: 10\n`;
const IPERF = (stages: string, sp = 'num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 100, question_len: 50, output_len: 20'): string =>
  `load:\n  type: constant\n  stages: ${stages}\ndata:\n  type: shared_prefix\n  shared_prefix: {${sp}}\n`;

const PICK = (metrics: string): string => `endpoints:\n  - {name: pod-a, metrics: {${metrics}}}\n  - {name: pod-b}\nrequests:\n  - {model: llama, prompt: x}\n`;

const RANGE = /must be (a whole number )?(between|> )/;

export const cases: readonly BadInputCase[] = [
  // --- Scenario numbers: every field has a finite range, stated in the message -------------------
  scen('rate 1e-300 (hung)', small('rate: 10', 'rate: 1e-300'), [/workload\.arrival\.rate/, /between 1e-6 and 1e6 req\/s, got 1e-300/]),
  scen('rate 1e300', small('rate: 10', 'rate: 1e300'), [/workload\.arrival\.rate/, /between 1e-6 and 1e6 req\/s, got 1e300/]),
  scen('negative rate', small('rate: 10', 'rate: -5'), [/workload\.arrival\.rate/, /got -5/]),
  scen('duration_s 1e15 (hung)', small('requests: 20', 'duration_s: 1e15'), [/duration_s/, /> 0 and ≤ 1e7 s, got 1e15/]),
  scen('requests 1e12', small('requests: 20', 'requests: 1e12'), [/requests/, /whole number between 1 and 1e8 requests, got 1e12/]),
  scen('requests 2.5', small('requests: 20', 'requests: 2.5'), [/requests/, /whole number/, /got 2\.5/]),
  scen('replicas 1e6', small('replicas: 2', 'replicas: 1e6'), [/fleet\.replicas/, /between 1 and 1000 replicas/]),
  scen('num_gpu_blocks 1e12 (typed-array crash)', small('fleet: {', 'fleet: {engine: {num_gpu_blocks: 1e12}, '), [/fleet\.engine\.num_gpu_blocks/, /between 1 and 1e7 blocks, got 1e12/]),
  scen('max_num_seqs 1e9', small('fleet: {', 'fleet: {engine: {max_num_seqs: 1e9}, '), [/fleet\.engine\.max_num_seqs/, /between 1 and 65536 sequences/]),
  scen('max_num_batched_tokens 1e12', small('fleet: {', 'fleet: {engine: {max_num_batched_tokens: 1e12}, '), [/max_num_batched_tokens/, /between 1 and 1e7 tokens/]),
  scen('max_loras 1e6', small('fleet: {', 'fleet: {engine: {max_loras: 1e6}, '), [/fleet\.engine\.max_loras/, /between 0 and 4096 adapters/]),
  scen('constant input of 1e9 tokens', small('value: 100', 'value: 1e9'), [/workload\.input\.value/, /between 1 and 1e6 tokens, got 1e9/]),
  scen('bare output of 1e14 tokens', small('output: {dist: constant, value: 10}', 'output: 1e14'), [/workload\.output/, /between 1 and 1e6 tokens, got 1e14/]),
  scen('normal input mean 1e12', small('input: {dist: constant, value: 100}', 'input: {dist: normal, mean: 1e12, std: 1}'), [/workload\.input\.mean/, /1e6 tokens, got 1e12/]),
  scen('uniform max 1e9', small('input: {dist: constant, value: 100}', 'input: {dist: uniform, min: 1, max: 1e9}'), [/workload\.input\.max/, /1e6 tokens/]),
  scen('empirical value 1e10', small('input: {dist: constant, value: 100}', 'input: {dist: empirical, values: [1e10], weights: [1]}'), [/workload\.input\.values\[0\]/, /1e6 tokens/]),
  scen('empirical weight 1e300', small('input: {dist: constant, value: 100}', 'input: {dist: empirical, values: [10], weights: [1e300]}'), [/workload\.input\.weights\[0\]/, /between 0 and 1e9/]),
  scen('stage rate 1e18', withWorkload('  arrival: {stages: [{rate: 1e18, duration_s: 10}]}\n  input: 100\n  output: 10'), [/workload\.arrival\.stages\[0\]\.rate/, /between 0 and 1e6 req\/s/]),
  scen('stage duration 1e15', withWorkload('  arrival: {stages: [{rate: 1, duration_s: 1e15}]}\n  input: 100\n  output: 10'), [/workload\.arrival\.stages\[0\]\.duration_s/, /≤ 1e7 s/]),
  scen('spike multiplier 1e6', small('rate: 10}', 'rate: 10, spikes: [{at_s: 1, duration_s: 1, multiplier: 1e6}]}'), [/spikes\[0\]\.multiplier/, /between 0 and 1000/]),
  scen('diurnal period 1e300', small('rate: 10}', 'rate: 10, diurnal: {amplitude: 0.5, period_s: 1e300}}'), [/diurnal\.period_s/, /≤ 1e7 s/]),
  scen('trace rate_scale 1e-300', withWorkload('  trace: {path: t.jsonl, format: mooncake, rate_scale: 1e-300}'), [/workload\.trace\.rate_scale/, /between 0\.001 and 1000/], { files: { 't.jsonl': MOON } }),
  scen('trace jitter_s 1e300 (V8 fatal)', withWorkload('  trace: {path: t.jsonl, format: mooncake, jitter_s: 1e300}'), [/workload\.trace\.jitter_s/, /between 0 and 3600 s/], { files: { 't.jsonl': MOON } }),
  scen('trace loop 1e9', withWorkload('  trace: {path: t.jsonl, format: mooncake, loop: 1e9}'), [/workload\.trace\.loop/, /between 0 and 1000 passes/], { files: { 't.jsonl': MOON } }),
  scen('trace from_s 1e300', withWorkload('  trace: {path: t.jsonl, format: mooncake, from_s: 1e300}'), [/workload\.trace\.from_s/, /between 0 and 1e9 s/], { files: { 't.jsonl': MOON } }),
  scen('shared_prefix num_groups 1e12', withWorkload('  arrival: {rate: 10}\n  shared_prefix: {num_groups: 1e12, num_prompts_per_group: 1, system_prompt_len: 10, question_len: 10}\n  output: 10'), [/shared_prefix\.num_groups/, /between 1 and 1e6/]),
  scen('shared_prefix system_prompt_len 1e9', withWorkload('  arrival: {rate: 10}\n  shared_prefix: {num_groups: 2, num_prompts_per_group: 1, system_prompt_len: 1e9, question_len: 10}\n  output: 10'), [/shared_prefix\.system_prompt_len/, /between 0 and 1e6 tokens/]),
  scen('sessions think time 1e300', withWorkload('  arrival: {rate: 1}\n  sessions: {turns: 3, think_time_s: 1e300}\n  input: 100\n  output: 10'), [/sessions\.think_time_s/, /between 0 and 1e6 s/]),
  scen('sessions of 1e6 turns', withWorkload('  arrival: {rate: 1}\n  sessions: {turns: 1e6}\n  input: 100\n  output: 10'), [/sessions\.turns/, /between 1 and 1000 turns, got 1e6/]),
  scen('sessions turns as a distribution up to 1e5', withWorkload('  arrival: {rate: 1}\n  sessions: {turns: {dist: uniform, min: 1, max: 100000}}\n  input: 100\n  output: 10'), [/sessions\.turns\.max/, /1000 turns/]),
  scen('closed sessions users 1e9', withWorkload('  sessions: {mode: closed, users: 1e9, turns: 3}\n  input: 100\n  output: 10'), [/sessions\.users/, /between 1 and 1e6/]),
  scen('tenant priority 1e300', withWorkload('  tenants:\n    - {name: a, arrival: {rate: 1}, input: 100, output: 10, priority: 1e300}'), [/tenants\[0\]\.priority/, /between -1e6 and 1e6/]),
  scen('refresh_metrics_ms 1e300', small('policies:', 'gateway: {refresh_metrics_ms: 1e300}\npolicies:'), [/gateway\.refresh_metrics_ms/, /between 0 and 3\.6e6 ms/]),
  scen('chars_per_token 1e300', small('policies:', 'gateway: {chars_per_token: 1e300}\npolicies:'), [/gateway\.chars_per_token/, /≤ 100 chars/]),
  scen('slo ttft_ms 1e300', small('policies:', 'slo: {ttft_ms: 1e300}\npolicies:'), [/slo\.ttft_ms/, /≤ 3\.6e6 ms/]),
  scen('report sample_ms 1e300', small('policies:', 'report: {sample_ms: 1e300}\npolicies:'), [/report\.sample_ms/, /between 1 and 3\.6e6 ms/]),
  scen('seed 1e300', small('seed: 1', 'seed: 1e300'), [/seed/, /between 0 and 4294967295/]),
  scen('seeds 1e6', small('seed: 1', 'seed: 1\nseeds: 1e6'), [/seeds/, /between 1 and 1000 seeds/]),
  scen('sweep rate 1e-300', small('policies:', 'sweep: {rates: [10, 1e-300]}\npolicies:'), [/sweep\.rates\[1\]/, /between 1e-6 and 1e6 req\/s/]),
  scen('step-time coefficient 1e300', small('policies:', 'step_time: {model: linear, coefficients: {beta0_us: 1e300}}\npolicies:'), [/step_time\.coefficients\.beta0_us/, /between 0 and 1e9/]),
  scen('overhead alpha0_us 1e300', small('policies:', 'step_time: {overheads: {alpha0_us: 1e300}}\npolicies:'), [/step_time\.overheads\.alpha0_us/, /between 0 and 1e9 µs/]),
  scen('lora host bandwidth 1e300', small('policies:', 'lora_load: {host_gbps: 1e300}\npolicies:'), [/lora_load\.host_gbps/, /1e12 GB\/s/]),
  scen('adapter weight 1e300', small('fleet: {', 'fleet: {engine: {max_loras: 2}, ').replace('policies:', '  adapters: [{name: a, weight: 1e300}]\npolicies:'), [/workload\.adapters\[0\]\.weight/, /between 0 and 1e9/]),
  scen('servegen rate_scale 1e300', withWorkload('  servegen: {path: w.csv.gz, pool: m-large, to_s: 600, rate_scale: 1e300}\n  input: 100\n  output: 10'), [/servegen\.rate_scale/, /between 0\.001 and 1000/]),

  // --- Runs too large to finish -----------------------------------------------------------------
  scen('rate × duration of 1e13 requests', small('requests: 20', 'duration_s: 1e7').replace('rate: 10', 'rate: 1e6'), [/duration_s/, /1e13 expected requests/, /limited to 1e8/]),
  scen('stage ladder of 1e12 requests', withWorkload('  arrival: {stages: [{rate: 1e6, duration_s: 1e6}]}\n  input: 100\n  output: 10', 'description: ladder'), [/workload\.arrival\.stages/, /1e12 expected requests/, /limited to 1e8/]),
  scen('20 requests at 1e-6 req/s (2e7 s of simulated time)', small('rate: 10', 'rate: 1e-6'), [/workload\.arrival\.rate/, /~2e7 s/, /limited to 1e7 s/]),
  scen('stages lasting 1.8e7 s', withWorkload('  arrival: {stages: [{rate: 0.00001, duration_s: 9e6}, {rate: 0.00001, duration_s: 9e6}]}\n  input: 100\n  output: 10'), [/workload\.arrival\.stages/, /1\.8e7 s/]),
  scen('sweep rate 1e-6 with 20 requests', small('policies:', 'sweep: {rates: [10, 0.000001]}\npolicies:'), [/sweep\.rates\[1\]/, /~2e7 s/, /limited to 1e7 s/]),
  scen('sweep rate × duration of 1e11 requests', small('requests: 20', 'duration_s: 100000').replace('policies:', 'sweep: {rates: [10, 1000000]}\npolicies:'), [/sweep\.rates\[1\]/, /1e11 expected requests/]),
  scen('tenants too slow for their requests', withWorkload('  tenants:\n    - {name: a, arrival: {rate: 0.000001}, input: 100, output: 10}'), [/workload\.tenants/, /~2e7 s/]),
  scen('fleet of 1e9 KV blocks', small('replicas: 2', 'replicas: 1000, engine: {num_gpu_blocks: 1000000}'), [/fleet\.replicas/, /1e9 blocks/, /at most 1e8/]),
  scen('--rate-scale 1000 on a 1e6-request run', small('requests: 20', 'duration_s: 1e5'), [/--rate-scale 1000/, /1e9 expected requests/], { args: ['--rate-scale', '1000'] }),

  // --- Models that do not fit ---------------------------------------------------------------------
  // Llama-3.1-70B weights: 80 × (2·8192² + 2·8192·1024 + 3·8192·28672) + 2·128256·8192 = 70.55e9 params × 2 B = 141.1 GB.
  scen('70B on one L4', small('gpu: H100, model: Llama-3.1-8B', 'gpu: L4, model: Llama-3.1-70B'), [/fleet\.model/, /needs 141\.1 GB of weights per GPU at tp 1/, /L4 has 24\.0 GB/, /use tp ≥ 8/]),
  scen('70B on one H100', small('gpu: H100, model: Llama-3.1-8B', 'gpu: H100, model: Llama-3.1-70B'), [/needs 141\.1 GB/, /H100 has 85\.0 GB/, /use tp ≥ 2/]),
  scen('Mixtral on one L4', small('gpu: H100, model: Llama-3.1-8B', 'gpu: L4, model: Mixtral-8x7B'), [/fleet\.model/, /Mixtral-8x7B needs/, /L4/]),
  scen('gpu_memory_utilization 0.1', small('fleet: {', 'fleet: {engine: {gpu_memory_utilization: 0.1}, '), [/fleet\.model/, /8\.5 GB usable at gpu_memory_utilization 0\.1/]),
  scen('activations leave no KV room', small('gpu: H100, model: Llama-3.1-8B', 'gpu: L4, model: Llama-3.1-8B, engine: {max_num_batched_tokens: 100000}'), [/fleet\.engine/, /no room for the KV cache on the L4/, /max_num_batched_tokens 100000/]),

  // --- Every request would be rejected (vLLM answers 400) -------------------------------------------
  scen('every prompt above max_model_len', small('value: 100', 'value: 200000'), [/workload\.input/, /every request would be rejected/, /max_model_len 131072/]),
  scen('Llama-2-7B with 5000-token prompts', small('model: Llama-3.1-8B', 'model: Llama-2-7B').replace('value: 100', 'value: 5000'), [/every request would be rejected/, /5010 tokens/, /max_model_len 4096/]),
  scen('shared prefix longer than max_model_len', withWorkload('  arrival: {rate: 10}\n  shared_prefix: {num_groups: 2, num_prompts_per_group: 1, system_prompt_len: 140000, question_len: 10}\n  output: 10'), [/workload\.shared_prefix/, /every request would be rejected/]),
  scen('engine max_model_len 1000 below every prompt', small('fleet: {', 'fleet: {engine: {max_model_len: 1000}, ').replace('value: 100', 'value: 2000'), [/every request would be rejected/, /max_model_len 1000/]),
  scen('every tenant too long', withWorkload('  tenants:\n    - {name: a, arrival: {rate: 1}, input: 200000, output: 10}\n    - {name: b, arrival: {rate: 1}, input: 150000, output: 10}'), [/workload\.tenants/, /shortest is 150010 tokens/]),
  scen('prompts larger than the whole KV cache', small('fleet: {', 'fleet: {engine: {num_gpu_blocks: 10}, ').replace('value: 100', 'value: 1000'), [/every request would be rejected/, /whole KV cache of a replica \(160 tokens\)/]),
  scen('every trace row too long (found after the run)', TRACE_SCEN, [/s\.yaml: workload: every request \(1\)/, /max_model_len 131072/], { files: { 't.jsonl': MOON_ROW(0, 140000, 10, `[${Array.from({ length: 274 }, (_, i) => i).join(',')}]`) } }),

  // --- Trace rows with absurd numbers --------------------------------------------------------------
  scen('mooncake input_length 1e9', TRACE_SCEN, [/t\.jsonl: line 2: input_length/, /between 1 and 1e6 tokens, got 1e9/], { files: { 't.jsonl': MOON_ROW(0, 100, 10) + MOON_ROW(10, 1e9, 10) }, names: 't.jsonl' }),
  scen('mooncake output_length 1e14', TRACE_SCEN, [/line 1: output_length/, /got 1e14/], { files: { 't.jsonl': MOON_ROW(0, 100, 1e14) }, names: 't.jsonl' }),
  scen('mooncake timestamp 1e300', TRACE_SCEN, [/line 2: timestamp/, /at most 1e8 s/], { files: { 't.jsonl': MOON_ROW(0, 100, 10) + MOON_ROW(1e300, 100, 10) }, names: 't.jsonl' }),
  scen('azure ContextTokens 1e12', withWorkload('  trace: {path: t.csv, format: azure}'), [/line 4: ContextTokens/, /got 1e12/], { files: { 't.csv': `${AZURE}2023-11-16 18:00:02.0000000,1000000000000,10\n` }, names: 't.csv' }),
  scen('azure GeneratedTokens 1e9', withWorkload('  trace: {path: t.csv, format: azure}'), [/line 2: GeneratedTokens/, /got 1e9/], { files: { 't.csv': `${AZURE_HEADER}2023-11-16 18:00:00.0000000,100,1000000000\n` }, names: 't.csv' }),
  scen('routesim input_tokens 1e10', withWorkload('  trace: {path: t.jsonl, format: routesim}'), [/line 1: input_tokens/, /got 1e10/], { files: { 't.jsonl': ROUTESIM_ROW(0, 1e10, 10) }, names: 't.jsonl' }),
  scen('routesim segment of 1e12 tokens', withWorkload('  trace: {path: t.jsonl, format: routesim}'), [/line 1: segments\[0\]\[1\]/, /got 1e12/], { files: { 't.jsonl': ROUTESIM_ROW(0, 100, 10, ', "segments": [[1, 1000000000000]]') }, names: 't.jsonl' }),
  scen('routesim arrival_us 1e20', withWorkload('  trace: {path: t.jsonl, format: routesim}'), [/line 2: arrival_us/, /got 1e20/], { files: { 't.jsonl': ROUTESIM_ROW(0, 100, 10) + ROUTESIM_ROW('1e20', 100, 10) }, names: 't.jsonl' }),
  scen('routesim priority 1e300', withWorkload('  trace: {path: t.jsonl, format: routesim}'), [/line 1: priority/, /between -1e6 and 1e6/], { files: { 't.jsonl': ROUTESIM_ROW(0, 100, 10, ', "priority": 1e300') }, names: 't.jsonl' }),
  scen('BLIS input_tokens 1e9', withWorkload('  trace: {path: t.csv, format: blis}'), [/line 2: input_tokens/, /got 1e9/], { files: { 't.csv': `${BLIS_HEADER}0,0,1000000000,10\n` }, names: 't.csv' }),
  scen('BLIS arrival_time_us 1e18', withWorkload('  trace: {path: t.csv, format: blis}'), [/line 3: arrival_time_us/, /between 0 and 1e17 µs, got 1e18/], { files: { 't.csv': `${BLIS_HEADER}0,0,100,10\n1,1000000000000000000,100,10\n` }, names: 't.csv' }),
  scen('BLIS arrival 2e8 s after the first row', withWorkload('  trace: {path: t.csv, format: blis}'), [/line 3: arrival_time_us/, /2e8 s after the trace's start/, /at most 1e8 s/], { files: { 't.csv': `${BLIS_HEADER}0,0,100,10\n1,200000000000000,100,10\n` }, names: 't.csv' }),

  scen('ServeGen window rate 1e300', withWorkload('  servegen: {path: w.csv, pool: m-large, to_s: 600}\n  input: 100\n  output: 10'), [/w\.csv: line 2: rate_rps/, /between 0 and 1e6, got 1e300/], {
    files: { 'w.csv': 'category,model,client_id,window_start_s,rate_rps,cv,iat_dist,shape,scale\nlanguage,m-large,0,0,1e300,1,Gamma,1,1\n' },
    names: 'w.csv',
  }),

  // --- Traces with no rows, windows past the end ----------------------------------------------------
  scen('empty mooncake trace', TRACE_SCEN, [/t\.jsonl: has no rows/, /mooncake/], { files: { 't.jsonl': '' }, names: 't.jsonl' }),
  scen('header-only azure trace', withWorkload('  trace: {path: t.csv, format: azure}'), [/t\.csv: has no rows/, /azure/], { files: { 't.csv': AZURE_HEADER }, names: 't.csv' }),
  scen('header-only BLIS trace', withWorkload('  trace: {path: t.csv, format: blis}'), [/t\.csv: has no rows/, /blis/], { files: { 't.csv': BLIS_HEADER }, names: 't.csv' }),
  scen('empty routesim trace', withWorkload('  trace: {path: t.jsonl, format: routesim}'), [/t\.jsonl: has no rows/], { files: { 't.jsonl': '\n' }, names: 't.jsonl' }),
  scen('every row malformed and skipped', withWorkload('  trace: {path: t.jsonl, format: routesim, skip_bad_rows: true}'), [/t\.jsonl: has no well-formed rows/], { files: { 't.jsonl': '{"arrival_us": -1}\n' }, names: 't.jsonl' }),
  scen('scenario window past the trace end', withWorkload('  trace: {path: t.jsonl, format: mooncake, from_s: 50}'), [/workload\.trace\.from_s/, /no row of t\.jsonl falls in the window 50–end s/, /3 rows from 0 s to 2 s/], { files: { 't.jsonl': MOON } }),
  scen('scenario window between rows', withWorkload('  trace: {path: t.jsonl, format: mooncake, from_s: 0.2, to_s: 0.5}'), [/workload\.trace\.to_s/, /window 0\.2–0\.5 s/], { files: { 't.jsonl': MOON } }),
  { name: 'trace inspect --from past the end', files: { 't.jsonl': MOON }, args: ['trace', 'inspect', 't.jsonl', '--format', 'mooncake', '--from', '100'], stderr: [/--from/, /the trace has 3 rows from 0 s to 2 s/], names: '--from' },
  { name: 'trace inspect of a header-only azure trace', files: { 't.csv': AZURE_HEADER }, args: ['trace', 'inspect', 't.csv', '--format', 'azure'], stderr: /t\.csv: has no rows/ },
  { name: 'trace convert of an empty trace writes nothing', files: { 't.jsonl': '' }, args: ['trace', 'convert', 't.jsonl', 'out.jsonl', '--format', 'mooncake'], stderr: /t\.jsonl: has no rows/, names: 't.jsonl' },
  { name: 'trace inspect --sample keeping nothing', files: { 't.jsonl': MOON }, args: ['trace', 'inspect', 't.jsonl', '--format', 'mooncake', '--sample', '1e-9'], stderr: [/--sample/, /keeps none of the 3 rows/], names: '--sample' },
  scen('replay slowed beyond 1e7 s', withWorkload('  trace: {path: t.jsonl, format: mooncake, rate_scale: 0.001}'), [/workload\.trace\.rate_scale/, /spans 2e7 s/, /limited to 1e7 s/], { files: { 't.jsonl': MOON_ROW(0, 100, 10) + MOON_ROW(2e7, 100, 10) } }),

  // --- Replay and other numeric flags ---------------------------------------------------------------
  scen('--rate-scale 1e-300 (hung)', TRACE_SCEN, [/^routesim: --rate-scale: /, /between 0\.001 and 1000, got 1e-300/], { files: { 't.jsonl': MOON }, args: ['--rate-scale', '1e-300'], names: '--rate-scale' }),
  scen('--rate-scale 1e300', TRACE_SCEN, [/--rate-scale/, /got 1e300/], { files: { 't.jsonl': MOON }, args: ['--rate-scale', '1e300'], names: '--rate-scale' }),
  scen('--rate-scale on a generated workload 1e-300', SMALL, [/--rate-scale/, /got 1e-300/], { args: ['--rate-scale', '1e-300'], names: '--rate-scale' }),
  scen('--jitter 1e300 (V8 fatal, 2.4 GB)', TRACE_SCEN, [/^routesim: --jitter: /, /between 0 and 3600 s, got 1e300/], { files: { 't.jsonl': MOON }, args: ['--jitter', '1e300'], names: '--jitter' }),
  scen('--from -1', TRACE_SCEN, [/--from/, /between 0 and 1e9 s, got -1/], { files: { 't.jsonl': MOON }, args: ['--from', '-1'], names: '--from' }),
  scen('--to 1e300', TRACE_SCEN, [/--to/, /got 1e300/], { files: { 't.jsonl': MOON }, args: ['--to', '1e300'], names: '--to' }),
  scen('--sample 2', TRACE_SCEN, [/--sample/, /> 0 and ≤ 1/, /got 2/], { files: { 't.jsonl': MOON }, args: ['--sample', '2'], names: '--sample' }),
  scen('--loop 1e9', TRACE_SCEN, [/--loop/, /between 0 and 1000 passes/], { files: { 't.jsonl': MOON }, args: ['--loop', '1e9'], names: '--loop' }),
  scen('--loop 1.5', TRACE_SCEN, [/--loop/, /whole number/, /got 1\.5/], { files: { 't.jsonl': MOON }, args: ['--loop', '1.5'], names: '--loop' }),
  scen('--jitter not a number', TRACE_SCEN, [/--jitter/, /expected a number between 0 and 3600 s, got "lots"/], { files: { 't.jsonl': MOON }, args: ['--jitter', 'lots'], names: '--jitter' }),
  scen('--sweep-rate 1e-300', SMALL, [/--sweep-rate/, /between 1e-6 and 1e6 req\/s, got 1e-300/], { args: ['--sweep-rate', '10,1e-300'], names: '--sweep-rate' }),
  scen('--seeds 1e9', SMALL, [/--seeds/, /1 to 1000/], { args: ['--seeds', '1000000000'], names: '--seeds' }),
  { name: 'trace convert --jitter 1e300 writes nothing', files: { 't.jsonl': MOON }, args: ['trace', 'convert', 't.jsonl', 'out.jsonl', '--format', 'mooncake', '--jitter', '1e300'], stderr: /--jitter: must be between 0 and 3600 s/, names: '--jitter' },
  { name: 'trace inspect --block-tokens 1e9', files: { 't.jsonl': MOON }, args: ['trace', 'inspect', 't.jsonl', '--format', 'mooncake', '--block-tokens', '1e9'], stderr: [/--block-tokens/, /between 1 and 65536 tokens/], names: '--block-tokens' },
  { name: 'trace inspect --seed 1e300', files: { 't.jsonl': MOON }, args: ['trace', 'inspect', 't.jsonl', '--format', 'mooncake', '--seed', '1e300'], stderr: [/--seed/, /between 0 and 4294967295/], names: '--seed' },
  { name: 'trace synth --requests -5', files: { 'w.yaml': SYNTH_SPEC }, args: ['trace', 'synth', 'w.yaml', 'out.jsonl', '--requests', '-5'], stderr: [/--requests/, /whole number between 1 and 1e8 requests, got -5/], names: '--requests' },
  { name: 'trace synth --requests 1e12', files: { 'w.yaml': SYNTH_SPEC }, args: ['trace', 'synth', 'w.yaml', 'out.jsonl', '--requests', '1e12'], stderr: [/--requests/, /got 1e12/], names: '--requests' },
  { name: 'trace synth --duration 1e15', files: { 'w.yaml': SYNTH_SPEC }, args: ['trace', 'synth', 'w.yaml', 'out.jsonl', '--duration', '1e15'], stderr: [/--duration/, /≤ 1e7 s, got 1e15/], names: '--duration' },
  { name: 'trace synth of a spec with rate 1e-300', files: { 'w.yaml': SYNTH_SPEC.replace('rate: 10', 'rate: 1e-300') }, args: ['trace', 'synth', 'w.yaml', 'out.jsonl'], stderr: [/workload\.arrival\.rate/, /got 1e-300/] },

  // --- inference-perf configs -----------------------------------------------------------------------
  { name: 'inference-perf stage rate 1e300', files: { 'ip.yaml': IPERF('[{rate: 1e300, duration: 10}]') }, args: ['trace', 'synth', 'ip.yaml', 'out.jsonl'], stderr: [/load\.stages\[0\]\.rate/, /between 1e-6 and 1e6 req\/s/] },
  { name: 'inference-perf stages of 1e13 requests', files: { 'ip.yaml': IPERF('[{rate: 1000000, duration: 10000000}]') }, args: ['trace', 'synth', 'ip.yaml', 'out.jsonl'], stderr: [/load\.stages/, /1e13 expected requests/, /limited to 1e8/] },
  { name: 'inference-perf question_len 1e9', files: { 'ip.yaml': IPERF('[{rate: 1, duration: 10}]', 'num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 100, question_len: 1000000000, output_len: 20') }, args: ['trace', 'synth', 'ip.yaml', 'out.jsonl'], stderr: [/data\.shared_prefix\.question_len/, /between 1 and 1e6 tokens/] },
  { name: 'inference-perf duration 1e15', files: { 'ip.yaml': IPERF('[{rate: 1, duration: 1e15}]') }, args: ['trace', 'synth', 'ip.yaml', 'out.jsonl'], stderr: [/load\.stages\[0\]\.duration/, /≤ 1e7 s/] },

  // --- Pick-case metrics outside what vLLM reports ------------------------------------------------
  { name: 'pick case kvUsage 7', files: { 'p.yaml': PICK('kvUsage: 7') }, args: ['pick', 'p.yaml'], stderr: [/endpoints\[0\]\.metrics\.kvUsage/, /between 0 and 1, got 7/] },
  { name: 'pick case negative waiting', files: { 'p.yaml': PICK('waiting: -3') }, args: ['pick', 'p.yaml'], stderr: [/metrics\.waiting/, /got -3/] },
  { name: 'pick case running 1e300', files: { 'p.yaml': PICK('running: 1e300') }, args: ['pick', 'p.yaml'], stderr: [/metrics\.running/, RANGE] },
  { name: 'pick case scrape age 1e300 ms', files: { 'p.yaml': PICK('ageMs: 1e300') }, args: ['pick', 'p.yaml'], stderr: [/metrics\.ageMs/, RANGE] },
  { name: 'pick case numGpuBlocks 1e12', files: { 'p.yaml': PICK('numGpuBlocks: 1000000000000') }, args: ['pick', 'p.yaml'], stderr: [/metrics\.numGpuBlocks/, /between 0 and 10000000/] },

  // --- EndpointPickerConfig numbers ---------------------------------------------------------------
  scen('EPP flowControl.maxRequests 1e300', small('policies: [round-robin]', 'policies: [{name: n, epp: e.yaml}]'), [/e\.yaml: flowControl\.maxRequests/, /whole number below 2\^53/, /got 1e300/], {
    files: { 'e.yaml': 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nfeatureGates: [flowControl]\nflowControl: {maxRequests: 1e300}\nplugins:\n- {type: queue-scorer}\n' },
    names: 'e.yaml',
  }),
  scen('EPP prefix blockSize 1e-300', small('policies: [round-robin]', 'policies: [{name: n, epp: e.yaml}]'), [/e\.yaml: plugins\[0\]\.parameters\.blockSize/, /must be a whole number, got 1e-300/], {
    files: { 'e.yaml': 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- {type: prefix-cache-scorer, parameters: {blockSize: 1e-300}}\n' },
    names: 'e.yaml',
  }),

  // --- Accepted like production, but said loudly (exit 0, one warning line) ------------------------
  scen('negative scorer weight warns (the EPP accepts it)', small('policies: [round-robin]', 'policies: [{name: n, epp: neg.yaml}]'), [/^routesim: warning: neg\.yaml: schedulingProfiles\[0\]\.plugins\[0\]\.weight/, /weight -2 of scorer "queue-scorer" is negative/], {
    files: { 'neg.yaml': 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- {type: queue-scorer}\n- {type: kv-cache-utilization-scorer}\nschedulingProfiles: [{name: default, plugins: [{pluginRef: queue-scorer, weight: -2}, {pluginRef: kv-cache-utilization-scorer}]}]\n' },
    names: 'neg.yaml',
    exit: 0,
  }),
  scen('model rewrite with all-zero weights warns (the EPP splits uniformly)', small('policies:', 'gateway:\n  model_rewrites: [{model: m, targets: [{model: a, weight: 0}, {model: b, weight: 0}]}]\npolicies:'), [/^routesim: warning: s\.yaml: gateway\.model_rewrites\[0\]\.targets/, /weight 0/, /uniformly/], { exit: 0 }),
  scen('a policy that drops every request says so', small('policies: [round-robin]', 'policies: [{name: strict, epp: e.yaml}]'), [/^routesim: warning: policy strict: all 20 requests were dropped \(dropped: 20 /, /summary\.all_failed is true/], {
    files: { 'e.yaml': 'apiVersion: inference.networking.x-k8s.io/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- {type: by-label-selector, parameters: {matchLabels: {pool: none}}}\n' },
    names: 'policy strict',
    exit: 0,
  }),
  scen('some prompts above max_model_len warn with a count', small('input: {dist: constant, value: 100}', 'input: {dist: empirical, values: [100, 200000], weights: [1, 1]}'), [/^routesim: warning: s\.yaml: \d+ of 20 requests are rejected by every replica/, /longer than max_model_len 131072/, /rejected_by_reason/], { exit: 0 }),
  {
    name: '--sweep-rate whose point would simulate 1e9 requests',
    files: { 'd.yaml': 'name: d\nduration_s: 1000\nfleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}\nworkload: {arrival: {process: poisson, rate: 1}, input: 10, output: 5}\npolicies: [round-robin]\n' },
    args: ['run', 'd.yaml', '--sweep-rate', '1,1e6'],
    names: '--sweep-rate',
    stderr: [/sweep\.rates\[1\]/, /1e9 expected requests/, /limited to 1e8/],
  },
  // A sweep point scales a rate ladder (every stage by rate / the stages' mean): 10 req/s × 1e5 s at 1e6 req/s = 1e11.
  scen('sweep rate on a stage ladder of 1e11 requests', withWorkload('  arrival: {process: poisson, stages: [{rate: 10, duration_s: 100000}]}\n  input: 10\n  output: 2', 'description: ladder').replace('policies:', 'sweep: {rates: [1000000]}\npolicies:'), [/sweep\.rates\[0\]/, /scaled to a mean of 1e6 req\/s/, /1e11 expected requests/, /limited to 1e8/]),
  // Spikes multiply the rate: 5e4 req/s × 1000 s = 5e7 passes, × 1000 during the whole run = 5e10.
  scen('rate spike ×1000 making 5e10 requests', withWorkload('  arrival: {process: poisson, rate: 50000, spikes: [{at_s: 0, duration_s: 1000, multiplier: 1000}]}\n  input: 10\n  output: 2', 'duration_s: 1000'), [/workload\.arrival\.spikes/, /5e10 expected requests/, /limited to 1e8/]),
  { name: '--sweep-rate naming a rate twice', files: { 's.yaml': SMALL }, args: ['run', 's.yaml', '--sweep-rate', '10,20,10'], names: '--sweep-rate', stderr: /10 req\/s is given twice/ },
];
