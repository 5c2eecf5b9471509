/**
 * The LoRA adapters one mock replica serves (live.md §5.6): names registered at start
 * (`--lora-modules`) or by `POST /v1/load_lora_adapter`, removed by `/v1/unload_lora_adapter`.
 * Loading only registers the name; GPU slots (max_loras) fill when requests use the adapter, which
 * the engine models (sim/engine/lora.ts) and `vllm:lora_requests_info` shows.
 */
import { HttpProblem } from '../http/errors.js';

export class AdapterRegistry {
  /** Adapter name → its LoRA rank (null = unknown: the engine's max_lora_rank). */
  private readonly names = new Map<string, number | null>();

  constructor(
    readonly baseModel: string,
    /** The engine's max_loras; 0 = LoRA not enabled. */
    readonly maxLoras: number,
  ) {}

  get enabled(): boolean {
    return this.maxLoras > 0;
  }

  /** Adapter names, in load order. */
  list(): string[] {
    return [...this.names.keys()];
  }

  /** Rank of a registered adapter, null when not known. */
  rankOf(name: string): number | null {
    return this.names.get(name) ?? null;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** What a request's `model` names: the base model (null adapter), an adapter, or a 404. */
  resolve(model: string): { adapter: string | null } {
    if (model === this.baseModel) return { adapter: null };
    if (this.names.has(model)) return { adapter: model };
    throw new HttpProblem(404, `The model \`${model}\` does not exist.`, 'model');
  }

  load(name: unknown, path: unknown, rank: number | null = null): string {
    if (!this.enabled) throw new HttpProblem(400, 'LoRA is not enabled on this server (the scenario\'s engine has max_loras: 0)');
    if (typeof name !== 'string' || name === '' || typeof path !== 'string' || path === '') {
      throw new HttpProblem(400, 'Both \'lora_name\' and \'lora_path\' must be provided.', 'lora_name');
    }
    if (name === this.baseModel || this.names.has(name)) {
      throw new HttpProblem(400, `The lora adapter '${name}' has already been loaded.`, 'lora_name');
    }
    this.names.set(name, rank);
    return `Success: LoRA adapter '${name}' added successfully.`;
  }

  unload(name: unknown): string {
    if (!this.enabled) throw new HttpProblem(400, 'LoRA is not enabled on this server (the scenario\'s engine has max_loras: 0)');
    if (typeof name !== 'string' || name === '') throw new HttpProblem(400, '\'lora_name\' needs to be provided to unload a LoRA adapter.', 'lora_name');
    if (!this.names.delete(name)) throw new HttpProblem(404, `The lora adapter '${name}' cannot be found.`, 'lora_name');
    return `Success: LoRA adapter '${name}' removed successfully.`;
  }
}
