/**
 * `tabtune train --trainable lora ...`: how the trained LoRA model is written to --out
 * (`--lora-export merged`, the default: W' = W + (α/r)·B·A, a plain Hugging Face folder;
 * `--lora-export adapter`: peft's adapter_model.safetensors + adapter_config.json, with the
 * vocabulary). Without LoRA the folder is written as before (train-shared.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../args';
import { exportHfFolder } from '../../core/io';
import type { BertModel, HeadSpec } from '../../core/model';
import { mergedWeights, peftAdapterFiles, type LoraExportMode } from '../../core/session';
import type { LoadedModelFolder } from './train-shared';

export const LORA_EXPORT_FLAGS = { 'lora-export': { type: 'string' } } as const;

export const LORA_EXPORT_HELP = '  --lora-export MODE                 with --trainable lora: merged (default; adapters folded into a plain folder) or adapter (peft files)';

export function parseLoraExport(v: string | undefined): LoraExportMode {
  if (v === undefined || v === 'merged') return 'merged';
  if (v === 'adapter') return 'adapter';
  throw new UsageError(`--lora-export must be merged or adapter; got '${v}'`);
}

/** Writes the trained model to `outDir`; returns the file names. */
export async function exportTrainedModel(
  outDir: string,
  model: BertModel,
  loaded: Pick<LoadedModelFolder, 'config' | 'rawConfig' | 'tokenizer'>,
  head: HeadSpec,
  mode: LoraExportMode,
): Promise<string[]> {
  const base = typeof loaded.rawConfig?._name_or_path === 'string' ? loaded.rawConfig._name_or_path : null;
  const files = model.lora && mode === 'adapter'
    ? await peftAdapterFiles(model, base)
    : exportHfFolder({
        config: loaded.config,
        rawConfig: loaded.rawConfig,
        weights: await mergedWeights(model),
        head,
        vocabText: loaded.tokenizer.vocab.idToToken.join('\n') + '\n',
        doLowerCase: loaded.tokenizer.doLowerCase,
      });
  if (model.lora && mode === 'adapter') files.set('vocab.txt', new TextEncoder().encode(loaded.tokenizer.vocab.idToToken.join('\n') + '\n'));
  await mkdir(outDir, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(outDir, name), bytes);
  return [...files.keys()];
}
