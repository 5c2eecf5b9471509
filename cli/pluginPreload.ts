/**
 * The CLI pre-pass of user plugins (README "User plugins"): before a command (or a worker thread's
 * cell) resolves its input, the plugin modules named by `--plugin-module` or by the `plugin_modules`
 * of a scenario / pick case operand are loaded. This module only reads the operands; the loader
 * (cli/pluginModules.ts: zod, the plugin registry and every built-in plugin) is imported when there
 * is a module to load, so commands without plugins start without it.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseYamlText } from '../policies/util/userText.js';

/** The plugin-module loader, imported on first use. */
async function loader(): Promise<typeof import('./pluginModules.js').loadPluginModules> {
  return (await import('./pluginModules.js')).loadPluginModules;
}

const READABLE = /\.(ya?ml|json)$/i;

/**
 * The `plugin_modules` of a scenario or pick case file, read from its raw YAML; null when the file
 * is not one (or unreadable: the command itself reports that).
 */
export function declaredModules(file: string): string[] | null {
  if (!READABLE.test(file)) return null;
  try {
    if (!statSync(file).isFile()) return null;
    const text = readFileSync(file, 'utf8');
    // Only files that name the key are parsed here (a document is parsed once more by its command,
    // which reports its errors; parsing a pathological one twice is what to avoid).
    if (!text.includes('plugin_modules')) return null;
    // The strict reader (no warnings, no stack on odd keys).
    const parsed = parseYamlText(text);
    if ('error' in parsed) return null;
    const raw = parsed.value;
    const list = (raw as { plugin_modules?: unknown } | null)?.plugin_modules;
    return Array.isArray(list) && list.length > 0 && list.every((s) => typeof s === 'string' && s.length > 0) ? (list as string[]) : null;
  } catch {
    return null;
  }
}

/** Loads the plugin modules of every scenario / case file among a command's operands and `--scenario`. */
export async function preloadForCommand(args: readonly unknown[], opts: Record<string, unknown>): Promise<void> {
  const extra = opts.pluginModule;
  if (Array.isArray(extra) && extra.length > 0) await (await loader())(extra as string[], null);
  const files = [...args, opts.scenario].filter((a): a is string => typeof a === 'string' && a.trim() !== '');
  for (const f of files) {
    const mods = declaredModules(f);
    if (mods) await (await loader())(mods, f);
  }
}
