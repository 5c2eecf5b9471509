/**
 * LoRA adapter residency (engine.md §3): `max_loras` GPU slots and a host-memory cache of
 * `max_cpu_loras` adapters, both LRU. Making a batch's adapters resident loads the missing ones
 * (from host memory if cached there, else from disk into host memory first), evicting the least
 * recently used adapter that the batch does not use. Loads happen before the step runs.
 */
import type { LoraLoadConfig } from '../scenario/types.js';

export class LoraSlots {
  /** GPU-resident adapters, least recently used first. */
  private readonly gpu: string[] = [];
  /** Host-resident adapters, least recently used first. */
  private readonly cpu: string[] = [];
  loads = 0;

  constructor(
    private readonly maxLoras: number,
    private readonly maxCpuLoras: number,
    private readonly cfg: LoraLoadConfig,
    private readonly adapterBytes: (adapter: string) => number,
  ) {}

  /** A restarted process: no adapter resident on GPU or in host memory (`loads` keeps counting). */
  reset(): void {
    this.gpu.length = 0;
    this.cpu.length = 0;
  }

  /**
   * Make `batch` (distinct adapters, at most max_loras) resident and mark them most recently used.
   * Returns the load time in µs (0 when all were resident).
   */
  prepare(batch: readonly string[]): number {
    let us = 0;
    for (const a of batch) {
      const g = this.gpu.indexOf(a);
      if (g >= 0) {
        this.gpu.splice(g, 1);
        this.gpu.push(a);
        touch(this.cpu, a);
        continue;
      }
      const bytes = this.adapterBytes(a);
      let loadUs = this.cfg.base_us + (bytes / (this.cfg.host_gbps * 1e9)) * 1e6;
      if (!touch(this.cpu, a)) {
        loadUs += (bytes / (this.cfg.disk_gbps * 1e9)) * 1e6;
        this.cpu.push(a);
        if (this.cpu.length > this.maxCpuLoras) evictLru(this.cpu, batch);
      }
      if (this.gpu.length >= this.maxLoras) evictLru(this.gpu, batch);
      this.gpu.push(a);
      this.loads++;
      us += loadUs;
    }
    return us;
  }
}

/** Move `a` to the most-recent end if present; returns whether it was present. */
function touch(lru: string[], a: string): boolean {
  const i = lru.indexOf(a);
  if (i < 0) return false;
  lru.splice(i, 1);
  lru.push(a);
  return true;
}

/** Remove the least recently used entry not in `keep`. */
function evictLru(lru: string[], keep: readonly string[]): void {
  for (let i = 0; i < lru.length; i++) {
    if (!keep.includes(lru[i]!)) {
      lru.splice(i, 1);
      return;
    }
  }
}
