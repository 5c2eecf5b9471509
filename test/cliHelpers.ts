/** Running the built CLI (bin/routesim.js → dist/, built by `npm test`'s pretest) from tests. */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin', 'routesim.js');
/** The built CLI itself (what bin/routesim.js runs), for tests that spawn and signal it directly. */
export const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

/** `routesim ...args` in `cwd`: exit code, stdout and stderr. */
export function routesim(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A small, fast scenario (60 requests, 2-group shared prefix, round-robin and least-requests). */
export function smallScenario(replicas = 2, extra = ''): string {
  return `
name: small
seed: 5
requests: 60
fleet: {replicas: ${replicas}, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 20}
  shared_prefix: {num_groups: 2, num_prompts_per_group: 3, system_prompt_len: 300, question_len: 40}
  output: {dist: uniform, min: 5, max: 30}
policies: [round-robin, least-requests]
slo: {ttft_ms: 500}
${extra}`;
}
