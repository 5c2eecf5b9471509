/**
 * `routesim run --trace-out FILE`: every request of each policy's (primary) run as a BLIS TraceV2
 * pair with its simulated outcome (dispatch, first and last chunk times, status), so a recorded
 * real run and a simulated one can be compared row by row. With several policies each gets its own
 * pair, `FILE` with `.<policy>` before the extension. All pairs become visible together at the end.
 *
 * The request fields the run's records lack (session, turn, group, prefix length, client) are kept
 * per request id as the requests arrive: a few numbers per request, never per token.
 */
import type { PolicyRun } from '../../metrics/types.js';
import type { ScenarioConfig } from '../../scenario/types.js';
import type { SimRequest } from '../request.js';
import { blisRow, openBlisWriter, prefixTokensOf, type BlisWriter } from './blis.js';

/** `path` for `policy` when a scenario has several policies. */
export function policyTracePath(path: string, policy: string, several: boolean): string {
  if (!several) return path;
  const m = /^(.*?)(\.(?:ya?ml|csv(?:\.gz)?))?$/i.exec(path)!;
  return `${m[1]}.${policy.replace(/[^A-Za-z0-9_.-]+/g, '_')}${m[2] ?? ''}`;
}

export class RunRecorder {
  private session: number[] = [];
  private turn: number[] = [];
  private group: number[] = [];
  private prefix: number[] = [];
  private client: number[] = [];
  private readonly writers: BlisWriter[] = [];

  constructor(
    private readonly path: string,
    private readonly scenario: ScenarioConfig,
  ) {}

  /** Observer hook: remember the request fields the records lack. */
  readonly onArrival = (r: SimRequest): void => {
    this.session[r.id] = r.session;
    this.turn[r.id] = r.turn;
    this.group[r.id] = r.group;
    this.prefix[r.id] = prefixTokensOf(r);
    this.client[r.id] = r.client ?? -1;
  };

  /** A policy's run ended: write its rows (arrival order), then forget the per-request fields. */
  policyDone(run: PolicyRun): void {
    const sc = this.scenario;
    const src = sc.workload.source;
    const w = openBlisWriter(policyTracePath(this.path, run.policy, sc.policies.length > 1), {
      mode: src?.kind === 'trace' ? 'replayed' : 'generated',
      seed: sc.seed,
      workload: src ? { source: src.kind, ...(src.kind === 'trace' ? { path: src.path, format: src.format } : {}) } : { arrival: sc.workload.arrival },
      server: { replicas: sc.fleet.replicas, gpu: sc.fleet.gpu, model: sc.fleet.model, tp: sc.fleet.tp, policy: run.policy, policy_type: run.policyType },
      slo: sc.slo,
    });
    this.writers.push(w);
    for (const rec of run.records) {
      const id = rec.id;
      w.row(
        blisRow(
          {
            id,
            arrivalUs: rec.arrivalUs,
            inputTokens: rec.inputTokens,
            outputTokens: rec.outputTokens,
            adapter: rec.adapter,
            priority: rec.priority,
            session: this.session[id] ?? -1,
            turn: this.turn[id] ?? 0,
            group: this.group[id] ?? -1,
            prefixTokens: this.prefix[id] ?? 0,
            client: this.client[id] ?? -1,
          },
          sc.fleet.model,
          rec,
        ),
      );
    }
    this.discard();
  }

  /** A run that is not recorded (another seed or offered load) ended: forget its requests. */
  discard(): void {
    this.session = [];
    this.turn = [];
    this.group = [];
    this.prefix = [];
    this.client = [];
  }

  /** Publish every pair written. Returns the files. */
  commit(): string[] {
    for (const w of this.writers) w.commit();
    return this.writers.flatMap((w) => [w.paths.header, w.paths.data]);
  }

  abort(): void {
    for (const w of this.writers) w.abort();
  }
}
