#!/usr/bin/env node
/**
 * endpoints-sync: keeps routesim's picker endpoints file in step with the Kubernetes pods.
 *
 * routesim's picker does not talk to the Kubernetes API (no InferencePool or pod watch): it reads
 * its endpoints from a file in the router's file-discovery format and re-reads it when it changes.
 * This script fills that gap. Every INTERVAL_MS it lists the pods matching SELECTOR in the pod's
 * namespace, keeps those that are Ready, have an IP and are not being deleted (the EPP's membership
 * rule, gateway.md §6.1), and writes
 *
 *   endpoints:
 *     - name: "<pod>"
 *       namespace: "<ns>"
 *       address: "<pod IP>"
 *       port: "<TARGET_PORT>"
 *
 * to ENDPOINTS_FILE (a temporary file renamed over it, and only when the content changed). With
 * `--once` it writes once and exits (init container: the picker needs the file at start-up; exit 1
 * if the API cannot be read). A failed listing otherwise keeps the previous file.
 *
 * Environment: SELECTOR (e.g. app=routesim-engine, required), ENDPOINTS_FILE (required),
 * TARGET_PORT (8000), INTERVAL_MS (2000). In-cluster defaults (override for tests): KUBE_API
 * (https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT), NAMESPACE, TOKEN_FILE, CA_FILE
 * (the service account's files). Needs RBAC `list` on pods (picker.yaml).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';
const env = process.env;
const need = (name) => {
  if (!env[name]) {
    process.stderr.write(`endpoints-sync: set ${name}\n`);
    process.exit(2);
  }
  return env[name];
};
const selector = need('SELECTOR');
const out = need('ENDPOINTS_FILE');
const port = env.TARGET_PORT ?? '8000';
const intervalMs = Number(env.INTERVAL_MS ?? 2000);
const apiHost = env.KUBERNETES_SERVICE_HOST ?? '';
const api = env.KUBE_API ?? `https://${apiHost.includes(':') ? `[${apiHost}]` : apiHost}:${env.KUBERNETES_SERVICE_PORT}`;
const namespace = env.NAMESPACE ?? readFileSync(`${SA}/namespace`, 'utf8').trim();
const tokenFile = env.TOKEN_FILE ?? `${SA}/token`;
const caFile = env.CA_FILE ?? `${SA}/ca.crt`;

function listPods() {
  const url = new URL(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, api);
  url.searchParams.set('labelSelector', selector);
  const token = readFileSync(tokenFile, 'utf8').trim(); // re-read: projected tokens rotate
  const secure = url.protocol === 'https:';
  const options = { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, timeout: 5000 };
  if (secure && existsSync(caFile)) options.ca = readFileSync(caFile);
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url.pathname}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(new Error(`GET ${url.pathname}: not JSON (${err.message})`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url.pathname}: timed out`)));
    req.on('error', reject);
  });
}

/** Ready, addressed, not deleting: the pods the EPP would keep. Sorted by name (stable file). */
function renderEndpoints(podList) {
  const ready = (podList.items ?? []).filter(
    (p) =>
      p.status?.podIP &&
      !p.metadata?.deletionTimestamp &&
      (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  ready.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  if (ready.length === 0) return 'endpoints: []\n';
  const q = (s) => JSON.stringify(String(s)); // JSON strings are YAML strings: port stays quoted
  return (
    'endpoints:\n' +
    ready
      .map((p) => `  - name: ${q(p.metadata.name)}\n    namespace: ${q(p.metadata.namespace ?? namespace)}\n    address: ${q(p.status.podIP)}\n    port: ${q(port)}\n`)
      .join('')
  );
}

function writeIfChanged(text) {
  if (existsSync(out) && readFileSync(out, 'utf8') === text) return false;
  writeFileSync(`${out}.tmp`, text);
  renameSync(`${out}.tmp`, out);
  return true;
}

async function syncOnce() {
  const text = renderEndpoints(await listPods());
  if (writeIfChanged(text)) process.stdout.write(`endpoints-sync: ${out}: ${(text.match(/- name:/g) ?? []).length} endpoint(s)\n`);
}

if (process.argv.includes('--once')) {
  syncOnce().catch((err) => {
    process.stderr.write(`endpoints-sync: ${err.message}\n`);
    process.exit(1);
  });
} else {
  const loop = async () => {
    try {
      await syncOnce();
    } catch (err) {
      process.stderr.write(`endpoints-sync: ${err.message} (keeping the previous file)\n`);
    }
    setTimeout(loop, intervalMs);
  };
  process.on('SIGTERM', () => process.exit(0));
  void loop();
}
