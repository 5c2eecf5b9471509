/**
 * A shard's partial result: the command to replay, a fingerprint of its inputs, which shard it is
 * and the JSON results of its cells by `cellKey`. `fingerprintOf` hashes the replayed command, the
 * bytes of the input files (the scenario and the traces it reads), the routesim version and the
 * number of cells, so parts made from different inputs are refused by `routesim merge`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../../sim/core/errors.js';
import type { CellResult } from '../cells/cell.js';
import type { ShardSpec } from './spec.js';

export interface ShardPartial {
  readonly routesim_partial: 1;
  readonly version: string;
  /** The command's arguments after `routesim`, without output, jobs and shard flags. */
  readonly command: readonly string[];
  readonly fingerprint: string;
  readonly shard: ShardSpec;
  /** Total cells of the experiment (all shards). */
  readonly cells_total: number;
  readonly cells: readonly { readonly key: string; readonly result: CellResult }[];
}

/** sha256 over the command, the input files' names and bytes, the version and the cell count. */
export function fingerprintOf(command: readonly string[], inputs: readonly string[], version: string, cells: number): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ command, version, cells }));
  for (const file of inputs) {
    h.update(`\0file:${file}\0`);
    h.update(existsSync(file) ? readFileSync(file) : Buffer.from('(missing)'));
  }
  return h.digest('hex');
}

/** Writes the partial to `path` (a temporary file renamed into place), creating missing folders. */
export function writePartial(path: string, partial: ShardPartial): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, `${JSON.stringify(partial)}\n`);
    renameSync(tmp, path);
  } catch (err) {
    throw new UserError(`--out ${path}: cannot write the shard's partial result (${(err as NodeJS.ErrnoException).code ?? String(err)}) (fix: give a writable path, e.g. --out part-1.json)`);
  }
}

/** Reads one part, or a one-line error naming the file. */
export function readPartial(file: string): ShardPartial {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read the part (${(err as NodeJS.ErrnoException).code ?? String(err)}) (fix: give the files written by routesim run --shard i/N --out FILE)`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UserError(`${file}: not JSON (fix: give the files written by routesim run --shard i/N --out FILE)`);
  }
  const p = doc as Partial<ShardPartial> | null;
  if (p === null || typeof p !== 'object' || p.routesim_partial !== 1) {
    throw new UserError(`${file}: not a shard's partial result (no "routesim_partial": 1) (fix: give the files written by routesim run --shard i/N --out FILE, not a results document)`);
  }
  const ok =
    typeof p.version === 'string' &&
    Array.isArray(p.command) &&
    p.command.every((a) => typeof a === 'string') &&
    typeof p.fingerprint === 'string' &&
    typeof p.shard?.index === 'number' &&
    typeof p.shard?.count === 'number' &&
    Number.isInteger(p.shard.index) &&
    p.shard.index >= 1 &&
    p.shard.index <= p.shard.count &&
    typeof p.cells_total === 'number' &&
    Array.isArray(p.cells) &&
    p.cells.every((c) => typeof c?.key === 'string' && typeof c.result === 'object' && c.result !== null);
  if (!ok) throw new UserError(`${file}: a damaged partial result (version, command, fingerprint, shard, cells_total or cells missing or malformed) (fix: run that shard again)`);
  return p as ShardPartial;
}

/**
 * Checks the parts belong together and cover every shard once: same version, command and
 * fingerprint, same shard count, shards 1..N each exactly once. Returns the parts and their files
 * by shard index.
 */
export function checkParts(files: readonly string[], parts: readonly ShardPartial[], version: string): { parts: ShardPartial[]; files: string[] } {
  if (parts.length === 0) throw new UserError('routesim merge: no parts given (fix: routesim merge part-*.json --out results.json)');
  const first = parts[0]!;
  parts.forEach((p, i) => {
    const f = files[i]!;
    if (p.version !== version) throw new UserError(`${f}: made by routesim ${p.version}, this is routesim ${version} (fix: merge with the routesim version that ran the shards, or run every shard again with this one)`);
    if (p.shard.count !== first.shard.count) throw new UserError(`${f}: shard ${p.shard.index}/${p.shard.count}, but ${files[0]} is shard ${first.shard.index}/${first.shard.count}: shard counts differ (fix: merge the parts of one sharded run, all with the same --shard i/N count)`);
    if (p.fingerprint !== first.fingerprint) {
      const what = JSON.stringify(p.command) !== JSON.stringify(first.command) ? `different commands (${p.command.join(' ')} vs ${first.command.join(' ')})` : 'different scenario files or inputs';
      throw new UserError(`${f}: its fingerprint differs from ${files[0]}'s: ${what} (fix: merge the parts of one sharded run, made from the same command and files)`);
    }
  });
  const byIndex: (ShardPartial | undefined)[] = Array.from({ length: first.shard.count }, () => undefined);
  const fileOf: string[] = Array.from({ length: first.shard.count }, () => '');
  parts.forEach((p, i) => {
    const k = p.shard.index - 1;
    if (byIndex[k] !== undefined) throw new UserError(`${files[i]}: shard ${p.shard.index}/${p.shard.count} given twice (also ${fileOf[k]}) (fix: give each shard's part once)`);
    byIndex[k] = p;
    fileOf[k] = files[i]!;
  });
  const missing = byIndex.flatMap((p, k) => (p === undefined ? [k + 1] : []));
  if (missing.length > 0) {
    const list = missing.length > 5 ? `${missing.slice(0, 5).join(', ')}, … (${missing.length} in all)` : missing.join(', ');
    throw new UserError(`routesim merge: shard${missing.length > 1 ? 's' : ''} ${list} of ${first.shard.count} missing (fix: run routesim run … --shard ${missing[0]}/${first.shard.count} --out FILE and give every part)`);
  }
  return { parts: byIndex as ShardPartial[], files: fileOf };
}
