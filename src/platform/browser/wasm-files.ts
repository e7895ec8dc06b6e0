/**
 * The WASM backend's three .wasm binaries as the URLs Vite serves, for core's
 * `initBackend(name, { wasmPaths })` in the page and the worker (core itself knows no bundler).
 * Undefined when the code is not bundled by Vite.
 */
export async function viteWasmFiles(): Promise<Record<string, string> | undefined> {
  try {
    const [plain, simd, threaded] = await Promise.all([
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'),
      import('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url'),
    ]);
    return {
      'tfjs-backend-wasm.wasm': plain.default,
      'tfjs-backend-wasm-simd.wasm': simd.default,
      'tfjs-backend-wasm-threaded-simd.wasm': threaded.default,
    };
  } catch {
    return undefined;
  }
}
