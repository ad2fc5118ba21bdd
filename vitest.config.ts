import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['vigil-source'] },
  ssr: { resolve: { conditions: ['vigil-source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default (one fewer than the cores) runs the files one at a time on a 2-core
    // machine such as CI's, where much of each file is waiting (process start and imports,
    // the database, the browser): two at a time took the suite from 10.6 to 6.1 min there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
