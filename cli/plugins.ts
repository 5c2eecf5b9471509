/**
 * `routesim plugins`: every registered EPP plugin type with its kinds, configuration dialect(s)
 * (GAIE v1.5.0 `inference.networking.x-k8s.io/v1alpha1`, llm-d-router v0.10.0 `llm-d.ai/v1alpha1`,
 * or both), source version, v0.10 stability/deprecation, description and parameters. A type
 * registered once per dialect is listed once per dialect. The command's definition is
 * cli/pluginsCommand.ts, which loads this module only when the command runs.
 */
import type { z } from 'zod';
import { DIALECTS, paramDocs, pluginDefinitions } from '../policies/framework/registry.js';
import { registerCatalog } from '../policies/plugins/index.js';
import { DEPRECATED_TYPES, isAlphaType } from '../policies/config/llmd/defaults.js';
import { VERSION } from './version.js';
import { BASELINE_DOCS, BASELINE_TYPES } from '../policies/baselines/index.js';
import { namedPolicyDocs } from '../policies/named/index.js';

/** What `routesim plugins` prints: the table, or --json / --markdown. */
export function pluginsOutput(flags: { json?: boolean; markdown?: boolean }): string {
  return flags.json ? pluginsJson() : flags.markdown ? pluginsMarkdown() : pluginsTable();
}

export function pluginCatalog() {
  registerCatalog();
  return pluginDefinitions().map((d) => ({
    type: d.type,
    kinds: [...d.kinds],
    /** Dialects the definition serves (both when the type behaves the same in GAIE v1.5.0 and llm-d-router v0.10.0). */
    dialects: [...(d.dialects ?? DIALECTS)],
    source: d.source,
    /** llm-d-router v0.10.0 stability (absent on the definition: the §2.4 list, else beta). */
    stability: d.stability ?? (isAlphaType(d.type) ? 'alpha' : 'beta'),
    deprecatedFor: d.deprecatedFor ?? DEPRECATED_TYPES[d.type] ?? null,
    description: d.description,
    parameters: paramDocs(d).map((p) => {
      const written = writtenDefault(d.params.shape[p.name] as z.ZodType);
      return { name: p.name, type: p.type, default: (written === undefined ? p.default : written) ?? null, description: p.description };
    }),
  }));
}

/**
 * The default as a user would write it (e.g. "2m" for a duration), when the schema transforms it
 * (paramDocs gives the parsed value, e.g. µs); undefined when there is no such default.
 */
function writtenDefault(schema: z.ZodType | undefined): unknown {
  type Def = { type: string; in?: z.ZodType; innerType?: z.ZodType; defaultValue?: unknown };
  let s = schema;
  let transformed = false;
  for (let i = 0; s && i < 10; i++) {
    const def = (s as unknown as { _zod: { def: Def } })._zod.def;
    if (def.type === 'pipe') {
      transformed = true;
      s = def.in;
    } else if (def.type === 'default' || def.type === 'prefault') {
      return transformed ? def.defaultValue : undefined;
    } else if (def.type === 'optional' || def.type === 'nullable') {
      s = def.innerType;
    } else return undefined;
  }
  return undefined;
}

/** Policies outside the EPP framework, named by `type:` in a scenario: baselines and other routers' policies. */
export function routerCatalog() {
  return [
    ...BASELINE_TYPES.map((t) => ({ type: t, source: 'routesim baseline', description: BASELINE_DOCS[t], parameters: [] as CatalogParam[] })),
    ...namedPolicyDocs().map((d) => ({
      type: d.type,
      source: d.source,
      description: d.description,
      parameters: d.params.map((p) => ({ name: p.name, type: p.type, default: p.default ?? null, description: p.description })),
    })),
  ];
}

/** `gaie-v1.5`, `llm-d-v0.10`, or `both`; plus ` alpha` / ` deprecated → X` for v0.10 definitions. */
function dialectLabel(p: { dialects: readonly string[]; stability: string; deprecatedFor: string | null }): string {
  const base = p.dialects.length === DIALECTS.length ? 'both' : p.dialects.join(', ');
  const serves010 = p.dialects.includes('llm-d-v0.10');
  return `${base}${serves010 && p.stability === 'alpha' ? ' (v0.10 alpha)' : ''}${serves010 && p.deprecatedFor ? ` (v0.10 deprecated → ${p.deprecatedFor})` : ''}`;
}

/** First sentence of a description (up to ". "), Markdown-safe. */
function firstSentence(text: string): string {
  const i = text.search(/\.\s(?=[A-Z(`])/);
  return (i < 0 ? text : text.slice(0, i + 1)).replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function mdDefault(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? '(structured)' : s.replace(/\|/g, '\\|');
}

function mdParams(ps: readonly { name: string; default: unknown }[]): string {
  return ps.length === 0 ? '—' : ps.map((p) => `\`${p.name}\` ${mdDefault(p.default)}`).join(', ');
}

/** The README's plugin and router tables (the README test checks they match the registry). */
export function pluginsMarkdown(): string {
  const lines = ['| type | kinds | dialect | source | parameters (defaults) | what it does |', '|---|---|---|---|---|---|'];
  for (const p of pluginCatalog()) lines.push(`| \`${p.type}\` | ${p.kinds.join(', ')} | ${dialectLabel(p)} | ${p.source} | ${mdParams(p.parameters)} | ${firstSentence(p.description)} |`);
  lines.push('', '| router `type` | source | parameters (defaults) | what it does |', '|---|---|---|---|');
  for (const r of routerCatalog()) lines.push(`| \`${r.type}\` | ${r.source} | ${mdParams(r.parameters)} | ${firstSentence(r.description)} |`);
  return `${lines.join('\n')}\n`;
}

function pluginsJson(): string {
  return `${JSON.stringify({ routesim: { version: VERSION }, plugins: pluginCatalog(), routers: routerCatalog() }, null, 2)}\n`;
}

const show = (v: unknown): string => (v === undefined || v === null ? '—' : JSON.stringify(v));

type CatalogParam = { name: string; type: string; default: unknown; description: string };

/** One entry of the plain-text listing: heading, wrapped description, aligned parameters, blank line. */
function describeEntry(lines: string[], head: string, description: string, parameters: readonly CatalogParam[]): void {
  lines.push(head);
  lines.push(...wrap(description, 96).map((l) => `    ${l}`));
  if (parameters.length === 0) {
    lines.push('    parameters: none');
  } else {
    const w0 = Math.max(...parameters.map((x) => x.name.length));
    const w1 = Math.max(...parameters.map((x) => x.type.length));
    const w2 = Math.min(24, Math.max(...parameters.map((x) => show(x.default).length)));
    for (const x of parameters) {
      lines.push(`    ${x.name.padEnd(w0)}  ${x.type.padEnd(w1)}  ${show(x.default).padEnd(w2)}  ${x.description}`.trimEnd());
    }
  }
  lines.push('');
}

function pluginsTable(): string {
  const lines: string[] = ['EPP plugins (use in an EndpointPickerConfig: scenario `epp:`, `routesim pick`)', ''];
  for (const p of pluginCatalog()) describeEntry(lines, `${p.type}  [${p.kinds.join(', ')}]  ${p.source}  dialect: ${dialectLabel(p)}`, p.description, p.parameters);
  lines.push('Routers (use as a scenario policy `type:`)', '');
  for (const r of routerCatalog()) describeEntry(lines, `${r.type}  [Router]  ${r.source}`, r.description, r.parameters);
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}
