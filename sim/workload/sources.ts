/**
 * Request streams of the workload sources other than the plain generator: trace replay, sessions,
 * tenants and ServeGen clients (spec.WorkloadSource). Like the generator, each is a deterministic
 * function of (workload, seed, limits), so every policy replays the identical stream; closed-loop
 * sessions are the exception by design: their arrivals depend on the simulated responses.
 */
import type { StreamOptions } from './generator.js';
import type { SimRequest } from './request.js';
import { sourceRateFactor, type WorkloadSource, type WorkloadSpec } from './spec.js';
import { closedSessions, openSessions } from './sessions.js';
import { tenantStream } from './tenants.js';
import { serveGenStream } from './servegen.js';
import { replayTrace, type SkipHandler } from './traces/replay.js';
import { configOf, inferencePerfStream } from './inferencePerf/index.js';
import { routingOf } from './routing.js';
import { inputError } from '../core/errors.js';

export type Generate = (spec: WorkloadSpec, opts: StreamOptions) => Iterator<SimRequest>;

export function createSourceStream(spec: WorkloadSpec, source: WorkloadSource, opts: StreamOptions, generate: Generate, onSkip?: SkipHandler): Iterator<SimRequest> {
  switch (source.kind) {
    case 'trace':
      if (source.format === 'inference-perf') {
        if (spec.arrival.rate !== source.nominal_rate) throw inputError(source.path, 'load.stages', 'an inference-perf config sets its own rates; a rate sweep (sweep.rates, --sweep-rate) cannot rescale it', 'give one config per rate, or use its load.sweep');
        return inferencePerfStream(configOf(source), { ...opts, closedLoop: opts.closedLoop === true }, routingOf(spec));
      }
      return replayTrace(spec, source, opts, { seed: opts.seed, defaultAdapterRank: opts.defaultAdapterRank, generate }, onSkip);
    case 'sessions':
      return source.mode === 'closed' ? closedSessions(spec, source, opts.seed, opts.limits) : openSessions(spec, source, opts.seed, opts.limits);
    case 'tenants':
      return tenantStream(source, opts.seed, opts.limits, sourceRateFactor(spec, source.nominal_rate));
    case 'servegen':
      return serveGenStream(spec, source, opts.seed, opts.limits, opts.defaultAdapterRank);
  }
}
