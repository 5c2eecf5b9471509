/**
 * `routesim trace inspect FILE`, `routesim trace convert IN OUT`, `routesim trace synth SPEC OUT`:
 * the commands' definitions (arguments, options, help); their work is in cli/traceAction.ts,
 * imported only when one runs. The replay flags shared with `routesim run` are cli/replayOptions.ts.
 */
import type { Command } from 'commander';
import { TRACE_FORMATS, WRITABLE_FORMATS } from '../sim/workload/traces/types.js';
import { addReplayOptions } from './replayOptions.js';
import type { ConvertFlags, InspectFlags, SynthFlags } from './traceAction.js';

export function registerTrace(program: Command): void {
  const trace = program.command('trace').description('inspect, convert and synthesise request traces');

  addReplayOptions(
    trace
      .command('inspect')
      .description('print a trace\'s statistics: rows, time span, per-minute rate, inter-arrival CV, length percentiles, ideal prefix reuse')
      .argument('<file>', `trace file (${TRACE_FORMATS.join(', ')}; .gz read directly)`)
      .option('--format <format>', `trace format (default: from the name and content): ${TRACE_FORMATS.join(', ')}`)
      .option('--seed <n>', 'seed of sampling, jitter and generated formats', '42')
      .option('--block-tokens <n>', 'measure prefix reuse at fixed blocks of n tokens instead of the trace\'s own units')
      .option('--json', 'print the statistics as JSON'),
  ).action(async (file: string, flags: InspectFlags) => {
    const { inspect } = await import('./traceAction.js');
    inspect(file, flags);
  });

  addReplayOptions(
    trace
      .command('convert')
      .description(`convert a trace between formats (reads ${TRACE_FORMATS.join(', ')}; writes ${WRITABLE_FORMATS.join(', ')})`)
      .argument('<in>', 'input trace')
      .argument('<out>', 'output file (.jsonl → routesim, .csv/.yaml → BLIS TraceV2 pair; .gz compresses; - = stdout with --to-format)')
      .option('--format <format>', 'input format (default: from the name and content)')
      .option('--to-format <format>', `output format: ${WRITABLE_FORMATS.join(', ')}`)
      .option('--seed <n>', 'seed of sampling, jitter and generated formats', '42'),
  ).action(async (input: string, out: string, flags: ConvertFlags) => {
    const { convert } = await import('./traceAction.js');
    convert(input, out, flags);
  });

  trace
    .command('synth')
    .description('write a generated workload (a scenario\'s workload, or an inference-perf config) as a trace')
    .argument('<spec>', 'scenario YAML (only workload, seed, requests/duration_s are used; fleet and policies may be omitted) or inference-perf config')
    .argument('<out>', 'output file (.jsonl → routesim, .csv/.yaml → BLIS TraceV2 pair; .gz compresses)')
    .option('--to-format <format>', `output format: ${WRITABLE_FORMATS.join(', ')}`)
    .option('--seed <n>', 'seed (default: the spec\'s)')
    .option('--requests <n>', 'stop after n requests (overrides the spec)')
    .option('--duration <s>', 'stop after s seconds (overrides the spec)')
    .option('--dataset-lengths <file>', 'an inference-perf config with a real-text dataset (shareGPT, billsum_conversations, infinity_instruct, cnn_dailymail): the recorded (input, output) token counts per conversation, JSONL or CSV')
    .action(async (spec: string, out: string, flags: SynthFlags) => {
      const { synth } = await import('./traceAction.js');
      synth(spec, out, flags);
    });
}
