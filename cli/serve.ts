/**
 * `routesim serve …`: the parent command of the live servers (issue 16), built from the simulator's
 * own code. Each subcommand registers itself from its own module: `serve picker`
 * (cli/servePicker.ts: an EPP config as a real Envoy ext_proc Endpoint Picker) and `serve engine`
 * (cli/serveEngine.ts: the simulated replicas as a mock vLLM fleet).
 */
import type { Command } from 'commander';
import { registerServePicker } from './servePicker.js';
import { registerServeEngine } from './serveEngine.js';

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run routesim live: serve picker = an EPP config as an Envoy ext_proc Endpoint Picker; serve engine = the simulated replicas as a mock vLLM fleet');
  registerServePicker(serve);
  registerServeEngine(serve);
}
