/**
 * `tabtune export --model DIR --format onnx --out DIR`
 * Writes a fine-tuned model (tabtune train's output, or any Hugging Face / Google folder with a
 * classifier or span head) as a folder transformers.js and ONNX Runtime load as it is:
 * config.json, tokenizer.json, tokenizer_config.json, vocab.txt, onnx/model.onnx and
 * onnx/model_quantized.onnx (int8 per channel).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError, parseFlags, requireFlag } from '../args';
import { TabtuneError } from '../../core/errors';
import { exportOnnxFolder } from '../../core/io';
import type { HeadSpec, WeightMap } from '../../core/model';
import { loadModelFolder } from './train-shared';
import { labelsFromConfig } from '../../core/session';
import { checkOutputFolder } from '../../platform/node/output-paths';
import { modelInputs, refuseNonEmpty } from '../output-inputs';

const HELP = `usage: tabtune export --model DIR --format onnx --out DIR [flags]

Writes the fine-tuned model in --model (tabtune train's output folder, or a Hugging Face /
Google folder holding a classifier or qa_outputs head) as a folder for transformers.js and
ONNX Runtime (Web): config.json, tokenizer.json, tokenizer_config.json, vocab.txt,
onnx/model.onnx (float32) and onnx/model_quantized.onnx (MatMul weights int8 per channel).

  --format onnx                    the only format (tabtune train already writes the Hugging Face folder)
  --vocab FILE                     default: the model folder's vocab.txt / tokenizer.json
  --do-lower-case / --no-lower-case  default: as the folder's tokenizer files say
  --no-quantized                   skip onnx/model_quantized.onnx
  --overwrite                      write into a non-empty --out (never over the model folder or vocabulary)
`;

const FLAGS = {
  model: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  vocab: { type: 'string' },
  'do-lower-case': { type: 'boolean' },
  'no-lower-case': { type: 'boolean' },
  'no-quantized': { type: 'boolean' },
  overwrite: { type: 'boolean' },
} as const;

/** The head a fine-tuned folder holds: qa_outputs (span), or classifier with the config's id2label. */
export function headOfFolder(weights: WeightMap, rawConfig: Record<string, unknown>, folder: string): HeadSpec {
  if (weights.has('qa_outputs.weight')) return { kind: 'span' };
  const w = weights.get('classifier.weight');
  if (!w) throw new TabtuneError('the model has no fine-tuned head (qa_outputs.weight or classifier.weight)', { file: folder, expected: "a fine-tuned model (tabtune train's output)", code: 'head-missing' });
  if (rawConfig.problem_type === 'regression') return { kind: 'regression' };
  const numLabels = w.shape[0];
  const labels = labelsFromConfig(rawConfig) ?? Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`);
  if (labels.length !== numLabels) {
    throw new TabtuneError(`config.json's id2label names ${labels.length} labels, classifier.weight has ${numLabels} rows`, { file: join(folder, 'config.json'), location: 'id2label', expected: 'one name per classifier row', code: 'head-labels' });
  }
  return { kind: 'classification', numLabels, labels };
}

export async function run(argv: string[]): Promise<number> {
  const f = parseFlags(argv, FLAGS, HELP);
  const modelDir = requireFlag(f.model, 'model');
  const outDir = requireFlag(f.out, 'out');
  const format = requireFlag(f.format, 'format');
  if (format !== 'onnx') throw new UsageError(`--format must be onnx; got '${format}'`);
  if (f['do-lower-case'] && f['no-lower-case']) throw new UsageError('--do-lower-case and --no-lower-case contradict each other');
  checkOutputFolder(outDir, modelInputs(modelDir, f.vocab, []));
  refuseNonEmpty(outDir, !!f.overwrite);
  const loaded = await loadModelFolder(modelDir, f.vocab, f['no-lower-case'] ? false : f['do-lower-case'] ? true : undefined);
  const head = headOfFolder(loaded.weights, loaded.rawConfig, modelDir);
  const files = exportOnnxFolder(
    {
      config: loaded.config,
      rawConfig: loaded.rawConfig,
      head,
      weights: loaded.weights,
      vocabText: loaded.tokenizer.vocab.idToToken.join('\n') + '\n',
      doLowerCase: loaded.tokenizer.doLowerCase,
    },
    { quantized: !f['no-quantized'] },
  );
  for (const file of files) {
    const path = join(outDir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.bytes);
    process.stderr.write(`wrote ${path} (${file.bytes.byteLength} bytes)\n`);
  }
  process.stdout.write(JSON.stringify({ out: outDir, files: files.map((x) => x.path), head: head.kind }) + '\n');
  return 0;
}
