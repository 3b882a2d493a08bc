import { defineConfig } from 'vitest/config';

// Browser tests (npm run test:browser): the real server in-process and Debian's Chromium, one of each per test file.
// Files run one after the other: a Chromium plus a server and its PGlite database is already a lot for 2 cores.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    // Like vitest.config.ts: .ci/run sets VITEST_JSON and sums the JSON reports with test/summary.mjs.
    reporters: process.env.VITEST_JSON ? ['default', 'json'] : ['default'],
    outputFile: process.env.VITEST_JSON ? { json: process.env.VITEST_JSON } : {},
  },
});
