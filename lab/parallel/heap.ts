import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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

/**
 * How much V8 lets the old generation grow past its live size before the next full collection, in
 * a streamed run (issue 15): 15 %, where V8 otherwise allows up to 4× when collections are cheap.
 * A streamed run's live heap is small (30–50 MB) but its in-flight requests are promoted and die in
 * the old generation, which V8 let grow to ≈ 220 MB before collecting on a 2M-row replay. Measured
 * on that replay (peak RSS, CPU s; two runs each): V8's own 337/307 MiB, 15.3/14.2 s; 35 %:
 * 312/314 MiB, 14.6/14.1 s; 15 %: 299/305 MiB (and 293/296), 14.6/14.1 s; 5 %: 303/303 MiB.
 */
export const STREAMED_HEAP_GROWING_PERCENT = 15;

/**
 * Called once a command knows every run of its plan is streamed because it is too large to keep
 * records (more than RECORDS_KEPT requests) or `--streamed-summary` asked: V8's flag is process-wide
 * and read at each collection, so worker threads started later get it too. Runs that keep their
 * records are never slowed; runs of up to 1,000,000 requests that `run` streams on its own
 * (STREAMED_FROM) get AUTO_STREAMED_HEAP_GROWING_PERCENT instead: 15 % cost them 12–17 % more CPU for
 * ≈ 30 % less peak RSS (1M on 64 replicas, fourth round: least-requests 13.0–13.3 → 14.5–15.1 s,
 * 742–748 → 475–486 MiB; GAIE 26.7 → 31.2 s, 983 → 690 MiB).
 */
export function streamedHeap(percent = STREAMED_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * `streamedHeap`'s percent for runs `routesim run` streams on its own (more than STREAMED_FROM
 * requests, up to RECORDS_KEPT): 50 % (the old generation may grow half its live size), where V8
 * allows up to 4×.
 * Ninth round (issue 15), 1M GAIE on 64 replicas, two runs each, peak RSS: 100 % 386/394 MiB,
 * 50 % 356/354, 35 % 346/346; main-thread mark-compact time (--trace-gc) 26 collections / 259 ms at
 * 100 %, 37 / 358 ms at 50 %, 44 / 444 ms at 35 % of a ≈ 32 s run (CPU within this machine's ±10 %).
 * Earlier rounds' measurements, at 100 %:
 * Once the live heap was small (issue 15, seventh round: ≈ 67 MB on 1M requests on 64 replicas
 * instead of ≈ 126) this costs little: 1M GAIE seeds 2–4, V8's own against 100 %: 36.22/36.47,
 * 36.09/37.44, 34.74/35.72 CPU s and 621/534, 611/494, 627/507 MiB peak RSS (≈ +2 % CPU, −16 % RSS).
 * `npm run bench` sets it in its streamed rows as `run` does.
 */
export const AUTO_STREAMED_HEAP_GROWING_PERCENT = 50;

let fullCollection: (() => void) | undefined;

/**
 * A full garbage collection now. A streamed run calls it between the simulation and its summary
 * (lab/cells/runCell.ts, issue 15): the fleet's KV pools, prefix index and in-flight objects are
 * garbage by then, but V8 would collect them only after the summary had allocated its sorted
 * columns on top of them, which made the end of a 1M-request run its peak (≈ 405 MiB of RSS, 91 MB
 * of typed arrays then; ≈ 300 MiB with this collection, which takes ≈ 15 ms on the main thread).
 * The collector is V8's own `gc`, exposed once through its flag in a fresh context.
 */
export function collectGarbage(): void {
  if (fullCollection === undefined) {
    setFlagsFromString('--expose-gc');
    fullCollection = runInNewContext('gc') as () => void;
  }
  fullCollection();
}
