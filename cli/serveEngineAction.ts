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

/** `v` as a number ≥ min (> 0 when min is 0 and `strict`), an integer when asked. */
function numberFlag(flag: string, v: string, o: { integer: boolean; min: number; strict?: boolean }, example: string): number {
  const n = Number(v);
  const low = o.strict === true ? n <= o.min : n < o.min;
  if (v.trim() === '' || !Number.isFinite(n) || low || (o.integer && !Number.isInteger(n))) {
    throw new UserError(`${flag}: expected ${o.integer ? 'an integer' : 'a number'} ${o.strict === true ? '>' : '≥'} ${o.min}, got '${v}' (fix: e.g. ${flag} ${example})`);
  }
  return n;
}

export async function serveEngine(path: string | undefined, flags: ServeEngineFlags): Promise<void> {
  const speedup = numberFlag('--speedup', flags.speedup, { integer: false, min: 0, strict: true }, '10');
  const basePort = numberFlag('--base-port', flags.basePort, { integer: true, min: 0 }, '8000');
  const naturalTokensMax = numberFlag('--natural-tokens', flags.naturalTokens, { integer: true, min: 1 }, '256');
  const errorRate = parseErrorRate(flags.errorRate);
  const scenario = loadServeScenario(path, flags);
  for (const w of inputWarnings()) process.stderr.write(`routesim: warning: ${w}\n`);
  const seed = flags.seed !== undefined ? numberFlag('--seed', flags.seed, { integer: true, min: 0 }, '42') : scenario.seed;
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
