import { defineConfig } from '@playwright/test';

import { CHROMIUM_ARGS, chromiumPath } from './e2e/chromium.mjs';

const executablePath = chromiumPath();
const PORT = Number(process.env.E2E_PORT ?? 5199);

/**
 * Specs not yet verified as a whole on an idle machine (each test passed on its own under heavy
 * load, but a full run of the spec did not fit this round): run with E2E_ALL=1. The closing note
 * says what each still needs; they are not counted as passing.
 */
const UNVERIFIED: string[] = [];

export default defineConfig({
  testDir: 'e2e',
  testIgnore: process.env.E2E_ALL ? [] : UNVERIFIED.map((f) => `**/${f}`),
  timeout: 10 * 60_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'on',
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
  },
  webServer: {
    command: `TABTUNE_NO_WATCH=1 npx vite --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
