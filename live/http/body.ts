/**
 * Reads a request body with a size cap and parses it as a JSON object; every failure is an
 * HttpProblem (413 too large, 400 not JSON / not an object), never an exception that escapes.
 */
import type { IncomingMessage } from 'node:http';
import { HttpProblem } from './errors.js';

/** Bodies above this many bytes are refused with 413. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The whole body as text (UTF-8). */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        reject(new HttpProblem(413, `request body larger than ${maxBytes} bytes`));
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(parts).toString('utf8'));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(new HttpProblem(400, `could not read the request body: ${err.message}`));
      }
    });
  });
}

/** The body parsed as a JSON object. */
export async function readJsonObject(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const text = await readBody(req, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpProblem(400, `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpProblem(400, 'the request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
