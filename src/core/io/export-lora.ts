/**
 * A LoRA-trained model's two exports (host-side, bytes out; no device work):
 *
 *   mergeLoraWeights(weights, lora)  -> WeightMap without adapters: every adapted
 *       `<module>.weight` replaced by W' = W + (α/r)·B·A (peft's merge_and_unload), ready for
 *       exportHfFolder (a plain Hugging Face folder any BERT loader reads).
 *   exportPeftAdapter(weights, lora, head) -> Map file name -> bytes:
 *       adapter_model.safetensors  `base_model.model.<module>.lora_{A,B}.weight` and the trained
 *                                  head as `base_model.model.<head>.*` (peft's saved names:
 *                                  adapter name dropped, modules_to_save unwrapped)
 *       adapter_config.json        peft's LoraConfig (peft_type LORA, r, lora_alpha,
 *                                  lora_dropout, target_modules, modules_to_save, task_type)
 * Glossary: r rank, α alpha, in/out a dense layer's sizes.
 */
import { TabtuneError } from '../errors';
import { headParamShapes } from '../model/bert-model';
import type { BertConfig } from '../model/config';
import type { LoraTarget } from '../model/trainable';
import type { HeadSpec, WeightMap } from '../model/types';
import { writeSafetensors, type LoadedTensor } from './safetensors';

export interface LoraExportInfo {
  rank: number;
  alpha: number;
  dropout: number;
  targets: readonly string[];
  /** Adapted module paths (`bert.encoder.layer.0.attention.self.query`). */
  modules: readonly string[];
}

function need(weights: WeightMap, name: string, file: string): LoadedTensor {
  const t = weights.get(name);
  if (!t) throw new TabtuneError('is missing', { file, location: `tensor ${name}`, expected: 'every LoRA adapter tensor of the model', code: 'export-missing' });
  return t;
}

/** W' = W + (α/r)·B·A for every adapted module; the adapters themselves are dropped. */
export function mergeLoraWeights(weights: WeightMap, lora: LoraExportInfo): WeightMap {
  const out: WeightMap = new Map([...weights].filter(([n]) => !/\.lora_[AB]\.weight$/.test(n)));
  const scaling = lora.alpha / lora.rank;
  for (const m of lora.modules) {
    const w = need(weights, `${m}.weight`, 'model.safetensors'); // [out, in]
    const a = need(weights, `${m}.lora_A.weight`, 'model.safetensors'); // [r, in]
    const b = need(weights, `${m}.lora_B.weight`, 'model.safetensors'); // [out, r]
    const [rows, cols] = w.shape;
    const r = a.shape[0];
    if (a.shape[1] !== cols || b.shape[0] !== rows || b.shape[1] !== r) {
      throw new TabtuneError(`A [${a.shape}] and B [${b.shape}] do not fit W [${w.shape}]`, { file: 'model.safetensors', location: m, expected: `A [r, ${cols}], B [${rows}, r]`, code: 'export-shape' });
    }
    const merged = new Float32Array(w.data as Float32Array);
    const ad = a.data;
    const bd = b.data;
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      for (let k = 0; k < r; k++) {
        const s = scaling * bd[i * r + k];
        if (s === 0) continue;
        const ak = k * cols;
        for (let j = 0; j < cols; j++) merged[row + j] += s * ad[ak + j];
      }
    }
    out.set(`${m}.weight`, { dtype: 'float32', shape: [rows, cols], data: merged });
  }
  return out;
}

/** peft target_modules: module-name suffixes, or one regular expression when 'output' alone would also match attention.output.dense. */
function peftTargetModules(targets: readonly string[]): string[] | string {
  const suffix: Record<LoraTarget, string> = { query: 'query', key: 'key', value: 'value', 'attention.output': 'attention.output.dense', intermediate: 'intermediate.dense', output: 'output.dense' };
  const t = targets as LoraTarget[];
  if (t.includes('output') && !t.includes('attention.output')) {
    const alts = t.map((x) => (x === 'output' ? 'layer\\.\\d+\\.output\\.dense' : suffix[x].replace(/\./g, '\\.')));
    return `.*\\.(${alts.join('|')})`;
  }
  return t.map((x) => suffix[x]);
}

const TASK_TYPE: Record<HeadSpec['kind'], string | null> = { classification: 'SEQ_CLS', regression: 'SEQ_CLS', span: 'QUESTION_ANS', mlm: null };
const HEAD_MODULE: Record<HeadSpec['kind'], string> = { classification: 'classifier', regression: 'classifier', span: 'qa_outputs', mlm: 'cls' };

export function exportPeftAdapter(weights: WeightMap, lora: LoraExportInfo, head: HeadSpec, config: BertConfig, baseModel: string | null = null): Map<string, Uint8Array> {
  const tensors = new Map<string, LoadedTensor>();
  for (const m of lora.modules) {
    for (const part of ['lora_A', 'lora_B']) tensors.set(`base_model.model.${m}.${part}.weight`, need(weights, `${m}.${part}.weight`, 'adapter_model.safetensors'));
  }
  for (const name of headParamShapes(config, head).keys()) tensors.set(`base_model.model.${name}`, need(weights, name, 'adapter_model.safetensors'));
  const adapterConfig = {
    peft_type: 'LORA',
    task_type: TASK_TYPE[head.kind],
    base_model_name_or_path: baseModel,
    r: lora.rank,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    target_modules: peftTargetModules(lora.targets),
    modules_to_save: [HEAD_MODULE[head.kind]],
    bias: 'none',
    fan_in_fan_out: false,
    init_lora_weights: true,
    inference_mode: true,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    use_rslora: false,
    revision: null,
  };
  const files = new Map<string, Uint8Array>();
  files.set('adapter_model.safetensors', writeSafetensors(tensors, { format: 'pt' }));
  files.set('adapter_config.json', new TextEncoder().encode(`${JSON.stringify(adapterConfig, null, 2)}\n`));
  return files;
}

/** Reads peft's adapter_model.safetensors names back to Tabtune's (`base_model.model.` dropped). */
export function peftToCanonical(tensors: Map<string, LoadedTensor>): WeightMap {
  const out: WeightMap = new Map();
  for (const [k, v] of tensors) out.set(k.startsWith('base_model.model.') ? k.slice('base_model.model.'.length) : k, v);
  return out;
}
