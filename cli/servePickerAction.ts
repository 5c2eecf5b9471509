/**
 * `routesim serve picker`: validates the flags (one UserError line each), loads the EPP config
 * (user plugin modules are loaded before, by the CLI's plugin pre-pass), starts the live Endpoint
 * Picker (live/picker/server.ts), prints one line saying where it listens, and runs until SIGINT /
 * SIGTERM, when it shuts down cleanly.
 *
 * This is the command's work; its definition is cli/servePicker.ts.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ConfigError, loadPickerConfig } from '../policies/config/loader.js';
import { inputError, UserError } from '../sim/core/errors.js';
import { decisionsSampleShare } from './decisionsSample.js';
import { endpointsFromFlags, loadEndpointsFile, type LiveEndpoint } from '../live/picker/endpoints.js';
import { metricsSourceTicks, startPickerServer } from '../live/picker/server.js';
import { pemFromFiles } from '../live/picker/tls.js';
import { fileLineWriter } from '../live/picker/decisionLog.js';

export interface ServePickerFlags {
  config?: string;
  endpoint?: string[];
  endpointsFile?: string;
  pluginModule?: string[];
  allowExperimentalPlugins?: boolean;
  host?: string;
  port?: string;
  httpPort?: string;
  refreshMetricsInterval?: string;
  objective?: string[];
  seed?: string;
  insecure?: boolean;
  decisions?: string;
  decisionsSample?: string;
  cert?: string;
  key?: string;
}

function port(flag: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw inputError(flag, v, 'not a port number 0–65535', `e.g. ${flag} ${dflt}`);
  return Number(v);
}

/** `50ms`, `1s`, `250` (ms) → ms; at least 1 ms. */
export function durationMs(v: string | undefined): number {
  if (v === undefined) return 50;
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v.trim());
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
  if (!(ms >= 1) || ms > 3_600_000) throw inputError('--refresh-metrics-interval', v, 'not a duration from 1ms to 1h', 'e.g. --refresh-metrics-interval 50ms');
  return ms;
}

/** --decisions-sample: a share in (0, 1]. */
export function decisionsSample(v: string | undefined, decisions: string | undefined): number {
  return decisionsSampleShare(v, decisions !== undefined, {
    missingFix: 'add --decisions FILE',
    bad: (x) => inputError('--decisions-sample', x, 'not a share in (0, 1]', 'e.g. --decisions-sample 0.1'),
    syntax: /^\d*\.?\d+(e-?\d+)?$/i,
  });
}

function objectives(list: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of list) {
    const m = /^([^=\s]+)=(-?\d+)$/.exec(o.trim());
    if (!m) throw inputError('--objective', o, 'expected name=priority (an integer)', 'e.g. --objective batch=-1');
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

function readConfig(path: string | undefined, allowExperimentalPlugins: boolean) {
  const opts = { allowExperimentalPlugins };
  if (path === undefined) return loadPickerConfig(null, opts);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputError(path, '', `cannot read the config (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'give an EndpointPickerConfig YAML file');
  }
  try {
    return loadPickerConfig({ text }, opts);
  } catch (err) {
    if (err instanceof ConfigError) throw inputError(path, err.path, err.problem, err.fix);
    throw err;
  }
}

export async function servePicker(flags: ServePickerFlags): Promise<void> {
  if ((flags.cert === undefined) !== (flags.key === undefined)) throw new UserError('--cert and --key: give both (a PEM certificate and its key), or neither for a self-signed certificate');
  if (flags.insecure && flags.cert !== undefined) throw new UserError('--insecure with --cert: plaintext serves no certificate (fix: drop one of them)');
  if (flags.endpointsFile !== undefined && (flags.endpoint?.length ?? 0) > 0) throw new UserError('--endpoint and --endpoints-file: give one source of endpoints (fix: list them all in the file, or all as flags)');
  const grpcPort = port('--port', flags.port, 9002);
  const httpPort = port('--http-port', flags.httpPort, 9090);
  const refreshMetricsMs = durationMs(flags.refreshMetricsInterval);
  const seed = flags.seed === undefined ? 1 : Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw inputError('--seed', flags.seed!, 'not an integer', 'e.g. --seed 1');
  let endpoints: LiveEndpoint[];
  if (flags.endpointsFile !== undefined) {
    const r = loadEndpointsFile(flags.endpointsFile);
    if (r.problems.length > 0) throw new UserError(r.problems[0]!); // fatal on the initial load, as in production
    endpoints = r.endpoints;
  } else endpoints = endpointsFromFlags(flags.endpoint ?? []);
  const sample = decisionsSample(flags.decisionsSample, flags.decisions);
  const config = readConfig(flags.config, flags.allowExperimentalPlugins === true);
  let writer: ReturnType<typeof fileLineWriter> | undefined;
  if (flags.decisions !== undefined) {
    try {
      writer = fileLineWriter(flags.decisions);
    } catch (err) {
      throw inputError('--decisions', flags.decisions, `cannot write the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'give a writable path');
    }
  }
  const policy = flags.config === undefined ? 'default' : basename(flags.config, extname(flags.config));
  for (const w of config.warnings) process.stderr.write(`routesim: warning: ${flags.config ?? 'default config'}: ${w}\n`);

  const log = (line: string): void => void process.stderr.write(`routesim serve picker: ${line}\n`);
  const server = await startPickerServer({
    config,
    endpoints,
    ...(flags.endpointsFile !== undefined ? { endpointsFile: flags.endpointsFile } : {}),
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    grpcPort,
    httpPort,
    refreshMetricsMs,
    insecure: flags.insecure === true,
    ...(flags.cert !== undefined ? { pem: pemFromFiles(flags.cert, flags.key!) } : {}),
    seed,
    objectives: objectives(flags.objective ?? []),
    log,
    ...(writer !== undefined ? { decisions: { policy, sample, write: writer.write, close: writer.close } } : {}),
  }).catch((err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    throw new UserError(`routesim serve picker: cannot listen (${msg.split('\n')[0]}) (fix: choose free ports with --port / --http-port)`);
  });
  const host = flags.host ?? '127.0.0.1';
  log(`ext_proc on ${host}:${server.grpcPort} (${flags.insecure ? 'plaintext' : flags.cert ? 'TLS' : 'TLS, self-signed'}), /metrics and /health on http://${host}:${server.httpPort}, ${endpoints.length} endpoint(s), ${config.dialect} config, scrape every ${refreshMetricsMs * metricsSourceTicks(config)} ms`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log('stopped');
}
