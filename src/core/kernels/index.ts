/** Model-side WGSL kernels (each with its gradient and a composed-ops fallback for WASM/CPU). */
export { setModelKernels, useModelKernels } from './run-program';
export { philox4x32, dropoutMask, type DropoutKey } from './philox';
export { dropout, dropoutComposed } from './dropout';
export { addLayerNorm, addLayerNormComposed, type AddLayerNormOptions } from './layer-norm';
export { biasGelu, biasGeluComposed, type GeluForm } from './bias-gelu';
export { attentionProbs, attentionProbsComposed } from './attention-softmax';
