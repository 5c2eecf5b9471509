/** Schema helpers for plugin parameters (Go-style durations, numbers with production bounds). */
import { z } from 'zod';

const DURATION_UNITS: Record<string, number> = { ns: 1e-3, us: 1, µs: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };

/**
 * Parses a Go duration ("200ms", "2m", "1m30s", "1.5s") into microseconds; a bare number is taken
 * as seconds. Returns null when the text is not a duration.
 */
export function parseGoDuration(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) ? Math.round(text * 1e6) : null;
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === 0 ? null : Math.round(total);
}

/** A Go duration parameter (string like "200ms" or seconds as a number), output in µs. */
export function duration(defaultText: string, description: string) {
  return z
    .union([z.string(), z.number()])
    .default(defaultText)
    .transform((v, ctx) => {
      const us = parseGoDuration(v);
      if (us === null || us < 0) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (write e.g. "200ms", "2s", "2m")` });
        return z.NEVER;
      }
      return us;
    })
    .describe(description);
}
