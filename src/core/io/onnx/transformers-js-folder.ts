/**
 * The fine-tuned model as a folder transformers.js (and ONNX Runtime) loads as it is:
 *
 *   config.json              architectures, id2label / label2id (as the Hugging Face export writes it)
 *   tokenizer.json           BERT WordPiece, from the vocabulary and casing in use
 *   tokenizer_config.json    BertTokenizer, do_lower_case, special tokens, model_max_length
 *   vocab.txt
 *   onnx/model.onnx          float32 graph (bert-graph.ts)
 *   onnx/model_quantized.onnx  MatMul weights int8 per channel, dynamic quantization
 *
 * Returned as {path, bytes}[] so the page zips it and the CLI writes it to disk.
 */
import { hfConfigJson, type HfExportInput } from '../export-hf';
import { hfTokenizerJson } from '../../tokenizer/hf-json-writer';
import { parseVocab } from '../../tokenizer/vocab';
import { bertOnnxModel } from './bert-graph';

export interface ExportFile {
  path: string;
  bytes: Uint8Array;
}

export interface OnnxExportOptions {
  /** Also write onnx/model_quantized.onnx (default true). */
  quantized?: boolean;
}

export function exportOnnxFolder(input: HfExportInput, options: OnnxExportOptions = {}): ExportFile[] {
  const enc = new TextEncoder();
  const json = (o: unknown) => enc.encode(`${JSON.stringify(o, null, 2)}\n`);
  const vocab = parseVocab(input.vocabText);
  const files: ExportFile[] = [
    { path: 'config.json', bytes: json(hfConfigJson(input)) },
    { path: 'tokenizer.json', bytes: json(hfTokenizerJson({ vocab, doLowerCase: input.doLowerCase })) },
    {
      path: 'tokenizer_config.json',
      bytes: json({
        tokenizer_class: 'BertTokenizer',
        do_lower_case: input.doLowerCase,
        strip_accents: null,
        tokenize_chinese_chars: true,
        model_max_length: input.config.maxPositionEmbeddings,
        unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]',
        clean_up_tokenization_spaces: true,
      }),
    },
    { path: 'vocab.txt', bytes: enc.encode(input.vocabText.endsWith('\n') ? input.vocabText : `${input.vocabText}\n`) },
    { path: 'onnx/model.onnx', bytes: bertOnnxModel(input, { quantize: false }) },
  ];
  if (options.quantized ?? true) files.push({ path: 'onnx/model_quantized.onnx', bytes: bertOnnxModel(input, { quantize: true }) });
  return files;
}
