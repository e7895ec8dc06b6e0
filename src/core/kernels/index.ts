/**
 * GPU kernels (WGSL on tfjs's WebGPU device), each with its gradient and a composed-op fallback
 * for WASM/CPU.
 * Model side (run-program.ts: registered tfjs kernels, one output each): Philox dropout,
 * LayerNorm with residual and dropout, bias + GELU, the attention core.
 * Training side (gpu-dispatch.ts: own command encoding, for kernels that write several buffers
 * in place): scatter-add (embedding gradient), column sums (bias / LayerNorm gradients), the
 * optimizer's global-norm + Adam kernels; tfjs's matmuls kept off its split-K program
 * (matmul-no-split-k.ts: atomic adds would make a resumed run differ in the last bits) and x·Wᵀ
 * steered onto its vec4 program, identity transposes as views (matmul-transposed-b.ts).
 */
export { registerWebGPUTrainingKernels, useWebGPUTrainingKernels, installedWebGPUKernels } from './webgpu-training-kernels';
export { scatterAdd } from './scatter-add';
export { columnSum } from './column-sum';
export { dispatchStats } from './gpu-dispatch';
export { setModelKernels, useModelKernels } from './run-program';
export { philox4x32, dropoutMask, type DropoutKey } from './philox';
export { dropout, dropoutComposed } from './dropout';
export { addLayerNorm, addLayerNormComposed, type AddLayerNormOptions } from './layer-norm';
export { biasGelu, biasGeluComposed, type GeluForm } from './bias-gelu';
export { attentionProbs, attentionProbsComposed } from './attention-softmax';
export { headScores, headContext, headScoresComposed, headContextComposed } from './head-matmul';
export { softmaxCrossEntropy, softmaxCrossEntropyComposed } from './cross-entropy';
export { fewMatMulWorkgroups } from './matmul-selection';
