/**
 * Registers every plugin type of the catalog. Each group file lists its definitions; plugin code
 * lives one plugin per file in the folder named after its kind (scorer/, filter/, picker/, …).
 */
import { registerPlugin, type PluginDefinition } from '../framework/registry.js';
import { flowControlPlugins } from './flowControl.js';
import { frameworkPlugins } from './framework.js';
import { loadPlugins } from './load.js';
import { prefixPlugins } from './prefix.js';
import { requestHandlerPlugins } from './requestHandler.js';

const groups: (readonly PluginDefinition[])[] = [flowControlPlugins, frameworkPlugins, loadPlugins, prefixPlugins, requestHandlerPlugins];

let registered = false;
/** Idempotent: registers the whole catalog once. */
export function registerCatalog(): void {
  if (registered) return;
  registered = true;
  for (const g of groups) for (const d of g) registerPlugin(d);
}
