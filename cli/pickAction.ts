/**
 * `routesim pick CASE`: run a pick case through the EPP request lifecycle and explain every
 * decision (JSON on stdout). Exit 0 when every `expect` block holds; 1 when any fails (each
 * mismatch one stderr line `routesim: CASE: requests[i].expect.…: expected …, got …`, the JSON still
 * printed); 2 on a malformed case or config.
 *
 * `routesim pick --from-decision FILE:LINE [--scenario S | --config C]` replays one line of
 * `routesim run --decisions` as a one-request case expecting the logged pick (harness/fromDecision.ts
 * says which state is reproduced and which is pinned to the logged scores).
 *
 * This is the command's work; its definition (arguments, options, help) is cli/pick.ts, which
 * imports this module only when the command runs.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../policies/config/errors.js';
import { PickCaseError, runPickCase, runPickCaseFile, type PickOutput } from '../policies/harness/pickCase.js';
import { parseDecisionLine, pickCaseFromDecision } from '../policies/harness/fromDecision.js';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { poolsForPolicy } from '../sim/pools/resolve.js';
import { inputError, UserError } from '../sim/core/errors.js';
import { VERSION } from './version.js';

export interface PickFlags {
  fromDecision?: string;
  scenario?: string;
  config?: string;
}

export function pick(file: string | undefined, flags: PickFlags): void {
  if (flags.fromDecision !== undefined && file !== undefined) throw new UserError('routesim pick: give a case file or --from-decision FILE:LINE, not both');
  if (flags.fromDecision === undefined && (flags.scenario !== undefined || flags.config !== undefined)) throw new UserError('--scenario / --config: only meaningful with --from-decision (fix: add --from-decision decisions.jsonl:LINE)');
  if (flags.fromDecision === undefined && (file === undefined || file.trim() === '')) throw new UserError('the pick case path is empty (fix: give a pick case file, e.g. routesim pick case.yaml)');
  const name = flags.fromDecision ?? file!;
  let out: PickOutput;
  try {
    out = flags.fromDecision !== undefined ? replayDecision(flags.fromDecision, flags) : runPickCaseFile(file!);
  } catch (err) {
    if (err instanceof PickCaseError) throw inputError(err.file, err.path, err.problem, err.fix);
    if (err instanceof ConfigError) throw inputError(name, err.path, err.problem, err.fix);
    throw err;
  }
  process.stdout.write(`${JSON.stringify({ routesim: { version: VERSION }, case: name, results: out.results }, null, 2)}\n`);
  for (const m of out.mismatches) process.stderr.write(`routesim: ${name}: ${m}\n`);
  process.exitCode = out.mismatches.length > 0 ? 1 : 0;
}

/** Reads line LINE of FILE, builds the replay case and runs it. */
export function replayDecision(spec: string, flags: Pick<PickFlags, 'scenario' | 'config'> = {}): PickOutput {
  const m = /^(.*):(\d+)$/.exec(spec);
  if (!m || m[1] === '') throw inputError('--from-decision', '', `expected FILE:LINE, got ${JSON.stringify(spec)}`, 'pass e.g. --from-decision decisions.jsonl:12 (lines count from 1)');
  const [, path, lineText] = m as unknown as [string, string, string];
  const n = Number(lineText);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputError(path, '', `cannot read the decisions file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'give a file written by routesim run --decisions');
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (n < 1 || n > lines.length) throw inputError(path, `line ${n}`, `the file has ${lines.length} lines`, `give a line from 1 to ${lines.length}`);
  let line;
  try {
    line = parseDecisionLine(lines[n - 1]!);
  } catch (err) {
    throw inputError(path, `line ${n}`, (err as Error).message, 'give a file written by routesim run --decisions');
  }
  const doc = pickCaseFromDecision(line, configFor(line.policy, line.pool, flags), `${path}:${n}`);
  return runPickCase(doc, { file: `${path}:${n}` });
}

/** The EPP config text the line's policy ran with: --config, else the scenario's policy, else the default. */
function configFor(policy: string, pool: number, flags: Pick<PickFlags, 'scenario' | 'config'>): string | undefined {
  if (flags.config !== undefined) {
    try {
      return readFileSync(flags.config, 'utf8');
    } catch (err) {
      throw inputError(flags.config, '', `cannot read the config (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'give an EndpointPickerConfig YAML file');
    }
  }
  if (flags.scenario === undefined) return undefined;
  const scenario = loadScenarioFile(flags.scenario);
  const spec = scenario.policies.find((p) => p.name === policy);
  if (spec === undefined) throw inputError(flags.scenario, 'policies', `no policy named "${policy}" (the decision line's)`, `give the scenario the decisions were recorded from (policies: ${scenario.policies.map((p) => p.name).join(', ')})`);
  const picker = poolsForPolicy(scenario, spec)[pool]?.picker;
  const src = picker?.type === 'epp' ? picker.epp : undefined;
  if (src === undefined) throw inputError(flags.scenario, `policies.${policy}`, 'not an EPP policy: its decisions are not scheduling cycles', 'replay a line of an EPP policy');
  return src.kind === 'default' ? undefined : src.kind === 'file' ? src.text : JSON.stringify(src.config);
}
