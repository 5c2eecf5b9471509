/**
 * Builds the policy behind the gateway from a scenario's PolicySpec: a Router (baselines and named
 * policies of other routers) or an EPP configuration run through the production request lifecycle.
 * Plugins are stateful, so every run gets fresh instances.
 */
import type { Router } from '../../policies/types.js';
import { BASELINE_TYPES, createBaselineRouter } from '../../policies/baselines/index.js';
import { NAMED_POLICY_TYPES, createNamedRouter } from '../../policies/named/index.js';
import { ConfigError, loadPickerConfig } from '../../policies/config/loader.js';
import { EndpointPicker } from '../../policies/framework/director.js';
import type { EppConfigSource, ModelRewrite, ObjectiveSpec, PolicySpec, ScenarioConfig } from '../scenario/types.js';
import { createRng } from '../core/rng.js';
import { inputError } from '../core/errors.js';
import type { Backend } from './gateway.js';

/** Router types a scenario may name. */
export const ROUTER_TYPES: readonly string[] = [...BASELINE_TYPES, ...NAMED_POLICY_TYPES];

export function createRouter(type: string, params: Readonly<Record<string, unknown>>): Router {
  if ((BASELINE_TYPES as readonly string[]).includes(type)) {
    const extra = Object.keys(params);
    if (extra.length > 0) throw new Error(`${type} takes no parameters (got ${extra.join(', ')})`);
    return createBaselineRouter(type);
  }
  return createNamedRouter(type, params);
}

function configInput(src: EppConfigSource): { text: string } | { value: unknown } | null {
  return src.kind === 'default' ? null : src.kind === 'file' ? { text: src.text } : { value: src.config };
}

/** Loads an EPP config once so mistakes surface at scenario load, naming the file and field. */
/** Loads an EPP config once so a mistake fails at load time; returns its warnings as `file: path: problem (fix: …)`. */
export function validateEppSource(src: EppConfigSource, scenarioFile: string, path: string, allowExperimentalPlugins?: boolean): string[] {
  try {
    const { warnings } = loadPickerConfig(configInput(src), allowExperimentalPlugins === undefined ? {} : { allowExperimentalPlugins });
    return warnings.map((w) => (src.kind === 'file' ? `${src.path}: ${w}` : `${scenarioFile}: ${path}.${w}`));
  } catch (err) {
    if (err instanceof ConfigError) {
      throw inputError(src.kind === 'file' ? src.path : scenarioFile, src.kind === 'file' ? err.path : `${path}.${err.path}`, err.problem, err.fix);
    }
    throw err;
  }
}

export function createBackend(scenario: ScenarioConfig, policy: PolicySpec): Backend {
  return createPickerBackend(policy, { seed: scenario.seed, rngName: 'epp', modelRewrites: scenario.gateway.model_rewrites, objectives: [] });
}

/** Per-pool inputs of a picker: its own random stream, InferenceModelRewrites and InferenceObjectives. */
export interface PickerSetup {
  readonly seed: number;
  /** Name of the picker's random stream (`epp` for the first pool, so one-pool runs keep their numbers). */
  readonly rngName: string;
  readonly modelRewrites: readonly ModelRewrite[];
  readonly objectives: readonly ObjectiveSpec[];
}

/** A pool's picker: a plain router, or an EPP configuration with the pool's objectives and rewrites. */
export function createPickerBackend(policy: PolicySpec, setup: PickerSetup): Backend {
  if (policy.type !== 'epp') return { kind: 'router', router: createRouter(policy.type, policy.parameters ?? {}) };
  const config = loadPickerConfig(configInput(policy.epp!), policy.allow_experimental_plugins === undefined ? {} : { allowExperimentalPlugins: policy.allow_experimental_plugins });
  const picker = new EndpointPicker(config, {
    rng: createRng(setup.seed, setup.rngName),
    modelRewrites: setup.modelRewrites,
    ...(setup.objectives.length > 0 ? { objectives: new Map(setup.objectives.map((o) => [o.name, o.priority] as const)) } : {}),
  });
  return { kind: 'epp', picker };
}
