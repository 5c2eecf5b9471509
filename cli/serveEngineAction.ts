/**
 * `routesim serve engine`'s work (its definition is cli/serveEngine.ts): load the scenario, start
 * one mock vLLM server per replica, print one line per endpoint, serve until SIGINT / SIGTERM, then
 * stop cleanly.
 */
import { UserError } from '../sim/core/errors.js';
import { inputWarnings } from '../sim/scenario/warnings.js';
import { loadServeScenario, type FleetFlags } from '../live/engine/scenarioSource.js';
import { parseErrorRate, parseSlowPods } from '../live/engine/faults.js';
import { startEngineService, type EngineService } from '../live/engine/engineService.js';

export interface ServeEngineFlags extends FleetFlags {
  speedup: string;
  host: string;
  basePort: string;
  seed?: string;
  errorRate?: string;
  slowPod?: string[];
  servedModelName?: string;
  loraModules?: string;
  naturalTokens: string;
  enableAdmin?: boolean;
}

function positiveNumber(flag: string, v: string, integer: boolean, min: number, example: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UserError(`${flag}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${v}' (fix: e.g. ${flag} ${example})`);
  }
  return n;
}

export async function serveEngine(path: string | undefined, flags: ServeEngineFlags): Promise<void> {
  const speedup = positiveNumber('--speedup', flags.speedup, false, Number.MIN_VALUE, '10');
  const basePort = positiveNumber('--base-port', flags.basePort, true, 0, '8000');
  const naturalTokensMax = positiveNumber('--natural-tokens', flags.naturalTokens, true, 1, '256');
  const errorRate = parseErrorRate(flags.errorRate);
  const scenario = loadServeScenario(path, flags);
  for (const w of inputWarnings()) process.stderr.write(`routesim: warning: ${w}\n`);
  const seed = flags.seed !== undefined ? positiveNumber('--seed', flags.seed, true, 0, '42') : scenario.seed;
  const service: EngineService = await startEngineService(scenario, {
    speedup,
    seed,
    errorRate,
    slowFactors: parseSlowPods(flags.slowPod),
    ...(flags.servedModelName !== undefined ? { servedModelName: flags.servedModelName } : {}),
    loraModules: (flags.loraModules ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    naturalTokensMax,
    host: flags.host,
    basePort,
    enableAdmin: flags.enableAdmin === true,
  });
  process.stdout.write(`routesim serve engine: ${service.endpoints.length} replicas, speed-up ${speedup}×${flags.enableAdmin ? ', admin endpoints on' : ''}\n`);
  for (const e of service.endpoints) process.stdout.write(`${e.name} http://${e.host}:${e.port} model=${e.model}\n`);
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  await service.stop();
  process.stdout.write('routesim serve engine: stopped\n');
}
