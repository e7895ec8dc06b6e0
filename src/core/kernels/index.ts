/**
 * GPU kernels (WGSL on tfjs's WebGPU device) with their composed-op fallbacks.
 * Training side: scatter-add (embedding gradient), column sums (bias / LayerNorm gradients),
 * the optimizer's global-norm + Adam kernels, and the dispatch helper they share.
 */
export { registerWebGPUTrainingKernels, useWebGPUTrainingKernels, installedWebGPUKernels } from './webgpu-training-kernels';
export { scatterAdd } from './scatter-add';
export { columnSum } from './column-sum';
export { dispatchStats } from './gpu-dispatch';
