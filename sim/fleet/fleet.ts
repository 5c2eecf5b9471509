/** Builds a scenario's replicas: catalog lookups, KV capacity, step-time model, LoRA sizing. */
import type { ScenarioConfig } from '../scenario/types.js';
import { getGpu, getModel } from '../hardware/catalog.js';
import { numGpuBlocks } from '../engine/capacity.js';
import { loraAdapterBytes } from '../engine/modelMath.js';
import { Replica } from '../engine/replica.js';
import { createStepTimeModel, loraOverheadPerAdapter } from '../engine/stepTime/index.js';

export function buildFleet(s: ScenarioConfig): Replica[] {
  const f = s.fleet;
  const model = getModel(f.model);
  const gpu = getGpu(f.gpu);
  const blocks = numGpuBlocks(model, gpu, f.tp, f.engine);
  const stepTime = createStepTimeModel(s.step_time, model, gpu, f.tp);
  const maxModelLen = f.engine.max_model_len ?? model.max_model_len;
  const replicas: Replica[] = [];
  for (let i = 0; i < f.replicas; i++) {
    replicas.push(
      new Replica({
        name: `replica-${i}`,
        engine: f.engine,
        numGpuBlocks: blocks,
        maxModelLen,
        stepTime,
        loraK: loraOverheadPerAdapter(f.engine.max_lora_rank),
        loraLoad: s.lora_load,
        adapterBytes: (rank) => loraAdapterBytes(model, rank),
        overheads: s.step_time.overheads,
      }),
    );
  }
  return replicas;
}
