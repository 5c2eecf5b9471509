/**
 * The architectural line: policies/ never imports the simulator (sim/), so the same policy code can
 * run in a live picker. Checks every import/require/export-from in policies/ recursively.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|js|mjs|cjs)$/.test(n) ? [p] : [];
  });
}

/** Module specifiers of static imports, re-exports, dynamic imports and requires. */
export function importsOf(text: string): string[] {
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  return [...text.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]!);
}

describe('policies/ is independent of sim/', () => {
  it('finds import specifiers in every syntax the check relies on', () => {
    expect(importsOf(`import { a } from '../sim/x.js';\nexport * from "../../sim/y.js";\nconst z = await import('../sim/z.js');\nimport '../sim/w.js';`)).toEqual([
      '../sim/x.js',
      '../../sim/y.js',
      '../sim/z.js',
      '../sim/w.js',
    ]);
  });

  it('no file under policies/ imports anything under sim/', () => {
    const files = sourceFiles(join(ROOT, 'policies'));
    expect(files.length).toBeGreaterThan(0);
    const offenders: string[] = [];
    for (const f of files) {
      for (const spec of importsOf(readFileSync(f, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, resolve(dirname(f), spec));
        if (target === 'sim' || target.startsWith('sim/')) offenders.push(`${relative(ROOT, f)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
