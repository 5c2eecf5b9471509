/**
 * Writing a request stream as a trace in any supported format (streamed to an atomic output, `.gz`
 * compressed when the name says so). What a format cannot hold is dropped and reported:
 * Azure keeps times and lengths only; Mooncake keeps times (whole ms), lengths and the prompt's
 * sharing structure as 512-token hash blocks; BLIS keeps sessions, prefix groups (one shared
 * prefix per row), adapters and priorities; routesim JSONL keeps everything the simulator uses
 * except request paths and headers (it keeps the body's model name).
 */
import { joinLanes, mix32 } from '../../core/hash.js';
import { inputError } from '../../core/errors.js';
import type { Segment, SimRequest } from '../request.js';
import { formatAzureTimestamp } from './azure.js';
import { blisRequestOf, blisRow, writeBlis, type BlisHeaderInfo } from './blis.js';
import { jsonlLine } from './jsonl.js';
import { openTextSink } from './lines.js';
import { MOONCAKE_BLOCK_TOKENS } from './mooncake.js';
import { WRITABLE_FORMATS, type WritableFormat } from './types.js';

export { WRITABLE_FORMATS, type WritableFormat };

/** The output format for `path` when none is named: .jsonl → routesim, .csv / .yaml → blis. */
export function outputFormat(path: string, named: string | undefined): WritableFormat {
  if (named !== undefined) {
    if ((WRITABLE_FORMATS as readonly string[]).includes(named)) return named as WritableFormat;
    if (named === 'inference-perf') throw inputError('--to-format', '', 'inference-perf configs describe a workload, they are not written', `write one of ${WRITABLE_FORMATS.join(', ')}`);
    throw inputError('--to-format', '', `unknown format ${JSON.stringify(named)}`, `use one of ${WRITABLE_FORMATS.join(', ')}`);
  }
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (/\.(jsonl|ndjson|json)$/.test(name)) return 'routesim';
  if (/\.(csv|ya?ml)$/.test(name)) return 'blis';
  if (path === '-') throw inputError('-', '', 'stdout has no file name to tell the output format from', `pass --to-format (${WRITABLE_FORMATS.filter((f) => f !== 'blis').join(', ')})`);
  throw inputError(path, '', 'cannot tell the output format from the file name', `end it in .jsonl or .csv, or pass --to-format (${WRITABLE_FORMATS.join(', ')})`);
}

/** Chained 53-bit keys of the prompt's blocks of `n` tokens (the last one partial, keyed with its length). */
export function blockKeys(segments: readonly Segment[], inputTokens: number, n: number): number[] {
  const keys: number[] = [];
  let a = 0x3c6ef372;
  let b = 0x1b873593;
  let si = 0;
  let off = 0;
  for (let start = 0; start < inputTokens; start += n) {
    let remaining = Math.min(n, inputTokens - start);
    while (remaining > 0) {
      const s = segments[si]!;
      const take = Math.min(remaining, s.tokens - off);
      a = mix32(mix32(mix32(a, s.content), off), take);
      b = mix32(mix32(mix32(b, take), s.content ^ 0x7f4a7c15), off);
      off += take;
      remaining -= take;
      if (off === s.tokens) {
        si++;
        off = 0;
      }
    }
    keys.push(joinLanes(a, b));
  }
  return keys;
}

/** What writing dropped, for the user. */
export interface WriteReport {
  readonly rows: number;
  readonly files: string[];
  /** Fields the format could not hold, with how many rows had them. */
  readonly dropped: Record<string, number>;
}

export interface WriteOptions {
  /** BLIS header (mode, seed, workload, …). */
  readonly header?: BlisHeaderInfo;
  /** Model name for BLIS rows. */
  readonly model?: string;
}

/** Writes `requests` to `path` as `format`; nothing is visible at `path` unless every row was written. */
export function writeTrace(requests: Iterator<SimRequest>, path: string, format: WritableFormat, opts: WriteOptions = {}): WriteReport {
  const dropped: Record<string, number> = {};
  const drop = (field: string): void => {
    dropped[field] = (dropped[field] ?? 0) + 1;
  };
  let rows = 0;
  const each = function* (): Generator<SimRequest> {
    for (let n = requests.next(); !n.done; n = requests.next()) {
      rows++;
      const r = n.value;
      if (r.path !== undefined || r.headers !== undefined) drop('request paths and headers');
      if (r.model !== undefined && format !== 'routesim') drop('model names');
      yield r;
    }
  };
  if (format === 'blis') {
    const model = opts.model ?? '';
    const lines = (function* () {
      for (const r of each()) {
        if (r.group < 0 && r.segments.length > 1) drop('prompt structure beyond one prefix group');
        yield blisRow(blisRequestOf(r), model);
      }
    })();
    const p = writeBlis(path, opts.header ?? { mode: 'generated', seed: 0 }, lines);
    return { rows, files: [p.header, p.data], dropped };
  }
  const sink = openTextSink(path);
  try {
    if (format === 'azure') sink.write('TIMESTAMP,ContextTokens,GeneratedTokens\n');
    const ids = new Map<number, number>();
    for (const r of each()) {
      switch (format) {
        case 'routesim':
          sink.write(jsonlLine(r));
          break;
        case 'azure':
          if (r.segments.length > 1 || r.session >= 0 || r.adapter !== null || r.priority !== 0) drop('prompt structure, sessions, adapters and priorities');
          sink.write(`${formatAzureTimestamp(r.arrivalUs)},${r.inputTokens},${r.outputTokens}\n`);
          break;
        case 'mooncake': {
          if (r.session >= 0 || r.adapter !== null || r.priority !== 0) drop('sessions, adapters and priorities');
          if (r.arrivalUs % 1000 !== 0) drop('sub-millisecond arrival times (rounded)');
          const hashIds = blockKeys(r.segments, r.inputTokens, MOONCAKE_BLOCK_TOKENS).map((k) => {
            let id = ids.get(k);
            if (id === undefined) ids.set(k, (id = ids.size));
            return id;
          });
          sink.write(`${JSON.stringify({ timestamp: Math.round(r.arrivalUs / 1000), input_length: r.inputTokens, output_length: r.outputTokens, hash_ids: hashIds })}\n`);
          break;
        }
      }
    }
    sink.commit();
  } catch (err) {
    sink.abort();
    throw err;
  }
  return { rows, files: [path], dropped };
}


