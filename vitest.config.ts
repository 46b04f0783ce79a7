import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Child processes (CLI, Postgres, SMTP) are easier to isolate and clean up in forks than in threads.
    pool: 'forks',
    fileParallelism: true,
    // 2-core machine (dev boxes and CI alike).
    maxWorkers: 2,
  },
});
