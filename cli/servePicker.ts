/**
 * `routesim serve picker`: the command's definition (options, help); its work — load the EPP
 * config, start the live Endpoint Picker (live/picker/) — is cli/servePickerAction.ts, imported
 * only when it runs.
 */
import type { Command } from 'commander';
import type { ServePickerFlags } from './servePickerAction.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerServePicker(serve: Command): void {
  serve
    .command('picker')
    .description('run the EPP config as a live Endpoint Picker: Envoy ext_proc gRPC (TLS, self-signed by default) answering x-gateway-destination-endpoint for each request, metrics scraped from each endpoint\'s /metrics; the same director and plugins as a simulation')
    .option('--config <file>', 'EndpointPickerConfig YAML (GAIE v1.5 or llm-d-router v0.10 dialect; default: the built-in default config)')
    .option('--endpoint <name=host:port>', 'an endpoint (repeat for more)', collect)
    .option('--endpoints-file <file>', 'endpoints in the file-discovery format (endpoints: [{name, address, port}]), re-read when it changes')
    .option('--plugin-module <file...>', 'user plugin module(s) (.js/.mjs) to load before the config')
    .option('--allow-experimental-plugins', 'llm-d-router v0.10 configs: let Alpha plugin types load')
    .option('--host <address>', 'address to bind (default 127.0.0.1)')
    .option('--port <n>', 'ext_proc gRPC port (default 9002)')
    .option('--http-port <n>', 'port of /metrics and /health (default 9090)')
    .option('--refresh-metrics-interval <duration>', 'how often each endpoint\'s /metrics is scraped, e.g. 50ms or 1s (default 50ms)')
    .option('--objective <name=priority>', 'an InferenceObjective: requests with x-gateway-inference-objective NAME get this priority (repeat for more)', collect)
    .option('--seed <n>', 'seed of the picker\'s random stream (tie-breaks; default 1, as routesim pick)')
    .option('--decisions <file>', 'write every scheduling decision as one JSON line, in the format of routesim run --decisions (engine truth null: unknown live); replay a line with routesim pick --from-decision FILE:LINE')
    .option('--decisions-sample <rate>', 'with --decisions: write this share (0, 1] of requests, chosen by a hash of --seed and the request id (default 1)')
    .option('--insecure', 'serve plaintext gRPC (no TLS)')
    .option('--cert <file>', 'PEM certificate to serve (with --key; default: a self-signed one generated at start-up)')
    .option('--key <file>', 'PEM private key of --cert')
    .action(async (flags: ServePickerFlags) => {
      const { servePicker } = await import('./servePickerAction.js');
      return servePicker(flags);
    });
}
