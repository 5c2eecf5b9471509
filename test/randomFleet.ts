/**
 * Random small fleets for the engine's property tests (engine.properties, decodeCohort, engineCpu): the
 * engine knobs and load every such test draws, and those knobs as scenario YAML.
 */
import fc from 'fast-check';

export interface FleetKnobs {
  replicas: number;
  blocks: number;
  blockSize: number;
  maxSeqs: number;
  budget: number;
  threshold: number;
  caching: boolean;
  priority: boolean;
  rate: number;
  requests: number;
  seed: number;
  shared: boolean;
  multiTurn: boolean;
  physics: boolean;
}

/** Arbitraries of the knobs, to spread into a test's own `fc.record` (at least `minBlocks` KV blocks). */
export function fleetKnobs(minBlocks: number): { [K in keyof FleetKnobs]: fc.Arbitrary<FleetKnobs[K]> } {
  return {
    replicas: fc.integer({ min: 1, max: 3 }),
    blocks: fc.integer({ min: minBlocks, max: 400 }),
    blockSize: fc.constantFrom(8, 16, 32),
    maxSeqs: fc.integer({ min: 1, max: 32 }),
    budget: fc.integer({ min: 32, max: 512 }),
    threshold: fc.constantFrom(0, 0, 24, 100),
    caching: fc.boolean(),
    priority: fc.boolean(),
    rate: fc.double({ min: 5, max: 400, noNaN: true }),
    requests: fc.integer({ min: 1, max: 80 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    shared: fc.boolean(),
    multiTurn: fc.boolean(),
    physics: fc.boolean(),
  };
}

/** The engine knobs of a scenario. */
export type EngineKnobs = Pick<FleetKnobs, 'blocks' | 'blockSize' | 'maxSeqs' | 'budget' | 'threshold' | 'caching' | 'priority'>;

/** The engine lines of a scenario for `k`, each starting with `indent`. */
export function engineYaml(k: EngineKnobs, indent: string): string {
  return [
    `num_gpu_blocks: ${k.blocks}`,
    `block_size: ${k.blockSize}`,
    `max_num_seqs: ${k.maxSeqs}`,
    `max_num_batched_tokens: ${Math.max(k.budget, k.maxSeqs)}`,
    `long_prefill_token_threshold: ${k.threshold}`,
    `enable_prefix_caching: ${k.caching}`,
    `scheduling: ${k.priority ? 'priority' : 'fcfs'}`,
  ].map((l) => indent + l).join('\n');
}

/** The workload's prompts: shared-prefix groups (multi-turn or not) or unique prompts of 1–300 tokens. */
export function promptYaml(k: FleetKnobs): string {
  return k.shared
    ? `shared_prefix: {num_groups: 3, num_prompts_per_group: 2, system_prompt_len: 70, question_len: 13, enable_multi_turn_chat: ${k.multiTurn}${k.multiTurn ? ', max_turns: 4' : ''}}`
    : 'input: {dist: uniform, min: 1, max: 300}';
}
