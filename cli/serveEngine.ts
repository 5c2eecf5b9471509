/**
 * `routesim serve engine [scenario]`: the command's definition (arguments, options, help). Its
 * work — N simulated vLLM replicas on HTTP, driven by the engine of `routesim run` — is in
 * cli/serveEngineAction.ts, imported only when the command runs.
 */
import type { Command } from 'commander';
import type { ServeEngineFlags } from './serveEngineAction.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerServeEngine(serve: Command): void {
  serve
    .command('engine')
    .description('serve the scenario\'s replicas as mock vLLM servers in real time (OpenAI completions/chat with SSE at the simulated token times, /v1/models, /health, /metrics in vLLM\'s names), replica i on port base-port + i')
    .argument('[scenario]', 'scenario YAML whose fleet, engine and step-time model to serve (default: an embedded 2×H100 Llama-3.1-8B fleet)')
    .option('--model <name>', 'model of the fleet (= --set fleet.model=NAME)')
    .option('--gpu <name>', 'GPU type of the fleet (= --set fleet.gpu=NAME)')
    .option('--replicas <n>', 'number of replicas (= --set fleet.replicas=N)')
    .option('--tp <n>', 'tensor parallelism (= --set fleet.tp=N)')
    .option('--max-loras <n>', 'LoRA slots per replica, 0 = LoRA off (= --set fleet.engine.max_loras=N)')
    .option('--set <path=value>', 'override a scenario field, validated like the file (repeatable)', collect, undefined)
    .option('--speedup <factor>', 'simulated time runs this many times faster than the wall clock', '1')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--base-port <port>', 'replica i listens on base-port + i (0 = free ports chosen by the system, printed)', '8000')
    .option('--seed <n>', 'seed of error injection and of natural output lengths (default: the scenario\'s seed)')
    .option('--error-rate <share>', 'answer this share of completion requests with an injected 500 or 503 (default 0)')
    .option('--slow-pod <i:factor>', 'replica i\'s steps take factor × the modelled time (repeatable)', collect, undefined)
    .option('--served-model-name <name>', 'model name clients use for the base model (default: the scenario\'s model name)')
    .option('--lora-modules <names>', 'adapters registered at start, comma-separated (needs max_loras > 0)')
    .option('--natural-tokens <n>', 'without ignore_eos a request stops at a length drawn uniformly from 1…n (seeded by its prompt), capped by max_tokens', '256')
    .option('--enable-admin', 'enable the admin endpoints POST /v1/load_lora_adapter, /v1/unload_lora_adapter and /admin/faults {error_rate, slow_factor} (off by default)')
    .action(async (scenarioPath: string | undefined, flags: ServeEngineFlags) => {
      const { serveEngine } = await import('./serveEngineAction.js');
      return serveEngine(scenarioPath, flags);
    });
}
