/**
 * Validates a Benchmark Report against the v0.2.1 JSON Schema (schema-v0.2.1.json, written from
 * ../shared/reference/formats.md §4) with Ajv and its standard formats (uuid, date-time,
 * duration). The writer validates every report before anything is written, so a report the schema
 * rejects is a bug of the writer, never a file on disk.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import schema from './schema-v0.2.1.json' with { type: 'json' };

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let compiled: ValidateFunction | null = null;

/** The compiled validator (compiled once, on first use). */
export function reportValidator(): ValidateFunction {
  if (compiled === null) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** The schema's complaints about `report` (empty when it is valid), one `path: message` each. */
export function reportProblems(report: unknown): string[] {
  const validate = reportValidator();
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(top)'}: ${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : ''}`);
}
