/**
 * `routesim validate MEASURED-RUN --scenario S`: the command's definition (arguments, options,
 * help); its work — replay a measured vLLM run and compare — is cli/validateAction.ts, imported
 * only when it runs.
 */
import type { Command } from 'commander';
import type { ValidateFlags } from './validateAction.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('replay a measured vLLM run through a scenario and print measured vs simulated TTFT, TPOT, E2E (mean, p99) and throughput with signed errors')
    .argument('<measured-run>', 'directory of a measured run in the LLMServingSim vllm_bench format (<prefix>_requests.jsonl, _timeseries.csv, _meta.json)')
    .requiredOption('--scenario <file>', 'scenario YAML giving the fleet, engine, step time and policy (its workload is replaced by the measured arrivals)')
    .option('-o, --out <file>', 'write the comparison as a JSON document (- = stdout instead of the table)')
    .option('--chart <dir>', 'write validation-timeseries.vl.json and .svg: running / waiting / KV use over time, measured vs simulated')
    .action(async (dir: string, flags: ValidateFlags) => {
      const { validate } = await import('./validateAction.js');
      return validate(dir, flags);
    });
}
