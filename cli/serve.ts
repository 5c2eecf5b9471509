/**
 * `routesim serve`: live services built from the simulator's code. `serve picker` (cli/servePicker.ts)
 * runs an EPP config as a real Endpoint Picker.
 */
import type { Command } from 'commander';
import { registerServePicker } from './servePicker.js';

export function registerServe(program: Command): void {
  const serve = program.command('serve').description('run live services from the same code as the simulator (picker: an Envoy ext_proc Endpoint Picker)');
  registerServePicker(serve);
}
