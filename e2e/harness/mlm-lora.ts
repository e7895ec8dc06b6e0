/**
 * Browser harness for masked-LM and LoRA parity on the page's TensorFlow.js backend, driven by
 * e2e/mlm-lora-webgpu.spec.ts through `window.tabtuneMlmLora`:
 *
 *   init(preferred?)     -> { backend, fallbacks }
 *   parity(caseName)     -> MlmLoraReport
 *
 * parity() fetches ../shared/fixtures/model/<case> (config, model.safetensors, heads.safetensors)
 * and ../shared/fixtures/mlm-lora/<case> (golden-mlm, golden-lora, lora-init) from
 * `/__shared/...` (fulfilled from disk by the test), runs exactly what `tabtune run-batch
 * --grads mlm` and `--lora ... --grads lora --train-steps 3 --optimizer adamw --schedule
 * constant` run, and compares every golden tensor outside input/* in the page; only the largest
 * differences travel back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../src/core/backend';
import { viteWasmFiles } from '../../src/platform/browser/wasm-files';
import { mergeLoraWeights } from '../../src/core/io';
import { loadPretrained } from '../../src/core/io';
import { bytesSource, readSafetensors, type LoadedTensor } from '../../src/core/io';
import { createBertModel, disposeBatch, toDeviceBatch, type BertModel, type HeadSpec } from '../../src/core/model';
import { createTrainer } from '../../src/core/train';
import { DEFAULT_OPTIMIZER } from '../../src/core/train';
import { compareTensor, hostBatchOf, type TensorDiff } from './golden';

export type CaseName = 'tiny-odd' | 'tiny-uncased';

export interface StepDiff {
  step: number;
  loss: number;
  wantLoss: number;
  gradNorm: number;
  wantGradNorm: number;
  applied: boolean;
}

export interface MlmLoraReport {
  caseName: CaseName;
  backend: string;
  /** One entry per golden tensor outside input/* of golden-mlm and golden-lora. */
  diffs: TensorDiff[];
  mlmLoss: { got: number; want: number };
  loraLoss: { got: number; want: number };
  steps: StepDiff[];
  seconds: Record<string, number>;
}

async function fetchBytes(path: string): Promise<Uint8Array> {
  const res = await fetch(`/__shared/${path}`);
  if (!res.ok) throw new Error(`GET /__shared/${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const json = async <T>(path: string): Promise<T> => JSON.parse(new TextDecoder().decode(await fetchBytes(path))) as T;
const tensors = async (path: string) => readSafetensors(await fetchBytes(path), path).tensors;
const namesUnder = (g: Map<string, LoadedTensor>, prefix: string) => [...g.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));

async function init(preferred: BackendName = 'webgpu'): Promise<{ backend: string; fallbacks: { name: string; reason: string }[] }> {
  const info = await initBackend(preferred, { wasmPaths: await viteWasmFiles() });
  return { backend: info.name, fallbacks: info.fallbacks };
}

async function parity(caseName: CaseName): Promise<MlmLoraReport> {
  const seconds: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    seconds[name] = (t - t0) / 1000;
    t0 = t;
  };
  const modelDir = `fixtures/model/${caseName}`;
  const dir = `fixtures/mlm-lora/${caseName}`;
  const src = async (path: string) => bytesSource(await fetchBytes(`${modelDir}/${path}`), path);
  const loaded = await loadPretrained(await Promise.all(['config.json', 'model.safetensors'].map(src)), { extraWeights: [await src('heads.safetensors')] });
  const mlmGolden = await tensors(`${dir}/golden-mlm.safetensors`);
  const loraGolden = await tensors(`${dir}/golden-lora.safetensors`);
  const init = await tensors(`${dir}/lora-init.safetensors`);
  const mlmMeta = await json<{ mlm_loss: number }>(`${dir}/golden-mlm.json`);
  const loraMeta = await json<{ alpha: number; loss: number; adamw: { lr: number; weight_decay: number; clip_global_norm: number; beta1: number; beta2: number; epsilon: number; steps: { loss: number; grad_global_norm: number }[] } }>(`${dir}/golden-lora.json`);
  lap('load');

  const diffs: TensorDiff[] = [];
  const compare = async (golden: Map<string, LoadedTensor>, name: string, t: tf.Tensor | LoadedTensor | undefined) => {
    const got = t === undefined ? new Float32Array(0) : t instanceof tf.Tensor ? ((await t.data()) as Float32Array) : t.data;
    diffs.push(compareTensor(name, got, golden.get(name)!));
  };
  const models: BertModel[] = [];
  const report: MlmLoraReport = { caseName, backend: tf.getBackend(), diffs, mlmLoss: { got: NaN, want: mlmMeta.mlm_loss }, loraLoss: { got: NaN, want: loraMeta.loss }, steps: [], seconds };
  try {
    // Masked LM: logits at every position, then the loss and every gradient.
    const mlm = createBertModel(loaded.config, loaded.weights, { kind: 'mlm' });
    models.push(mlm);
    const host = { ...hostBatchOf(mlmGolden, 'golden-mlm.safetensors'), mlmLabels: mlmGolden.get('input/mlm_labels')!.data as Int32Array };
    const batch = toDeviceBatch(host);
    const out = mlm.forward({ ...batch, mlmPositions: undefined, mlmLabelIds: undefined }, { training: false });
    await compare(mlmGolden, 'output/mlm_logits', out.mlmLogits);
    tf.dispose(Object.values(out) as tf.Tensor[]);
    const vars = [...mlm.variables.values()];
    const byVar = [...mlm.variables.keys()];
    const g = tf.variableGrads(() => mlm.loss(batch, { training: false }), vars);
    report.mlmLoss.got = (await g.value.data())[0];
    for (const n of namesUnder(mlmGolden, 'grad_mlm/')) {
      const i = byVar.indexOf(n);
      await compare(mlmGolden, `grad_mlm/${n}`, i >= 0 ? g.grads[vars[i].name] : undefined);
    }
    tf.dispose([g.value, ...Object.values(g.grads)]);
    disposeBatch(batch);
    lap('mlm');

    // LoRA: logits, gradients, merged weights, 3 AdamW steps.
    const cls: HeadSpec = { kind: 'classification', numLabels: 2, labels: ['0', '1'] };
    const make = () => createBertModel(loaded.config, loaded.weights, cls, { trainable: { kind: 'lora', rank: 8, alpha: loraMeta.alpha, dropout: 0, targets: ['query', 'value'], init } });
    const lora = make();
    models.push(lora);
    const lb = toDeviceBatch(hostBatchOf(loraGolden, 'golden-lora.safetensors'));
    const lo = lora.forward(lb, { training: false });
    await compare(loraGolden, 'output/lora_cls_logits', lo.logits);
    tf.dispose(Object.values(lo) as tf.Tensor[]);
    const lvars = [...lora.variables.values()];
    const lnames = [...lora.variables.keys()];
    const lg = tf.variableGrads(() => lora.loss(lb, { training: false }), lvars);
    report.loraLoss.got = (await lg.value.data())[0];
    for (const n of namesUnder(loraGolden, 'grad_lora/')) {
      const i = lnames.indexOf(n);
      await compare(loraGolden, `grad_lora/${n}`, i >= 0 ? lg.grads[lvars[i].name] : undefined);
    }
    tf.dispose([lg.value, ...Object.values(lg.grads)]);
    const merged = mergeLoraWeights(await lora.exportWeights(), lora.lora!);
    for (const n of namesUnder(loraGolden, 'merged/')) await compare(loraGolden, `merged/${n}`, merged.get(n));
    lap('lora');

    const a = loraMeta.adamw;
    const trainer = createTrainer(lora, { ...DEFAULT_OPTIMIZER, name: 'adamw', schedule: 'constant', learningRate: a.lr, numTrainSteps: 3, numWarmupSteps: 0, weightDecay: a.weight_decay, maxGradNorm: a.clip_global_norm, beta1: a.beta1, beta2: a.beta2, epsilon: a.epsilon }, { dropout: false });
    try {
      for (let k = 1; k <= a.steps.length; k++) {
        const r = await trainer.step(lb);
        report.steps.push({ step: k, applied: r.applied, loss: r.loss, wantLoss: a.steps[k - 1].loss, gradNorm: r.gradNorm, wantGradNorm: a.steps[k - 1].grad_global_norm });
        for (const n of namesUnder(loraGolden, `adamw_lora/step${k}/`)) await compare(loraGolden, `adamw_lora/step${k}/${n}`, lora.variables.get(n));
      }
    } finally {
      trainer.dispose();
      disposeBatch(lb);
    }
    lap('adamw_lora');
  } finally {
    for (const m of models) m.dispose();
  }
  return report;
}

export interface MlmLoraHarness {
  init: typeof init;
  parity: typeof parity;
}

declare global {
  interface Window {
    tabtuneMlmLora?: MlmLoraHarness;
  }
}

window.tabtuneMlmLora = { init, parity };
document.getElementById('status')!.textContent = 'ready';
