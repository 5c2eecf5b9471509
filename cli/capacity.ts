/**
 * `routesim capacity <scenario>`: how much fleet for how much traffic under SLOs (issue 14) —
 * `--max-rate` (highest passing rate per policy), `--min-replicas RATE` (fewest replicas per
 * policy, optionally per GPU type), `--options FILE` (max rate and cost of each fleet option, the
 * Pareto front). Probes run as cells on the command's executor; outputs are all-or-nothing.
 */
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { answerCapacity, Variants, type CapacityQuestion } from '../lab/capacity/plan.js';
import { parseGpuList, parseLadder, parsePositive, parseSeedCount, parseSloFlags, parseTolerance, questionOf, readOptionsFile, readPricesFile } from '../lab/capacity/flags.js';
import { DEFAULT_TOLERANCE } from '../lab/capacity/search.js';
import type { CapacityDocument } from '../lab/capacity/types.js';
import { createExecutor } from '../lab/cells/executors.js';
import { setShardInputs } from '../lab/shards/context.js';
import { startShard } from '../lab/shards/flags.js';
import { loadRecipe, type ScenarioRecipe } from '../lab/cells/recipe.js';
import { parseJobsFlag } from '../lab/parallel/pool.js';
import { renderCapacityMarkdown } from '../reports/capacity/markdown.js';
import { capacityChartPaths, writeCapacityCharts } from '../reports/capacity/write.js';
import { writeFileAtomic } from '../reports/atomicWrite.js';
import { prepareOutputs } from '../reports/outputs/plan.js';
import { ScenarioRunError, UserError } from '../sim/core/errors.js';
import { parseSetFlag } from '../sim/scenario/overrides/flags.js';
import { MAX_SEEDS } from '../sim/scenario/schema.js';
import { VERSION } from './version.js';

interface CapacityFlags {
  maxRate?: boolean;
  minReplicas?: string;
  options?: string;
  rate?: string;
  rates?: string;
  rateLow?: string;
  rateHigh?: string;
  gpus?: string;
  replicasPath?: string;
  ttftP99?: string;
  tpotP99?: string;
  goodput?: string;
  seeds?: string;
  tolerance?: string;
  jobs?: string;
  set?: string[];
  prices?: string;
  out?: string;
  json?: boolean;
  markdown?: string;
  charts?: string;
  shard?: string;
}

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
    .action((scenarioPath: string, flags: CapacityFlags) => capacity(scenarioPath, flags));
}

function onlyWith(flag: string, ok: boolean, need: string): void {
  if (!ok) throw new UserError(`${flag}: only meaningful with ${need} (fix: add ${need}, or drop ${flag})`);
}

/** The question as flags give it; seeds (scenario.seed …) are added once the scenario is loaded. */
function questionFrom(path: string, flags: CapacityFlags): { q: Omit<CapacityQuestion, 'recipe' | 'seeds'>; seedsN: number; recipe: ScenarioRecipe } {
  const question = questionOf(flags);
  const slo = parseSloFlags(flags);
  const seedsN = parseSeedCount(flags.seeds, MAX_SEEDS);
  const tolerance = parseTolerance(flags.tolerance, DEFAULT_TOLERANCE);
  onlyWith('--rate', flags.rate === undefined || question === 'options', '--options');
  onlyWith('--gpus', flags.gpus === undefined || question === 'min-replicas', '--min-replicas');
  onlyWith('--replicas-path', flags.replicasPath === undefined || question === 'min-replicas', '--min-replicas');
  onlyWith('--rates', flags.rates === undefined || question !== 'min-replicas', '--max-rate or --options');
  const rateLow = flags.rateLow === undefined ? undefined : parsePositive('--rate-low', flags.rateLow, '10');
  const rateHigh = flags.rateHigh === undefined ? undefined : parsePositive('--rate-high', flags.rateHigh, '80');
  if (question === 'min-replicas' && (rateLow !== undefined || rateHigh !== undefined)) throw new UserError('--rate-low/--rate-high: --min-replicas searches replicas at one rate (fix: drop them)');
  if (rateLow !== undefined && rateHigh !== undefined && rateLow >= rateHigh) throw new UserError(`--rate-low ${rateLow} is not below --rate-high ${rateHigh} (fix: swap them)`);
  const ladder = flags.rates === undefined ? undefined : parseLadder(flags.rates);
  if (ladder !== undefined && (flags.rate !== undefined || rateLow !== undefined || rateHigh !== undefined)) throw new UserError('--rates: a fixed ladder replaces --rate, --rate-low and --rate-high (fix: give one of them)');
  const rate = question === 'min-replicas' ? parsePositive('--min-replicas', flags.minReplicas!, '40') : flags.rate === undefined ? undefined : parsePositive('--rate', flags.rate, '40');
  const opts = question === 'options' ? readOptionsFile(flags.options!) : undefined;
  const prices = { ...(opts?.prices ?? {}), ...(flags.prices !== undefined ? readPricesFile(flags.prices) : {}) };
  const recipe: ScenarioRecipe = { path, overrides: (flags.set ?? []).map(parseSetFlag), replay: {}, pluginModules: [] };
  return {
    recipe,
    seedsN,
    q: {
      question,
      slo,
      tolerance,
      ...(rateLow !== undefined ? { rateLow } : {}),
      ...(rateHigh !== undefined ? { rateHigh } : {}),
      ...(ladder !== undefined ? { ladder } : {}),
      ...(rate !== undefined ? { rate } : {}),
      ...(flags.gpus !== undefined ? { gpus: parseGpuList(flags.gpus) } : {}),
      ...(flags.replicasPath !== undefined ? { replicasPath: flags.replicasPath.trim() } : {}),
      ...(opts !== undefined ? { options: opts.options } : {}),
      prices,
      version: VERSION,
    },
  };
}

export function serialiseCapacity(doc: CapacityDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

async function capacity(path: string, flags: CapacityFlags): Promise<void> {
  if (path.trim() === '') throw new UserError('the scenario path is empty (fix: give a scenario file, e.g. routesim capacity scenarios/capacity-40qps.yaml --max-rate)');
  const { q: partial, seedsN, recipe } = questionFrom(path, flags);
  const jobs = parseJobsFlag(flags.jobs);
  const base = loadRecipe(recipe);
  const src = base.workload.source;
  if (src?.kind === 'sessions' && src.mode === 'closed') throw new UserError(`${path}: capacity: a closed-loop sessions workload has no arrival rate to search (fix: use mode: open)`);
  const q: CapacityQuestion = { ...partial, recipe, seeds: Array.from({ length: seedsN }, (_, i) => base.seed + i) };
  setShardInputs([path]);
  if (flags.shard !== undefined) {
    // Only a fixed list of probes can be split before any result is known.
    if (q.ladder === undefined && !(q.question === 'options' && q.rate !== undefined)) throw new UserError('--shard: a capacity search by bisection chooses each round\'s probes from the last round\'s results, so it cannot be split in advance (fix: give a fixed ladder with --rates, e.g. --rates 10:60:5, for a sharded search)');
    startShard(flags.shard, { out: flags.out, refused: [['--json', flags.json], ['--markdown', flags.markdown], ['--charts', flags.charts]], documentOutputs: ['--json', '--markdown', '--charts'], argv: process.argv.slice(2), version: VERSION });
  }
  const charts = flags.charts?.trim();
  if (charts !== undefined) {
    if (charts === '' || charts === '-') throw new UserError('--charts: charts are files (fix: give a directory, e.g. --charts capacity-charts)');
    mkdirSync(charts, { recursive: true });
  }
  const outputs = prepareOutputs(
    [
      { flag: '--out', path: flags.out, stdout: true, example: 'capacity.json' },
      { flag: '--markdown', path: flags.markdown, stdout: true, example: 'capacity.md' },
      ...(charts !== undefined ? [{ flag: '--charts', path: charts, files: capacityChartPaths(charts), noStdoutWhy: 'charts are files; give a directory', example: 'capacity-charts' }] : []),
    ],
    { inputs: [path], stdoutTakenBy: flags.json ? '--json' : null },
  );
  const variants = new Variants(recipe, base);
  const exec = createExecutor({ recipe, variantOverrides: variants.overrides, configOf: variants.config, jobs });
  try {
    const doc = await answerCapacity(q, base, variants, exec);
    const json = serialiseCapacity(doc);
    const md = renderCapacityMarkdown(doc);
    if (flags.out) writeFileAtomic(flags.out, json);
    if (flags.markdown) writeFileAtomic(flags.markdown, md);
    if (charts !== undefined) await writeCapacityCharts(doc, charts);
    outputs.commit();
    if (outputs.usesStdout) return;
    process.stdout.write(flags.json ? json : md);
  } catch (err) {
    outputs.abort();
    throw err instanceof ScenarioRunError ? new UserError(`${path}: ${err.message}`) : err;
  } finally {
    await exec.close();
  }
}
