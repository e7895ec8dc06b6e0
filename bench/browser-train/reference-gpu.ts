/**
 * The reference laptop GPU of the roofline estimates (bench.ts from profiled kernels,
 * estimate.ts from the step's kernel list): Apple M1, 8-core GPU (Apple's figures: 2.6 TFLOP/s
 * fp32, 68.25 GB/s LPDDR4X), and the per-dispatch overhead WebGPU pays on real GPUs (published
 * measurements: about 25-70 us per dispatch on Vulkan/Metal).
 */
export const REFERENCE_GPU = { name: 'Apple M1 8-core GPU', flops: 2.6e12, bytesPerS: 68.25e9, dispatchUs: [25, 70] as [number, number] };
