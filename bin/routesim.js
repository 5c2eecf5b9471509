#!/usr/bin/env node
// Thin launcher: the CLI is compiled from TypeScript into dist/ by `npm ci` (the "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('routesim: dist/cli/main.js is missing; run `npm ci` (or `npm run build`) in the routesim folder first\n');
  process.exit(2);
}
await import(pathToFileURL(main).href);
