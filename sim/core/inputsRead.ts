/**
 * The process-wide record of the input files read so far (scenario, EPP configs, results, rules,
 * traces, ServeGen windows, length files…), fed by the one user-file reader (userFiles.ts) and the
 * one trace opener (sim/workload/traces/lines.ts). reports/outputs refuses any output that would
 * overwrite one of them, so a command must read its inputs before it prepares its outputs.
 */
import { resolve } from 'node:path';

const read = new Set<string>();

/** Records that `path` (as given; resolved against the working directory) was read as input. */
export function noteInput(path: string): void {
  if (path !== '') read.add(resolve(path));
}

/** Every input file noted so far, as absolute paths, in the order first read. */
export function inputsRead(): readonly string[] {
  return [...read];
}
