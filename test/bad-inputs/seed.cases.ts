/** Seed cases that already passed before the hardening issue: unknown keys and typos. */
import { SMALL } from './fixtures.js';
import type { BadInputCase } from './types.js';


export const cases: readonly BadInputCase[] = [
  { name: 'unknown engine key with a typo', files: { 's.yaml': SMALL.replace('fleet: {', 'fleet: {engine: {max_num_seq: 4}, ') }, args: ['run', 's.yaml'], stderr: [/fleet\.engine\.max_num_seq/, /did you mean "max_num_seqs"/] },
  { name: 'scenario file that does not exist', args: ['run', 'missing.yaml'], stderr: /missing\.yaml/ },
];
