/**
 * routesim's plugin API: what a policy author imports (`import { z, ParamError } from 'routesim'`)
 * to write a filter, scorer, picker, profile handler or any other EPP extension point in their own
 * `.js` file, without forking (README "User plugins"). The package entry point (package.json
 * `exports`) is this module compiled to dist/policies/api.js with its .d.ts.
 *
 * A plugin module is named in a scenario or pick case (`plugin_modules: [./my-scorer.js]`) and is
 * loaded by the CLI before the scenario is resolved (cli/pluginModules.ts). It either exports its
 * definitions (`export default definition | definition[] | (api) => void`, or `export const
 * plugins = [...]`) — preferred: routesim registers them into its own registry — or calls
 * `registerPlugin` itself. Semantics of every interface: `../shared/reference/epp.md` §1.2.
 */
import { z } from 'zod';
import { ParamError, registerPlugin, type Dialect, type FactoryContext, type PluginDefinition } from './framework/registry.js';

export { z, ParamError, registerPlugin };
export type { Dialect, FactoryContext, PluginDefinition };
export { SchedulingError, isFilter, isScorer, isPicker, isProfileHandler } from './framework/types.js';
export type {
  Admission,
  ChatMessage,
  ContentBlock,
  CycleContext,
  Filter,
  KvEventListener,
  LLMRequest,
  PdDecider,
  Picker,
  Plugin,
  PluginState,
  PreRequest,
  PrepareData,
  ProfileHandler,
  ProfileRunResult,
  Prompt,
  PromptSpan,
  RequestHeaderProcessor,
  ResponseComplete,
  ResponseHeaderProcessor,
  ResponseInfo,
  SaturationDetector,
  SchedEndpoint,
  ScoredEndpoint,
  SchedulerProfile,
  SchedulingResult,
  Scorer,
  ScorerCategory,
  Screener,
} from './framework/types.js';
export type { EndpointMetrics } from './types.js';

/**
 * What a module's default-exported function receives: this API, with `registerPlugin` checking
 * each definition and naming the module in its errors.
 */
export interface PluginApi {
  readonly registerPlugin: (def: PluginDefinition) => void;
  readonly z: typeof z;
  readonly ParamError: typeof ParamError;
}

/** Identity with types: `export default definePlugin({ type: 'my-scorer', ... })` type-checks the definition. */
export function definePlugin<P extends z.ZodObject>(def: PluginDefinition<P>): PluginDefinition<P> {
  return def;
}
