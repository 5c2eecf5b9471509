/**
 * The gate's first question: did the baseline and the current run do the same work? Each results
 * document carries a `workload_fingerprint` (reports/fingerprint.ts: hash of the scenario minus
 * policies and output-only fields, the seed set, and the input files' size and SHA-256). Different
 * work is refused (one line, exit 2) unless the caller allows it, in which case it becomes a note.
 *
 * A document written before fingerprints existed has none: its fingerprint is derived from its
 * scenario echo and seeds (the same rules), so a changed scenario or seed set is still caught, but
 * its input files' contents cannot be checked; the gate says so in a note and compares.
 *
 * A fingerprint is validated against its own document: a hash that does not match the scenario
 * echo, or seeds that do not match the document's seeds, mean the file was edited — refused. (A
 * fingerprint of an older scheme is re-derived from its echo by today's rules; its files count.)
 */
import { z } from 'zod';
import { inputError } from '../../sim/core/errors.js';
import { describeIssue, firstIssue } from '../../sim/scenario/schema.js';
import { FINGERPRINT_SCHEME, seedSet, workHash, workOf, type FileIdentity } from '../fingerprint.js';
import type { ResultsDocument } from '../results.js';

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (a SHA-256)');

const FingerprintSchema = z.looseObject({
  scheme: z.int().min(1),
  hash: HEX64,
  seeds: z.array(z.int()),
  files: z.array(z.looseObject({ field: z.string().min(1), name: z.string(), bytes: z.int().min(0), sha256: HEX64 })),
});

const REGENERATE = 'regenerate it with routesim run --out FILE or --update-baseline FILE';

interface Resolved {
  readonly hash: string;
  readonly seeds: readonly number[];
  /** Null when the document has no fingerprint (input files unknown). */
  readonly files: readonly FileIdentity[] | null;
}

/** The document's fingerprint, validated, or derived from its echo when absent. */
function resolve(doc: ResultsDocument, file: string): Resolved {
  const raw = (doc as { workload_fingerprint?: unknown }).workload_fingerprint;
  const seeds = seedSet(doc.scenario, doc.seeds);
  if (raw === undefined) return { hash: workHash(doc.scenario), seeds, files: null };
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && typeof (raw as { scheme?: unknown }).scheme === 'number' && (raw as { scheme: number }).scheme > FINGERPRINT_SCHEME) {
    throw inputError(file, 'workload_fingerprint.scheme', `fingerprint scheme ${(raw as { scheme: number }).scheme} is newer than this routesim understands (${FINGERPRINT_SCHEME})`, 'check with the routesim version that wrote the file, or regenerate it with this one');
  }
  const parsed = FingerprintSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issue = firstIssue(parsed.error.issues)!;
    const r = describeIssue(issue, ['workload_fingerprint']);
    throw inputError(file, r.path, r.problem, REGENERATE);
  }
  const fp = parsed.data;
  // An older scheme hashed by older rules: judge the echo by today's rules (the files still count).
  if (fp.scheme < FINGERPRINT_SCHEME) return { hash: workHash(doc.scenario), seeds, files: fp.files };
  if (fp.hash !== workHash(doc.scenario)) {
    throw inputError(file, 'workload_fingerprint.hash', 'does not match the scenario echoed in the same file (was the file edited?)', REGENERATE);
  }
  if (fp.seeds.length !== seeds.length || fp.seeds.some((s, i) => s !== seeds[i])) {
    throw inputError(file, 'workload_fingerprint.seeds', `[${fp.seeds.join(', ')}] do not match the seeds the file reports ([${seeds.join(', ')}]) (was the file edited?)`, REGENERATE);
  }
  return { hash: fp.hash, seeds: fp.seeds, files: fp.files };
}

function show(v: unknown): string {
  if (v === undefined) return 'absent';
  const t = JSON.stringify(v);
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

/** The first leaf where two plain-data values differ: `path: a vs b`, or null when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return `${path || '(top)'}: ${a.length} entries in the baseline, ${b.length} here`;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      const d = firstDifference(a[k], b[k], sub);
      if (d !== null) return d;
    }
    return null;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? null : `${path || '(top)'}: ${show(a)} in the baseline, ${show(b)} here`;
}

function fileText(f: FileIdentity | undefined): string {
  return f ? `${f.name} (${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)}…)` : 'no file';
}

/**
 * How the current run's work differs from the baseline's, or null when it is the same. Input files
 * first: a different trace also changes figures measured from it (its nominal rate), and the file
 * is the cause worth naming.
 */
function difference(base: ResultsDocument, b: Resolved, cur: ResultsDocument, c: Resolved): string | null {
  if (b.files !== null && c.files !== null) {
    const fields = [...new Set([...b.files.map((f) => f.field), ...c.files.map((f) => f.field)])];
    for (const field of fields) {
      const x = b.files.find((f) => f.field === field);
      const y = c.files.find((f) => f.field === field);
      if (!x || !y || x.sha256 !== y.sha256 || x.bytes !== y.bytes) return `${field}: contents differ: ${fileText(x)} in the baseline, ${fileText(y)} here`;
    }
  }
  if (b.hash !== c.hash) return firstDifference(workOf(base.scenario), workOf(cur.scenario)) ?? `scenario hash ${b.hash.slice(0, 12)}… in the baseline, ${c.hash.slice(0, 12)}… here`;
  if (b.seeds.length !== c.seeds.length || b.seeds.some((s, i) => s !== c.seeds[i])) return `seeds: [${b.seeds.join(', ')}] in the baseline, [${c.seeds.join(', ')}] here`;
  return null;
}

export interface WorkloadInput {
  readonly baseline: ResultsDocument;
  readonly baselineFile: string;
  readonly current: ResultsDocument;
  readonly currentFile: string;
  /** `--allow-workload-change`: compare different work (with a note) instead of refusing. */
  readonly allowChange: boolean;
}

/**
 * Checks that both documents ran the same work. Throws a UserError (naming the current file) when
 * they did not and `allowChange` is off; otherwise returns the notes to print on stderr (legacy
 * documents without a fingerprint, and allowed changes), one line each, without "routesim: ".
 */
export function checkWorkload(input: WorkloadInput): string[] {
  const b = resolve(input.baseline, input.baselineFile);
  const c = resolve(input.current, input.currentFile);
  const notes: string[] = [];
  const diff = difference(input.baseline, b, input.current, c);
  if (diff !== null) {
    if (!input.allowChange) {
      throw inputError(
        input.currentFile,
        'workload_fingerprint',
        `ran different work than the baseline ${input.baselineFile} (${diff})`,
        'run both with the same scenario, seeds and trace (policies may differ); to change the work on purpose regenerate the baseline with routesim run --update-baseline FILE, or pass --allow-workload-change',
      );
    }
    notes.push(`note: ${input.currentFile}: comparing different work than the baseline ${input.baselineFile} because of --allow-workload-change (${diff})`);
  }
  for (const [r, file] of [[b, input.baselineFile], [c, input.currentFile]] as const) {
    if (r.files === null) notes.push(`note: ${file}: has no workload_fingerprint (written before routesim had one); checked its scenario and seeds, not its trace contents (fix: ${REGENERATE})`);
  }
  return notes;
}
