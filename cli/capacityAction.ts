/**
 * `routesim capacity <scenario>`: how much fleet for how much traffic under SLOs (issue 14) —
 * `--max-rate` (highest passing rate per policy), `--min-replicas RATE` (fewest replicas per
 * policy, optionally per GPU type), `--options FILE` (max rate and cost of each fleet option, the
 * Pareto front). Probes run as cells on the command's executor; outputs are all-or-nothing.
 *
 * This is the command's work; its definition (arguments, options, help) is cli/capacity.ts, which
 * imports this module only when the command runs.
 */
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

export interface CapacityFlags {
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

export async function capacity(path: string, flags: CapacityFlags): Promise<void> {
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
