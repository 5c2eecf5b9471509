/**
 * inference-perf's real-text datasets (`data.type` shareGPT, billsum_conversations,
 * infinity_instruct, cnn_dailymail; formats.md §1.4) from the user's recorded token lengths.
 * inference-perf sends each conversation's real prompt with max_tokens = its recorded completion,
 * and `input_distribution` / `output_distribution` only filter the recorded counts to [min, max]
 * (min defaults to 10, max to 1024, as in every Distribution). routesim has no text, so it needs
 * the lengths: a routesim-side option (scenario `workload.trace.dataset_lengths: FILE`, or
 * `routesim trace synth --dataset-lengths FILE`), FILE being one record per conversation, read
 * streaming in file order:
 *   - JSONL: `{"input_tokens": 812, "output_tokens": 230}` per line (blank lines skipped);
 *   - CSV: a header row naming the two columns, then one row per conversation.
 * Field names: input = input_tokens | input_toks | prompt_tokens, output = output_tokens |
 * output_toks | completion_tokens (the first present; other fields are ignored, so LLMServingSim's
 * vLLM bench requests.jsonl reads as is).
 *
 * Choices where formats.md is silent: with no distribution at all the filter is [10, ∞) on that
 * side (only the min default applies); records survive the filter in file order, request i of a
 * stage uses surviving record i mod K (K survivors), and each stage restarts at record 0 (as every
 * inference-perf generator restarts at index 0, §1.3). A repeated record resends the same prompt
 * (same content, so it can hit the prefix cache). Recorded lengths below 1 token never survive.
 */
import { extname } from 'node:path';
import { inputError } from '../../core/errors.js';
import { hashInts } from '../../core/hash.js';
import { poolContentOf } from '../prompts.js';
import { atLine, intField } from '../traces/fields.js';
import { csvRecords, readLines } from '../traces/lines.js';
import { parseDist } from './distribution.js';
import type { Fields, Obj } from './fields.js';
import type { DataGenerator, StageData } from './prompts.js';

/** The real-text datasets a lengths file stands in for. */
export const LENGTH_DATASETS = ['shareGPT', 'cnn_dailymail', 'infinity_instruct', 'billsum_conversations'] as const;
export const INPUT_FIELDS = ['input_tokens', 'input_toks', 'prompt_tokens'] as const;
export const OUTPUT_FIELDS = ['output_tokens', 'output_toks', 'completion_tokens'] as const;

/** Token-count bounds [min, max] a record must lie in (max may be Infinity). */
export type Bounds = readonly [number, number];

export interface DatasetData {
  readonly type: 'dataset';
  /** inference-perf's data.type. */
  readonly dataset: string;
  readonly lengthsFile: string;
  readonly inputBounds: Bounds;
  readonly outputBounds: Bounds;
  /** Records read from the file. */
  readonly records: number;
  /** The surviving records' lengths, in file order. */
  readonly input: readonly number[];
  readonly output: readonly number[];
}

/** The filter of one side: a given Distribution's [min, max] (defaults 10 / 1024), else [10, ∞). */
function boundsOf(f: Fields, data: Obj, key: string): Bounds {
  if (data[key] === undefined) return [10, Infinity];
  const d = parseDist(f, data[key], `data.${key}`, 'A');
  return [d.min, d.max];
}

/** Reads `file`'s (input, output) records, calling `take` with each, in file order. */
export function readLengthRecords(file: string, take: (input: number, output: number) => void): void {
  const csv = extname(file.replace(/\.gz$/, '')).toLowerCase() === '.csv';
  const pick = (names: readonly string[], has: (n: string) => boolean, side: string, where: string): string => {
    const n = names.find(has);
    if (n === undefined) throw inputError(file, where, `no ${side} token count`, `name it one of ${names.join(', ')}`);
    return n;
  };
  if (csv) {
    const rows = csvRecords(readLines(file), file);
    const head = rows.next();
    if (head.done) return;
    const cols = head.value.fields.map((c) => c.trim());
    const ii = cols.indexOf(pick(INPUT_FIELDS, (n) => cols.includes(n), 'input', `line ${head.value.lineNo} (header)`));
    const oi = cols.indexOf(pick(OUTPUT_FIELDS, (n) => cols.includes(n), 'output', `line ${head.value.lineNo} (header)`));
    for (const r of rows) {
      if (r.fields.length === 1 && r.fields[0]!.trim() === '') continue;
      atLine(file, r.lineNo, () => take(intField(r.fields[ii], cols[ii]!, 0), intField(r.fields[oi], cols[oi]!, 0)));
    }
    return;
  }
  for (const line of readLines(file)) {
    if (line.text.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(line.text);
    } catch {
      throw inputError(file, `line ${line.lineNo}`, 'not a JSON object', 'write one {"input_tokens": N, "output_tokens": M} object per line');
    }
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw inputError(file, `line ${line.lineNo}`, 'not a JSON object', 'write one {"input_tokens": N, "output_tokens": M} object per line');
    const rec = o as Record<string, unknown>;
    const where = `line ${line.lineNo}`;
    const inKey = pick(INPUT_FIELDS, (n) => n in rec, 'input', where);
    const outKey = pick(OUTPUT_FIELDS, (n) => n in rec, 'output', where);
    atLine(file, line.lineNo, () => take(intField(rec[inKey], inKey, 0), intField(rec[outKey], outKey, 0)));
  }
}

const inside = (n: number, b: Bounds): boolean => n >= Math.max(1, b[0]) && n <= b[1];

/**
 * A dataset's DataPlan: `lengthsFile` (resolved) read and filtered. Without a file: the one-line
 * error naming data.type and the option that supplies the lengths.
 */
export function parseDataset(f: Fields, data: Obj, type: string, lengthsFile: string | undefined): DatasetData {
  if (lengthsFile === undefined) {
    throw f.fail('data.type', `${type} replays real text whose length histogram routesim does not have`, "give the dataset's recorded (input, output) token counts per conversation: workload.trace.dataset_lengths: FILE in the scenario, or --dataset-lengths FILE to routesim trace synth (JSONL or CSV; README \"inference-perf configs\")");
  }
  const inputBounds = boundsOf(f, data, 'input_distribution');
  const outputBounds = boundsOf(f, data, 'output_distribution');
  const input: number[] = [];
  const output: number[] = [];
  let records = 0;
  readLengthRecords(lengthsFile, (i, o) => {
    records++;
    if (inside(i, inputBounds) && inside(o, outputBounds)) {
      input.push(i);
      output.push(o);
    }
  });
  const show = (b: Bounds): string => `[${b[0]}, ${b[1] === Infinity ? '∞' : b[1]}]`;
  if (input.length === 0) {
    throw inputError(lengthsFile, '', `none of its ${records} records has input tokens in ${show(inputBounds)} and output tokens in ${show(outputBounds)} (data.input_/output_distribution of ${f.file})`, "give the dataset's recorded lengths, or widen min/max of the config's distributions");
  }
  return { type: 'dataset', dataset: type, lengthsFile, inputBounds, outputBounds, records, input, output };
}

/** Request i of every stage: surviving record i mod K, its recorded prompt length and completion as max_tokens. */
export function datasetData(d: DatasetData): DataGenerator {
  const k = d.input.length;
  return {
    stage(): StageData {
      return (i) => {
        const j = i % k;
        return { segments: [{ content: hashInts(poolContentOf(j), 2), tokens: d.input[j]! }], outputTokens: d.output[j]!, group: -1, session: -1, turn: 0, lock: -1, toolWaitS: 0 };
      };
    },
  };
}
