/**
 * Applies overrides (issue 14) to a parsed scenario file before it is validated: each sets a value
 * at a path (path.ts), creating missing mapping keys. A string `epp:` (default or a config file)
 * the path goes through is replaced by that config's parsed YAML first, and a bare policy name
 * (`round-robin`) by its mapping form, so the run is the same as with the file. The input is never
 * changed. A path that names nothing is one-line OverrideError `<source>: <problem> (fix: <how>)`.
 */
import { basename, extname } from 'node:path';
import { statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_CONFIG_YAML, parseConfigText } from '../../../policies/config/loader.js';
import { readUserFile, UserError } from '../../core/errors.js';
import { parseUserYaml } from '../../core/userFiles.js';
import { findEppConfigFile } from './eppFile.js';
import { formatSegments, parsePath, PathProblem, type PathSegment } from './path.js';
import type { Override } from './types.js';

/** An override that names nothing: its source, the problem and the fix (one line). */
export class OverrideError extends UserError {
  constructor(readonly source: string, readonly problem: string, readonly fix: string) {
    super(`${source}: ${problem} (fix: ${fix})`);
    this.name = 'OverrideError';
  }
}

/** An applied override and the path it set, with indexes for names (`pools[0].replicas[0].count`). */
export interface AppliedOverride {
  readonly override: Override;
  readonly resolvedPath: string;
  /** The outermost mapping it created for a missing key on the way (`fleet.engine`), if any. */
  readonly createdPath?: string;
}

/** `data` with every override applied in order (later ones win); a new object, `data` is untouched. */
export function applyOverrides(data: unknown, overrides: readonly Override[], file: string): unknown {
  return applyOverridesTraced(data, overrides, file).data;
}

/** applyOverrides, also returning the resolved path of each override (for error attribution). */
export function applyOverridesTraced(data: unknown, overrides: readonly Override[], file: string): { data: unknown; applied: AppliedOverride[] } {
  let root: unknown = structuredClone(data);
  const applied: AppliedOverride[] = [];
  const inlined: Inlined[] = [];
  for (const o of overrides) {
    let segments: PathSegment[];
    try {
      segments = parsePath(o.path);
    } catch (err) {
      if (err instanceof PathProblem) throw new OverrideError(o.source, err.problem, err.fix);
      throw err;
    }
    if (root === null || root === undefined) root = {};
    if (!isMapping(root)) throw new OverrideError(o.source, `the scenario file is ${kindOf(root)}, not a mapping`, 'write the scenario as a mapping of keys (see scenarios/quickstart.yaml)');
    const { resolved, created } = setAt(root, segments, structuredClone(o.value), o.source, file, inlined);
    applied.push({ override: o, resolvedPath: formatSegments(resolved), ...(created !== undefined ? { createdPath: created } : {}) });
  }
  // A config read in place that the overrides left as it was goes back to its reference (`default`,
  // the file), so the scenario resolves exactly as the file does (and equal runs are seen as equal).
  for (const x of inlined) if (isDeepStrictEqual(x.policy.epp, x.config)) put(x.policy, 'epp', x.ref);
  return { data: root, applied };
}

/** An `epp:` reference read in place: the policy holding it, the reference and the config as read. */
interface Inlined {
  readonly policy: Mapping;
  readonly ref: string;
  readonly config: unknown;
}

type Mapping = Record<string, unknown>;

function isMapping(v: unknown): v is Mapping {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v === 'string' ? 'the string' : `the ${typeof v}`} ${JSON.stringify(v)}`;
}

function own(m: Mapping, key: string): unknown {
  return Object.hasOwn(m, key) ? m[key] : undefined;
}

function put(m: Mapping | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(m, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Sets `value` at `segments` under `root` (in place: root is already a copy); returns the resolved
 * segments and the resolved path of the outermost mapping created on the way.
 */
function setAt(root: Mapping, segments: readonly PathSegment[], value: unknown, source: string, file: string, inlined: Inlined[]): { resolved: PathSegment[]; created: string | undefined } {
  const fail = (problem: string, fix: string): OverrideError => new OverrideError(source, problem, fix);
  const resolved: PathSegment[] = [];
  let created: string | undefined;
  let node: Mapping | unknown[] = root;
  let listKey = ''; // the key under which `node` (when a list) sits
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    const here = formatSegments(segments.slice(0, i)); // the user's path to `node`
    let child: unknown;
    let childKey: string;
    if (Array.isArray(node)) {
      const idx = selectIndex(node, seg, here, fail);
      resolved.push({ index: idx });
      if (last) {
        node[idx] = value;
        break;
      }
      child = node[idx];
      if (typeof child === 'string' && listKey === 'policies') node[idx] = child = expandPolicy(child);
      childKey = '';
    } else {
      if ('index' in seg) throw fail(`${here} is a mapping, not a list, so it has no element [${seg.index}]`, `name one of its keys instead, e.g. ${here}.<key>`);
      childKey = seg.key;
      resolved.push({ key: childKey });
      if (last) {
        put(node, childKey, value);
        break;
      }
      child = own(node, childKey);
      const next = segments[i + 1]!;
      if (child === undefined || child === null) {
        const at = formatSegments(segments.slice(0, i + 1));
        if ('index' in next) throw fail(`${at} is not set, so it has no element [${next.index}]`, `set the whole list, e.g. ${at}=[…]`);
        child = {};
        created ??= formatSegments(resolved);
      } else if (childKey === 'epp' && typeof child === 'string') {
        const ref = child;
        child = inlineEpp(ref, node, formatSegments(segments.slice(0, i + 1)), file, fail);
        inlined.push({ policy: node, ref, config: structuredClone(child) });
      } else if (childKey === 'picker' && typeof child === 'string') {
        child = expandPolicy(child);
      }
      put(node, childKey, child);
    }
    if (typeof child !== 'object' || child === null) {
      const at = formatSegments(segments.slice(0, i + 1));
      const next = segments[i + 1]!;
      const what = 'index' in next ? `element [${next.index}]` : `field "${next.key}"`;
      throw fail(`${at} is ${kindOf(child)}, so it has no ${what}`, `set ${at} itself, or check the path against the scenario file`);
    }
    node = child as Mapping | unknown[];
    listKey = childKey;
  }
  return { resolved, created };
}

/** A bare policy name as its mapping form: `epp` → {epp: default}, a router type → {type}. */
function expandPolicy(name: string): Mapping {
  return name === 'epp' ? { epp: 'default' } : { type: name };
}

/**
 * The parsed EndpointPickerConfig that string `ref` (at `at`, in `policy`) names: the no-config
 * default, or a file found as load.ts finds it. A policy named by its file keeps that name.
 */
function inlineEpp(ref: string, policy: Mapping, at: string, file: string, fail: (problem: string, fix: string) => OverrideError): unknown {
  if (ref === 'default') return parseConfigText(DEFAULT_CONFIG_YAML);
  const found = findEppConfigFile(ref, file);
  if (found === undefined) throw fail(`${at}: config file "${ref}" not found (looked next to the scenario and in the routesim package)`, 'give a path relative to the scenario file, e.g. policies/configs/gaie-default.yaml, or `default`');
  if (statSync(found).isDirectory()) throw fail(`${at}: config path "${ref}" is a directory`, 'name an EndpointPickerConfig YAML file in it, e.g. policies/configs/gaie-default.yaml');
  const doc = parseUserYaml(readUserFile(found, 'give the path of an EndpointPickerConfig YAML file'), found);
  if (own(policy, 'name') === undefined) put(policy, 'name', basename(ref, extname(ref)));
  return doc;
}

/** Tiers of names an element answers to: its name (a bare string: itself; unnamed: implied), then pluginRef, then type. */
function namesOf(el: unknown): [string | undefined, string | undefined, string | undefined] {
  if (typeof el === 'string') return [el, undefined, undefined];
  if (!isMapping(el)) return [undefined, undefined, undefined];
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  let name = str(el.name);
  // An unnamed EPP policy is named after its config file, or `epp` (load.ts resolvePolicy); an
  // unnamed router policy or EPP plugin after its type.
  if (name === undefined && el.epp !== undefined) name = typeof el.epp === 'string' && el.epp !== 'default' ? basename(el.epp, extname(el.epp)) : 'epp';
  if (name === undefined) name = str(el.type);
  return [name, str(el.pluginRef), str(el.type)];
}

/** The index `seg` selects in `list` (at user path `here`): an index, a digit key, or a name. */
function selectIndex(list: readonly unknown[], seg: PathSegment, here: string, fail: (problem: string, fix: string) => OverrideError): number {
  const key = 'index' in seg ? null : seg.key;
  const index = 'index' in seg ? seg.index : /^\d+$/.test(key!) ? Number(key) : null;
  const tiers = list.map(namesOf);
  const names = [...new Set(tiers.map((t) => t[0] ?? t[1] ?? t[2]).filter((n): n is string => n !== undefined))];
  const byName = names.length > 0 ? `, or a name: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}` : '';
  if (index !== null) {
    if (index < list.length) return index;
    if (list.length === 0) throw fail(`${here} is an empty list, so it has no element [${index}]`, `set the whole list, e.g. ${here}=[…]`);
    throw fail(`${here} has ${list.length} element${list.length === 1 ? '' : 's'}, so there is no ${here}[${index}]`, `use an index from 0 to ${list.length - 1}${byName}`);
  }
  for (let t = 0; t < 3; t++) {
    const hits = tiers.flatMap((names, i) => (names[t] === key ? [i] : []));
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw fail(`${here} has ${hits.length} elements named "${key}" (at ${hits.map((i) => `[${i}]`).join(', ')})`, `use an index such as ${here}[${hits[0]}]`);
  }
  if (list.length === 0) throw fail(`${here} is an empty list, so it has no element named "${key}"`, `set the whole list, e.g. ${here}=[…]`);
  const oneOf = names.length > 0 ? `use one of: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}, or an index such as ${here}[0]` : `use an index such as ${here}[0]`;
  throw fail(`${here} has no element named "${key}"`, oneOf);
}
