/**
 * `routesim run [scenario]`: the command's definition (arguments, options, help). Its work —
 * simulate every policy of a scenario and report — is in cli/runAction.ts, imported only when the
 * command runs, so `--help` and the other commands do not load it.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './version.js';
import { addReplayOptions } from './replayOptions.js';
import type { RunFlags } from './runAction.js';

/** A repeatable option's values, in order. */
function collect1(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export const DEFAULT_SCENARIO = join(PACKAGE_ROOT, 'scenarios', 'quickstart.yaml');

export function registerRun(program: Command): void {
  addReplayOptions(program.command('run'))
    .description('simulate every policy in a scenario on the identical request stream and print a comparison table')
    .argument('[scenario]', 'scenario YAML (default: the embedded quickstart)')
    .option('-o, --out <file>', 'write the results JSON document (scenario echo, per-policy summaries, per-replica figures); - = stdout instead of the table')
    .option('--requests-csv <file>', 'write one CSV row per request and policy (- = stdout instead of the table)')
    .option('--json', 'print the results JSON document on stdout instead of the table')
    .option('--seeds <n>', 'repeat every policy over n seeds (seed, seed+1, …): mean, 95 % CI and paired significance')
    .option('--sweep-rate <rates>', 'also run at these offered loads, comma-separated req/s (latency against load)')
    .option('--update-baseline <file>', 'write the results JSON as the CI baseline for routesim check (- = stdout instead of the table)')
    .option('--decisions <file>', 'write one JSON line per EPP scheduling decision of the first seed\'s run (candidates, scraped vs true state, scores, pick, counterfactual pick); adds the decision-quality summary (- = stdout instead of the table)')
    .option('--decisions-sample <share>', 'with --decisions: write only this share of the requests\' decisions, 0 < share ≤ 1, chosen deterministically from the seed (the summary still covers every decision)')
    .option('--decision-summary', 'compute the decision-quality summary (regret against the true engine state, picks changed by stale scrapes) without writing --decisions; slower: every pick is re-run')
    .option('--set <path=value>', 'override a scenario field, validated like the file (repeatable), e.g. --set fleet.replicas=6 --set workload.rate=40', collect1, undefined)
    .option('--sweep <path=v1,v2>', 'run the scenario at every combination of these values of any field (repeatable: a grid; replaces the file\'s sweep paths), e.g. --sweep fleet.replicas=4,6,8', collect1, undefined)
    .option('-j, --jobs <n>', 'run independent simulations (policy × seed × sweep point) on this many worker threads (default: the machine\'s cores); the output is byte-identical to --jobs 1')
    .option('--shard <i/N>', 'run only shard i of N (a deterministic 1/N of the simulations) and write a partial result to --out; combine the parts with routesim merge')
    .option('--benchmark-report <dir>', 'write llm-d-benchmark Benchmark Reports v0.2.1 of the first seed\'s run: DIR/<policy>/stage_<i>_benchmark_report.json, one per policy and stage, validated against the schema')
    .option('--inference-perf-report <dir>', 'write inference-perf\'s lifecycle metrics (seconds) of the first seed\'s run: DIR/<policy>/stage_<i>_lifecycle_metrics.json and summary_lifecycle_metrics.json')
    .option('--streamed-summary', 'keep no per-request records: summarise each request as it ends (the same figures up to 1,000,000 requests a run; past that, latency quantiles from 0.5 %-accurate sketches); automatic for runs of more than 100,000 requests unless an output needs records, and for every run of more than 1,000,000')
    .option('--trace-out <file>', 'write each policy\'s run as a BLIS TraceV2 pair (FILE.yaml header + FILE.csv rows; FILE.<policy>.* with several policies)')
    .action(async (scenarioPath: string | undefined, flags: RunFlags) => {
      const { run } = await import('./runAction.js');
      return run(scenarioPath ?? DEFAULT_SCENARIO, flags);
    });
}
