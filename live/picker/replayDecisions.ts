/**
 * The recorded-decisions check (issue 16): replays the inputs of `routesim run --decisions` lines
 * (policies/harness/decisionLine.ts) into the LIVE picker over gRPC and compares every pick with the
 * logged one.
 *
 * Per line: the pool is reset to the line's candidates (labels kept); each is served by a stand-in
 * HTTP endpoint on its own loopback address whose /metrics says what the picker had scraped, and is
 * scraped with the picker's clock set to decision time − the scrape's age (so staleness is as
 * logged; a never-scraped candidate stays unscraped). Then, at decision time, the request (logged
 * headers, the model after rewrite, the priority through an objective) goes through the ext_proc
 * client. As `routesim pick --from-decision` does (harness/fromDecision.ts), state the line cannot
 * rebuild is pinned — stateful scorers return the logged scores, random filters the logged
 * survivors — and the picker's random stream hands back the cycle's logged draws first. The prompt
 * text is not logged; the replay sends `replay <id>` (only pinned plugins read it).
 */
import { createServer, type Server } from 'node:http';
import seedrandom from 'seedrandom';
import { loadPickerConfig, parseConfigText } from '../../policies/config/loader.js';
import type { DecisionLine } from '../../policies/harness/decisionLine.js';
import { pickCaseFromDecision } from '../../policies/harness/fromDecision.js';
import { withPins, type Pins } from '../../policies/harness/pins.js';
import { HEADER_OBJECTIVE } from '../../policies/framework/director.js';
import { ExtProcClient } from './client.js';
import { vllmExposition } from './exposition.js';
import { startPickerServer } from './server.js';

export interface ReplayedPick {
  /** Index of the line in the given list. */
  readonly line: number;
  readonly requestId: string;
  /** The logged pick (null: scheduling failed). */
  readonly logged: string | null;
  /** The live picker's pick (null: it answered with an error, `status`). */
  readonly live: string | null;
  readonly status?: number;
}

interface StandIn {
  readonly server: Server;
  readonly address: string;
  text: string | null;
}

async function standIn(host: string): Promise<StandIn> {
  const s: { text: string | null } = { text: null };
  const server = createServer((req, res) => {
    if (req.url !== '/metrics' || s.text === null) return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(s.text);
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const port = (server.address() as { port: number }).port;
  return Object.assign(s, { server, address: `${host}:${port}` });
}

/** Pins of one line, exactly as the pick-case replay builds them. */
function pinsOf(line: DecisionLine): Pins {
  const q = (pickCaseFromDecision(line, undefined).requests as Pins[])[0]!;
  return { ...(q.pinScores ? { pinScores: q.pinScores } : {}), ...(q.pinSurvivors ? { pinSurvivors: q.pinSurvivors } : {}) };
}

/**
 * Replays `lines` under `configText` (undefined = the default config) and returns every pick next
 * to the logged one. Each line runs on a fresh picker (seeded `seed`), as `routesim pick
 * --from-decision` runs each line as a fresh case.
 */
export async function replayDecisionLines(lines: readonly DecisionLine[], configText: string | undefined, seed = 1): Promise<ReplayedPick[]> {
  const names = [...new Set(lines.flatMap((l) => l.candidates.map((c) => c.name)))];
  if (names.length > 250) throw new Error(`${names.length} endpoints: the replay gives each its own loopback address 127.0.0.2–251`);
  const standIns = new Map<string, StandIn>();
  for (const [i, n] of names.entries()) standIns.set(n, await standIn(`127.0.0.${2 + i}`));
  const byAddress = new Map([...standIns].map(([n, s]) => [s.address, n]));
  const out: ReplayedPick[] = [];
  try {
    for (const [i, line] of lines.entries()) out.push(await replayOne(i, line, configText, seed, standIns, byAddress));
  } finally {
    for (const s of standIns.values()) await new Promise<void>((r) => s.server.close(() => r()));
  }
  return out;
}

async function replayOne(i: number, line: DecisionLine, configText: string | undefined, seed: number, standIns: ReadonlyMap<string, StandIn>, byAddress: ReadonlyMap<string, string>): Promise<ReplayedPick> {
  const pins = pinsOf(line);
  const loaded = loadPickerConfig(configText === undefined ? null : { value: parseConfigText(configText) });
  const config = withPins(loaded, [pins], () => pins);
  const seeded = seedrandom.alea(String(seed));
  let next = 0;
  const rng = (): number => (next < line.draws.length ? line.draws[next++]! : seeded());
  let now = 0;
  const r = line.request;
  const headers: Record<string, string> = { ':method': 'POST', ':path': '/v1/completions', 'content-type': 'application/json', 'x-request-id': r.id, ...(r.headers ?? {}) };
  const objective = headers[HEADER_OBJECTIVE] ?? (r.priority !== 0 ? `replay-priority-${r.priority}` : undefined);
  if (objective !== undefined) headers[HEADER_OBJECTIVE] = objective;
  const picker = await startPickerServer({
    config,
    endpoints: line.candidates.map((c) => ({ name: c.name, address: standIns.get(c.name)!.address, labels: c.labels ?? {} })),
    grpcPort: 0,
    httpPort: null,
    refreshMetricsMs: 50,
    insecure: true,
    rng,
    nowUs: () => now,
    autoScrape: false,
    ...(objective !== undefined ? { objectives: new Map([[objective, r.priority]]) } : {}),
  });
  const client = new ExtProcClient(`127.0.0.1:${picker.grpcPort}`, { insecure: true });
  try {
    for (const c of line.candidates) {
      if (c.scraped === null) continue; // never scraped: stays null
      standIns.get(c.name)!.text = vllmExposition(c.scraped);
      now = line.timeUs - Math.round(c.scraped.ageMs * 1000);
      await picker.scraper.scrapeNamed(c.name);
    }
    now = line.timeUs;
    const res = await client.route({ headers, body: JSON.stringify({ model: r.targetModel, prompt: `replay ${r.id}` }) });
    if (res.kind === 'routed') {
      res.session.close();
      return { line: i, requestId: r.id, logged: line.pick, live: byAddress.get(res.destination.split(',')[0]!) ?? res.destination };
    }
    return { line: i, requestId: r.id, logged: line.pick, live: null, status: res.kind === 'immediate' ? res.status : 500 };
  } finally {
    client.close();
    await picker.close();
  }
}
