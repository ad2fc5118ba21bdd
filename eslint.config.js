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
  // Dependency direction (CONTRIBUTING.md): signal imports nothing of the other packages.
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
      // Face detection loads its ONNX model from the blazeface package (rPPG, issue 7).
      'packages/signal/src/vision/**',
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
  // Server folders (packages/server/src): what each may import. Arrows point to what a folder
  // uses: transports -> ingest/services -> repositories -> db; kinds plug into ingest; adapters
  // and errors are leaves; composition.ts (the one composition root) and composition/ wire them.
  ...serverImportRules({
    adapters: ['services', 'repositories', 'ingest', 'kinds', 'transports', 'realtime'],
    db: ['services', 'repositories', 'ingest', 'kinds', 'transports', 'realtime', 'adapters'],
    repositories: ['services', 'ingest', 'kinds', 'transports', 'realtime'],
    services: ['kinds', 'transports', 'realtime'],
    realtime: ['ingest', 'kinds', 'transports'],
    // The core knows a kind only through the SignalKind port, and stores through the kind.
    ingest: ['repositories', 'db', 'kinds', 'transports', 'realtime'],
    // A kind's SQL lives in repositories/; it reaches clients only through transports.
    kinds: ['transports', 'realtime'],
    // Transports validate, call one service or ingest, and answer: no SQL, no kind internals.
    transports: ['repositories', 'db', 'kinds'],
    errors: ['services', 'repositories', 'ingest', 'kinds', 'transports', 'realtime', 'db'],
    config: ['services', 'repositories', 'ingest', 'kinds', 'transports', 'realtime', 'db'],
  }),
);

/**
 * One `@typescript-eslint/no-restricted-imports` entry per server folder: the folders it must not import (relative
 * paths), plus the composition root for everyone, and the libraries that belong to one layer
 * (fastify to transports, kysely/pg to db and repositories).
 * @param {Record<string, string[]>} forbidden
 */
function serverImportRules(forbidden) {
  const libraries = {
    transports: [],
    db: ['fastify'],
    repositories: ['fastify'],
    // The PostgreSQL LISTEN/NOTIFY fan-out holds a connection of its own.
    realtime: ['fastify', 'kysely'],
    // A kind's repository (kinds/<kind>/<kind>.repository.ts) holds its SQL.
    kinds: ['fastify', 'pg'],
  };
  return Object.entries(forbidden).map(([folder, folders]) => ({
    files: [`packages/server/src/${folder}/**/*.ts`],
    ignores: ['packages/server/src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...folders.map((f) => `**/${f}/**`), '**/composition/**'] },
            // The root's types (Services) may be named; its values never imported.
            { group: ['**/composition.js'], allowTypeImports: true },
            { group: libraries[folder] ?? ['fastify', 'kysely', 'pg'] },
          ].filter((p) => p.group.length > 0),
        },
      ],
    },
  }));
}
