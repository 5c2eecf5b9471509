/**
 * The young-generation size routesim runs V8 with (issue 15): semi-spaces of 32 MB instead of V8's
 * 16, so a simulation's short-lived per-request objects die young (README, `npm run bench`). The
 * main thread gets it from bin/routesim.js's shebang (NODE_FLAGS; test/benchScenarios.test.ts keeps
 * the two equal), worker threads from resourceLimits, and `npm run bench` passes NODE_FLAGS to its
 * children.
 */
export const SEMI_SPACE_MB = 32;

/** The node flags of bin/routesim.js's shebang. */
export const NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${SEMI_SPACE_MB}`];

/** A worker thread's young generation: V8 sizes it as three semi-spaces. */
export const YOUNG_GENERATION_MB = 3 * SEMI_SPACE_MB;
