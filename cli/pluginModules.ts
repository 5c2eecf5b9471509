/**
 * User plugins without forking (README "User plugins"): loads the JavaScript modules a scenario or
 * pick case names in `plugin_modules` (paths relative to that file), or `routesim plugins
 * --plugin-module`, and registers their definitions in the plugin registry under their own type
 * names — before the scenario is resolved, as scenario loading is synchronous and import() is not.
 *
 * A module exports `default` (a PluginDefinition, an array of them, or a function receiving the
 * plugin API) and/or `plugins` (an array), or calls registerPlugin itself when it imports the same
 * routesim. Every mistake — missing file, TypeScript source, syntax error, throwing on import, a
 * type that already exists, nothing usable exported — is one UserError line naming the module and
 * the fix (exit 2).
 *
 * Decision on TypeScript: Node 20 cannot import .ts, and `typescript` is a devDependency (absent
 * with `npm ci --omit=dev`), so only .js / .mjs / .cjs load; a .ts module gets a one-line error
 * saying to compile it (examples/plugins/ ships the .js and its type-checked .ts twin).
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, extname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { UserError } from '../sim/core/errors.js';
import { DIALECTS, ParamError, pluginDefinition, pluginDefinitions, registerPlugin, type PluginDefinition } from '../policies/framework/registry.js';
import { registerCatalog } from '../policies/plugins/index.js';
import type { PluginApi } from '../policies/api.js';
import { SchedulingError, type Plugin } from '../policies/framework/types.js';

const JS_EXTS = new Set(['.js', '.mjs', '.cjs']);
const TS_EXTS = new Set(['.ts', '.mts', '.cts', '.tsx']);
const EXPORT_FIX = "export default a definition {type, kinds, params, create} (or an array of them, or a function (api) => api.registerPlugin(...)); see examples/plugins/least-kv-scorer.js";

/** Absolute paths already loaded in this process (a module shared by two scenarios loads once). */
const loaded = new Set<string>();

/** Shown path of a module: relative to the working directory when inside it. */
function shown(abs: string): string {
  const r = relative(process.cwd(), abs);
  return r && !r.startsWith('..') ? r : abs;
}

/**
 * Loads the modules `specs` (paths relative to `fromFile`'s folder, or to the working directory
 * when `fromFile` is null), in order. `where` prefixes messages (e.g. "s.yaml: plugin_modules").
 */
export async function loadPluginModules(specs: readonly string[], fromFile: string | null, where = fromFile ? `${fromFile}: plugin_modules` : '--plugin-module'): Promise<void> {
  registerCatalog(); // built-ins first, so a clashing user type is reported as such
  const base = fromFile ? dirname(resolve(fromFile)) : process.cwd();
  for (const [i, spec] of specs.entries()) await loadOne(resolve(base, spec), `${where}${fromFile ? `[${i}]` : ''}`);
}

async function loadOne(abs: string, where: string): Promise<void> {
  if (loaded.has(abs)) return;
  const file = shown(abs);
  const fail = (problem: string, fix: string): never => {
    throw new UserError(`${where}: ${file}: ${problem} (fix: ${fix})`);
  };
  let isFile = false;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    fail('file not found', `paths in plugin_modules are relative to the file naming them, e.g. plugin_modules: [./my-scorer.js]`);
  }
  if (!isFile) fail('not a regular file', 'name a .js or .mjs module');
  const ext = extname(abs).toLowerCase();
  if (TS_EXTS.has(ext)) fail('Node 20 cannot load a TypeScript module', `compile it to JavaScript (e.g. npx tsc ${file} --module nodenext --target es2022 --skipLibCheck) and name the .js`);
  if (!JS_EXTS.has(ext)) fail(`not a JavaScript module (${ext || 'no extension'})`, 'name a .js or .mjs module');

  const before = pluginDefinitions().length;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    const msg = firstLine(err);
    const dup = /plugin type "([^"]+)" registered twice/.exec(msg);
    if (dup) fail(`plugin type "${dup[1]}" already exists`, `give your plugin its own type name, e.g. my-${dup[1]}`);
    if (err instanceof UserError) throw err;
    // Node's import() does not say where a syntax error is (and a bundler may word it otherwise): ask node --check.
    const syntax = syntaxError(abs);
    if (syntax) {
      if (/import statement outside a module|Unexpected token 'export'/.test(syntax.message))
        fail(`is loaded as CommonJS: ${syntax.message}`, 'name it .mjs, or add "type": "module" to the package.json next to it');
      fail(`syntax error${syntax.line ? ` at line ${syntax.line}` : ''}: ${syntax.message}`, `correct the JavaScript; node --check ${file} shows the spot`);
    }
    if ((err as NodeJS.ErrnoException | null)?.code === 'ERR_MODULE_NOT_FOUND')
      fail(`an import cannot be found: ${msg}`, "install what it imports next to the module (routesim's own API is import { z, ParamError } from 'routesim')");
    fail(`throws on import: ${msg}`, 'make the module load without throwing (node ' + file + ' shows the error)');
  }
  loaded.add(abs);

  const defs = exportedDefinitions(mod!, (path, problem) => fail(`${path}: ${problem}`, EXPORT_FIX));
  let count = pluginDefinitions().length - before; // registered by the module itself on import
  const api: PluginApi = {
    z,
    ParamError,
    registerPlugin: (d) => {
      registerChecked(d, 'registerPlugin()', file, fail);
      count++;
    },
  };
  for (const { path, value } of defs) {
    if (typeof value === 'function') {
      try {
        (value as (api: PluginApi) => void)(api);
      } catch (err) {
        if (err instanceof UserError) throw err;
        fail(`${path.replace(/^export /, '')}(api) throws: ${firstLine(err)}`, 'make the register function run without throwing');
      }
    } else {
      registerChecked(value, path, file, fail);
      count++;
    }
  }
  if (count === 0) fail('exports no plugin definition', EXPORT_FIX);
}

/** The `default` and `plugins` exports, flattened to definitions or register functions. */
function exportedDefinitions(mod: Record<string, unknown>, fail: (path: string, problem: string) => never): { path: string; value: unknown }[] {
  const out: { path: string; value: unknown }[] = [];
  for (const key of ['default', 'plugins']) {
    const v = mod[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) v.forEach((d, i) => out.push({ path: `export ${key}[${i}]`, value: d }));
    else if (typeof v === 'function' || (typeof v === 'object' && v !== null)) out.push({ path: `export ${key}`, value: v });
    else fail(`export ${key}`, `is a ${typeof v}, not a plugin definition`);
  }
  return out;
}

/** Checks a user definition's shape, refuses a type that exists, fills the documentation defaults and registers it. */
function registerChecked(value: unknown, path: string, file: string, fail: (problem: string, fix: string) => never): void {
  const bad = (problem: string): never => fail(`${path}: ${problem}`, EXPORT_FIX);
  if (typeof value !== 'object' || value === null) bad(`is a ${value === null ? 'null' : typeof value}, not a plugin definition`);
  const d = value as Partial<PluginDefinition> & Record<string, unknown>;
  if (typeof d.type !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(d.type)) bad('needs type: a name of letters, digits, ".", "_" and "-", e.g. type: least-kv-scorer');
  if (typeof d.create !== 'function') bad(`type "${d.type}" has no create(name, params) function`);
  if (d.params !== undefined && !(typeof d.params === 'object' && d.params !== null && 'shape' in d.params && typeof (d.params as z.ZodObject).safeParse === 'function'))
    bad(`type "${d.type}": params must be a zod object, e.g. params: z.strictObject({ weight: z.number().default(1) })`);
  if (d.kinds !== undefined && !(Array.isArray(d.kinds) && d.kinds.every((k) => typeof k === 'string'))) bad(`type "${d.type}": kinds must be a list of names, e.g. kinds: ['Scorer']`);
  if (d.dialects !== undefined && !(Array.isArray(d.dialects) && d.dialects.every((x) => DIALECTS.includes(x)))) bad(`type "${d.type}": dialects must be a subset of ${DIALECTS.join(', ')} (or absent for both)`);
  const type = d.type!;
  for (const dialect of d.dialects ?? DIALECTS) {
    if (pluginDefinition(type, dialect)) fail(`plugin type "${type}" already exists`, `give your plugin its own type name, e.g. my-${type}`);
  }
  const create = d.create!;
  registerPlugin({
    ...d,
    type,
    kinds: d.kinds ?? [],
    source: typeof d.source === 'string' ? d.source : `user module ${file}`,
    description: typeof d.description === 'string' ? d.description : '',
    params: d.params ?? z.strictObject({}),
    // A ParamError from another copy of routesim is still a parameter error; anything else names the module.
    create: (name, params, ctx) => {
      try {
        return guarded(create(name, params, ctx), file, type, name);
      } catch (err) {
        if (err instanceof ParamError) throw err;
        const param = (err as { param?: unknown } | null)?.param;
        if (typeof param === 'string') throw new ParamError(param, firstLine(err));
        throw new UserError(`${file}: plugin "${type}" create() throws for instance "${name}": ${firstLine(err)} (fix: correct the plugin, or its parameters)`);
      }
    },
  } as PluginDefinition);
}

/**
 * The instance, its methods made to fail in one line: a SchedulingError (also one thrown by another
 * copy of routesim) stays the expected outcome; anything else becomes a UserError naming the module.
 */
function guarded(plugin: Plugin, file: string, type: string, name: string): Plugin {
  if (typeof plugin !== 'object' || plugin === null) throw new Error(`create() returned ${plugin === null ? 'null' : typeof plugin}, not a plugin object`);
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(plugin, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (typeof v !== 'function' || key === 'constructor') return v;
      let w = wrapped.get(key);
      if (w === undefined || (w as { original?: unknown }).original !== v) {
        const fn = v as (...a: unknown[]) => unknown;
        w = Object.assign(
          (...args: unknown[]) => {
            let out: unknown;
            try {
              out = fn.apply(target, args);
            } catch (err) {
              if (err instanceof SchedulingError || err instanceof UserError) throw err;
              if ((err as Error | null)?.constructor?.name === 'SchedulingError') throw new SchedulingError((err as Error).message);
              if (process.env.ROUTESIM_DEBUG) throw err; // its stack, through the CLI's internal-error path
              throw new UserError(`${file}: plugin "${type}" (instance "${name}") ${String(key)}() throws: ${firstLine(err)} (fix: correct ${String(key)}() in the module; ROUTESIM_DEBUG=1 shows the stack)`);
            }
            const want = RESULT_SHAPES[String(key)];
            if (want && !want.ok(out)) throw new UserError(`${file}: plugin "${type}" (instance "${name}") ${String(key)}() returned ${describe(out)} (fix: return ${want.what})`);
            return out;
          },
          { original: v },
        );
        wrapped.set(key, w);
      }
      return w;
    },
  });
}

/** What the framework needs back from the methods it uses the result of directly. */
const RESULT_SHAPES: Record<string, { ok: (v: unknown) => boolean; what: string }> = {
  score: { ok: (v) => v instanceof Map, what: 'a Map from endpoint name to score, e.g. new Map([[e.name, 0.5]])' },
  filter: { ok: (v) => Array.isArray(v), what: 'an array of the endpoints that pass' },
  pick: { ok: (v) => typeof v === 'object' && v !== null && Array.isArray((v as { targetEndpoints?: unknown }).targetEndpoints), what: '{ targetEndpoints: [endpoint, …] }' },
};

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** The syntax error `node --check` finds in a module (line and message), or null when it parses. */
function syntaxError(abs: string): { line: number | null; message: string } | null {
  const r = spawnSync(process.execPath, ['--check', abs], { encoding: 'utf8', timeout: 10_000 });
  if (r.status === 0) return null;
  const lines = (r.stderr ?? '').split('\n');
  const message = lines.find((l) => l.startsWith('SyntaxError: '));
  if (!message) return null;
  const at = /:(\d+)\s*$/.exec(lines[0] ?? '');
  return { line: at ? Number(at[1]) : null, message: message.slice('SyntaxError: '.length) };
}
