/**
 * The build's second step (`npm run build`, after tsc): bundles the three entry points of dist/
 * that a process starts from — the CLI (dist/cli/main.js), the package API that user plugins import
 * as `routesim` (dist/policies/api.js) and the parallel runner's worker (dist/lab/parallel/worker.js)
 * — with esbuild, in place, with the code they share in dist/chunks/ (issue 15: start-up).
 *
 * Why: Node 20 loads ES modules one file at a time (≈ 0.5 ms each here); a plain `routesim run`
 * loaded 478 of them (zod 95, the plugin catalog 128, yaml 72) before simulating anything. Bundled,
 * it loads a few dozen. Code splitting keeps each command's work (`import()` of cli/*Action.js) in
 * its own chunk, so `--version` still loads no simulator, zod or vega.
 *
 * One build for all three entries, so they share chunks: a user plugin importing `routesim` and
 * the CLI or worker that loads it get the same module instances (one plugin registry, one ParamError
 * class, one zod). Everything else in dist/ stays as tsc wrote it (the bench and tests import it).
 *
 * Only pure-JavaScript packages on the start-up path are bundled (BUNDLED); the others (vega,
 * piscina, gRPC, …) stay imports that Node resolves from node_modules, as they find files of their
 * own at run time. Results are unchanged: bundling moves code, not behaviour (the README's shipped
 * scenarios are compared byte for byte).
 */
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const ENTRIES = ['cli/main.js', 'policies/api.js', 'lab/parallel/worker.js'];
const CHUNKS = 'chunks';

/** Packages bundled: pure JavaScript, loaded at start-up, no files of their own read at run time. */
const BUNDLED = new Set(['zod', 'yaml', 'commander', 'simple-statistics', '@datadog/sketches-js', 'seedrandom', 'csv-parse', 'csv-stringify']);

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Bare imports of packages not in BUNDLED stay imports (resolved by Node from the chunk's folder). */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || BUNDLED.has(packageName(args.path))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const BANNER = "import { createRequire as __routesimCreateRequire } from 'node:module'; const require = __routesimCreateRequire(import.meta.url);";

for (const e of ENTRIES) {
  const file = join(DIST, e);
  // An entry bundled before imports chunks this run deletes: bundle only what tsc just wrote.
  if (!existsSync(file) || readFileSync(file, 'utf8').startsWith(BANNER)) {
    process.stderr.write(`scripts/bundle.mjs: dist/${e} is ${existsSync(file) ? 'already bundled' : 'missing'} (fix: run npm run build, which runs tsc -p tsconfig.build.json first)\n`);
    process.exit(2);
  }
}
rmSync(join(DIST, CHUNKS), { recursive: true, force: true });

await build({
  entryPoints: ENTRIES.map((e) => join(DIST, e)),
  outdir: DIST,
  outbase: DIST,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: `${CHUNKS}/[name]-[hash]`,
  // Bundled CommonJS packages (seedrandom) call require(): give every chunk one.
  banner: { js: BANNER },
  plugins: [externalPackages],
  // Source maps back to tsc's dist/*.js, read only when enabled (bin/routesim.js does under
  // ROUTESIM_DEBUG), so a debug stack trace names dist/policies/…/scheduler.js, not a chunk's hash.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'eof',
});

const files = readdirSync(join(DIST, CHUNKS)).filter((f) => f.endsWith('.js'));
const bytes = files.reduce((s, f) => s + statSync(join(DIST, CHUNKS, f)).size, 0);
process.stdout.write(`bundled ${ENTRIES.join(', ')} (${files.length} shared chunks, ${(bytes / 1024).toFixed(0)} KB) in dist/\n`);
