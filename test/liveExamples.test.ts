/**
 * examples/live/: the Envoy bootstrap, the Kubernetes manifests and the Dockerfile that put
 * routesim's picker and mock engine behind a gateway. Nothing here runs Envoy or a cluster; the
 * tests check what can be checked without them: the YAML parses, core objects validate against the
 * Kubernetes OpenAPI schemas and Gateway/HTTPRoute against the Gateway API schemas, envoy.yaml
 * against Envoy's own .proto schemas, the fields the reference gives (live.md §1.6, gateway.md
 * §1.4, §2.1), the names that must cross-reference, the CLI flags used (so the examples cannot
 * drift from the CLI), and endpoints-sync.mjs against a stand-in API server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadEndpointsFile } from '../live/picker/endpoints.js';
import { ROOT } from './cliHelpers.js';
import { checkMessage, loadEnvoyRoot } from './envoyProtoSchema.js';

const LIVE = join(ROOT, 'examples', 'live');
const K8S = join(LIVE, 'kubernetes');

type Obj = Record<string, any>;

function docsOf(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([]);
    return d.toJS() as Obj;
  });
}
const k8s = (name: string): Obj[] => docsOf(join(K8S, name));
const find = (docs: Obj[], kind: string, name?: string): Obj => {
  const d = docs.find((x) => x.kind === kind && (name === undefined || x.metadata?.name === name));
  expect(d, `${kind} ${name ?? ''}`).toBeDefined();
  return d!;
};
const clone = <T>(x: T): T => structuredClone(x);

/** The value after `--flag` in an args list. */
function flagValue(args: string[], flag: string): string {
  const i = args.indexOf(flag);
  expect(i, `${flag} in ${args.join(' ')}`).toBeGreaterThanOrEqual(0);
  return args[i + 1]!;
}

/** The `--flags` the CLI's help for `serve <cmd>` lists. */
function helpFlags(cmd: 'picker' | 'engine'): Set<string> {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'serve', cmd, '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return new Set(r.stdout.match(/--[a-z][a-z-]*/g) ?? []);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

describe('examples/live YAML', () => {
  it('every YAML file parses without error', () => {
    const files = yamlFiles(LIVE).map((f) => relative(LIVE, f)).sort();
    expect(files).toEqual([
      'envoy/envoy.yaml',
      'kubernetes/engine.yaml',
      'kubernetes/envoy-gateway.yaml',
      'kubernetes/inferencepool.yaml',
      'kubernetes/kgateway.yaml',
      'kubernetes/picker.yaml',
    ]);
    for (const f of files) expect(docsOf(join(LIVE, f)).length).toBeGreaterThan(0);
  });
});

describe('Kubernetes core objects against the OpenAPI schemas (kubernetes-models)', () => {
  it('engine.yaml and picker.yaml validate, and broken copies do not', async () => {
    const { Deployment } = await import('kubernetes-models/apps/v1/Deployment');
    const { Service } = await import('kubernetes-models/v1/Service');
    const { ConfigMap } = await import('kubernetes-models/v1/ConfigMap');
    const { ServiceAccount } = await import('kubernetes-models/v1/ServiceAccount');
    const { Role } = await import('kubernetes-models/rbac.authorization.k8s.io/v1/Role');
    const { RoleBinding } = await import('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding');
    const models: Record<string, new (o: never) => { validate(): void }> = { Deployment, Service, ConfigMap, ServiceAccount, Role, RoleBinding };
    const docs = [...k8s('engine.yaml'), ...k8s('picker.yaml')];
    expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'Role', 'RoleBinding', 'Service', 'Service', 'ServiceAccount']);
    for (const d of docs) expect(() => new models[d.kind]!(d as never).validate(), `${d.kind} ${d.metadata.name}`).not.toThrow();

    // Not a rubber stamp: a port as a word, a replica count as a string, a service port out of type.
    const dep = clone(find(docs, 'Deployment', 'routesim-engine'));
    dep.spec.template.spec.containers[0].ports[0].containerPort = 'eight thousand';
    expect(() => new Deployment(dep).validate()).toThrow(/containerPort/);
    const dep2 = clone(find(docs, 'Deployment', 'routesim-picker'));
    dep2.spec.replicas = 'one';
    expect(() => new Deployment(dep2).validate()).toThrow(/replicas/);
    const svc = clone(find(docs, 'Service', 'routesim-picker'));
    svc.spec.ports[0].port = true;
    expect(() => new Service(svc).validate()).toThrow(/port/);
  });
});

describe('Gateway and HTTPRoute against the Gateway API schemas (@kubernetes-models/gateway-api)', () => {
  it('both gateway files validate, and broken copies do not', async () => {
    const { Gateway } = await import('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway');
    const { HTTPRoute } = await import('@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute');
    for (const file of ['envoy-gateway.yaml', 'kgateway.yaml']) {
      const docs = k8s(file);
      expect(docs.map((d) => d.kind)).toEqual(['Gateway', 'HTTPRoute']);
      expect(() => new Gateway(docs[0] as never).validate(), file).not.toThrow();
      expect(() => new HTTPRoute(docs[1] as never).validate(), file).not.toThrow();
      const badPath = clone(docs[1]!);
      badPath.spec.rules[0].matches[0].path.type = 'Prefix';
      expect(() => new HTTPRoute(badPath as never).validate()).toThrow(/type/);
      const badTimeout = clone(docs[1]!);
      badTimeout.spec.rules[0].timeouts.request = '5 minutes';
      expect(() => new HTTPRoute(badTimeout as never).validate()).toThrow(/request/);
      const badGw = clone(docs[0]!);
      delete badGw.spec.gatewayClassName;
      expect(() => new Gateway(badGw as never).validate()).toThrow(/gatewayClassName/);
    }
  });
});

describe('the InferencePool and the names that cross-reference (gateway.md §1.4, §2.1)', () => {
  const engine = find(k8s('engine.yaml'), 'Deployment', 'routesim-engine');
  const pickerDocs = k8s('picker.yaml');
  const picker = find(pickerDocs, 'Deployment', 'routesim-picker');
  const pickerSvc = find(pickerDocs, 'Service', 'routesim-picker');
  const pool = find(k8s('inferencepool.yaml'), 'InferencePool');
  const pickerContainer = picker.spec.template.spec.containers.find((c: Obj) => c.name === 'picker');
  const engineContainer = engine.spec.template.spec.containers[0];

  it('InferencePool: v1 apiVersion, required keys, failureMode one of the two modes', () => {
    expect(pool.apiVersion).toBe('inference.networking.k8s.io/v1');
    expect(pool.kind).toBe('InferencePool');
    expect(Object.keys(pool.spec).sort()).toEqual(['appProtocol', 'endpointPickerRef', 'selector', 'targetPorts']);
    expect(['http', 'kubernetes.io/h2c']).toContain(pool.spec.appProtocol);
    expect(pool.spec.targetPorts.length).toBeGreaterThanOrEqual(1);
    expect(pool.spec.targetPorts.length).toBeLessThanOrEqual(8);
    const ref = pool.spec.endpointPickerRef;
    expect(ref.kind).toBe('Service');
    expect(ref.name).toBeTruthy();
    expect(ref.port?.number).toBeTypeOf('number'); // required for a Service
    expect(['FailOpen', 'FailClose']).toContain(ref.failureMode);
  });

  it('pool selector and target port = the engine pods\' labels and --base-port; endpoints-sync uses the same', () => {
    const labels = engine.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(pool.spec.selector.matchLabels)) expect(labels[k]).toBe(v);
    const basePort = Number(flagValue(engineContainer.args, '--base-port'));
    expect(flagValue(engineContainer.args, '--replicas')).toBe('1'); // one replica per pod: one endpoint per pod IP
    expect(flagValue(engineContainer.args, '--host')).toBe('0.0.0.0');
    expect(pool.spec.targetPorts).toEqual([{ number: basePort }]);
    expect(engineContainer.ports[0].containerPort).toBe(basePort);
    expect(engineContainer.readinessProbe.httpGet.port).toBe(basePort);
    const selector = Object.entries(pool.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
    for (const c of [...picker.spec.template.spec.initContainers, ...picker.spec.template.spec.containers.filter((x: Obj) => x.name === 'endpoints-sync')]) {
      const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]));
      expect(env.SELECTOR, c.name).toBe(selector);
      expect(env.TARGET_PORT, c.name).toBe(String(basePort));
      expect(env.ENDPOINTS_FILE, c.name).toBe(flagValue(pickerContainer.args, '--endpoints-file'));
    }
  });

  it('endpointPickerRef → the picker Service → the picker\'s --port; probes on --http-port', () => {
    const ref = pool.spec.endpointPickerRef;
    expect(ref.name).toBe(pickerSvc.metadata.name);
    const svcPort = pickerSvc.spec.ports.find((p: Obj) => p.port === ref.port.number);
    expect(svcPort, 'Service port for endpointPickerRef.port').toBeDefined();
    const grpcPort = Number(flagValue(pickerContainer.args, '--port'));
    expect(grpcPort).toBe(9002); // the picker's and the production EPP's default
    expect(svcPort.targetPort).toBe(grpcPort);
    for (const [k, v] of Object.entries(pickerSvc.spec.selector)) expect(picker.spec.template.metadata.labels[k]).toBe(v);
    expect(flagValue(pickerContainer.args, '--host')).toBe('0.0.0.0');
    const httpPort = Number(flagValue(pickerContainer.args, '--http-port'));
    expect(pickerContainer.readinessProbe.httpGet).toEqual({ path: '/health', port: httpPort });
    expect(pickerSvc.spec.ports.map((p: Obj) => p.targetPort).sort()).toEqual([grpcPort, httpPort].sort());
    expect(picker.spec.replicas).toBe(1);
  });

  it('the picker\'s files come from its volumes: config from the ConfigMap (= gaie-default.yaml), endpoints from the shared emptyDir', () => {
    const spec = picker.spec.template.spec;
    const mountOf = (c: Obj, file: string): Obj => {
      const m = c.volumeMounts.find((v: Obj) => file.startsWith(`${v.mountPath}/`));
      expect(m, `${c.name} mounts ${file}`).toBeDefined();
      return spec.volumes.find((v: Obj) => v.name === m.name);
    };
    const configPath = flagValue(pickerContainer.args, '--config');
    const cfgVol = mountOf(pickerContainer, configPath);
    const cm = find(pickerDocs, 'ConfigMap', cfgVol.configMap.name);
    const key = configPath.slice(configPath.lastIndexOf('/') + 1);
    expect(parse(cm.data[key])).toEqual(parse(readFileSync(join(ROOT, 'policies', 'configs', 'gaie-default.yaml'), 'utf8')));
    const epFile = flagValue(pickerContainer.args, '--endpoints-file');
    const writers = [...spec.initContainers, ...spec.containers.filter((c: Obj) => c.name === 'endpoints-sync')];
    expect(writers).toHaveLength(2);
    const vol = mountOf(pickerContainer, epFile);
    expect(vol.emptyDir).toBeDefined();
    for (const w of writers) {
      expect(mountOf(w, epFile).name).toBe(vol.name);
      expect(w.command.slice(0, 2)).toEqual(['node', 'examples/live/kubernetes/endpoints-sync.mjs']);
    }
    expect(spec.initContainers[0].command).toContain('--once');
    // The service account may list pods.
    expect(spec.serviceAccountName).toBe(find(pickerDocs, 'ServiceAccount').metadata.name);
    const rb = find(pickerDocs, 'RoleBinding');
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: spec.serviceAccountName }]);
    const role = find(pickerDocs, 'Role', rb.roleRef.name);
    expect(role.rules.some((r: Obj) => r.resources.includes('pods') && r.verbs.includes('list') && r.apiGroups.includes(''))).toBe(true);
  });

  it('each HTTPRoute → its Gateway and → the InferencePool; the two files differ only in gatewayClassName', () => {
    const byFile = Object.fromEntries(['envoy-gateway.yaml', 'kgateway.yaml'].map((f) => [f, k8s(f)]));
    for (const [file, docs] of Object.entries(byFile)) {
      const gw = find(docs, 'Gateway');
      const route = find(docs, 'HTTPRoute');
      expect(route.spec.parentRefs.map((p: Obj) => p.name), file).toEqual([gw.metadata.name]);
      const refs = route.spec.rules.flatMap((r: Obj) => r.backendRefs);
      expect(refs, file).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: pool.metadata.name }]);
      expect(gw.spec.listeners.map((l: Obj) => l.protocol)).toEqual(['HTTP']);
    }
    expect(find(byFile['envoy-gateway.yaml']!, 'Gateway').spec.gatewayClassName).toBe('eg');
    expect(find(byFile['kgateway.yaml']!, 'Gateway').spec.gatewayClassName).toBe('kgateway');
    const strip = (docs: Obj[]): Obj[] => docs.map((d) => (d.kind === 'Gateway' ? { ...d, spec: { ...d.spec, gatewayClassName: 'x' } } : d));
    expect(strip(byFile['envoy-gateway.yaml']!)).toEqual(strip(byFile['kgateway.yaml']!));
  });
});

describe('the CLI accepts every flag the examples use', () => {
  const picker = helpFlags('picker');
  const engine = helpFlags('engine');
  const flagsIn = (args: string[]): string[] => args.filter((a) => a.startsWith('--'));

  it('help lists the flags (a fake flag is not listed)', () => {
    expect(picker.has('--endpoints-file')).toBe(true);
    expect(picker.has('--no-such-flag')).toBe(false);
  });

  it('the manifests\' container args', () => {
    const engineArgs: string[] = find(k8s('engine.yaml'), 'Deployment').spec.template.spec.containers[0].args;
    expect(engineArgs.slice(0, 2)).toEqual(['serve', 'engine']);
    for (const f of flagsIn(engineArgs)) expect(engine.has(f), f).toBe(true);
    const pickerArgs: string[] = find(k8s('picker.yaml'), 'Deployment').spec.template.spec.containers.find((c: Obj) => c.name === 'picker').args;
    expect(pickerArgs.slice(0, 2)).toEqual(['serve', 'picker']);
    expect(flagsIn(pickerArgs).length).toBe(5);
    for (const f of flagsIn(pickerArgs)) expect(picker.has(f), f).toBe(true);
  });

  it('the Dockerfile builds with npm ci && npm run build and its default command is the mock engine on 0.0.0.0:8000', () => {
    const df = readFileSync(join(LIVE, 'Dockerfile'), 'utf8');
    expect(df).toMatch(/^RUN npm ci && npm run build$/m);
    expect(df).toMatch(/^ENTRYPOINT \["node", "bin\/routesim\.js"\]$/m);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(df)![1]!) as string[];
    expect(cmd).toEqual(['serve', 'engine', '--host', '0.0.0.0', '--replicas', '1', '--base-port', '8000']);
    for (const f of flagsIn(cmd)) expect(engine.has(f), f).toBe(true);
  });

  it.each([
    ['examples/live/envoy/README.md', join(LIVE, 'envoy', 'README.md')],
    ['README.md, "Running live"', join(ROOT, 'README.md')],
  ])('%s: engines on base-port + i, the picker pointed at exactly those, flags the CLI has', (_label, file) => {
    let text = readFileSync(file, 'utf8');
    if (file.endsWith(`${ROOT}/README.md`)) text = text.slice(text.indexOf('### Running live: Envoy, Envoy Gateway, kgateway'), text.indexOf('## Scenario files'));
    const lines = text.split('\n').filter((l) => l.startsWith('npx routesim serve '));
    expect(lines).toHaveLength(2);
    const eng = lines[0]!.split(/\s+/).slice(2);
    const pick = lines[1]!.split(/\s+/).slice(2);
    for (const f of flagsIn(eng)) expect(engine.has(f), f).toBe(true);
    for (const f of flagsIn(pick)) expect(picker.has(f), f).toBe(true);
    const base = Number(flagValue(eng, '--base-port'));
    const n = Number(flagValue(eng, '--replicas'));
    const endpoints = pick.filter((_, i) => pick[i - 1] === '--endpoint').map((e) => e.split('=')[1]);
    expect(endpoints).toEqual(Array.from({ length: n }, (_, i) => `127.0.0.1:${base + i}`));
    expect(pick).not.toContain('--port'); // so the picker listens on its default, 9002 (envoy.yaml's cluster)
    expect(pick).not.toContain('--insecure'); // TLS, as envoy.yaml's transport socket expects
  });
});

// ---------------------------------------------------------------------------------------------
// envoy.yaml against Envoy's .proto schemas (test/envoyProtoSchema.ts).

describe('envoy/envoy.yaml', () => {
  const root = loadEnvoyRoot();
  const bootstrapType = root.lookupType('envoy.config.bootstrap.v3.Bootstrap');
  const envoy = docsOf(join(LIVE, 'envoy', 'envoy.yaml'))[0]!;
  const errorsOf = (doc: Obj): string[] => {
    const errors: string[] = [];
    checkMessage(root, bootstrapType, doc, 'envoy.yaml', errors);
    return errors;
  };
  const hcm = envoy.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  const extProc = hcm.http_filters.find((f: Obj) => f.name === 'envoy.filters.http.ext_proc').typed_config;
  const cluster = (name: string): Obj => envoy.static_resources.clusters.find((c: Obj) => c.name === name);

  it('every field is one Envoy\'s Bootstrap schema has; broken copies are named', () => {
    expect(errorsOf(envoy)).toEqual([]);
    const typo = clone(envoy);
    typo.static_resources.clusters[0].original_dst_lb_config.header_name = 'x';
    expect(errorsOf(typo)).toEqual(['envoy.yaml.static_resources.clusters[0].original_dst_lb_config.header_name: no field "header_name" in OriginalDstLbConfig']);
    const mode = clone(envoy);
    mode.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.processing_mode.request_body_mode = 'FULL_DUPLEX';
    expect(errorsOf(mode)).toHaveLength(1);
    expect(errorsOf(mode)[0]).toMatch(/request_body_mode: FULL_DUPLEX is not a BodySendMode$/);
    const any = clone(envoy);
    any.static_resources.clusters[1].transport_socket.typed_config['@type'] = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.NoSuchContext';
    expect(errorsOf(any)).toEqual(['envoy.yaml.static_resources.clusters[1].transport_socket.typed_config.@type: unknown type type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.NoSuchContext']);
    const hc = clone(envoy);
    delete hc.static_resources.clusters[1].health_checks[0].timeout;
    delete hc.static_resources.clusters[1].health_checks[0].grpc_health_check;
    delete hc.static_resources.clusters[0].name;
    expect(errorsOf(hc)).toEqual([
      'envoy.yaml.static_resources.clusters[0].name: required non-empty by Cluster',
      'envoy.yaml.static_resources.clusters[1].health_checks[0].timeout: required by HealthCheck',
      'envoy.yaml.static_resources.clusters[1].health_checks[0]: one of http_health_check, tcp_health_check, grpc_health_check, custom_health_check is required by HealthCheck',
    ]);
    const dur = clone(envoy);
    dur.static_resources.clusters[0].connect_timeout = '5 seconds';
    expect(errorsOf(dur)).toEqual(['envoy.yaml.static_resources.clusters[0].connect_timeout: not a duration like 10s']);
  });

  it('ext_proc as the reference configures it, before the router', () => {
    expect(hcm.http_filters.map((f: Obj) => f.name)).toEqual(['envoy.filters.http.ext_proc', 'envoy.filters.http.router']);
    expect(extProc.processing_mode).toEqual({
      request_header_mode: 'SEND',
      response_header_mode: 'SEND',
      request_body_mode: 'FULL_DUPLEX_STREAMED',
      response_body_mode: 'FULL_DUPLEX_STREAMED',
      request_trailer_mode: 'SEND',
      response_trailer_mode: 'SEND',
    });
    expect(extProc.failure_mode_allow).toBe(false);
    expect(extProc.grpc_service.timeout).toBe('10s');
    const mt = Number(/^(\d+)s$/.exec(extProc.message_timeout)![1]);
    expect(mt).toBeGreaterThanOrEqual(600);
    expect(mt).toBeLessThanOrEqual(1000);
  });

  it('the ext_proc cluster is the picker: HTTP/2 on 127.0.0.1:9002 (its --port default), TLS not verified, ALPN h2', () => {
    const c = cluster(extProc.grpc_service.envoy_grpc.cluster_name);
    expect(c.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config).toEqual({ http2_protocol_options: {} });
    const addr = c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    expect(addr).toEqual({ address: '127.0.0.1', port_value: 9002 });
    const help = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'serve', 'picker', '--help'], { encoding: 'utf8' }).stdout;
    expect(help.replace(/\s+/g, ' ')).toMatch(/--port <n> ext_proc gRPC port \(default 9002\)/);
    const tls = c.transport_socket.typed_config;
    expect(tls['@type']).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
    expect(tls.common_tls_context.validation_context).toEqual({});
    expect(tls.common_tls_context.alpn_protocols).toEqual(['h2']);
    expect(c.health_checks[0].grpc_health_check.service_name).toBe('envoy.service.ext_proc.v3.ExternalProcessor');
  });

  it('every route goes to an ORIGINAL_DST cluster keyed on x-gateway-destination-endpoint', () => {
    const routes = hcm.route_config.virtual_hosts.flatMap((v: Obj) => v.routes);
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      const c = cluster(r.route.cluster);
      expect(c.type).toBe('ORIGINAL_DST');
      expect(c.lb_policy).toBe('CLUSTER_PROVIDED');
      expect(c.original_dst_lb_config).toEqual({ use_http_header: true, http_header_name: 'x-gateway-destination-endpoint' });
      expect(Number(/^(\d+)s$/.exec(r.route.timeout)![1])).toBeGreaterThanOrEqual(600);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// endpoints-sync.mjs against a stand-in Kubernetes API server.

function pod(name: string, ip: string | undefined, ready: boolean, deleting = false): Obj {
  return {
    metadata: { name, namespace: 'bench', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status: { ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

async function fakeApi(handler: (path: string, auth: string | undefined) => { status: number; body: unknown }): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const r = handler(req.url ?? '', req.headers.authorization);
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(r.body));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function runSync(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(K8S, 'endpoints-sync.mjs'), ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('kubernetes/endpoints-sync.mjs', () => {
  it('writes the Ready, addressed, non-terminating pods as a file the picker loads; unchanged content is not rewritten', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-epsync-'));
    writeFileSync(join(dir, 'token'), 'tok-1\n');
    const items = [pod('engine-c', '10.0.0.3', true), pod('engine-a', '10.0.0.1', true), pod('engine-b', '10.0.0.2', false), pod('engine-d', '10.0.0.4', true, true), pod('engine-e', undefined, false)];
    const api = await fakeApi((_p, auth) => (auth === 'Bearer tok-1' ? { status: 200, body: { kind: 'PodList', items } } : { status: 401, body: {} }));
    const out = join(dir, 'endpoints.yaml');
    const env = { KUBE_API: api.url, NAMESPACE: 'bench', TOKEN_FILE: join(dir, 'token'), SELECTOR: 'app=routesim-engine', TARGET_PORT: '8000', ENDPOINTS_FILE: out };
    try {
      const r = await runSync(env, ['--once']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(api.seen).toEqual(['/api/v1/namespaces/bench/pods?labelSelector=app%3Droutesim-engine']);
      // a (Ready) and c (Ready), sorted; b not Ready, d terminating, e without IP are left out.
      const loaded = loadEndpointsFile(out);
      expect(loaded.problems).toEqual([]);
      expect(loaded.endpoints).toEqual([
        { name: 'engine-a', address: '10.0.0.1:8000', labels: {} },
        { name: 'engine-c', address: '10.0.0.3:8000', labels: {} },
      ]);
      expect(readFileSync(out, 'utf8')).toContain('port: "8000"'); // quoted, as the router requires
      const mtime = statSync(out).mtimeMs;
      await new Promise((ok) => setTimeout(ok, 20));
      expect((await runSync(env, ['--once'])).code).toBe(0);
      expect(statSync(out).mtimeMs).toBe(mtime);
      // No Ready pod: an empty list the picker also loads.
      items.splice(0, items.length, pod('engine-b', '10.0.0.2', false));
      expect((await runSync(env, ['--once'])).code).toBe(0);
      expect(loadEndpointsFile(out)).toEqual({ endpoints: [], problems: [] });
      // Refused by the API: one line, exit 1, the file kept.
      writeFileSync(join(dir, 'token'), 'tok-2\n');
      const denied = await runSync(env, ['--once']);
      expect(denied.code).toBe(1);
      expect(denied.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(denied.stderr).toMatch(/^endpoints-sync: GET \/api\/v1\/namespaces\/bench\/pods: HTTP 401/);
      expect(loadEndpointsFile(out).endpoints).toEqual([]);
    } finally {
      api.server.close();
    }
  });

  it('a missing required setting is one line, exit 2', async () => {
    const r = await runSync({ NAMESPACE: 'x', ENDPOINTS_FILE: '/tmp/x' }, ['--once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('endpoints-sync: set SELECTOR\n');
  });
});

// ---------------------------------------------------------------------------------------------
// The picker started with picker.yaml's args (files and ports substituted for this machine).

describe('the picker with the manifest\'s args', () => {
  it('starts with the ConfigMap\'s config and an endpoints-sync file, serves /health, and its TLS port needs ALPN h2 (envoy.yaml sets it)', async () => {
    const docs = k8s('picker.yaml');
    const args: string[] = [...find(docs, 'Deployment').spec.template.spec.containers.find((c: Obj) => c.name === 'picker').args];
    const dir = mkdtempSync(join(tmpdir(), 'routesim-livepicker-'));
    const configPath = flagValue(args, '--config');
    writeFileSync(join(dir, 'epp.yaml'), find(docs, 'ConfigMap').data[configPath.slice(configPath.lastIndexOf('/') + 1)]);
    writeFileSync(join(dir, 'endpoints.yaml'), 'endpoints:\n  - name: "engine-a"\n    namespace: "bench"\n    address: "127.0.0.1"\n    port: "1"\n');
    const set = (flag: string, value: string): void => {
      args[args.indexOf(flag) + 1] = value;
    };
    set('--config', join(dir, 'epp.yaml'));
    set('--endpoints-file', join(dir, 'endpoints.yaml'));
    set('--host', '127.0.0.1'); // loopback here instead of the pod's 0.0.0.0
    set('--port', '0');
    set('--http-port', '0');
    const p = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    const exited = new Promise<number | null>((ok) => p.on('close', ok));
    try {
      const deadline = Date.now() + 15_000;
      while (!/ext_proc on/.test(out) && Date.now() < deadline && p.exitCode === null) await new Promise((ok) => setTimeout(ok, 50));
      const m = /ext_proc on 127\.0\.0\.1:(\d+) \(TLS, self-signed\), \/metrics and \/health on http:\/\/127\.0\.0\.1:(\d+), 1 endpoint\(s\), gaie-v1\.5 config/.exec(out);
      expect(m, out).not.toBeNull();
      const health = await fetch(`http://127.0.0.1:${m![2]}/health`);
      expect(health.status).toBe(200);
      // TLS without ALPN: the gRPC (HTTP/2) server drops the connection; with ALPN h2 it is kept.
      const { connect } = await import('node:tls');
      const probe = (alpn: string[] | undefined): Promise<{ protocol: string | false | null; closedWithin1s: boolean }> =>
        new Promise((ok) => {
          const s = connect({ host: '127.0.0.1', port: Number(m![1]), rejectUnauthorized: false, servername: 'localhost', ...(alpn ? { ALPNProtocols: alpn } : {}) }, () => {
            s.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
            s.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])); // empty SETTINGS frame
          });
          const t = setTimeout(() => {
            s.destroy();
            ok({ protocol: s.alpnProtocol, closedWithin1s: false });
          }, 1000);
          s.on('error', () => undefined);
          s.resume(); // read what the server sends, so its end is seen
          s.on('close', () => {
            clearTimeout(t);
            ok({ protocol: s.alpnProtocol, closedWithin1s: true });
          });
        });
      expect(await probe(['h2'])).toEqual({ protocol: 'h2', closedWithin1s: false });
      expect((await probe(undefined)).closedWithin1s).toBe(true);
    } finally {
      p.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
