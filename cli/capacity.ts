/**
 * `routesim capacity <scenario>`: the command's definition (arguments, options, help); its work —
 * max rate, min replicas or fleet options under SLOs — is cli/capacityAction.ts, imported only
 * when it runs.
 */
import type { Command } from 'commander';
import type { CapacityFlags } from './capacityAction.js';

/** A repeatable option's values, in order. */
function collect1(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerCapacity(program: Command): void {
  program
    .command('capacity')
    .description('capacity planning under SLOs: the max rate a fleet sustains, the fewest replicas for a rate, or the cost of fleet options')
    .argument('<scenario>', 'scenario YAML')
    .option('--max-rate', 'question: the highest offered rate (req/s) each policy sustains under the SLOs')
    .option('--min-replicas <rate>', 'question: the fewest replicas each policy needs for this rate (req/s)')
    .option('--options <file>', 'question: max rate and cost of each fleet option (YAML: options: [{name, set: {PATH: VALUE}}], prices: {GPU: $/h})')
    .option('--rate <r>', 'with --options: probe each option once at this rate instead of searching')
    .option('--rates <list>', 'with --max-rate / --options: probe a fixed ladder, 10,20,30 or 10:60:5, instead of searching')
    .option('--rate-low <r>', 'start the rate search here (with --rate-high: the first bracket)')
    .option('--rate-high <r>', 'start the rate search here (with --rate-low: the first bracket)')
    .option('--gpus <list>', 'with --min-replicas: repeat the search with each GPU type, e.g. H100,L40S')
    .option('--replicas-path <path>', 'with --min-replicas: the replica count to vary (default fleet.replicas, or each pool\'s pools.<name>.replicas[0].count)')
    .option('--ttft-p99 <ms>', 'SLO: p99 TTFT bound, ms (default 2000 when no SLO flag is given)')
    .option('--tpot-p99 <ms>', 'SLO: p99 TPOT bound, ms')
    .option('--goodput <pct>', 'SLO: lowest goodput, % of arrived requests meeting the scenario\'s slo')
    .option('--seeds <n>', 'seeds per probe (default 5): the SLO bound is one-sided 95 % over them')
    .option('--tolerance <w>', 'relative bracket width the rate search narrows to (default 0.025)')
    .option('-j, --jobs <n>', 'worker threads (default: the machine\'s cores); the output is byte-identical to --jobs 1')
    .option('--set <path=value>', 'override a scenario field (repeatable), e.g. --set fleet.replicas=6', collect1, undefined)
    .option('--prices <file>', '$/GPU-hour YAML {GPU: price} on top of the built-in table and the scenario\'s gpu_prices')
    .option('-o, --out <file>', 'write the capacity JSON document')
    .option('--json', 'print the capacity JSON document on stdout instead of the Markdown summary')
    .option('--markdown <file>', 'write the Markdown summary to a file')
    .option('--shard <i/N>', 'with a fixed list of probes (--rates, or --options --rate): run only shard i of N of them and write a partial result to --out; combine the parts with routesim merge')
    .option('--charts <dir>', 'with --options: write the Pareto (cost against max rate) and QPS-per-$ charts, Vega-Lite and SVG, into this directory')
    .action(async (scenarioPath: string, flags: CapacityFlags) => {
      const { capacity } = await import('./capacityAction.js');
      return capacity(scenarioPath, flags);
    });
}
