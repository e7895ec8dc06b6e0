import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The page, its worker and the unit tests share this config.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // TABTUNE_NO_WATCH (browser tests, benchmarks): no file watching and no HMR, so an edit in the
  // tree never reloads a page in the middle of a training run.
  server: process.env.TABTUNE_NO_WATCH
    ? { port: 5173, strictPort: false, host: '127.0.0.1', hmr: false, watch: { ignored: ['**/*'] } }
    : { port: 5173, strictPort: false, host: '127.0.0.1' },
  preview: { port: 4173, host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
