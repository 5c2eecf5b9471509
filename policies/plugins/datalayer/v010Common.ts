/**
 * Shared pieces of the llm-d-router v0.10.0 data-layer and parser definitions (`llm-d-router.md`
 * §2.5, §4.9, §4.10): a plugin that is registered so configs load but has nothing to do in routesim
 * (the simulation feeds the picker its endpoints and metrics), and the parameter fields several
 * sources share.
 */
import { z } from 'zod';
import { duration } from '../../framework/params.js';
import type { Plugin } from '../../framework/types.js';

export class DataLayerNoOp implements Plugin {
  constructor(readonly type: string, readonly name: string) {}
}

/** A request parser: the paths it claims (suffix match after trimming slashes, §2.3); none = fallback. */
export class ParserPlugin implements Plugin {
  constructor(readonly type: string, readonly name: string, readonly paths: readonly string[]) {}
  /** Fallback parsers claim no path. */
  get fallback(): boolean {
    return this.paths.length === 0;
  }
  /** Does this parser claim `path` (query stripped, slashes trimmed, plain suffix test)? */
  claims(path: string): boolean {
    const p = path.split('?')[0]!.replace(/^\/+|\/+$/g, '');
    return this.paths.some((c) => p.endsWith(c.replace(/^\/+|\/+$/g, '')));
  }
}

/** `interval`: rounded to the nearest multiple of the 50 ms base tick, min 1; omitted → every tick (§2.5). */
export const intervalParam = () => duration('0s', 'Poll interval (rounded to a multiple of the 50 ms base tick, min 1; 0/omitted = every tick). routesim: the gateway\'s scrape interval applies.');

/** Poll-interval ticks of the 50 ms base tick for an interval in µs (§2.5). */
export function intervalTicks(intervalUs: number, baseUs = 50_000): number {
  return intervalUs <= 0 ? 1 : Math.max(1, Math.round(intervalUs / baseUs));
}

export const tlsFileParams = {
  caCertPath: z.string().default('').describe('CA bundle for server verification (not read in routesim).'),
  clientCertPath: z.string().default('').describe('Client certificate for mTLS (not read in routesim).'),
  clientKeyPath: z.string().default('').describe('Client key for mTLS (not read in routesim).'),
};
