/**
 * Registers every plugin type of the catalog. Each group file lists its definitions; plugin code
 * lives one plugin per file in the folder named after its kind (scorer/, filter/, picker/, …).
 */
import { registerPlugin, type PluginDefinition } from '../framework/registry.js';

const groups: (readonly PluginDefinition[])[] = [];

let registered = false;
/** Idempotent: registers the whole catalog once. */
export function registerCatalog(): void {
  if (registered) return;
  registered = true;
  for (const g of groups) for (const d of g) registerPlugin(d);
}
