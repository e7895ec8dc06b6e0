/**
 * GPU kernels (WGSL on tfjs's WebGPU device), each with its gradient and a composed-op fallback
 * for WASM/CPU.
 * Model side (run-program.ts: registered tfjs kernels, one output each): Philox dropout,
 * LayerNorm with residual and dropout, bias + GELU, the attention core.
 * Training side (gpu-dispatch.ts: own command encoding, for kernels that write several buffers
 * in place): scatter-add (embedding gradient), column sums (bias / LayerNorm gradients), the
 * optimizer's global-norm + Adam kernels; BatchMatMul / _FusedMatMul on Tabtune's tiled
 * program wherever tfjs would run its packed one (matmul-tiled.ts: 64×64 tiles, operands read in
 * their stored layout; the per-head products of head-matmul.ts run on it too), the rest kept off
 * tfjs's split-K program (matmul-no-split-k.ts: atomic adds would make a resumed run differ in
 * the last bits; the rule for both in matmul-selection.ts); identity transposes as views
 * (transpose-identity.ts).
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
