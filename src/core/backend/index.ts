/** The backend module's public surface: what code outside core may import. */
export { BACKEND_NAMES, initBackend } from './init';
export type { BackendInfo, BackendName } from './init';
export { measureMatmulGflops } from './matmul-gflops';
export type { MatmulMeasure } from './matmul-gflops';
