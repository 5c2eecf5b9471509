/**
 * Writes `routesim run`'s community-format outputs (flags and files: communityFormats.ts): turns
 * each policy's primary run into file contents as it finishes (the records are not kept), and
 * writes everything at the end into the output plan's staged files.
 */
import { join } from 'node:path';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { writeFileAtomic } from './atomicWrite.js';
import { benchmarkReportPolicyFiles } from './benchmarkReport/write.js';
import type { CommunityFlags } from './communityFormats.js';
import { workHash } from './fingerprint.js';
import { inferencePerfPolicyFiles, policyDirs } from './inferencePerf/write.js';

/** Collects the files of every policy's primary run, then writes them (into the staged plan). */
export class CommunityOutputs {
  private readonly files = new Map<string, string>();
  private readonly dirs: Map<string, string>;
  /** The run's workload hash for the reports' ids (the same for every policy). */
  private hash: string | undefined;

  constructor(
    private readonly scenario: ScenarioConfig,
    private readonly flags: CommunityFlags,
    private readonly version: string,
  ) {
    this.dirs = policyDirs(scenario, flags.benchmarkReport !== undefined ? '--benchmark-report' : '--inference-perf-report');
  }

  /** Builds a policy's files from its primary run. */
  policyDone(run: PolicyRun): void {
    const policy = this.scenario.policies.find((p) => p.name === run.policy);
    const dirName = this.dirs.get(run.policy);
    if (policy === undefined || dirName === undefined) return;
    const put = (root: string, files: Map<string, string>): void => {
      for (const [rel, text] of files) this.files.set(join(root, rel), text);
    };
    if (this.flags.inferencePerfReport !== undefined) put(this.flags.inferencePerfReport, inferencePerfPolicyFiles(this.scenario, run, dirName));
    if (this.flags.benchmarkReport !== undefined) {
      this.hash ??= `${workHash(this.scenario)}:seed:${this.scenario.seed}`;
      put(this.flags.benchmarkReport, benchmarkReportPolicyFiles({ scenario: this.scenario, policy, run, version: this.version, workHash: this.hash, dirName }));
    }
  }

  /** Writes every collected file (into the output plan's staged files). */
  write(): void {
    for (const [path, text] of this.files) writeFileAtomic(path, text);
  }
}
