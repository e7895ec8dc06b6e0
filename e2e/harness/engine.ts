/**
 * Browser harness for the engine (src/core) on the page's TensorFlow.js backend, driven by
 * e2e/engine-webgpu.spec.ts through `window.tabtuneEngine`:
 *
 *   init(preferred?)              -> { backend, fallbacks, adapter }   (initBackend, adapter info)
 *   parity(caseName, source)      -> ParityReport
 *
 * parity() fetches ../shared/fixtures/model/<case> from `/__shared/fixtures/model/<case>/...`
 * (the test fulfils those requests from disk: nothing is copied into the repository), loads the
 * weights with loadPretrained (Hugging Face model.safetensors + heads.safetensors, or tiny-odd's
 * Google checkpoint), runs the golden batch with dropout off exactly as `tabtune run-batch`
 * does (forward of a classification and a span model, tf.variableGrads of each loss, createTrainer
 * for 4 bert-adam steps on the classification loss and 4 adamw steps on the span loss with
 * golden.json's hyper-parameters), and compares every golden tensor in the page: only the
 * largest differences travel back to the test.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../src/core/backend';
import { viteWasmFiles } from '../../src/platform/browser/wasm-files';
import { loadPretrained, type PretrainedModel } from '../../src/core/io';
import { bytesSource, readSafetensors, type LoadedTensor } from '../../src/core/io';
import { createBertModel } from '../../src/core/model';
import { disposeBatch, toDeviceBatch } from '../../src/core/model';
import type { BertModel, HeadSpec } from '../../src/core/model';
import { createTrainer } from '../../src/core/train';
import type { OptimizerName } from '../../src/core/train';
import { compareTensor, hostBatchOf, type TensorDiff } from './golden';
import { goldenOptimizerConfig, type GoldenTrajectory } from '../../src/testing/golden-trajectory';

export type FixtureCaseName = 'tiny-odd' | 'tiny-uncased';
export type WeightsFrom = 'safetensors' | 'google';

export interface InitReport {
  backend: string;
  fallbacks: { name: string; reason: string }[];
  /** GPUAdapterInfo fields joined ("vendor / architecture / device / description"). */
  adapter: string;
}

export interface TrajectoryDiff {
  prefix: 'bertadam' | 'adamw';
  step: number;
  loss: number;
  wantLoss: number;
  gradNorm: number;
  wantGradNorm: number;
  learningRate: number;
  wantLearningRate: number;
  applied: boolean;
}

export interface ParityReport {
  caseName: FixtureCaseName;
  source: WeightsFrom;
  backend: string;
  /** One entry per golden tensor outside input/*. */
  diffs: TensorDiff[];
  trajectory: TrajectoryDiff[];
  /** Wall time of each phase (s): the first one includes shader compilation. */
  seconds: Record<string, number>;
}


const SPAN: HeadSpec = { kind: 'span' };
const OPTIMIZERS: { prefix: 'bertadam' | 'adamw'; name: OptimizerName; loss: 'cls' | 'qa' }[] = [
  { prefix: 'bertadam', name: 'bert-adam', loss: 'cls' },
  { prefix: 'adamw', name: 'adamw', loss: 'qa' },
];

async function fetchBytes(path: string): Promise<Uint8Array> {
  const res = await fetch(`/__shared/${path}`);
  if (!res.ok) throw new Error(`GET /__shared/${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function loadWeights(caseName: FixtureCaseName, source: WeightsFrom): Promise<PretrainedModel> {
  const dir = `fixtures/model/${caseName}`;
  const src = async (path: string) => bytesSource(await fetchBytes(`${dir}/${path}`), path.split('/').pop()!);
  if (source === 'google') {
    return loadPretrained(await Promise.all(['google/bert_config.json', 'google/bert_model.ckpt.index', 'google/bert_model.ckpt.data-00000-of-00001'].map(src)));
  }
  return loadPretrained(await Promise.all(['config.json', 'model.safetensors'].map(src)), { extraWeights: [await src('heads.safetensors')] });
}


function namesUnder(golden: Map<string, LoadedTensor>, prefix: string): string[] {
  return [...golden.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}

async function init(preferred: BackendName = 'webgpu'): Promise<InitReport> {
  const info = await initBackend(preferred, { wasmPaths: await viteWasmFiles() });
  let adapter = '';
  const a = await (navigator as Partial<Navigator>).gpu?.requestAdapter();
  if (a?.info) adapter = [a.info.vendor, a.info.architecture, a.info.device, a.info.description].join(' / ');
  return { backend: info.name, fallbacks: info.fallbacks, adapter };
}

async function parity(caseName: FixtureCaseName, source: WeightsFrom): Promise<ParityReport> {
  const seconds: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    seconds[name] = (t - t0) / 1000;
    t0 = t;
  };
  const goldenFile = `fixtures/model/${caseName}/golden.safetensors`;
  const golden = readSafetensors(await fetchBytes(goldenFile), goldenFile).tensors;
  const goldenJson = JSON.parse(new TextDecoder().decode(await fetchBytes(`fixtures/model/${caseName}/golden.json`))) as Record<string, unknown>;
  const loaded = await loadWeights(caseName, source);
  lap('load');

  const host = hostBatchOf(golden, goldenFile);
  const numLabels = Math.max(2, host.labels ? Math.max(...host.labels) + 1 : 2);
  const cls: HeadSpec = { kind: 'classification', numLabels, labels: Array.from({ length: numLabels }, (_, i) => String(i)) };
  const diffs: TensorDiff[] = [];
  const trajectory: TrajectoryDiff[] = [];
  const compare = async (name: string, t: tf.Tensor | undefined) => {
    const want = golden.get(name)!;
    const got = t ? ((await t.data()) as Float32Array) : new Float32Array(0);
    diffs.push(compareTensor(name, got, want));
  };
  const batch = toDeviceBatch(host);
  const models: BertModel[] = [];
  const fresh = (head: HeadSpec) => {
    const m = createBertModel(loaded.config, loaded.weights, head, { source: `${caseName} (${source})` });
    models.push(m);
    return m;
  };
  try {
    const clsModel = fresh(cls);
    const spanModel = fresh(SPAN);

    // output/*: both heads, dropout off.
    const a = clsModel.forward(batch, { training: false });
    const b = spanModel.forward(batch, { training: false });
    const outputs: Record<string, tf.Tensor | undefined> = {
      sequence_output: a.sequenceOutput,
      pooled_output: a.pooledOutput,
      cls_logits: a.logits,
      qa_start_logits: b.startLogits,
      qa_end_logits: b.endLogits,
    };
    for (const n of namesUnder(golden, 'output/')) await compare(`output/${n}`, outputs[n]);
    tf.dispose([...Object.values(a), ...Object.values(b)] as tf.Tensor[]);
    lap('outputs');

    // grad_cls/*, grad_qa/*: gradient of each loss for every variable.
    for (const [kind, model] of [['cls', clsModel], ['qa', spanModel]] as const) {
      const names = namesUnder(golden, `grad_${kind}/`);
      if (!names.length) continue;
      const vars = [...model.variables.values()];
      const byVar = [...model.variables.keys()];
      const { value, grads } = tf.variableGrads(() => model.loss(batch, { training: false }), vars);
      for (const n of names) {
        const i = byVar.indexOf(n);
        await compare(`grad_${kind}/${n}`, i >= 0 ? grads[vars[i].name] : undefined);
      }
      tf.dispose([value, ...Object.values(grads)]);
      lap(`grad_${kind}`);
    }

    // bertadam/step{k}/*, adamw/step{k}/*: parameters after each of the optimizer's steps.
    for (const o of OPTIMIZERS) {
      const traj = goldenJson[o.prefix] as GoldenTrajectory | undefined;
      if (!traj || !namesUnder(golden, `${o.prefix}/step1/`).length) continue;
      const model = fresh(o.loss === 'cls' ? cls : SPAN);
      const trainer = createTrainer(model, goldenOptimizerConfig(o.name, traj), { dropout: false });
      try {
        for (let k = 1; k <= traj.hyper.steps; k++) {
          const r = await trainer.step(batch);
          const want = traj.steps[k - 1];
          trajectory.push({
            prefix: o.prefix, step: k, applied: r.applied,
            loss: r.loss, wantLoss: want.loss,
            gradNorm: r.gradNorm, wantGradNorm: want.grad_global_norm,
            learningRate: r.learningRate, wantLearningRate: want.lr,
          });
          for (const n of namesUnder(golden, `${o.prefix}/step${k}/`)) await compare(`${o.prefix}/step${k}/${n}`, model.variables.get(n));
        }
      } finally {
        trainer.dispose();
      }
      lap(o.prefix);
    }
  } finally {
    for (const m of models) m.dispose();
    disposeBatch(batch);
  }
  return { caseName, source, backend: tf.getBackend(), diffs, trajectory, seconds };
}

export interface EngineHarness {
  init: typeof init;
  parity: typeof parity;
}

declare global {
  interface Window {
    tabtuneEngine?: EngineHarness;
  }
}

window.tabtuneEngine = { init, parity };
document.getElementById('status')!.textContent = 'ready';
