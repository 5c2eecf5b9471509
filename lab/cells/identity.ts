/**
 * When two cells are the same simulation. A grid point often changes one policy only (a scorer
 * weight) or lands on the scenario as loaded (`fleet.replicas=8` when the file says 8); its other
 * cells are runs already planned. Two cells are the same run when the policy, seed and rate match
 * and the scenario each runs — with only that policy, at that rate — is the same JSON, so the plan
 * keeps the first and the results reuse it.
 */
import type { Cell } from './cell.js';
import type { VariantConfigs } from './executor.js';

export class RunIdentity {
  private readonly memo = new Map<string, string>();

  constructor(private readonly configOf: VariantConfigs) {}

  /** A text equal for exactly the cells that simulate the same thing. */
  key(c: Cell): string {
    const at = `${c.variant}/${c.policy}`;
    let text = this.memo.get(at);
    if (text === undefined) {
      const sc = this.configOf(c.variant);
      text = JSON.stringify({ ...sc, seed: 0, workload: { ...sc.workload, arrival: { ...sc.workload.arrival, rate: 0 } }, policies: [sc.policies[c.policy]] });
      this.memo.set(at, text);
    }
    return `${c.policy}|${c.seed}|${c.rate}|${text}`;
  }
}
