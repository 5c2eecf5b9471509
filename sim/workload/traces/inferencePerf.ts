/** Kept for the old import path: the inference-perf reader lives in ../inferencePerf/. */
export { looksLikeInferencePerf, readInferencePerfConfig as readInferencePerf } from '../inferencePerf/index.js';
