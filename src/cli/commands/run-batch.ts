/**
 * `tabtune run-batch --model DIR --batch FILE --out FILE [...]`: one batch through BERT, written
 * with exactly the tensor names of ../shared/fixtures/model/<case>/golden.safetensors:
 *   output/sequence_output, output/pooled_output, output/cls_logits, output/qa_start_logits,
 *   output/qa_end_logits                         (always; dropout off)
 *   grad_cls/<name> | grad_qa/<name>             (--grads cls|qa)
 *   bertadam/step{k}/<name> | adamw/step{k}/<name>  (--train-steps K: parameters after each step)
 * and the masked-LM / LoRA modes, named as ../shared/fixtures/mlm-lora/<case>/golden-*.safetensors:
 *   --grads mlm        output/mlm_logits, grad_mlm/<name> (batch with input/mlm_labels [B,S])
 *   --lora FILE        output/lora_cls_logits, merged/<module>.weight, and with --grads lora
 *                      grad_lora/<name>; --train-steps K writes adamw_lora/step{k}/<name> (LoRA
 *                      tensors and the classifier head: what trains)
 * stdout: one JSON object with the losses and, per training step, lr / loss / grad norm.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, initBackend, type BackendName } from '../../core/backend';
import { TabtuneError } from '../../core/errors';
import { loadPretrained } from '../../core/io';
import { nodeFileSource, nodeFolderSources } from '../../platform/node/byte-source';
import { checkOutputFile } from '../../platform/node/output-paths';
import { modelInputs } from '../output-inputs';
import { readSafetensors, writeSafetensors, type LoadedTensor } from '../../core/io';
import { createBertModel } from '../../core/model';
import { disposeBatch, toDeviceBatch } from '../../core/model';
import type { BertBatch, BertModel, HeadSpec, HostBatch } from '../../core/model';
import { createTrainer } from '../../core/train';
import { DEFAULT_OPTIMIZER, SCHEDULE_NAMES, type OptimizerConfig, type OptimizerName } from '../../core/train';
import { mergeLoraWeights, peftToCanonical } from '../../core/io';
import { DEFAULT_LORA, LORA_TARGETS, loraModulePath, type LoraTarget } from '../../core/model';
import type { WeightMap } from '../../core/model';
import { floatFlag, intFlag, parseFlags, requireFlag, settingFlag, UsageError } from '../args';

/** Step counts of run-batch: the settings table's bounds for step intervals. */
const STEP_BOUNDS = { min: 0, max: 1_000_000 };

const HELP = `usage: tabtune run-batch --model DIR --batch FILE --out FILE [options]

Runs one batch (a safetensors file with input/input_ids, input/token_type_ids,
input/attention_mask [B,S] and, for losses, input/labels, input/start_positions,
input/end_positions [B]) through BERT with dropout off and writes a safetensors file named
as the fixtures' golden.safetensors: output/*, and optionally gradients or optimizer steps.

  --model DIR              Hugging Face folder (config.json + model.safetensors or
                           pytorch_model.bin) or a Google checkpoint folder (bert_config.json,
                           bert_model.ckpt.index/.data-*)
  --heads FILE             safetensors with classifier.* / qa_outputs.* (else from the
                           checkpoint, else initialised: truncated normal, seed 0)
  --weights safetensors|bin  which Hugging Face weights file to read when both exist
  --batch FILE             the batch (golden.safetensors works)
  --out FILE               output safetensors
  --grads cls|qa|mlm|lora  also write grad_cls/* (classification loss), grad_qa/* (span loss),
                           grad_mlm/* (masked-LM loss; the batch needs input/mlm_labels [B,S],
                           -100 where not predicted; writes output/mlm_logits only) or
                           grad_lora/* (with --lora)
  --lora FILE              LoRA adapters (lora_A [r,in], lora_B [out,r] per adapted layer, Tabtune
                           or peft names); the rank and target layers are read from the file.
                           Writes output/lora_cls_logits and merged/*; base weights frozen
  --lora-alpha A           LoRA alpha (default 16); the update is scaled by A/r
  --train-steps K          also run K optimizer steps, writing <opt>/step{k}/<name> after each
  --optimizer bert-adam|adamw   (default bert-adam; prefix bertadam/ or adamw/)
  --loss cls|qa            loss to train (default cls for bert-adam, qa for adamw)
  --schedule google|linear|constant (default google for bert-adam, linear for adamw)
  --learning-rate X        (default 5e-5)   --num-train-steps T (default K)
  --num-warmup-steps W     (default 0)      --max-grad-norm C (default 1.0; 0 disables)
  --weight-decay D         (default 0.01)
  --backend NAME           wasm (default in Node) or cpu
`;

const OPT_PREFIX: Record<OptimizerName, string> = { 'bert-adam': 'bertadam', adamw: 'adamw' };

/** The adapters of a --lora file by canonical name, and the target layers they cover. */
function readLora(file: string): { init: WeightMap; targets: LoraTarget[] } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new TabtuneError(`cannot read the LoRA weights (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file, expected: 'a readable safetensors file', code: 'lora-read' });
  }
  const init = peftToCanonical(readSafetensors(bytes, file).tensors);
  const targets = new Set<LoraTarget>();
  for (const name of init.keys()) {
    const m = /^bert\.encoder\.layer\.\d+\.(.+)\.lora_A\.weight$/.exec(name);
    if (!m) continue;
    const t = LORA_TARGETS.find((x) => loraModulePath(0, x) === `bert.encoder.layer.0.${m[1]}`);
    if (!t) throw new TabtuneError(`adapts ${m[1]}`, { file, location: `tensor ${name}`, expected: `a LoRA target among ${LORA_TARGETS.join(', ')}`, code: 'lora-target' });
    targets.add(t);
  }
  if (targets.size === 0) throw new TabtuneError('holds no lora_A tensor', { file, expected: 'bert.encoder.layer.N.<module>.lora_A.weight / lora_B.weight tensors', code: 'lora-missing' });
  return { init, targets: LORA_TARGETS.filter((t) => targets.has(t)) };
}
const SPAN: HeadSpec = { kind: 'span' };

function oneOf<T extends string>(value: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} expects one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function readBatch(file: string, withMlm: boolean): { host: HostBatch; numLabels: number } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new TabtuneError(`cannot read the batch (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file, expected: 'a readable safetensors file', code: 'batch-read' });
  }
  const { tensors } = readSafetensors(bytes, file);
  const need = (name: string, rank: number): LoadedTensor => {
    const t = tensors.get(name);
    if (!t) throw new TabtuneError('is missing', { file, location: `tensor ${name}`, expected: `an integer tensor of rank ${rank}`, code: 'batch-missing' });
    if (t.dtype !== 'int32' || t.shape.length !== rank) {
      throw new TabtuneError(`is ${t.dtype} [${t.shape.join(', ')}]`, { file, location: `tensor ${name}`, expected: `an integer tensor of rank ${rank}`, code: 'batch-shape' });
    }
    return t;
  };
  const ids = need('input/input_ids', 2);
  const [B, S] = ids.shape;
  const sameShape = (name: string) => {
    const t = need(name, 2);
    if (t.shape[0] !== B || t.shape[1] !== S) throw new TabtuneError(`has shape [${t.shape.join(', ')}]`, { file, location: `tensor ${name}`, expected: `[${B}, ${S}] like input/input_ids`, code: 'batch-shape' });
    return t.data as Int32Array;
  };
  const optional = (name: string) => {
    if (!tensors.has(name)) return undefined;
    const t = need(name, 1);
    if (t.shape[0] !== B) throw new TabtuneError(`has shape [${t.shape.join(', ')}]`, { file, location: `tensor ${name}`, expected: `[${B}]`, code: 'batch-shape' });
    return t.data as Int32Array;
  };
  const host: HostBatch = {
    batchSize: B,
    seqLength: S,
    inputIds: ids.data as Int32Array,
    tokenTypeIds: sameShape('input/token_type_ids'),
    attentionMask: sameShape('input/attention_mask'),
    labels: optional('input/labels'),
    startPositions: optional('input/start_positions'),
    endPositions: optional('input/end_positions'),
  };
  if (withMlm) host.mlmLabels = sameShape('input/mlm_labels');
  const labels = host.labels ? Math.max(1, ...host.labels) + 1 : 2;
  return { host, numLabels: Math.max(2, labels) };
}

async function hostOf(t: tf.Tensor): Promise<LoadedTensor> {
  return { dtype: 'float32', shape: [...t.shape], data: new Float32Array((await t.data()) as Float32Array) };
}

export async function run(argv: string[]): Promise<number> {
  const f = parseFlags(
    argv,
    {
      model: { type: 'string' },
      heads: { type: 'string' },
      weights: { type: 'string' },
      batch: { type: 'string' },
      out: { type: 'string' },
      grads: { type: 'string' },
      'train-steps': { type: 'string' },
      optimizer: { type: 'string' },
      loss: { type: 'string' },
      schedule: { type: 'string' },
      'learning-rate': { type: 'string' },
      'num-train-steps': { type: 'string' },
      'num-warmup-steps': { type: 'string' },
      'max-grad-norm': { type: 'string' },
      'weight-decay': { type: 'string' },
      lora: { type: 'string' },
      'lora-alpha': { type: 'string' },
      backend: { type: 'string' },
    },
    HELP,
  );
  const modelDir = requireFlag(f.model, 'model');
  const batchFile = requireFlag(f.batch, 'batch');
  const outFile = requireFlag(f.out, 'out');
  checkOutputFile(outFile, modelInputs(modelDir, undefined, [
    { path: batchFile, what: 'the batch (--batch)' },
    ...(typeof f.lora === 'string' ? [{ path: f.lora, what: 'the LoRA adapters (--lora)' }] : []),
    ...(typeof f.heads === 'string' ? [{ path: f.heads, what: 'the heads (--heads)' }] : []),
  ]), { overwrite: true });
  const weightsKind = oneOf(f.weights, 'weights', ['safetensors', 'bin'] as const, 'safetensors');
  const grads = f.grads === undefined ? undefined : oneOf(f.grads, 'grads', ['cls', 'qa', 'mlm', 'lora'] as const, 'cls');
  if (grads === 'lora' && !f.lora) throw new UsageError('--grads lora needs --lora FILE');
  if (f.lora && grads !== undefined && grads !== 'lora') throw new UsageError(`--lora trains only the adapters: use --grads lora, not --grads ${grads}`);
  const loraAlpha = floatFlag(f['lora-alpha'], 'lora-alpha', DEFAULT_LORA.alpha, { min: 0, minExclusive: true, max: 1e6 });
  if (!(loraAlpha > 0)) throw new UsageError('--lora-alpha must be > 0');
  const mode: 'plain' | 'mlm' | 'lora' = f.lora ? 'lora' : grads === 'mlm' ? 'mlm' : 'plain';
  if (mode === 'mlm' && trainStepsFlag(f) > 0) throw new UsageError('--train-steps is not available with --grads mlm');
  const trainSteps = intFlag(f['train-steps'], 'train-steps', 0, STEP_BOUNDS);
  if (trainSteps < 0) throw new UsageError('--train-steps must be ≥ 0');
  const optName = oneOf(f.optimizer, 'optimizer', ['bert-adam', 'adamw'] as const, 'bert-adam');
  const lossKind = oneOf(f.loss, 'loss', ['cls', 'qa'] as const, optName === 'bert-adam' ? 'cls' : 'qa');
  const optConfig: OptimizerConfig = {
    ...DEFAULT_OPTIMIZER,
    name: optName,
    schedule: oneOf(f.schedule, 'schedule', SCHEDULE_NAMES, optName === 'bert-adam' ? 'google' : 'linear'),
    learningRate: settingFlag(f['learning-rate'], 'learning-rate', 'learningRate', DEFAULT_OPTIMIZER.learningRate),
    numTrainSteps: intFlag(f['num-train-steps'], 'num-train-steps', Math.max(trainSteps, 1), { ...STEP_BOUNDS, min: 1 }),
    numWarmupSteps: intFlag(f['num-warmup-steps'], 'num-warmup-steps', 0, STEP_BOUNDS),
    maxGradNorm: settingFlag(f['max-grad-norm'], 'max-grad-norm', 'maxGradNorm', DEFAULT_OPTIMIZER.maxGradNorm),
    weightDecay: settingFlag(f['weight-decay'], 'weight-decay', 'weightDecay', DEFAULT_OPTIMIZER.weightDecay),
  };
  const backend = oneOf(f.backend, 'backend', BACKEND_NAMES, 'wasm') as BackendName;

  let isDir = false;
  try {
    isDir = statSync(modelDir).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) throw new TabtuneError('is not a folder', { file: modelDir, expected: 'a Hugging Face or Google checkpoint folder', code: 'model-folder' });

  const info = await initBackend(backend);
  for (const fb of info.fallbacks) process.stderr.write(`run-batch: backend ${fb.name} unavailable (${fb.reason})\n`);
  const { host, numLabels } = readBatch(batchFile, mode === 'mlm');
  const lora = f.lora ? readLora(f.lora) : undefined;
  const loaded = await loadPretrained(nodeFolderSources(modelDir), {
    prefer: weightsKind === 'bin' ? 'hf-bin' : undefined,
    extraWeights: f.heads ? [nodeFileSource(f.heads)] : [],
  });
  for (const n of loaded.notes) process.stderr.write(`run-batch: ${n}\n`);

  const cls: HeadSpec = { kind: 'classification', numLabels, labels: Array.from({ length: numLabels }, (_, i) => String(i)) };
  const out = new Map<string, LoadedTensor>();
  const summary: Record<string, unknown> = { backend: info.name };
  const batch: BertBatch = toDeviceBatch(host);
  const models: BertModel[] = [];
  try {
    if (mode !== 'plain') {
      const model =
        mode === 'mlm'
          ? createBertModel(loaded.config, loaded.weights, { kind: 'mlm' }, { source: modelDir })
          : createBertModel(loaded.config, loaded.weights, cls, { source: modelDir, trainable: { kind: 'lora', ...DEFAULT_LORA, alpha: loraAlpha, dropout: 0, targets: lora!.targets, init: lora!.init } });
      models.push(model);
      for (const n of model.initialized ?? []) process.stderr.write(`run-batch: ${n} not in the checkpoint, initialised (seed 0)\n`);
      await runAdapted(model, mode, batch, grads !== undefined, trainSteps, optConfig, lossKind, out, summary);
      return finish(out, outFile, summary);
    }
    const clsModel = createBertModel(loaded.config, loaded.weights, cls, { source: modelDir });
    const spanModel = createBertModel(loaded.config, loaded.weights, SPAN, { source: modelDir });
    models.push(clsModel, spanModel);
    for (const m of models) for (const n of m.initialized ?? []) process.stderr.write(`run-batch: ${n} not in the checkpoint, initialised (seed 0)\n`);

    // Outputs (dropout off).
    const a = clsModel.forward(batch, { training: false });
    const b = spanModel.forward(batch, { training: false });
    out.set('output/sequence_output', await hostOf(a.sequenceOutput));
    out.set('output/pooled_output', await hostOf(a.pooledOutput!));
    out.set('output/cls_logits', await hostOf(a.logits!));
    out.set('output/qa_start_logits', await hostOf(b.startLogits!));
    out.set('output/qa_end_logits', await hostOf(b.endLogits!));
    tf.dispose([...Object.values(a), ...Object.values(b)] as tf.Tensor[]);

    // Gradients of one loss.
    if (grads) {
      const model = grads === 'qa' ? spanModel : clsModel;
      const vars = [...model.variables.values()];
      const names = [...model.variables.keys()];
      const { value, grads: g } = tf.variableGrads(() => model.loss(batch, { training: false }), vars);
      for (let i = 0; i < names.length; i++) out.set(`grad_${grads}/${names[i]}`, await hostOf(g[vars[i].name]));
      summary[`${grads}_loss`] = (await value.data())[0];
      tf.dispose([value, ...Object.values(g)]);
    }

    // Optimizer steps.
    if (trainSteps > 0) {
      const model = lossKind === 'cls' ? clsModel : spanModel;
      const trainer = createTrainer(model, optConfig, { dropout: false });
      const steps: unknown[] = [];
      try {
        for (let k = 1; k <= trainSteps; k++) {
          const r = await trainer.step(batch);
          steps.push({ step: k - 1, lr: r.learningRate, loss: r.loss, grad_global_norm: r.gradNorm, applied: r.applied, ...(r.skipped ? { skipped: r.skipped } : {}) });
          for (const [n, v] of model.variables) out.set(`${OPT_PREFIX[optName]}/step${k}/${n}`, await hostOf(v));
        }
      } finally {
        trainer.dispose();
      }
      summary[OPT_PREFIX[optName]] = { loss: lossKind, hyper: optConfig, steps };
    }
  } finally {
    for (const m of models) m.dispose();
    disposeBatch(batch);
  }
  return finish(out, outFile, summary);
}

function finish(out: Map<string, LoadedTensor>, outFile: string, summary: Record<string, unknown>): number {
  try {
    writeFileSync(outFile, writeSafetensors(out));
  } catch (e) {
    throw new TabtuneError(`cannot write the output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: outFile, expected: 'a writable path', code: 'out-write' });
  }
  process.stdout.write(JSON.stringify(summary) + '\n');
  return 0;
}

function trainStepsFlag(f: Record<string, string | boolean | undefined>): number {
  return intFlag(f['train-steps'] as string | undefined, 'train-steps', 0);
}

/** The masked-LM and LoRA modes: outputs, gradients of the one loss, and (LoRA) optimizer steps. */
async function runAdapted(model: BertModel, mode: 'mlm' | 'lora', batch: BertBatch, withGrads: boolean, trainSteps: number, optConfig: OptimizerConfig, lossKind: string, out: Map<string, LoadedTensor>, summary: Record<string, unknown>): Promise<void> {
  const o = model.forward({ ...batch, mlmPositions: undefined, mlmLabelIds: undefined }, { training: false }); // [B, S, V] logits at every position
  out.set(mode === 'mlm' ? 'output/mlm_logits' : 'output/lora_cls_logits', await hostOf(mode === 'mlm' ? o.mlmLogits! : o.logits!));
  tf.dispose(Object.values(o) as tf.Tensor[]);
  if (mode === 'lora') {
    for (const [n, t] of mergeLoraWeights(await model.exportWeights(), model.lora!)) if (model.lora!.modules.some((m) => n === `${m}.weight`)) out.set(`merged/${n}`, t);
  }
  if (withGrads) {
    const vars = [...model.variables.values()];
    const names = [...model.variables.keys()];
    const { value, grads: g } = tf.variableGrads(() => model.loss(batch, { training: false }), vars);
    for (let i = 0; i < names.length; i++) out.set(`grad_${mode}/${names[i]}`, await hostOf(g[vars[i].name]));
    summary[`${mode}_loss`] = (await value.data())[0];
    tf.dispose([value, ...Object.values(g)]);
  }
  if (mode === 'lora' && trainSteps > 0) {
    if (lossKind !== 'cls') throw new UsageError('--lora trains the classification loss: use --loss cls');
    const prefix = `${OPT_PREFIX[optConfig.name]}_lora`;
    const trainer = createTrainer(model, optConfig, { dropout: false });
    const steps: unknown[] = [];
    try {
      for (let k = 1; k <= trainSteps; k++) {
        const r = await trainer.step(batch);
        steps.push({ step: k, lr: r.learningRate, loss: r.loss, grad_global_norm: r.gradNorm, applied: r.applied, ...(r.skipped ? { skipped: r.skipped } : {}) });
        for (const [n, v] of model.variables) out.set(`${prefix}/step${k}/${n}`, await hostOf(v));
      }
    } finally {
      trainer.dispose();
    }
    summary[prefix] = { loss: lossKind, hyper: optConfig, rank: model.lora!.rank, steps };
  }
}
