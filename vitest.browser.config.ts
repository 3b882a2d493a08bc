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
  },
});
