/**
 * The V8 flags of bin/routesim.js's shebang, so `npm run bench` measures what `npx routesim` runs
 * (test/benchScenarios.test.ts keeps the two equal).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
