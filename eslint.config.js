// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      'coverage/**',
      'artifacts/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
      // The declaration of a .mjs script (its types for the TypeScript that imports it).
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  // Dependency direction (DEVELOPERS.md): signal imports nothing of the other packages.
  {
    files: ['packages/signal/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@vigil/server*',
            '@vigil/web*',
            '@vigil/sim*',
            '**/server/**',
            '**/web/**',
            '**/sim/**',
          ],
        },
      ],
    },
  },
  // signal core has no I/O: only the io/ and cli/ and tools/ modules may touch the file system.
  {
    files: ['packages/signal/src/**/*.ts'],
    ignores: [
      'packages/signal/src/io/**',
      'packages/signal/src/cli/**',
      'packages/signal/src/tools/**',
      'packages/signal/src/**/*.test.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'fs',
            'node:fs',
            'fs/promises',
            'node:fs/promises',
            'net',
            'node:net',
            'http',
            'node:http',
          ],
          patterns: ['@vigil/server*', '**/io/**'],
        },
      ],
    },
  },
  // The contract package depends on nothing of Vigil: the server, the simulator and the dashboard
  // depend on it.
  {
    files: ['packages/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@vigil/*', '**/server/**', '**/web/**', '**/sim/**', '**/signal/**'] },
      ],
    },
  },
  // The dashboard and the simulator reach the server only through @vigil/protocol (the
  // dashboard's end-to-end test, which starts a server, is the exception).
  {
    files: ['packages/web/src/**/*.{ts,tsx}', 'packages/sim/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@vigil/server*', '**/server/**'] }] },
  },
  // Server layers: http -> services -> repositories. Repositories never import services or http;
  // services never import http.
  {
    files: ['packages/server/src/repositories/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/services/**', '**/http/**'] }] },
  },
  {
    files: ['packages/server/src/services/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/http/**', 'fastify'] }] },
  },
  {
    files: ['packages/server/src/http/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/repositories/**', 'kysely'] }] },
  },
);
