/** ONNX export: the fine-tuned BERT as a folder for transformers.js / ONNX Runtime (Web). */
export { exportOnnxFolder, type ExportFile, type OnnxExportOptions } from './transformers-js-folder';
export { bertOnnxModel, ONNX_OPSET, type BertOnnxInput } from './bert-graph';
export { quantizePerColumn } from './quantize';
