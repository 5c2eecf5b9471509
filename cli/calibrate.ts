/**
 * `routesim calibrate --scenario S (--from-profile … | --from-run PATH)`: the command's definition
 * (options, help); its work — fit step-time coefficients and write a calibration file — is
 * cli/calibrateAction.ts, imported only when it runs.
 */
import type { Command } from 'commander';
import { DEFAULT_RIDGE } from '../sim/calibration/fit.js';
import type { CalibrateFlags } from './calibrateAction.js';

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('fit physics or linear step-time coefficients from profile tables or a measured run; print residuals and coefficients; write a calibration file for step_time: {calibration: FILE}')
    .requiredOption('--scenario <file>', 'scenario whose fleet (GPU, model, TP, engine limits) the coefficients are fitted for')
    .option('--from-profile', "fit on step times composed from profile tables (the scenario's step_time: {model: profile}, or --profile/--prefix)")
    .option('--profile <dir>', 'LLMServingSim profile directory (with --from-profile, when the scenario does not use one)')
    .option('--prefix <prefix>', 'profile file prefix, e.g. rtxpro6000_Llama-3.1-8B_tp1')
    .option('--from-run <path>', 'measured run: a requests.jsonl or its vllm_bench directory, an inference-perf result directory, or a directory of vLLM /metrics scrapes')
    .option('--model <name>', 'coefficients to fit: physics or linear', 'physics')
    .option('--design <kind>', "--from-profile batches: grid (decode / prefill / mixed grid over the engine limits, §4.2), workload (the steps a simulation of the scenario's own workload runs) or both", 'grid')
    .option('--targets <rows>', '--from-run rows: auto (by source, see the report), both (prefill and decode time, §4.3) or decode (decode only)', 'auto')
    .option('--rounds <n>', 'replay-and-fit rounds for --from-run', '4')
    .option('--ridge <lambda>', 'ridge strength toward the prior (PHYSICS_DEFAULTS / LINEAR_DEFAULTS)', String(DEFAULT_RIDGE))
    .option('-o, --out <file>', 'write the calibration file here (default: stdout, report on stderr)')
    .action(async (flags: CalibrateFlags) => {
      const { calibrate } = await import('./calibrateAction.js');
      return calibrate(flags);
    });
}
