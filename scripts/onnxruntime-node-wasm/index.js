// onnxruntime-node's API served by onnxruntime-web (WASM), for Node where onnxruntime-node's
// install script cannot download its native binaries (package.json's "overrides" maps
// onnxruntime-node here, so @huggingface/transformers installs and runs in the tests). The WASM
// files are read from onnxruntime-web's own dist/ folder (transformers.js would otherwise point
// ONNX Runtime at a CDN).
import * as ort from 'onnxruntime-web';

ort.env.wasm.wasmPaths = new URL('./', import.meta.resolve('onnxruntime-web')).href;
ort.env.wasm.numThreads = 1;
export * from 'onnxruntime-web';
export default ort;
