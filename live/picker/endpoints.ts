/**
 * The picker's endpoints: from `--endpoint name=host:port` flags, or from a file in the router's
 * `file-discovery` format (live.md §3: YAML or JSON, ≤ 1 MiB, `endpoints: [{name, namespace,
 * address, port, labels}]`), re-read when it changes (polled, so atomic renames are seen too).
 *
 * As in production, invalid entries are reported after the valid ones are applied: fatal (a
 * UserError naming the file, the entry and the fix) on the initial load, a warning on reloads; a
 * reload that cannot parse the file at all keeps the previous endpoints. Deviation: `port` may be a
 * number as well as a string (the router rejects a bare number).
 */
import { readFileSync, statSync, unwatchFile, watchFile } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { inputError, UserError } from '../../sim/core/errors.js';

export interface LiveEndpoint {
  /** Endpoint name: the pick's target name (prefix index, logs). */
  readonly name: string;
  /** `host:port` the gateway sends the request to, and where /metrics is scraped. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

const MAX_FILE_BYTES = 1 << 20;

/** Parses `--endpoint name=host:port` flags (unique names). */
export function endpointsFromFlags(flags: readonly string[]): LiveEndpoint[] {
  const out: LiveEndpoint[] = [];
  const seen = new Set<string>();
  for (const f of flags) {
    const m = /^([^=\s]+)=([^\s:]+):(\d{1,5})$/.exec(f.trim());
    if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) throw inputError('--endpoint', f, 'expected name=host:port with a port 1–65535', 'e.g. --endpoint pod-a=127.0.0.1:8000');
    if (seen.has(m[1]!)) throw inputError('--endpoint', f, `endpoint name "${m[1]}" given twice`, 'give each endpoint its own name');
    seen.add(m[1]!);
    out.push({ name: m[1]!, address: `${m[2]}:${m[3]}`, labels: {} });
  }
  return out;
}

export interface FileLoad {
  readonly endpoints: LiveEndpoint[];
  /** One line per invalid entry (`file: endpoints[i].field: problem (fix: …)`). */
  readonly problems: string[];
}

/** Reads an endpoints file; throws a UserError when the file itself is unreadable or not a mapping with `endpoints`. */
export function loadEndpointsFile(path: string): FileLoad {
  let text: string;
  try {
    if (statSync(path).size > MAX_FILE_BYTES) throw inputError(path, '', 'larger than 1 MiB', 'keep the endpoints file under 1 MiB');
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw inputError(path, '', `cannot read the endpoints file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'give a YAML or JSON file with endpoints: [{name, address, port}]');
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw inputError(path, '', `not YAML or JSON (${(err as Error).message.split('\n')[0]})`, 'fix the syntax');
  }
  const list = (doc as { endpoints?: unknown } | null)?.endpoints;
  if (doc === null || typeof doc !== 'object' || !Array.isArray(list)) throw inputError(path, 'endpoints', 'missing or not a list', 'write endpoints: [{name: pod-a, address: 127.0.0.1, port: "8000"}]');
  const endpoints: LiveEndpoint[] = [];
  const problems: string[] = [];
  /** Name → its namespace. */
  const seen = new Map<string, string>();
  list.forEach((raw, i) => {
    const at = `endpoints[${i}]`;
    const bad = (field: string, problem: string, fix: string): void => {
      problems.push(inputError(path, `${at}${field}`, problem, fix).message);
    };
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('', 'not a mapping', 'write {name, address, port}');
    const e = raw as Record<string, unknown>;
    const name = e.name;
    if (typeof name !== 'string' || name.trim() === '') return bad('.name', 'missing', 'give the endpoint a name');
    const address = e.address;
    if (typeof address !== 'string' || !/^[A-Za-z0-9.\-]+$/.test(address)) return bad('.address', 'missing or not an IPv4 address / host name', 'e.g. address: 10.0.0.7');
    const port = typeof e.port === 'number' ? String(e.port) : e.port;
    if (typeof port !== 'string' || !/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return bad('.port', 'missing or not 1–65535', 'quote it: port: "8000"');
    const ns = typeof e.namespace === 'string' && e.namespace !== '' ? e.namespace : 'default';
    // The picker names endpoints by name alone (decisions, metrics, the datastore): one per name.
    const other = seen.get(name);
    if (other !== undefined) {
      const what = other === ns ? `endpoint "${ns}/${name}" listed twice` : `endpoint name "${name}" used in namespaces "${other}" and "${ns}" (the picker names endpoints by name)`;
      return bad('.name', what, 'give each endpoint its own name');
    }
    seen.set(name, ns);
    const labels: Record<string, string> = {};
    if (e.labels !== undefined) {
      if (e.labels === null || typeof e.labels !== 'object' || Array.isArray(e.labels)) return bad('.labels', 'not a mapping', 'write labels: {key: value}');
      for (const [k, v] of Object.entries(e.labels as Record<string, unknown>)) {
        if (typeof v !== 'string') return bad(`.labels.${k}`, 'not a string', 'quote the label value');
        labels[k] = v;
      }
    }
    endpoints.push({ name, address: `${address}:${port}`, labels });
  });
  return { endpoints, problems };
}

/**
 * Watches `path` (polling every `intervalMs`): on each change re-reads it and calls `onChange`
 * with the valid endpoints; problems go to `warn`. Returns a function that stops watching.
 */
export function watchEndpointsFile(path: string, intervalMs: number, onChange: (eps: LiveEndpoint[]) => void, warn: (line: string) => void): () => void {
  const listener = (cur: { mtimeMs: number; size: number }, prev: { mtimeMs: number; size: number }): void => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size) return;
    try {
      const r = loadEndpointsFile(path);
      for (const p of r.problems) warn(p);
      onChange(r.endpoints);
    } catch (err) {
      warn(`${err instanceof Error ? err.message : String(err)} — keeping the previous endpoints`);
    }
  };
  watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}
