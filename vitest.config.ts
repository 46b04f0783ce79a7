import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/after-suite/ runs in a second pass, once everything else has printed (scripts/test.sh).
    include: process.env.LA_AFTER_SUITE ? ['test/after-suite/**/*.test.ts'] : ['test/**/*.test.ts', 'src/**/*.test.ts'],
    exclude: process.env.LA_AFTER_SUITE ? [] : ['test/after-suite/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Child processes (CLI, Postgres, SMTP) are easier to isolate and clean up in forks than in threads.
    pool: 'forks',
    fileParallelism: true,
    // 2-core machine (dev boxes and CI alike).
    maxWorkers: 2,
  },
});
