/**
 * The capacity document `routesim capacity` writes (JSON, `--out`) and renders as Markdown: the
 * question, the SLOs and how a probe is judged, and per answer (policy × fleet option) every probe
 * with its seeds, figures, confidence bounds and verdict. Plain JSON data.
 */

/** Service-level objectives a probe must meet in steady state; null = not checked. */
export interface CapacitySlo {
  /** p99 TTFT bound, ms. */
  readonly ttft_p99_ms: number | null;
  /** p99 TPOT bound, ms. */
  readonly tpot_p99_ms: number | null;
  /** Lowest goodput, % of arrived requests meeting the scenario's per-request `slo` (ttft_ms, tpot_ms). */
  readonly goodput_pct: number | null;
}

/** One SLO figure of a probe over its seeds. */
export interface ProbeFigure {
  /** Mean over seeds. */
  readonly mean: number | null;
  /** One-sided bound at `confidence` in the SLO's direction (upper for latency, lower for goodput). */
  readonly bound: number | null;
  readonly limit: number;
  readonly ok: boolean;
}

/** A simulated probe: one offered rate (and fleet size for `--min-replicas`) over `seeds`. */
export interface Probe {
  readonly rate: number;
  /** `--min-replicas`: the replica count probed. */
  readonly replicas?: number;
  readonly seeds: readonly number[];
  /** Seeds whose run reached steady state. */
  readonly steady: number;
  readonly figures: Readonly<Record<'ttft_p99_ms' | 'tpot_p99_ms' | 'goodput_pct', ProbeFigure | undefined>>;
  /** Output tokens/s, mean over seeds (for cost per token). */
  readonly output_tokens_per_s: number;
  /** Prompt tokens/s, mean over seeds (for cost per total token). */
  readonly input_tokens_per_s?: number;
  /** Every seed steady and every SLO figure's bound within its limit. */
  readonly pass: boolean;
  /** Why not, in words (empty when it passed). */
  readonly why: string;
}

export interface CapacityCost {
  readonly gpus: number;
  /** $/hour of the whole fleet (Σ GPUs × $/GPU-hour). */
  readonly usd_per_hour: number;
  /** `max_rate` per $/hour. */
  readonly qps_per_usd_hour: number | null;
  /** $ per million output tokens at the answer's rate. */
  readonly usd_per_mtok_output: number | null;
  /** $ per million prompt + output tokens at the answer's rate. */
  readonly usd_per_mtok_total: number | null;
  /** $/GPU-hour used, by GPU type. */
  readonly prices: Readonly<Record<string, number>>;
}

export interface CapacityAnswer {
  readonly policy: string;
  /** `--options`: the option's name; absent otherwise. */
  readonly option?: string;
  /** `--max-rate`: highest passing rate probed (null: none passed); `--min-replicas`: the rate asked. */
  readonly max_rate: number | null;
  /** `--min-replicas`: smallest passing replica count (null: none up to the cap). */
  readonly min_replicas?: number | null;
  /**
   * Highest passing and lowest failing rate; for --min-replicas [largest failing, smallest passing]
   * replica count. Null sides are open.
   */
  readonly bracket: readonly [number | null, number | null];
  /** Whether the bracket is as narrow as the tolerance asks. */
  readonly converged: boolean;
  readonly probes: readonly Probe[];
  readonly cost?: CapacityCost;
  /** `--options`: on the Pareto front of cost ($/hour) against max rate. */
  readonly pareto?: boolean;
  /** `--rates`: a rate above the first failing one passed again (the answer is below the first failure). */
  readonly non_monotone?: boolean;
  /** `--min-replicas`: the scenario path of the replica count searched. */
  readonly replicas_path?: string;
}

export interface CapacityDocument {
  readonly routesim: { readonly version: string; readonly kind: 'capacity' };
  readonly question: 'max-rate' | 'min-replicas' | 'options';
  readonly scenario: string;
  readonly slo: CapacitySlo;
  /** How a probe is judged, in words (the bound, the confidence, steady state). */
  readonly rule: string;
  readonly confidence: number;
  readonly seeds: readonly number[];
  /** Relative width the search narrows the bracket to. */
  readonly tolerance: number;
  readonly answers: readonly CapacityAnswer[];
  /** `--min-replicas`: the offered rate asked about. */
  readonly rate?: number;
  /** `--rates`: the fixed ladder probed. */
  readonly rates?: readonly number[];
  /**
   * Probes of more than 1,000,000 requests, which kept no request records (README "Streamed
   * summary"): their percentiles come from sketches, each within 0.5 % of the exact one. Absent: none.
   */
  readonly streamed_probes?: number;
}
