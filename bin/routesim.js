#!/usr/bin/env -S node --max-semi-space-size=32
// Thin launcher: the CLI is compiled from TypeScript into dist/ by `npm ci` (the "prepare" script).
// The V8 flag doubles the young generation's semi-spaces (16 → 32 MB): a simulation's short-lived
// per-request objects then die young instead of being promoted, which keeps long runs out of a
// garbage-collection mode that doubles their CPU time: 1M requests on 64 replicas (GAIE) took ≈ 100 s
// instead of ≈ 48 s in 4 of 6 runs without it, in none of 4 with it (issue 15; README, `npm run bench`). `node bin/routesim.js` without the flag runs the same, only slower at times.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
// dist/cli/main.js is a bundle (scripts/bundle.mjs): with ROUTESIM_DEBUG a stack trace is mapped back
// to the dist/ modules tsc wrote (source maps are read only for modules loaded after this).
if (process.env.ROUTESIM_DEBUG) process.setSourceMapsEnabled(true);
if (!existsSync(main)) {
  process.stderr.write('routesim: dist/cli/main.js is missing; run `npm ci` (or `npm run build`) in the routesim folder first\n');
  process.exit(2);
}
await import(pathToFileURL(main).href);
