/**
 * loadPretrained: a folder's (or a drop's) files -> BertConfig + weights by canonical name.
 *
 * Formats, in order of preference unless `options.prefer` says otherwise:
 *   'hf-safetensors'  model.safetensors (or model-0000k-of-0000N.safetensors shards)
 *   'hf-bin'          pytorch_model.bin (zip + restricted pickle)
 *   'google-ckpt'     <prefix>.index + <prefix>.data-0000k-of-0000N (+ bert_config.json)
 * Every tensor's name, dtype and shape is checked against the config before any tensor is read;
 * then tensors are read one at a time (floats widened to float32, Google kernels transposed).
 */
import { TabtuneError } from '../errors';
import type { BertConfig } from '../model/config';
import type { WeightMap } from '../model/types';
import { parseBertConfig, type ParsedConfig } from './config';
import { baseName, detectModelFile, type ModelFileInfo } from './detect';
import { mlmHeadParamShapes } from '../model/mlm-head';
import { bertWeightShapes, HEAD_WEIGHTS, mapCheckpointName, OPTIONAL_WEIGHTS, type NameScheme } from './names';
import { FLOAT_DTYPES, listSafetensors, type RawCheckpoint, type RawTensor } from './raw-tensor';
import type { ByteSource, LoadedTensor } from './safetensors';
import { listTfBundle } from './tf-bundle';
import { listTorchBin } from './torch-bin';

export type PretrainedFormat = 'hf-safetensors' | 'hf-bin' | 'google-ckpt';

export interface LoadPretrainedOptions {
  /** Use this weights format when the files hold several. */
  prefer?: PretrainedFormat;
  /** Extra weight files merged in (e.g. a heads.safetensors holding classifier.* / qa_outputs.*). */
  extraWeights?: ByteSource[];
  /** Called after each tensor is read. */
  onProgress?: (done: number, total: number, name: string) => void;
}

export interface PretrainedModel {
  config: BertConfig;
  weights: WeightMap;
  format: PretrainedFormat;
  /** Stored tensors not loaded, each with the reason. */
  skipped: string[];
  /** Remarks for the page (activation used, defaults, chosen files...). */
  notes: string[];
  vocabText?: string;
  tokenizerJson?: unknown;
  /** tokenizer_config.json when present (do_lower_case...). */
  tokenizerConfig?: Record<string, unknown>;
  /** Lower-casing as the tokenizer files say (tokenizer_config.json, else tokenizer.json's normalizer); undefined when they do not. */
  doLowerCase?: boolean;
  rawConfig: Record<string, unknown>;
  /** Which file the config came from. */
  configFile: string;
}

interface Classified { src: ByteSource; info: ModelFileInfo }

const SHARDED_ST = /^model-\d{5}-of-\d{5}\.safetensors$/;
const SHARDED_BIN = /^pytorch_model-\d{5}-of-\d{5}\.bin$/;

async function text(src: ByteSource): Promise<string> {
  return new TextDecoder('utf-8').decode(await src.read(0, src.size));
}

async function json(src: ByteSource): Promise<unknown> {
  try {
    return JSON.parse(await text(src));
  } catch (e) {
    throw new TabtuneError(`is not valid JSON (${(e as Error).message})`, { file: src.name, code: 'json' });
  }
}

function pickWeightFiles(files: Classified[], kind: 'safetensors' | 'pytorch-bin', standard: string, sharded: RegExp, notes: string[]): ByteSource[] {
  const all = files.filter((f) => f.info.kind === kind);
  const std = all.filter((f) => baseName(f.src.name) === standard || sharded.test(baseName(f.src.name)));
  const chosen = std.length ? std : all.length === 1 ? all : [];
  if (!chosen.length && all.length) {
    throw new TabtuneError(`several ${kind} files and none named ${standard}: ${all.map((f) => baseName(f.src.name)).join(', ')}`, {
      file: all[0].src.name, expected: `one weights file, or one named ${standard}`, code: 'model-files',
    });
  }
  for (const f of all) if (!chosen.includes(f)) notes.push(`${baseName(f.src.name)} ignored (not the model's weights file; pass it as extra weights to merge it)`);
  return chosen.map((f) => f.src);
}

function pickGoogleCheckpoint(files: Classified[], stateText: string | undefined, notes: string[]): { index: ByteSource; shards: ByteSource[] } | undefined {
  const indexes = files.filter((f) => f.info.kind === 'ckpt-index');
  if (!indexes.length) return undefined;
  let chosen = indexes[0];
  if (indexes.length > 1) {
    const named = stateText && /model_checkpoint_path:\s*"([^"]+)"/.exec(stateText)?.[1];
    const fromState = named ? indexes.find((f) => f.info.prefix === baseName(named)) : undefined;
    const step = (f: Classified) => Number(/-(\d+)$/.exec(f.info.prefix ?? '')?.[1] ?? -1);
    chosen = fromState ?? [...indexes].sort((a, b) => step(b) - step(a))[0];
    notes.push(`${indexes.length} checkpoints found; using ${chosen.info.prefix}${fromState ? " (named in the 'checkpoint' file)" : ' (highest step)'}`);
  }
  const shards = files.filter((f) => f.info.kind === 'ckpt-data' && f.info.prefix === chosen.info.prefix).map((f) => f.src);
  return { index: chosen.src, shards };
}

export async function loadPretrained(files: ByteSource[], options: LoadPretrainedOptions = {}): Promise<PretrainedModel> {
  const notes: string[] = [];
  const classified: Classified[] = [];
  const seen = new Map<string, string>();
  for (const src of files) {
    const base = baseName(src.name);
    if (seen.has(base)) {
      throw new TabtuneError(`two files are named ${base} (${seen.get(base)} and ${src.name})`, { file: src.name, expected: 'the files of one model folder', code: 'model-files' });
    }
    seen.set(base, src.name);
    const head = await src.read(0, Math.min(16, src.size));
    classified.push({ src, info: detectModelFile(src.name, head) });
  }
  const one = (kind: ModelFileInfo['kind']) => classified.find((f) => f.info.kind === kind)?.src;
  const state = one('ckpt-state');

  // --- weights format ---
  const candidates: { format: PretrainedFormat; open: () => Promise<RawCheckpoint[]>; scheme: NameScheme; files: string[] }[] = [];
  const st = pickWeightFiles(classified, 'safetensors', 'model.safetensors', SHARDED_ST, notes);
  if (st.length) candidates.push({ format: 'hf-safetensors', scheme: 'hf', files: st.map((s) => s.name), open: () => Promise.all(st.map(listSafetensors)) });
  const bin = pickWeightFiles(classified, 'pytorch-bin', 'pytorch_model.bin', SHARDED_BIN, notes);
  if (bin.length) candidates.push({ format: 'hf-bin', scheme: 'hf', files: bin.map((s) => s.name), open: () => Promise.all(bin.map(listTorchBin)) });
  const ckpt = pickGoogleCheckpoint(classified, state ? await text(state) : undefined, notes);
  if (ckpt) candidates.push({ format: 'google-ckpt', scheme: 'google', files: [ckpt.index.name], open: async () => [await listTfBundle(ckpt.index, ckpt.shards)] });
  if (!candidates.length) {
    const orphan = classified.find((f) => f.info.kind === 'ckpt-data');
    if (orphan) throw new TabtuneError(`has no ${orphan.info.prefix}.index beside it`, { file: orphan.src.name, expected: `${orphan.info.prefix}.index`, code: 'tf-missing-index' });
    throw new TabtuneError('no model weights among the files', {
      file: classified.map((f) => baseName(f.src.name)).join(', ') || '(no files)',
      expected: 'model.safetensors, pytorch_model.bin, or a TensorFlow checkpoint (.index + .data-*)', code: 'model-files',
    });
  }
  const pick = (options.prefer && candidates.find((c) => c.format === options.prefer)) || candidates[0];
  if (options.prefer && pick.format !== options.prefer) notes.push(`no ${options.prefer} weights found; using ${pick.format}`);
  for (const c of candidates) if (c !== pick) notes.push(`${c.files.map(baseName).join(', ')} not used (${pick.format} preferred)`);

  // --- config ---
  const hfConfig = one('config');
  const googleConfig = one('google-config');
  const configSrc = pick.format === 'google-ckpt' ? googleConfig ?? hfConfig : hfConfig ?? googleConfig;
  if (!configSrc) {
    throw new TabtuneError('no model config among the files', { file: pick.files.map(baseName).join(', '), expected: 'config.json (Hugging Face) or bert_config.json (Google) beside the weights', code: 'config-missing' });
  }
  const parsed: ParsedConfig = parseBertConfig(await text(configSrc), baseName(configSrc.name));
  if (hfConfig && googleConfig) notes.push(`both config.json and bert_config.json present; using ${baseName(configSrc.name)}`);
  notes.push(...parsed.notes);
  const config = parsed.config;

  // --- list, map and check everything before reading ---
  const raws = await pick.open();
  const extras = await Promise.all((options.extraWeights ?? []).map(async (src) => {
    const kind = detectModelFile(src.name, await src.read(0, Math.min(16, src.size))).kind;
    return { raw: kind === 'pytorch-bin' ? await listTorchBin(src) : await listSafetensors(src), scheme: 'hf' as NameScheme };
  }));
  const skipped: string[] = [];
  const plan = new Map<string, { raw: RawTensor; transpose: boolean }>();
  const expected = bertWeightShapes(config);
  const mlmHead = mlmHeadParamShapes(config); // optional: loaded when present (the mlm task uses it, others ignore it)
  for (const { raw, scheme } of [...raws.map((raw) => ({ raw, scheme: pick.scheme })), ...extras]) {
    skipped.push(...raw.skipped);
    notes.push(...raw.notes);
    for (const t of raw.tensors) {
      const m = mapCheckpointName(t.name, scheme);
      if (m.kind === 'skip') { skipped.push(`${t.name} (${m.reason})`); continue; }
      if (!expected.has(m.name) && !HEAD_WEIGHTS.has(m.name) && !mlmHead.has(m.name)) { skipped.push(`${t.name} (not a BERT weight)`); continue; }
      const prev = plan.get(m.name);
      if (prev) {
        throw new TabtuneError(`${t.name} and ${prev.raw.name} (${prev.raw.file}) both map to ${m.name}`, { file: t.file, location: `tensor ${t.name}`, expected: 'each weight once', code: 'weights-duplicate' });
      }
      if (!FLOAT_DTYPES.has(t.dtype)) {
        throw new TabtuneError(`has dtype ${t.dtype}`, { file: t.file, location: `tensor ${t.name}`, expected: 'a floating-point tensor (F32, F16, BF16)', code: 'weights-dtype' });
      }
      if (m.transpose && t.shape.length !== 2) {
        throw new TabtuneError(`kernel has shape [${t.shape}]`, { file: t.file, location: `tensor ${t.name}`, expected: 'a 2-D [in, out] kernel', code: 'weights-shape' });
      }
      plan.set(m.name, { raw: t, transpose: m.transpose });
    }
  }
  const shapeOf = (p: { raw: RawTensor; transpose: boolean }) => (p.transpose ? [...p.raw.shape].reverse() : p.raw.shape);
  const mismatch = (name: string, p: { raw: RawTensor; transpose: boolean }, want: number[], why: string) => {
    const stored = p.raw.name === name ? '' : ` (${name} in Tabtune)`;
    const orient = p.transpose ? ` after transposing the stored [${p.raw.shape}]` : '';
    return new TabtuneError(`has shape [${shapeOf(p)}]${orient} but ${why} needs [${want}]${stored}`, {
      file: p.raw.file, location: `tensor ${p.raw.name}`, expected: `shape [${want}]`, code: 'weights-shape',
    });
  };
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  for (const [name, want] of [...expected, ...mlmHead]) {
    const p = plan.get(name);
    if (p && !same(shapeOf(p), want)) throw mismatch(name, p, want, baseName(configSrc.name));
  }
  for (const head of ['classifier', 'qa_outputs']) {
    const w = plan.get(`${head}.weight`);
    const b = plan.get(`${head}.bias`);
    if (!w && !b) continue;
    if (!w || !b) {
      const have = (w ?? b)!;
      throw new TabtuneError(`${head} has a ${w ? 'weight' : 'bias'} but no ${w ? 'bias' : 'weight'}`, { file: have.raw.file, location: `tensor ${have.raw.name}`, expected: `both ${head}.weight and ${head}.bias`, code: 'weights-missing' });
    }
    const rows = shapeOf(w)[0];
    const wantW = [head === 'qa_outputs' ? 2 : rows, config.hiddenSize];
    if (!same(shapeOf(w), wantW) || rows < 1) throw mismatch(`${head}.weight`, w, wantW, `hidden_size ${config.hiddenSize}${head === 'qa_outputs' ? ' and start/end' : ''}`);
    if (!same(shapeOf(b), [wantW[0]])) throw mismatch(`${head}.bias`, b, [wantW[0]], `${head}.weight [${wantW}]`);
  }
  const missing = [...expected.keys()].filter((n) => !plan.has(n) && !OPTIONAL_WEIGHTS.has(n));
  if (missing.length && pick.format === 'google-ckpt' && raws.some((r) => r.tensors.some((t) => t.name.includes('/.ATTRIBUTES/')))) {
    throw new TabtuneError('is a TensorFlow 2 object-based checkpoint (names like .../.ATTRIBUTES/VARIABLE_VALUE)', {
      file: pick.files.map(baseName).join(', '), expected: "a google-research/bert checkpoint (TensorFlow 1 names such as bert/encoder/layer_0/...), e.g. Google's BERT downloads", code: 'tf-object-graph',
    });
  }
  if (missing.length) {
    throw new TabtuneError(`${missing.length} required weight${missing.length > 1 ? 's are' : ' is'} missing: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}`, {
      file: pick.files.map(baseName).join(', '), location: missing[0], expected: `every weight of a ${config.numHiddenLayers}-layer BERT`, code: 'weights-missing',
    });
  }
  for (const n of OPTIONAL_WEIGHTS) if (!plan.has(n)) notes.push(`${n} not in the checkpoint: the model initialises it`);
  const mlmLoaded = [...mlmHead.keys()].filter((n) => plan.has(n)).length;
  if (mlmLoaded > 0 && mlmLoaded < mlmHead.size) notes.push(`masked-LM head incomplete (${mlmLoaded} of ${mlmHead.size} cls.predictions tensors): the mlm task initialises the rest`);
  else if (mlmLoaded > 0) notes.push('masked-LM head cls.predictions loaded (used by the masked-LM task only)');
  const pretrainSkipped = skipped.filter((s) => s.endsWith('(pre-training head)')).length;
  if (pretrainSkipped) notes.push(`${pretrainSkipped} pre-training head tensors ignored`);
  const slotSkipped = skipped.filter((s) => s.endsWith('(optimizer slot)')).length;
  if (slotSkipped) notes.push(`${slotSkipped} optimizer slots ignored`);
  notes.push(`weights from ${pick.files.map(baseName).join(', ')} (${pick.format})`);

  // --- read, one tensor at a time ---
  const weights: WeightMap = new Map();
  const total = plan.size;
  let done = 0;
  for (const [name, p] of plan) {
    let t = await p.raw.read();
    checkFinite(t, p.raw);
    if (p.transpose) t = transpose2d(t);
    weights.set(name, t);
    options.onProgress?.(++done, total, name);
  }

  // --- tokenizer files ---
  const vocabSrc = one('vocab');
  const tokSrc = one('tokenizer-json');
  const tokCfgSrc = one('tokenizer-config');
  const out: PretrainedModel = { config, weights, format: pick.format, skipped, notes, rawConfig: parsed.raw, configFile: baseName(configSrc.name) };
  if (vocabSrc) out.vocabText = await text(vocabSrc);
  if (tokSrc) out.tokenizerJson = await json(tokSrc);
  if (tokCfgSrc) {
    const c = await json(tokCfgSrc);
    if (c && typeof c === 'object' && !Array.isArray(c)) out.tokenizerConfig = c as Record<string, unknown>;
  }
  const fromCfg = out.tokenizerConfig?.do_lower_case;
  const normalizer = (out.tokenizerJson as { normalizer?: { lowercase?: unknown } } | undefined)?.normalizer;
  if (typeof fromCfg === 'boolean') out.doLowerCase = fromCfg;
  else if (typeof normalizer?.lowercase === 'boolean') out.doLowerCase = normalizer.lowercase;
  if (out.doLowerCase !== undefined) notes.push(`do_lower_case ${out.doLowerCase} (from ${typeof fromCfg === 'boolean' ? 'tokenizer_config.json' : 'tokenizer.json'})`);
  return out;
}

/**
 * NaN or ±Inf in a pre-trained weight is refused, naming the tensor and the first bad element:
 * it makes every forward pass NaN, so fine-tuning could only fail later and further from the
 * cause (a warning would let a run start that cannot learn anything).
 */
function checkFinite(t: LoadedTensor, raw: RawTensor): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    if (x - x !== 0) {
      throw new TabtuneError(`holds ${x} at element ${i} (of ${d.length})`, {
        file: raw.file, location: `tensor ${raw.name}`, expected: 'finite weights (the checkpoint is damaged or diverged)', code: 'weights-not-finite',
      });
    }
  }
}

/** [r, c] -> [c, r] (Google's [in, out] kernels to Hugging Face's [out, in]). */
export function transpose2d(t: LoadedTensor): LoadedTensor {
  const [r, c] = t.shape;
  const src = t.data;
  const out = new Float32Array(r * c);
  // In 32x32 tiles, so both the reads and the writes stay in cache.
  const T = 32;
  for (let i0 = 0; i0 < r; i0 += T) {
    const i1 = Math.min(r, i0 + T);
    for (let j0 = 0; j0 < c; j0 += T) {
      const j1 = Math.min(c, j0 + T);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * r + i] = src[i * c + j];
    }
  }
  return { dtype: 'float32', shape: [c, r], data: out };
}
