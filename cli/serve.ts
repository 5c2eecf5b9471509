/**
 * `routesim serve …`: the parent command of the live servers (issue 16). Each subcommand registers
 * itself from its own module: `serve engine` (cli/serveEngine.ts, the mock vLLM fleet).
 */
import type { Command } from 'commander';
import { registerServeEngine } from './serveEngine.js';

export function registerServe(program: Command): void {
  const serve = program.command('serve').description('run routesim live: serve engine = the simulated replicas as a mock vLLM fleet');
  registerServeEngine(serve);
}
