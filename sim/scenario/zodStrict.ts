/**
 * Schema building blocks shared by the scenario schema (schema.ts) and the routes schema
 * (routesSchema.ts): a problem and its fix encoded as one zod message (describeIssue in schema.ts
 * splits it again), and strict objects whose unknown-key error lists the allowed keys.
 */
import { z } from 'zod';
import { closestWord } from '../../policies/util/text.js';

/** Encode a problem and its fix as one zod message. */
export function withFix(problem: string, fix: string): string {
  return `${problem} (fix: ${fix})`;
}

/** A strict object whose unknown-key error lists the allowed keys (and the closest, for a typo). */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code !== 'unrecognized_keys') return undefined;
      const [first = '', ...rest] = iss.keys;
      const also = rest.length ? ` (also ${rest.map((k) => JSON.stringify(k)).join(', ')})` : '';
      const guess = closestWord(first, allowed, 4);
      const list = `allowed keys here are ${allowed.join(', ')}`;
      return withFix(
        `unknown key ${JSON.stringify(first)}${also}`,
        guess ? `did you mean ${JSON.stringify(guess)}? ${list}` : `remove it; ${list}`,
      );
    },
  });
}
