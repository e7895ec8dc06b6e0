/**
 * bench/train-step: training throughput of the real training step (createTrainer: forward,
 * backward, global-norm clipping, fused bert-adam update) for BERT-Tiny, Mini, Small and Base
 * shapes (PRESETS in src/core/model/config.ts, random weights, classification head) at sequence
 * length 128, on the CLI's backend (WASM in Node), next to that backend's large-matmul GFLOP/s
 * measured in the same run.
 *
 *   npx tsx bench/train-step/run.ts [--presets base,tiny,mini,small] [--backend wasm|cpu] [--seq 128]
 *
 * Achieved GFLOP/s counts the usual training cost (forward + backward ≈ 3 × forward):
 *   FLOPs/step = tokens × (6·P + 12·L·S·H)
 * where tokens = B·S, P = non-embedding weights that multiply activations (encoder dense
 * kernels, pooler, classifier), L layers, S sequence length, H hidden size; 12·L·S·H is the
 * attention score and context matmuls (2 matmuls × 2·S·H FLOPs per token per layer forward,
 * × 3 for training). Embedding lookups, LayerNorm, softmax, GELU and the optimizer are not
 * counted (they are real time but few FLOPs).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, initBackend, type BackendName } from '../../src/core/backend';
import { measureMatmulGflops } from '../../src/core/backend';
import { createBertModel } from '../../src/core/model';
import { disposeBatch, toDeviceBatch } from '../../src/core/model';
import { PRESETS, type BertConfig, type PresetName } from '../../src/core/model';
import { createTrainer } from '../../src/core/train';
import { DEFAULT_OPTIMIZER } from '../../src/core/train';
import { matmulParams, randomBatch, randomWeights, trainingFlops } from '../common/random-model';

/**
 * Batch size and timed steps per preset: small enough that Base finishes in a few minutes on 2
 * cores. Base on WASM: weights + gradients + Adam slots are 1.75 GB and the step's transient
 * buffers (XNNPACK-packed weights, embedding gradient) push the WASM heap towards its 4 GB
 * limit: batch 1 trains; batch 2 aborts (measured here). Base runs first by default, before the
 * other presets have grown and fragmented the heap (a WASM heap never shrinks).
 */
const PLAN: Record<PresetName, { batch: number; steps: number }> = {
  tiny: { batch: 32, steps: 5 },
  mini: { batch: 16, steps: 4 },
  small: { batch: 8, steps: 3 },
  base: { batch: 1, steps: 2 },
};

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}


async function main(): Promise<void> {
  const backend = flag('backend', 'wasm') as BackendName;
  if (!BACKEND_NAMES.includes(backend)) throw new Error(`--backend expects one of ${BACKEND_NAMES.join(', ')}`);
  const presets = flag('presets', 'base,tiny,mini,small').split(',') as PresetName[];
  const S = Number(flag('seq', '128'));
  const info = await initBackend(backend);
  const mm = await measureMatmulGflops(1024, 5);
  console.log(`backend: ${info.name}${info.fallbacks.length ? ` (fallbacks: ${info.fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')})` : ''}`);
  console.log(`matmul 1024x1024: best ${mm.bestGflops.toFixed(1)} GFLOP/s, median ${mm.medianGflops.toFixed(1)} GFLOP/s`);
  console.log('FLOPs/step = B*S*(6*P + 12*L*S*H)  (P = non-embedding matmul weights)');
  console.log(['preset', 'L/H/I', 'batch', 'seq', 'P (M)', 'GFLOP/step', 'first step s', 'step s (median)', 'seq/s', 'GFLOP/s', 'matmul GFLOP/s (just before)', '% of matmul'].join('\t'));
  const rows: Record<string, unknown>[] = [];
  for (const name of presets) {
    const c = PRESETS[name];
    if (!c) throw new Error(`unknown preset ${name}`);
    const { batch: B, steps } = PLAN[name];
    // The machine is shared: measure the matmul ceiling again right before each preset.
    const local = await measureMatmulGflops(1024, 3);
    const model = createBertModel(c, randomWeights(c, 17), { kind: 'classification', numLabels: 2, labels: ['0', '1'] }, { seed: 1 });
    const trainer = createTrainer(model, { ...DEFAULT_OPTIMIZER, numWarmupSteps: 0, numTrainSteps: 1000 }, { seed: 3 });
    const batch = toDeviceBatch(randomBatch(c, B, S, 5));
    const t0 = performance.now();
    await trainer.step(batch); // first step: kernel set-up, allocation
    const first = (performance.now() - t0) / 1000;
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t = performance.now();
      const r = await trainer.step(batch);
      times.push((performance.now() - t) / 1000);
      if (!r.applied) throw new Error(`step skipped: ${JSON.stringify(r.skipped)}`);
    }
    times.sort((a, b) => a - b);
    const med = times.length ? times[Math.floor(times.length / 2)] : first; // steps 0: the first step's time
    const P = matmulParams(c, 2);
    const flops = trainingFlops(c, 2, B, S);
    const row = { preset: name, shape: `${c.numHiddenLayers}/${c.hiddenSize}/${c.intermediateSize}`, batch: B, seq: S, paramsM: P / 1e6, gflopPerStep: flops / 1e9, firstStepS: first, stepS: med, seqPerS: B / med, gflops: flops / med / 1e9, matmulGflops: local.bestGflops };
    rows.push(row);
    console.log(
      [name + (times.length ? '' : ' (first step only)'), row.shape, B, S, row.paramsM.toFixed(2), row.gflopPerStep.toFixed(1), first.toFixed(2), med.toFixed(3), row.seqPerS.toFixed(2), row.gflops.toFixed(1), local.bestGflops.toFixed(1), ((100 * row.gflops) / local.bestGflops).toFixed(0) + '%'].join('\t'),
    );
    disposeBatch(batch);
    trainer.dispose();
    model.dispose();
  }
  console.log(JSON.stringify({ backend: info.name, matmulGflops: mm, numTensorsAfter: tf.memory().numTensors, rows }));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
